"""What chapters 3 to 5 and their assignments say about the order of their sections, the notation of
data points, argument orders, clearing a gradient, the animation exercise and the narrow bowl of
chapter 5, checked against torch and matplotlib: each test runs the claim and finds the sentence that
makes it, so that neither can change without the other."""
import ast
import functools
import inspect
import re

import nbformat
import torch
from torch import nn

from course import ROOT


@functools.lru_cache(maxsize=None)
def lecture(name):
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


@functools.lru_cache(maxsize=None)
def source(name):
    return nbformat.read(ROOT / "source" / name / f"{name}.ipynb", as_version=4)


def flat(text):
    return re.sub(r"\s+", " ", text)


def lecture_text(name):
    return flat("\n".join(c.source for c in lecture(name).cells if c.cell_type == "markdown"))


def is_test(cell):
    return bool(cell.metadata.get("nbgrader", {}).get("grade")) and cell.cell_type == "code"


def assignment_text(name):
    """The assignment's Markdown, the text the student reads between the code."""
    return flat("\n".join(c.source for c in source(name).cells if c.cell_type == "markdown"))


def says(text, *sentences):
    missing = [sentence for sentence in sentences if flat(sentence) not in text]
    assert not missing, f"no longer said: {missing}"


def headings(name):
    """(cell index, number, title) of every numbered section heading '## N. title'."""
    found = []
    for index, cell in enumerate(lecture(name).cells):
        match = re.match(r"## (\d+)\. (.*)", cell.source) if cell.cell_type == "markdown" else None
        if match:
            found.append((index, int(match.group(1)), match.group(2)))
    return found


# ---- 13: chapter 3's copies stand next to where they are needed ------------------------------------


def test_chapter3_sections_are_numbered_in_order_with_the_copies_after_the_descent():
    for name in ("03-autograd", "04-linear-regression", "05-fitting-a-line"):
        numbers = [number for _, number, _ in headings(name)]
        assert numbers == list(range(1, len(numbers) + 1)), (name, numbers)
    titles = {number: title for _, number, title in headings("03-autograd")}
    assert titles[8].startswith("Updating θ")
    assert titles[9].startswith("Gradient descent on a loss we never differentiated")
    assert titles[10].startswith("Copies and fresh leaves")
    # Nothing before section 10 uses what section 10 introduces; the section after it is the summary.
    cells = lecture("03-autograd").cells
    start = next(i for i, _, title in headings("03-autograd") if title.startswith("Copies"))
    before = "\n".join(c.source for c in cells[:start] if c.cell_type == "code")
    assert not re.search(r"\.detach\(\)|\.clone\(\)|requires_grad_\(", before)
    after = [c.source for c in cells[start + 1:] if c.source.startswith("## ")]
    assert after[0].startswith("## Summary")
    text = lecture_text("03-autograd")
    says(text, "Sections 8 and 9 update θ in place, and that is right for a parameter we made "
               "ourselves.",
         "Each step has the four parts of section 8.",
         "we take two steps of section 8 on L(w) = Σᵢ w[i]² with λ = 0.2")
    # Every "section N" of chapters 3 to 5 names a section its chapter has.
    for name in ("03-autograd", "04-linear-regression", "05-fitting-a-line"):
        count = len(headings(name))
        own = re.sub(r"chapter \d+(?:'s|,)? (?:in )?section \d+|its section \d+|chapter 1 showed in "
                     r"section \d+|end of its section \d+|chapter 1, section \d+", "",
                     lecture_text(name), flags=re.IGNORECASE)
        for number in re.findall(r"[Ss]ections? (\d+)", own):
            assert 1 <= int(number) <= count, (name, number)


# ---- 10: data points are x[i], y[i], ŷ[i], counted from 0 ------------------------------------------


