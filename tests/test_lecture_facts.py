"""What the lectures state about torch, checked against torch: each test runs the claim and finds
the sentence that makes it in the lecture, so that neither can change without the other."""
import re

import nbformat
import torch
from torch import nn

from course import ROOT


def lecture_text(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return re.sub(r"\s+", " ", "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def test_the_number_after_a_node_name_tells_variants_apart():
    theta = nn.Parameter(torch.tensor([2.0]))
    names = [type(node).__name__ for node in ((theta ** 2).grad_fn, (theta ** theta).grad_fn,
                                              (2 ** theta).grad_fn)]
    assert names == ["PowBackward0", "PowBackward1", "PowBackward2"]
    text = lecture_text("03-autograd")
    assert "`θ ** 2` records `PowBackward0`, `θ ** θ`, with a tensor as the exponent, records " \
           "`PowBackward1`, and `2 ** θ`, a number raised to a tensor, records `PowBackward2`" in text


def test_each_link_of_the_fresh_leaf_chain_is_needed():
    """Without .detach(), the gradient leaks into start.grad; without requires_grad_(True),
    backward() raises."""
    start = torch.tensor([1.0, 2.0], requires_grad=True)
    copy = start.clone()
    (copy * copy).sum().backward()
    assert not copy.is_leaf and start.grad.tolist() == [2.0, 4.0]
    plain = start.detach().clone()
    try:
        (plain * plain).sum().backward()
        raised = ""
    except RuntimeError as error:
        raised = str(error)
    assert "does not require grad and does not have a grad_fn" in raised
    text = lecture_text("03-autograd")
    assert "the gradient flows on through the clone into `start.grad`" in text
    assert "and `backward()` raises: the loss \"does not require grad and does not have a " \
           "grad_fn\"" in text
    assert "`AccumulateGrad` runs once, with the sum" in text
    assert "which adds up what arrives along both" not in text


def test_print_names_a_dtype_only_when_it_is_not_its_kinds_default():
    assert str(torch.tensor([1])) == "tensor([1])" and torch.tensor([1]).dtype == torch.int64
    assert str(torch.tensor([True])) == "tensor([True])"
    assert "dtype=torch.float64" in str(torch.tensor([1.0], dtype=torch.float64))
    assert torch.full((2,), 5).dtype == torch.int64 and torch.full((2,), 0.5).dtype == torch.float32
    assert torch.zeros(2).dtype == torch.ones(2).dtype == torch.float32
    text = lecture_text("02-torch-tensors")
    assert "`float32` for real numbers, `int64` for whole numbers, `bool` for truth values" in text
    assert "`torch.tensor([1])` prints as `tensor([1])`: an `int64` tensor" in text
    assert "`torch.full((2,), 0.5)` is `float32`, but `torch.full((2,), 5)` is `int64`" in text
    assert "These make `float32` tensors" not in text


def test_a_parameter_used_twice_reaches_accumulate_grad_once_with_the_sum():
    theta = nn.Parameter(torch.tensor([1.0]))
    loss = theta * theta
    first, second = (edge[0] for edge in loss.grad_fn.next_functions)
    assert first is second and type(first).__name__ == "AccumulateGrad"
    calls = []
    first.register_prehook(lambda grads: calls.append(grads[0].clone()))
    loss.backward()
    assert [c.tolist() for c in calls] == [[2.0]]
    assert "reaches `AccumulateGrad` once, with 2θ" in lecture_text("03-autograd")


def test_a_python_float_keeps_float_dtypes_and_makes_integers_float():
    assert (torch.tensor([1.0]) * 0.2).dtype == torch.float32
    assert (torch.tensor([1.0], dtype=torch.float64) * 0.2).dtype == torch.float64
    product = torch.tensor([1]) * 0.2
    assert product.dtype == torch.float32 and str(product) == "tensor([0.2000])"
    assert "`torch.tensor([1]) * 0.2` is `tensor([0.2000])`" in lecture_text("02-torch-tensors")


def test_momentum_is_slower_than_plain_sgd_on_the_one_weight_bowl():
    """Chapter 4's data (y = 2x, x = 1…5), w₀ = 1, λ = 0.01, 60 epochs."""
    epochs = 60
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    y = 2 * x
    distance = {}
    for momentum in (0.0, 0.9):
        w = torch.tensor([1.0], requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.01, momentum=momentum)
        for _ in range(epochs):
            loss = ((x * w - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        distance[momentum] = abs(w.item() - 2)
    assert distance[0.0] < 1e-5 < 1e-2 < distance[0.9]
    assert "plain SGD gets to w = 2 sooner than SGD with momentum 0.9" in lecture_text("04-linear-regression")


def chapter5_data(seed, n=100):
    """Chapter 5's data, drawn as its first cells draw it."""
    generator = torch.Generator().manual_seed(seed)
    u = torch.empty(n).uniform_(-1.0, 1.0, generator=generator)
    x = torch.stack([u, torch.ones(n)], dim=1)
    noise = torch.rand(n, generator=generator)
    return x, x @ torch.tensor([3.0, 2.0]) + noise, noise


def chapter5_run(x, y, steps=100, learning_rate=0.1):
    """Chapter 5's gradient descent from a = (1, 1): the loss before the first step and after
    the last; x, y may hold many data sets at once (a leading batch dimension)."""
    a = torch.ones(*x.shape[:-2], 2, requires_grad=True)
    first = None
    for _ in range(steps):
        loss = ((y - (x @ a.unsqueeze(-1)).squeeze(-1)) ** 2).mean(dim=-1)
        first = loss.detach() if first is None else first
        loss.sum().backward()
        with torch.no_grad():
            a.sub_(learning_rate * a.grad)
            a.grad.zero_()
    with torch.no_grad():
        return first, ((y - (x @ a.unsqueeze(-1)).squeeze(-1)) ** 2).mean(dim=-1)


def test_chapter5_floor_numbers():
    """Seed 42 goes from about 3.84 to about 0.0746; over a thousand seeds nine in ten floors lie
    between 0.068 and 0.095, around (n − 2)/n · 1/12 ≈ 0.082 on average."""
    first, last = chapter5_run(*chapter5_data(42)[:2])
    assert (round(first.item(), 2), round(last.item(), 4)) == (3.84, 0.0746)
    data = [chapter5_data(seed) for seed in range(1000)]
    x, y = torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data])
    _, floors = chapter5_run(x, y)
    low, high = torch.quantile(floors, torch.tensor([0.05, 0.95])).tolist()
    assert (round(low, 3), round(high, 3)) == (0.068, 0.095)
    assert abs(floors.mean().item() - 98 / 100 / 12) < 0.001
    text = lecture_text("05-fitting-a-line")
    assert "from about 3.84 to about 0.0746" in text
    assert "nine in ten land between 0.068 and 0.095" in text
    assert "(n − 2)/n · 1/12 ≈ 0.082" in text
    # The summary and the questionnaire say the floor lies a little below 1/12, not at it.
    assert "whose variance 1/12 ≈ 0.083 no line can remove" not in text
    assert "Our floor lies a little below 1/12" in text
    assert "usually a little below: (n − 2)/n · 1/12 on average, and 0.0746 for ours" in text


def test_the_best_line_does_at_least_as_well_as_the_noise():
    """The line (3, 2 + mean noise) has the noise's variance as its loss, so the least-squares
    line's loss is never above it: on every seed, not by accident."""
    for seed in range(200):
        x, y, noise = chapter5_data(seed)
        best = torch.linalg.lstsq(x, y.unsqueeze(1)).solution.squeeze(1)
        candidate = torch.tensor([3.0, 2.0 + noise.mean().item()])
        variance = noise.var(unbiased=False).item()
        assert abs(((y - x @ candidate) ** 2).mean().item() - variance) < 1e-6
        assert ((y - x @ best) ** 2).mean().item() <= variance + 1e-6
    assert "That is no accident" in lecture_text("05-fitting-a-line")


def test_the_graph_figure_draws_the_backward_graph_left_to_right():
    """Chapter 3's figure: the boxes are the output, the grad_fn nodes and the leaf; every arrow is
    a step backward() takes (output → its grad_fn, a node → its next_functions, AccumulateGrad →
    its leaf) and points right."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gdcourse.lecture.autograd_graph import computation_graph, draw_computation_graph

    theta = nn.Parameter(torch.tensor([1.0]))
    loss = torch.exp(theta * theta + 5)
    nodes, edges = computation_graph(loss, names={"θ": theta, "L": loss})
    assert [node.label for node in nodes] == ["L", "ExpBackward0", "AddBackward0", "MulBackward0",
                                              "AccumulateGrad", "θ"]
    steps = [(loss, loss.grad_fn)]
    for node in nodes:
        if node.kind == "function":
            steps += [(node.obj, next_fn) for next_fn, _ in node.obj.next_functions
                      if next_fn is not None]
            if hasattr(node.obj, "variable"):
                steps.append((node.obj, node.obj.variable))
    assert sorted((id(nodes[i].obj), id(nodes[j].obj)) for i, j in edges) == sorted(
        (id(a), id(b)) for a, b in steps)
    assert edges.count((3, 4)) == 2  # θ · θ: two arrows from MulBackward0 to AccumulateGrad

    fig, ax = plt.subplots()
    draw_computation_graph(ax, loss, names={"θ": theta, "L": loss})
    arrows = [child for child in ax.texts if child.get_text() == "" and hasattr(child, "xyann")]
    assert len(arrows) == len(edges)
    assert all(arrow.xy[0] > arrow.xyann[0] for arrow in arrows)  # to the right, from L to θ
    plt.close(fig)
    text = lecture_text("03-autograd")
    assert "Read it from left to right, the way `backward()` will run it." in text
    assert "adds what arrives into `θ.grad`" in text


def test_detach_shares_memory_and_leaves_the_graph():
    theta = nn.Parameter(torch.tensor([1.0, 2.0]))
    detached = theta.detach()
    assert detached.data_ptr() == theta.data_ptr()
    assert not detached.requires_grad and detached.grad_fn is None
    detached[0] = 10.0
    assert theta.tolist() == [10.0, 2.0]
    text = lecture_text("03-autograd")
    assert "a tensor that shares θ's memory but is cut off from the graph" in text
    assert "writing into the detached tensor writes into θ" in text


def test_clone_copies_and_passes_the_gradient_back():
    theta = nn.Parameter(torch.tensor([1.0, 2.0]))
    copy = theta.clone()
    assert copy.data_ptr() != theta.data_ptr() and not copy.is_leaf
    assert type(copy.grad_fn).__name__ == "CloneBackward0"
    (copy * copy).sum().backward()
    assert theta.grad.tolist() == [2.0, 4.0]
    text = lecture_text("03-autograd")
    assert "recorded as a `CloneBackward0`" in text
    assert "the gradient of Σᵢ copy[i]² lands in `θ.grad`: 2θ = (2, 4)" in text


def test_requires_grad_makes_a_plain_tensor_a_leaf():
    weights = torch.tensor([1.0, 2.0])
    assert not weights.requires_grad
    assert weights.requires_grad_(True) is weights
    assert weights.requires_grad and weights.is_leaf
    (weights * weights).sum().backward()
    assert weights.grad.tolist() == [2.0, 4.0]
    assert "It returns the tensor itself" in lecture_text("03-autograd")


def test_a_fresh_leaf_trains_without_touching_start():
    """Two steps of λ = 0.2 on Σᵢ w[i]² from (1, 2): w = 0.36 · (1, 2), start kept; with .clone()
    left out, one step writes 0.6 · (1, 2) into start."""
    start = nn.Parameter(torch.tensor([1.0, 2.0]))
    w = start.detach().clone().requires_grad_(True)
    for _ in range(2):
        (w * w).sum().backward()
        with torch.no_grad():
            w -= 0.2 * w.grad
        w.grad.zero_()
    assert torch.allclose(w, torch.tensor([0.36, 0.72])) and w.is_leaf
    assert start.tolist() == [1.0, 2.0]

    shared = start.detach().requires_grad_(True)
    (shared * shared).sum().backward()
    with torch.no_grad():
        shared -= 0.2 * shared.grad
    assert torch.allclose(start, torch.tensor([0.6, 1.2]))

    assert not nn.Parameter(torch.tensor([1.0])).clone().requires_grad_(True).is_leaf
    assert torch.tensor([1.0]).detach().clone().grad is None

    result = w.detach()
    assert not result.requires_grad and result.grad_fn is None
    try:
        w.numpy()
    except RuntimeError:
        pass
    else:
        raise AssertionError("numpy() accepted a tensor that requires grad")
    text = lecture_text("03-autograd")
    assert "w ends at 0.36 · (1, 2) = (0.36, 0.72), and `start` keeps (1, 2)" in text
    assert "`start` now holds 0.6 · (1, 2) = (0.6, 1.2)" in text
    assert "the copy is not a leaf, so `backward()` gives it no `.grad`" in text
    assert "which refuse a tensor that requires a gradient" in text


def test_float32_and_float64_descents_agree_with_python_floats_to_7_and_16_digits():
    def descend(theta):
        for _ in range(20):
            theta = theta - 0.2 * 2 * theta
        return theta.item()

    exact = 0.6 ** 20
    single = abs(descend(torch.tensor([1.0])) - exact) / exact
    double = abs(descend(torch.tensor([1.0], dtype=torch.float64)) - exact) / exact
    assert 1e-8 < single < 1e-6 and double < 1e-14
    text = lecture_text("02-torch-tensors")
    assert "The two agree to about 7 significant digits" in text
    assert "To about 7 significant digits: each of the twenty steps rounds to `float32`" in text


def test_chapter5_snapshot_at_step_20():
    """From (−1, 1), 20 steps of λ = 0.1 on seed 42: the intercept is almost at its final height,
    the slope still far from 3."""
    x, y, _ = chapter5_data(42)
    a = torch.tensor([-1.0, 1.0], requires_grad=True)
    for _ in range(20):
        ((y - x @ a) ** 2).mean().backward()
        with torch.no_grad():
            a.sub_(0.1 * a.grad)
            a.grad.zero_()
    assert (round(a[0].item(), 1), round(a[1].item(), 2)) == (2.1, 2.48)
    assert "(intercept about 2.48), while its slope is still only about 2.1" in lecture_text(
        "05-fitting-a-line")


def test_print_rounds_a_small_entry_to_four_decimals_in_scientific_notation():
    small = torch.tensor([3.6561584e-05, 1.0])
    assert str(small) == "tensor([3.6562e-05, 1.0000e+00])"
    assert small.tolist()[0] != 3.6562e-05
    assert "`print` shows `tensor([3.6562e-05, 1.0000e+00])`" in lecture_text("02-torch-tensors")


def test_a_parameter_is_a_fresh_leaf_whatever_it_wraps():
    """nn.Parameter(start.clone()) is a leaf cut off from start's graph: no gradient reaches
    start; and without .clone() it shares start's memory."""
    start = torch.tensor([1.0, 2.0], requires_grad=True)
    parameter = nn.Parameter(start.clone())
    assert parameter.is_leaf and parameter.grad_fn is None
    (parameter * parameter).sum().backward()
    assert start.grad is None and parameter.grad.tolist() == [2.0, 4.0]
    plain = torch.tensor([1.0, 2.0])
    shared = nn.Parameter(plain)
    with torch.no_grad():
        shared -= 1
    assert plain.tolist() == [0.0, 1.0]
    text = lecture_text("03-autograd")
    assert "`nn.Parameter(start.clone())`, as this chapter's assignment writes it, sends no " \
           "gradient back to `start`" in text
    assert "without it the Parameter shares `start`'s memory" in text
