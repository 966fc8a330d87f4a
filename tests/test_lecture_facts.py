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
    theta = nn.Parameter(torch.tensor([1.0]))
    assert type((theta - 10).grad_fn).__name__ == "SubBackward0"
    assert type((10 - theta).grad_fn).__name__ == "RsubBackward1"
    text = lecture_text("03-autograd")
    assert "`θ - 10` records `SubBackward0`" in text and "records `RsubBackward1`" in text


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