def test_data_points_are_indexed_from_zero_with_brackets():
    subscripted = re.compile(r"[xyuŷ]ᵢ|\\hat y_|\b[xyu]_\{?i\b|\\sum_\{i=1\}|Σ_\{i=1")
    for path in sorted((ROOT / "notebooks").glob("0[1-5]-*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            assert not subscripted.search(cell.source), (path.name, index)
    for path in sorted((ROOT / "source").glob("0[1-5]-*/*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if not is_test(cell):  # test cells are a fixed contract, not edited here
                assert not subscripted.search(cell.source), (path.name, index)
    says(lecture_text("04-linear-regression"),
         r"$$L(w) = \frac{1}{n} \sum_{i=0}^{n-1} (\hat y[i] - y[i])^2 .$$",
         "the count starts at 0, as in code (`x[i]`), so the sum runs over i = 0, 1, …, n − 1: all n "
         "points.",
         "More generally ŷ[i] − y[i] = (w − 2) x[i]",
         "against the formula (2/n) Σᵢ (ŷ[i] − y[i]) x[i].")
    says(assignment_text("04-linear-regression"),
         r"$$L = \frac{1}{n} \sum_{i=0}^{n-1} (\hat y[i] - y[i])^2 .$$")
    says(assignment_text("05-fitting-a-line"),
         r"$$L = \frac{1}{n} \sum_{i=0}^{n-1} (y[i] - \hat y[i])^2 ,$$",
         r"that is $\hat y[i] = a[0]\, u[i] + a[1]$ for each point $i = 0, \dots, n - 1$")
    authoring = flat((ROOT / "docs" / "AUTHORING.md").read_text())
    says(authoring, "| x[i], y[i], ŷ[i] | data point i: its input, target and prediction, counted "
                    "from 0 as in code")
    # The sums agree with the code: Σ over i = 0 … n − 1 of x[i]² / n is the 11 of chapter 4.
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    assert sum(x[i] ** 2 for i in range(0, len(x))) / len(x) == 11


# ---- 10: λ is our learning rate, γ is PyTorch's ----------------------------------------------------


def test_pytorch_sgd_page_writes_the_learning_rate_gamma_and_lambda_for_weight_decay():
    doc = torch.optim.SGD.__doc__
    assert r"\gamma \text{ (lr)}" in doc and r"\lambda \text{ (weight decay)}" in doc
    assert inspect.signature(torch.optim.SGD).parameters["weight_decay"].default == 0
    # Weight decay adds λθ to the gradient: a pull towards 0.
    w = torch.tensor([2.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, weight_decay=0.5)
    w.grad = torch.tensor([0.0])
    optimizer.step()
    assert torch.allclose(w.detach(), torch.tensor([2.0 - 0.1 * 0.5 * 2.0]))
    cell = next(c.source for c in lecture("04-linear-regression").cells
                if c.source.startswith("## 5. Letting an optimiser take the step"))
    says(flat(cell), "it writes the learning rate γ, and uses λ for *weight decay*, an extra pull of "
                     "every weight towards 0 that we never switch on (the `weight_decay` argument "
                     "keeps its default, 0). In this course λ is the learning rate: the `lr` "
                     "argument is our λ.")
    assert "weight_decay=" not in "\n".join(c.source for c in lecture("04-linear-regression").cells
                                            if c.cell_type == "code")


# ---- 10: mse takes the targets first --------------------------------------------------------------


def defined(notebook, name):
    """The function `name` as the notebook's code defines it."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                namespace = {"torch": torch}
                exec(compile(ast.Module(body=[node], type_ignores=[]), name, "exec"), namespace)
                return namespace[name], [a.arg for a in node.args.args]
    raise AssertionError(f"{name} is not defined")


def test_mse_takes_the_targets_first_and_order_matters_only_for_asymmetric_losses():
    import torch.nn.functional as F

    lecture_mse, lecture_args = defined(lecture("05-fitting-a-line"), "mse")
    assignment_mse, assignment_args = defined(source("05-fitting-a-line"), "mse")
    _, chapter4_args = defined(lecture("04-linear-regression"), "mean_squared_error")
    _, loss_fn_args = defined(source("04-linear-regression"), "loss_fn")
    assert lecture_args == assignment_args == ["y", "y_hat"]
    assert chapter4_args == loss_fn_args == ["y_hat", "y"]
    assert list(inspect.signature(F.mse_loss).parameters)[:2] == ["input", "target"]
    y, y_hat = torch.tensor([2.0, 4.0, 6.0]), torch.tensor([1.0, 5.0, 3.5])
    for mse in (lecture_mse, assignment_mse):
        assert torch.allclose(mse(y, y_hat), mse(y_hat, y))
        assert torch.allclose(mse(y, y_hat), F.mse_loss(y_hat, y))
    prediction, target = torch.tensor([0.8, 0.3]), torch.tensor([0.6, 0.1])
    assert abs(F.binary_cross_entropy(prediction, target)
               - F.binary_cross_entropy(target, prediction)) > 0.05
    says(lecture_text("05-fitting-a-line"),
         "It is the reverse of chapter 4's `mean_squared_error(y_hat, y)` and of PyTorch's own losses, "
         "which take the prediction first and the target second, as in "
         "`torch.nn.functional.mse_loss(input, target)`.",
         "For a squared error the order changes nothing: (y[i] − ŷ[i])² = (ŷ[i] − y[i])², so both "
         "orders give the same value.",
         "the binary cross-entropy, for one, takes the logarithm of the prediction only, and swapping "
         "prediction and target gives another number.")
    says(assignment_text("05-fitting-a-line"),
         "That is the order of the lecture's `mse`, taken from the reference lesson, and the reverse "
         "of assignment 4's `loss_fn(y_hat, y)` and of PyTorch's losses, which take the prediction "
         "first (`input`, then `target`). A squared error gives the same value either way",
         "for a loss that is not symmetric, such as the binary cross-entropy, swapping the two "
         "changes the value")


# ---- 12: clearing a gradient before backward() ----------------------------------------------------


def test_zero_before_backward_needs_a_gradient_to_zero():
    a = nn.Parameter(torch.tensor([1.0, 1.0]))
    assert a.grad is None
    try:
        a.grad.zero_()
    except AttributeError:
        pass
    else:
        raise AssertionError("zero_() on a fresh Parameter's .grad did not fail")

    def update(a, clear):
        clear(a)                               # before backward()
        loss = ((a - torch.tensor([3.0, 2.0])) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            a.sub_(0.1 * a.grad)

    def set_none(a):
        a.grad = None

    def guarded(a):
        if a.grad is not None:
            a.grad.zero_()

    for clear in (set_none, guarded):
        a = nn.Parameter(torch.tensor([1.0, 1.0]))
        update(a, clear)
        update(a, clear)
        assert torch.allclose(a.detach(), torch.tensor([3.0, 2.0]) - 0.64 * torch.tensor([2.0, 1.0]))

    # optimizer.zero_grad() skips a None gradient and by default sets the others to None.
    w = torch.tensor([1.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.01)
    optimizer.zero_grad()
    assert w.grad is None
    (w * w).sum().backward()
    optimizer.zero_grad()
    assert w.grad is None

    assert "just as right" not in assignment_text("05-fitting-a-line")
    says(assignment_text("05-fitting-a-line"),
         "(Clearing it before `backward()` works too, but not with `a.grad.zero_()`: on a fresh "
         "Parameter `a.grad` is `None` until the first `backward()`, and `None` has no `zero_()`. "
         "Before `backward()`, write `a.grad = None`, or zero it only `if a.grad is not None`. "
         "`optimizer.zero_grad()` skips a `None` gradient in the same way, and by default sets the "
         "others to `None`.)")
    says(lecture_text("04-linear-regression"),
         "(Before the first `backward()`, `w.grad` is still `None`. `optimizer.zero_grad()` skips "
         "such a gradient, so calling it first is safe, where `w.grad.zero_()` would fail: `None` "
         "has no `zero_()`.)")
    says(lecture_text("03-autograd"),
         "The first needs a gradient to fill: before the first `backward()`, `.grad` is `None`, and "
         "`None` has no `zero_()`.")


# ---- 12: the animation exercise and the lecture -----------------------------------------------------


def test_the_animation_recipe_says_where_it_differs_from_the_lecture(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    # The lecture: an init_func, and a line between the two ends of the axis moved with set_data.
    code = "\n".join(c.source for c in lecture("05-fitting-a-line").cells if c.cell_type == "code")
    assert "init_func=reset" in code and "line.set_data(u_ends, x_ends @ a)" in code
    # The solution: no init_func, a line through the data's own inputs moved with set_ydata.
    solution = next(c.source for c in source("05-fitting-a-line").cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "animate-fit")
    assert "init_func" not in solution
    assert "line, = ax.plot(u, (x @ a).detach()" in solution
    assert "line.set_ydata((x @ a).detach())" in solution

    # Without an init_func, recording starts by calling the frame function on frame 0; recording
    # again (a second save) goes on from where the first recording left a.
    calls, a = [], [0]

    def animate(i):
        calls.append(i)
        if i > 0:
            a[0] += 1
        return ()

    fig, _ = plt.subplots(figsize=(1, 1), dpi=20)
    film = FuncAnimation(fig, animate, frames=3, interval=50)
    film.to_jshtml()
    assert calls == [0, 0, 1, 2] and a == [2]
    film.save(tmp_path / "film.gif", writer="pillow")
    assert a == [4]
    plt.close(fig)

    # Unsorted inputs of one straight line: every segment lies on it, from the smallest u to the
    # largest.
    u = torch.tensor([0.5, -0.9, 0.1, 0.8, -0.2])
    heights = 3 * u + 2
    assert torch.allclose((heights[1:] - heights[:-1]) / (u[1:] - u[:-1]), torch.tensor(3.0))

    says(assignment_text("05-fitting-a-line"),
         "The recipe follows the lecture's animation (its section 12), with two differences, "
         "explained below it:",
         "The lecture draws its line between the two ends of the x axis (the two rows `x_ends`) and "
         "moves it with `line.set_data(u_ends, x_ends @ a)`. Here the line goes through the data's "
         "own inputs `x[:, 0]`",
         "The inputs never change, so each frame only sets new heights at the same points, with "
         "`line.set_ydata`.",
         "without an `init_func`, matplotlib starts by calling `animate(0)`, which takes no step. "
         "The film is right the first time it is drawn; drawn again (saved a second time, say), it "
         "goes on from where `a` stopped.")
    assert "As in the lecture:" not in assignment_text("05-fitting-a-line")


# ---- 11: chapter 4's section 12 introduces what it uses -------------------------------------------


def test_chapter4_explains_each_tool_before_its_code_uses_it():
    cells = lecture("04-linear-regression").cells
    tools = {"`torch.empty(n)`": "torch.empty(", "`.uniform_(": ".uniform_(",
             "`torch.rand`": "torch.rand(", "column of ones": "torch.ones(n)",
             "`dim=1` makes them columns": "dim=1)", "`x @ a`": " @ a",
             "`torch.linalg.lstsq(x, b)`": "torch.linalg.lstsq(", "`y.unsqueeze(1)`": ".unsqueeze(1)",
             "`.squeeze(1)`": ".squeeze(1)", "`x[batch]`": "x[batch]",
             "`path.norm(dim=1)`": ".norm(dim=1)", "`.nonzero()`": ".nonzero()"}
    for words, code in tools.items():
        said = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and words in c.source)
        used = next(i for i, c in enumerate(cells) if c.cell_type == "code" and code in c.source)
        assert said < used, (words, said, used)
    text = lecture_text("04-linear-regression")
    assert "chapter 5's hundred points" not in text and "borrow the data of chapter 5" not in text
    assert "The model is chapter 5's line" not in text


def data_of(name):
    """The hundred points as the lecture's own data lines draw them."""
    lines = [line for cell in lecture(name).cells if cell.cell_type == "code"
             for line in cell.source.splitlines()
             if re.match(r"(generator|n|u|x|noise|a_true|y) = ", line)]
    namespace = {"torch": torch}
    exec("\n".join(lines), namespace)
    return namespace["u"], namespace["x"], namespace["y"]


def test_chapter4_and_chapter5_fit_the_same_points_and_chapter5_says_so():
    (u4, x4, y4), (u5, x5, y5) = data_of("04-linear-regression"), data_of("05-fitting-a-line")
    assert torch.equal(x4, x5) and torch.equal(y4, y5) and x4.shape == (100, 2)
    assert torch.equal(x4[:, 1], torch.ones(100))
    a = torch.tensor([3.0, 2.0])
    assert torch.allclose(x4 @ a, a[0] * u4 + a[1])
    # lstsq is written for matrices: a column in, a column out, squeezed back to (2,).
    column = y4.unsqueeze(1)
    solution = torch.linalg.lstsq(x4, column).solution
    assert column.shape == (100, 1) and solution.shape == (2, 1)
    best = solution.squeeze(1)
    assert best.shape == (2,)
    # ... and it is the least-squares a: the gradient of the squared error vanishes there.
    assert (x4.T @ (x4 @ best - y4)).abs().max() < 1e-3
    batch = torch.randperm(100, generator=torch.Generator().manual_seed(0))[:10]
    assert x4[batch].shape == (10, 2) and torch.equal(x4[batch][0], x4[batch[0]])
    path = torch.tensor([[3.0, 4.0], [0.0, 0.0005]])
    assert torch.allclose(path.norm(dim=1), torch.tensor([5.0, 0.0005]))
    assert (path.norm(dim=1) < 1e-3).nonzero()[0].item() == 1
    says(lecture_text("04-linear-regression"),
         "The generator is seeded with 42, the seed chapter 5 uses, so these are the very points "
         "chapter 5 fits.",
         "`torch.stack([u, torch.ones(n)], dim=1)` puts u and a column of ones side by side, as the "
         "two columns of a (100, 2) tensor x",
         "a[0]·u[i] + a[1]·1 for every row at once, the intercept riding on the column of ones.",
         "`y.unsqueeze(1)` adds a dimension of size 1 at position 1, turning shape (100,) into "
         "(100, 1), and `.squeeze(1)` removes it from the solution again, (2, 1) back to (2,).",
         "for a batch of 10, `x[batch]` has shape (10, 2).")
    says(lecture_text("05-fitting-a-line"),
         "We fit the hundred points of chapter 4's section 12 again, drawn as there from a generator "
         "seeded with 42, so they are the very same points.",
         "And as there, every input gets a second coordinate that is always 1",
         "`torch.linalg.lstsq` computes, called as in chapter 4's section 12",
         "Chapter 4's column of ones (its section 12) turns a line into a matrix product")
    first = next(c.source for c in lecture("05-fitting-a-line").cells
                 if c.source.startswith("## 1."))
    assert "The trick that keeps the code short" not in first


# ---- 11: chapter 5's narrow bowl and its cure ------------------------------------------------------


def steps_to_best(x, y, best_loss, learning_rate=0.1, tolerance=1e-4, steps=200):
    """Chapter 5's steps_to_best: gradient descent from a = (0, 0), the first k whose loss is
    within `tolerance` of the best line's."""
    a = nn.Parameter(torch.tensor([0.0, 0.0]))
    losses = []
    for _ in range(steps):
        loss = ((y - x @ a) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            a.sub_(learning_rate * a.grad)
            a.grad.zero_()
        losses.append(loss.item())
    return next(k for k, loss in enumerate(losses) if loss - best_loss < tolerance)


def curvatures(x):
    return torch.linalg.eigvalsh(2 / len(x) * x.T @ x)


def test_chapter5_loss_is_a_narrow_bowl_and_scaling_u_makes_it_round():
    u, x, y = data_of("05-fitting-a-line")
    hessian = 2 / 100 * x.T @ x
    assert round(hessian[1, 1].item(), 4) == 2.0
    assert round(u.mean().item(), 3) == 0.032 and round((u ** 2).mean().item(), 2) == 0.34
    low, high = curvatures(x).tolist()
    assert (round(low, 3), round(high, 3)) == (0.686, 2.003)
    assert round(high / low, 1) == 2.9 and round(2 / high, 1) == 1.0
    assert (round(1 - 0.1 * high, 2), round(1 - 0.1 * low, 2)) == (0.8, 0.93)
    assert (round(100 * 0.1 * high), round(100 * 0.1 * low)) == (20, 7)   # section 13's 20 % and 7 %
    # Inputs that spread less, or sit far from 0, make the ratio larger.
    generator = torch.Generator().manual_seed(42)
    for narrow in (torch.empty(100).uniform_(-0.5, 0.5, generator=generator),
                   torch.empty(100).uniform_(1.0, 3.0, generator=generator)):
        other_low, other_high = curvatures(torch.stack([narrow, torch.ones(100)], dim=1)).tolist()
        assert other_high / other_low > high / low

    scaled_u = (u - u.mean()) / u.std(unbiased=False)
    scaled = torch.stack([scaled_u, torch.ones(100)], dim=1)
    assert torch.allclose(curvatures(scaled), torch.tensor([2.0, 2.0]), atol=1e-5)
    assert torch.allclose(2 / 100 * scaled.T @ scaled, 2 * torch.eye(2), atol=1e-5)
    best = torch.linalg.lstsq(x, y.unsqueeze(1)).solution.squeeze(1)
    best_loss = ((y - x @ best) ** 2).mean().item()
    best_scaled = torch.linalg.lstsq(scaled, y.unsqueeze(1)).solution.squeeze(1)
    assert abs(((y - scaled @ best_scaled) ** 2).mean().item() - best_loss) < 1e-6  # same lines
    assert torch.equal(x @ torch.zeros(2), scaled @ torch.zeros(2))               # same start
    drawn, standardised = steps_to_best(x, y, best_loss), steps_to_best(scaled, y, best_loss)
    assert (drawn, standardised) == (73, 26) and round(drawn / standardised) == 3

    code = "\n".join(c.source for c in lecture("05-fitting-a-line").cells if c.cell_type == "code")
    for setting in ["def steps_to_best(inputs, tolerance=1e-4):",
                    "a = nn.Parameter(torch.tensor([0.0, 0.0]))",
                    "for _ in range(200)]", "u.std(unbiased=False)", "learning_rate = 0.1"]:
        assert setting in code, setting
    text = lecture_text("05-fitting-a-line")
    says(text,
         "The slope trailing the intercept is chapter 4's long, narrow bowl (its section 13) in "
         "another guise.",
         "H ≈ 2·[[1/3, 0], [0, 1]]: a curvature of about 2/3 along the slope and 2 along the "
         "intercept.",
         "our sample the mean of u is 0.032, not quite 0",
         "The curvatures are 0.686 and 2.003: the steepest direction curves 2.9 times as much as the "
         "shallowest.",
         "with λ = 0.1 it is 0.80 along the steep axis and 0.93 along the shallow one, the 20 % and "
         "7 % of section 13.",
         "the steep direction caps λ (below 2/2.003 ≈ 1 here)",
         "The ratio here is 2.9, against 10 on chapter 4's bowl",
         "inputs that spread less, or sit far from 0, make the ratio larger and the wait longer.",
         "**Feature scaling** changes u itself.",
         "so H becomes 2·[[1, 0], [0, 1]]: curvature 2 in every direction",
         "every step shrinks the distance to the best a by the same factor, 0.8.",
         "73 steps with u as drawn, 26 with u standardised: the same λ, the same lines, about a third "
         "of the steps.",
         "once u has mean 0, the intercept's curvature is 2, the same as the slope's.",
         "the curvatures, the eigenvalues of H = (2/n) xᵀx, are 0.686 and 2.003. Standardising u "
         "makes both 2, and the steps to within 10⁻⁴ of the best loss drop from 73 to 26.",
         "For our sample the curvatures are 2.003 and 0.686, so λ = 0.1 multiplies the distance by "
         "0.80 per step along one axis and by 0.93 along the other; standardising u makes both "
         "curvatures 2.")
    # Chapter 1's factor for L = aθ² is 1 − 2aλ: with the curvature c = 2a, 1 − λc.
    theta = torch.tensor([1.0], requires_grad=True)
    (5.0 * theta ** 2).sum().backward()
    assert torch.allclose(theta.detach() - 0.1 * theta.grad, torch.tensor([1 - 0.1 * 10.0]))
