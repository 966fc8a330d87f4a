"""The numbers and claims chapter 6's lecture ("Training the PyTorch way") states, recomputed here in
plain torch, independently of the notebook's code: each test runs the claim and finds the sentence
that makes it in the lecture, so that neither can change without the other."""
import ast
import functools
import math
import re
import warnings

import nbformat
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course import ROOT
from lecture_text import assert_says

LECTURE = ROOT / "notebooks" / "06-training.ipynb"


def says(*sentences):
    assert_says("06-training", *sentences)


def code_cells():
    nb = nbformat.read(LECTURE, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


# ---- the data of chapters 4 and 5 ------------------------------------------------------------------


def five_points():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    return x, 2 * x


@functools.lru_cache(maxsize=None)
def hundred_points():
    """Chapter 5's data (seed 42): inputs u, rows (u, 1), targets x @ (3, 2) + U(0, 1) noise."""
    generator = torch.Generator().manual_seed(42)
    u = torch.empty(100).uniform_(-1.0, 1.0, generator=generator)
    x = torch.stack([u, torch.ones(100)], dim=1)
    noise = torch.rand(100, generator=generator)
    return u, x, x @ torch.tensor([3.0, 2.0]) + noise


def mse(a, b):
    return ((a - b) ** 2).mean()


# ---- section 1 -------------------------------------------------------------------------------------


def test_the_layer_loss_and_parameters_repeat_chapter_4_bit_for_bit():
    x, y = five_points()
    layer = nn.Linear(1, 1, bias=False)
    assert tuple(layer.weight.shape) == (1, 1)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    loss_function = nn.MSELoss()
    assert loss_function(layer(x.unsqueeze(1)), y.unsqueeze(1)).item() == 11.0
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.01)
    layer_run = []
    for _ in range(100):
        loss = loss_function(layer(x.unsqueeze(1)), y.unsqueeze(1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        layer_run.append((loss.item(), layer.weight.item()))
    w = torch.tensor([1.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.01)
    hand_run = []
    for _ in range(100):
        loss = mse(x * w, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        hand_run.append((loss.item(), w.item()))
    assert layer_run == hand_run
    assert round(layer_run[0][1], 3) == 1.22 and layer_run[0][0] == 11.0
    says("Equal, number for number, down to the last bit of every float",
         "epoch 1 reports the loss 11 of the start and the w = 1.22 its step produced")


def test_a_target_of_another_shape_broadcasts_to_a_wrong_loss_with_only_a_warning():
    x, y = five_points()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrong = nn.MSELoss()(x.unsqueeze(1), y)          # w = 1: predictions equal the inputs
    assert wrong.item() == 19.0
    assert tuple((x.unsqueeze(1) - y).shape) == (5, 5)
    assert [w.category for w in caught] == [UserWarning]
    assert "different to the input size" in str(caught[0].message)
    says("No error, and a wrong number: 19 instead of 11",
         "(19 instead of 11 in section 1)",
         "(5, 1) against (5,) broadcasts to a (5, 5) table and gives 19 instead of 11",
         "a (5, 5) table of differences, and the loss averages all 25 squared differences")


# ---- section 2 -------------------------------------------------------------------------------------


class _Line(nn.Module):
    def __init__(self):
        super().__init__()
        self.slope = nn.Parameter(torch.tensor(1.0))
        self.intercept = nn.Parameter(torch.tensor(1.0))

    def forward(self, u):
        return self.slope * u + self.intercept


def test_a_module_of_chapter_5s_line_lands_where_chapter_5_did():
    u, x, y = hundred_points()
    line = _Line()
    assert [name for name, _ in line.named_parameters()] == ["slope", "intercept"]
    optimizer = torch.optim.SGD(line.parameters(), lr=0.1)
    for _ in range(100):
        nn.MSELoss()(line(u), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    a = torch.tensor([1.0, 1.0], requires_grad=True)     # chapter 5's own update
    for _ in range(100):
        mse(y, x @ a).backward()
        with torch.no_grad():
            a.sub_(0.1 * a.grad)
            a.grad.zero_()
    with torch.no_grad():
        assert round(line.slope.item(), 4) == round(a[0].item(), 4) == 3.0528
        assert round(line.intercept.item(), 4) == round(a[1].item(), 4) == 2.4558
        assert round(mse(line(u), y).item(), 4) == 0.0746
    says("Chapter 5's numbers: a ≈ (3.0528, 2.4558) and a loss of 0.0746.")


def test_dropout_is_random_in_training_and_the_identity_in_evaluation():
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.5)
    ones = torch.ones(8)
    first, second = dropout(ones), dropout(ones)
    assert set(first.tolist()) <= {0.0, 2.0} and set(second.tolist()) <= {0.0, 2.0}
    assert (first == 0).sum().item() == 5 and (second == 0).sum().item() == 2
    dropout.eval()
    assert torch.equal(dropout(ones), ones) and torch.equal(dropout(ones), ones)
    network = nn.Sequential(nn.Linear(1, 4), nn.Dropout(p=0.5), nn.Linear(4, 1))
    assert network.training
    network.eval()
    assert not any(module.training for module in network.modules())
    says("the first call dropped 5 of the 8 and the second 2",
         "`model.train()` sets it to `True` and `model.eval()` to `False`, for the module and every "
         "module inside it",
         "A model is in training mode when it is made.")


def test_eval_does_not_stop_autograd_and_no_grad_does():
    line = _Line()
    line.eval()
    assert line(torch.tensor([0.5])).grad_fn is not None
    with torch.no_grad():
        assert line(torch.tensor([0.5])).grad_fn is None
    says("`model.eval()` does not stop autograd.")


# ---- section 3 -------------------------------------------------------------------------------------


def test_a_loader_of_100_points_in_batches_of_30():
    u, _, y = hundred_points()
    loader = DataLoader(TensorDataset(u, y), batch_size=30, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    assert len(loader) == 4
    assert [len(batch) for batch, _ in loader] == [30, 30, 30, 10]
    says("⌈100 / 30⌉ = 4 batches: three of 30 points and a last one of 10.")


def test_a_seeded_loader_does_not_draw_randperms_order():
    """Each epoch the loader takes from its generator a 64-bit integer, the permutation it uses,
    and one more permutation it does not use."""
    n = 100

    def loader_epochs(count):
        loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=30, shuffle=True,
                            generator=torch.Generator().manual_seed(0))
        return [torch.cat([batch for (batch,) in loader]) for _ in range(count)]

    epochs = loader_epochs(3)
    assert not torch.equal(epochs[0], torch.randperm(n, generator=torch.Generator().manual_seed(0)))

    def recipe(count, unused_permutation):
        generator = torch.Generator().manual_seed(0)
        orders = []
        for _ in range(count):
            torch.empty((), dtype=torch.int64).random_(generator=generator)
            orders.append(torch.randperm(n, generator=generator))
            if unused_permutation:
                torch.randperm(n, generator=generator)
        return orders

    assert all(torch.equal(a, b) for a, b in zip(recipe(3, True), epochs))
    without = recipe(3, False)
    assert torch.equal(without[0], epochs[0]) and not torch.equal(without[1], epochs[1])
    says("each epoch takes from g, in order: one 64-bit integer, the permutation it uses, and one "
         "permutation it does not.",
         "a `DataLoader` seeded like chapter 4's generator does **not** draw chapter 4's order")


def test_the_mean_over_points_is_the_loss_on_all_the_data_and_the_mean_of_batch_means_is_not():
    u, _, y = hundred_points()
    loader = DataLoader(TensorDataset(u, y), batch_size=30, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    losses, sizes = [], []
    for u_batch, y_batch in loader:
        losses.append(mse(u_batch + 1.0, y_batch).item())  # the line (1, 1)
        sizes.append(len(u_batch))
    over_points = sum(s * l for s, l in zip(sizes, losses)) / 100
    of_batch_means = sum(losses) / len(losses)
    assert round(over_points, 4) == round(mse(u + 1.0, y).item(), 4) == 3.8375
    assert round(of_batch_means, 4) == 3.6541
    assert round(losses[-1], 3) == 2.737 and sizes[-1] == 10
    says("The mean over points, 3.8375, is the loss on all the data (chapter 4's 3.84); the mean of "
         "the batch means, 3.6541, is not: the last batch's 10 points happen to fit the line (1, 1) "
         "better than average (2.737)",
         "(3.8375 against 3.6541 for the line (1, 1))",
         "(3.8375 against 3.6541 in section 3)")


def test_the_epoch_losses_of_the_loader_loop():
    u, _, y = hundred_points()
    line = _Line()
    optimizer = torch.optim.SGD(line.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(u, y), batch_size=30, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    rows = []
    for _ in range(10):
        total = 0.0
        for u_batch, y_batch in loader:
            loss = nn.MSELoss()(line(u_batch), y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item() * len(u_batch)
        with torch.no_grad():
            rows.append((round(total / 100, 4), round(mse(line(u), y).item(), 4)))
    assert rows[0] == (2.8264, 1.3052) and rows[-1] == (0.0854, 0.0826)
    says("(epoch 1: 2.8264 against 1.3052)", "(epoch 10: 0.0854 and 0.0826)")


# ---- section 4 -------------------------------------------------------------------------------------


def test_the_update_rules_as_the_lecture_writes_them_are_torchs():
    """The five rules, written out by hand, give torch's steps on a loss with changing gradients."""
    def gradient(theta):
        return torch.stack([4 * theta[0] ** 3 - 2 * theta[1], 6 * theta[1] - 2 * theta[0]])

    def by_hand(rule, learning_rate, steps=6):
        theta = torch.tensor([1.3, -0.7], dtype=torch.float64)
        v = m = s = torch.zeros(2, dtype=torch.float64)
        for k in range(1, steps + 1):
            g = gradient(theta)
            if rule == "sgd":
                theta = theta - learning_rate * g
            elif rule in ("momentum", "nesterov"):
                v = 0.5 * v + g
                theta = theta - learning_rate * (g + 0.5 * v if rule == "nesterov" else v)
            elif rule == "rmsprop":
                s = 0.99 * s + 0.01 * g ** 2
                theta = theta - learning_rate * g / (s.sqrt() + 1e-8)
            else:
                m = 0.9 * m + 0.1 * g
                s = 0.999 * s + 0.001 * g ** 2
                m_hat, s_hat = m / (1 - 0.9 ** k), s / (1 - 0.999 ** k)
                theta = theta - learning_rate * m_hat / (s_hat.sqrt() + 1e-8)
        return theta

    makers = {"sgd": lambda p, r: torch.optim.SGD(p, lr=r),
              "momentum": lambda p, r: torch.optim.SGD(p, lr=r, momentum=0.5),
              "nesterov": lambda p, r: torch.optim.SGD(p, lr=r, momentum=0.5, nesterov=True),
              "rmsprop": lambda p, r: torch.optim.RMSprop(p, lr=r),
              "adam": lambda p, r: torch.optim.Adam(p, lr=r)}
    for rule, make in makers.items():
        theta = torch.tensor([1.3, -0.7], dtype=torch.float64, requires_grad=True)
        optimizer = make([theta], 0.02)
        for _ in range(6):
            theta.grad = gradient(theta.detach())
            optimizer.step()
        assert torch.allclose(theta.detach(), by_hand(rule, 0.02), rtol=0, atol=1e-12), rule

    rmsprop = torch.optim.RMSprop([torch.zeros(1, requires_grad=True)]).defaults
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    sgd = torch.optim.SGD([torch.zeros(1, requires_grad=True)]).defaults
    assert (rmsprop["alpha"], rmsprop["eps"], rmsprop["weight_decay"]) == (0.99, 1e-8, 0)
    assert (adam["betas"], adam["eps"], adam["lr"], adam["weight_decay"]) == ((0.9, 0.999), 1e-8,
                                                                              1e-3, 0)
    assert sgd["weight_decay"] == 0 and sgd["dampening"] == 0
    says(r"v \leftarrow \beta\, v + g, \qquad \theta \leftarrow \theta - \lambda\, v",
         r"v \leftarrow \beta\, v + g, \qquad \theta \leftarrow \theta - \lambda\, (g + \beta\, v)",
         r"s \leftarrow \alpha\, s + (1 - \alpha)\, g^2, \qquad \theta \leftarrow \theta - "
         r"\lambda\, \frac{g}{\sqrt{s} + \varepsilon}",
         "with α = 0.99 and ε = 10⁻⁸ by default",
         "with β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁸ by default",
         "PyTorch's documentation writes the learning rate γ and uses λ for *weight decay*",
         "with its defaults and a λ of about 10⁻³")


RACE_RATES = (0.01, 0.03, 0.09, 0.27, 0.81)
RACERS = {"SGD": lambda p, r: torch.optim.SGD(p, lr=r),
          "momentum 0.5": lambda p, r: torch.optim.SGD(p, lr=r, momentum=0.5),
          "Nesterov 0.5": lambda p, r: torch.optim.SGD(p, lr=r, momentum=0.5, nesterov=True),
          "RMSprop": lambda p, r: torch.optim.RMSprop(p, lr=r),
          "Adam": lambda p, r: torch.optim.Adam(p, lr=r)}


@functools.lru_cache(maxsize=None)
def bowl_run(name, learning_rate, steps=200, steepness=10):
    """L(θ₀), …, L(θ_steps) on θ[0]² + steepness·θ[1]² from (−4, 1), and θ₁ − θ₀."""
    theta = torch.tensor([-4.0, 1.0], requires_grad=True)
    optimizer = RACERS[name]([theta], learning_rate)
    losses, first = [], None
    for _ in range(steps):
        loss = theta[0] ** 2 + steepness * theta[1] ** 2
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if first is None:
            first = (theta.detach() - torch.tensor([-4.0, 1.0])).tolist()
    with torch.no_grad():
        losses.append((theta[0] ** 2 + steepness * theta[1] ** 2).item())
    return tuple(losses), tuple(first)


def settles(losses, tolerance=1e-3):
    """The first k from which every loss is below tolerance, to the end; None if there is none."""
    for k in range(len(losses)):
        if all(loss < tolerance for loss in losses[k:]):
            return k
    return None


def test_the_race_table_and_each_optimisers_best_learning_rate():
    table = {}
    for name in RACERS:
        for rate in RACE_RATES:
            losses, _ = bowl_run(name, rate)
            ran_away = not math.isfinite(losses[-1]) or losses[-1] > 26.0
            table[name, rate] = "diverges" if ran_away else settles(losses)
    assert [table["SGD", r] for r in RACE_RATES] == [None, 79, 25, "diverges", "diverges"]
    assert [table["momentum 0.5", r] for r in RACE_RATES] == [115, 33, 13, "diverges", "diverges"]
    assert [table["Nesterov 0.5", r] for r in RACE_RATES] == [117, 36] + ["diverges"] * 3
    assert [table["RMSprop", r] for r in RACE_RATES] == [None, 161, 31, 199, 181]
    assert [table["Adam", r] for r in RACE_RATES] == [None, None, 104, 95, 92]
    says("**SGD** at λ = 0.09 zig-zags across the valley, as in chapter 4, and settles in 25 steps.",
         "**Momentum 0.5** at the same λ zig-zags less and strides further along the valley: 13 "
         "steps, the fastest here.",
         "**Nesterov 0.5** does best at λ = 0.03 (36 steps), and at λ = 0.09 it *diverges* where "
         "plain momentum converges.",
         "**RMSprop** at λ = 0.09 settles in 31 steps.",
         "Its scores at 0.27 and 0.81, 199 and 181 steps",
         "**Adam** settles in 92 steps at its best λ, 0.81, and in 95 or 104 at 0.27 or 0.09",
         "At one λ, 0.09 (the middle column), the order changes: Nesterov diverges and Adam needs "
         "104 steps.",
         "they settle below 10⁻³ in 25, 13, 36, 31 and 92 steps",
         "its loss ends above where it started, L(θ₀) = 26",
         "At λ = 0.09 on the narrow bowl, Nesterov diverged and Adam needed 104 steps")


def test_the_first_step_of_sgd_rmsprop_and_adam_from_the_start_of_the_race():
    steps = {name: [round(v, 4) for v in bowl_run(name, 0.09, steps=1)[1]]
             for name in ("SGD", "RMSprop", "Adam")}
    assert steps == {"SGD": [0.72, -1.8], "RMSprop": [0.9, -0.9], "Adam": [0.09, -0.09]}
    says("The first step from (−4, 1), where g = (−8, 20), shows it: SGD moves by −λ·g, Adam moves "
         "each entry by λ, RMSprop (whose s starts at 0, so √s is 0.1 |g| after one step) by 10λ")


def test_a_ten_times_narrower_bowl_slows_sgd_and_hardly_rmsprop_or_adam():
    counts = {steepness: (settles(bowl_run("SGD", 1 / (steepness + 1), 400, steepness)[0]),
                          settles(bowl_run("RMSprop", 0.09, 400, steepness)[0]),
                          settles(bowl_run("Adam", 0.81, 400, steepness)[0]))
              for steepness in (10, 100)}
    assert counts == {10: (26, 31, 92), 100: (292, 31, 107)}
    says("Plain SGD goes from 26 steps to 292; RMSprop needs 31 both times, and Adam 92 and 107.",
         "on a ten times narrower bowl SGD needs 292 steps, RMSprop still 31",
         "plain SGD went from 26 steps to 292, RMSprop needed 31 both times and Adam 92 and 107")


def test_rmsprop_with_a_large_rate_plunges_and_bursts_back():
    found = {}
    for rate in (0.27, 0.81):
        losses, _ = bowl_run("RMSprop", rate)
        first_below = next(k for k, loss in enumerate(losses) if loss < 1e-3)
        lowest = min(range(len(losses)), key=lambda k: losses[k])
        found[rate] = (first_below, f"{losses[lowest]:.0e}", round(max(losses[lowest:]), 2),
                       settles(losses[:151]))
    assert found == {0.27: (6, "5e-39", 8.86, 6), 0.81: (6, "9e-32", 6.91, 6)}
    says("With a large λ, RMSprop is below 10⁻³ at step 6, sooner than any run in the table, and goes "
         "on down to 5e-39 (λ = 0.27) and 9e-32 (λ = 0.81). Then its loss climbs back, by more than "
         "thirty orders of magnitude, to 8.86 and 6.91, and falls again.",
         "Runs of 150 steps would have scored RMSprop at both λ as the fastest on the track, 6 steps")


# ---- section 5 -------------------------------------------------------------------------------------


def two_valleys(theta):
    return (theta[0] ** 2 - 1) ** 2 + 0.5 * theta[0] + (theta[1] - theta[0] ** 2 / 2) ** 2


def two_valleys_gradient_and_hessian(a, b):
    """By hand: ∂L/∂θ and the Hessian of (a² − 1)² + a/2 + (b − a²/2)², in float64."""
    r = b - a * a / 2
    gradient = torch.tensor([4 * a * (a * a - 1) + 0.5 - 2 * a * r, 2 * r], dtype=torch.float64)
    hessian = torch.tensor([[12 * a * a - 4 - 2 * r + 2 * a * a, -2 * a], [-2 * a, 2.0]],
                           dtype=torch.float64)
    return gradient, hessian


def stationary_points():
    """Newton's method from the lecture's three guesses, with derivatives worked out by hand."""
    found = []
    for guess in [(-1.0, 0.5), (1.0, 0.5), (0.0, 0.0)]:
        point = torch.tensor(guess, dtype=torch.float64)
        for _ in range(30):
            gradient, hessian = two_valleys_gradient_and_hessian(*point.tolist())
            point = point - torch.linalg.solve(hessian, gradient)
        curvatures = torch.linalg.eigvalsh(two_valleys_gradient_and_hessian(*point.tolist())[1])
        found.append((point, two_valleys(point).item(), curvatures.tolist()))
    return found


def test_the_two_valley_loss_has_two_minima_of_different_depths_and_a_saddle():
    (deep, deep_loss, deep_curv), (shallow, shallow_loss, shallow_curv), (saddle, saddle_loss,
                                                                          saddle_curv) = \
        stationary_points()
    assert [round(v, 3) for v in deep.tolist()] == [-1.057, 0.559] and round(deep_loss, 3) == -0.515
    assert [round(v, 3) for v in shallow.tolist()] == [0.93, 0.433]
    assert round(shallow_loss, 3) == 0.483
    assert [round(v, 3) for v in saddle.tolist()] == [0.127, 0.008] and round(saddle_loss, 3) == 1.032
    assert min(deep_curv) > 0 and min(shallow_curv) > 0
    assert [round(c, 2) for c in saddle_curv] == [-3.79, 2.01]
    # No other stationary point: on the floor θ[1] = θ[0]²/2 they solve 4t³ − 4t + 0.5 = 0.
    roots = torch.linalg.eigvals(torch.tensor([[0.0, 1.0, -0.125], [1.0, 0.0, 0.0],
                                               [0.0, 1.0, 0.0]], dtype=torch.float64))
    assert sorted(round(r.real.item(), 3) for r in roots) == [-1.057, 0.127, 0.93]
    says("the deep minimum at (−1.057, 0.559), with L = −0.515; the shallow one at (0.930, 0.433), "
         "with L = 0.483; and the saddle between them at (0.127, 0.008), with L = 1.032, where the "
         "loss curves down along one direction (curvature −3.79) and up along the other (2.01).",
         "The contour line at the saddle's loss, 1.032, crosses itself at the saddle")


STARTS = [(-1.5, 1.5), (1.5, 1.5), (-0.5, -1.0), (0.6, -1.0), (1.5, -0.5), (0.12, 0.0)]


@functools.lru_cache(maxsize=None)
def two_valley_path(start, momentum):
    theta = torch.tensor(start, requires_grad=True)
    optimizer = (torch.optim.SGD([theta], lr=0.005, momentum=0.9) if momentum
                 else torch.optim.SGD([theta], lr=0.05))
    losses, gradient_norms = [], []
    for _ in range(200):
        loss = two_valleys(theta)
        losses.append(loss.item())
        loss.backward()
        gradient_norms.append(theta.grad.norm().item())
        optimizer.step()
        optimizer.zero_grad()
    return theta.detach(), losses, gradient_norms


def test_which_minimum_each_start_reaches():
    deep, shallow = torch.tensor([-1.0575, 0.5591]), torch.tensor([0.9304, 0.4328])

    def basin(end):
        return "deep" if (end - deep).norm() < 1e-3 else "shallow" if (end - shallow).norm() < 1e-3 \
            else "neither"

    plain = [basin(two_valley_path(start, False)[0]) for start in STARTS]
    rolling = [basin(two_valley_path(start, True)[0]) for start in STARTS]
    assert plain == ["deep", "shallow", "deep", "shallow", "shallow", "deep"]
    assert rolling == ["deep", "shallow", "deep", "shallow", "deep", "deep"]
    says("three starts end in the deep minimum, three in the shallow one",
         "Momentum changes one ending. From (1.5, −0.5), plain descent goes to the shallow minimum; "
         "momentum, carrying the speed it gathered on the way down, rolls over the ridge between "
         "the valleys, through the pass at the saddle, and ends in the deep one.",
         "from (1.5, −0.5) it reached the deep minimum where plain descent stopped in the shallow "
         "one")


def test_descent_crawls_near_the_saddle():
    rows = {}
    for start in [(0.12, 0.0), (0.6, -1.0)]:
        _, losses, gradient_norms = two_valley_path(start, False)
        drop = next(k for k, loss in enumerate(losses) if loss < losses[0] - 0.1)
        rows[start] = (round(gradient_norms[0], 3), drop)
    assert rows == {(0.12, 0.0): (0.032, 20), (0.6, -1.0): (2.39, 1)}
    assert round(1 - 0.05 * stationary_points()[2][2][0], 2) == 1.19
    says("From (0.12, 0) the gradient starts at 0.032 and the loss hardly moves: 20 steps pass "
         "before it has fallen by 0.1.",
         "From (0.6, −1), on a steep slope, the first step alone takes off more than 0.1.",
         "chapter 1's factor 1 − 2aλ becomes 1 − λ·(−3.79) = 1.19",
         "From (0.12, 0) the gradient started at 0.032 and it took 20 steps for the loss to fall by "
         "0.1.")


# ---- section 6 -------------------------------------------------------------------------------------


def fit_layer(learning_rate, number_steps=100, growth=None):
    """Full-batch SGD with nn.MSELoss on nn.Linear(1, 1) from (1, 1): the losses before each step
    and after the last, and the λ of each step. With `growth`, λ is multiplied by it after every
    step (torch's ExponentialLR, as the lecture's range test)."""
    u, _, y = hundred_points()
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.fill_(1.0)
    optimizer = torch.optim.SGD(layer.parameters(), lr=learning_rate)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=growth) if growth else None
    losses, rates = [], []
    for _ in range(number_steps):
        loss = nn.MSELoss()(layer(u.unsqueeze(1)), y.unsqueeze(1))
        losses.append(loss.item())
        rates.append(optimizer.param_groups[0]["lr"])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if scheduler:
            scheduler.step()
    with torch.no_grad():
        losses.append(nn.MSELoss()(layer(u.unsqueeze(1)), y.unsqueeze(1)).item())
    return losses, rates


def test_the_learning_rate_sweep_and_where_it_diverges():
    rates = [10 ** (k / 2) for k in range(-8, 3)]
    finals = {rate: fit_layer(rate)[0] for rate in rates}
    start = finals[rates[0]][0]
    diverged = [rate for rate in rates
                if not math.isfinite(finals[rate][-1]) or finals[rate][-1] > start]
    assert [f"{rate:.3g}" for rate in diverged] == ["1", "3.16", "10"]
    assert round(start, 4) == 3.8375 and round(finals[1.0][-1], 3) == 4.517
    assert all(math.isnan(finals[rate][-1]) for rate in rates[-2:])
    assert round(finals[0.1][-1], 4) == round(finals[10 ** -0.5][-1], 4) == 0.0746
    kept = [finals[rate][-1] for rate in rates[:5]]
    assert kept == sorted(kept, reverse=True)                # falls steadily up to λ = 0.01
    _, x, _ = hundred_points()
    steepest = torch.linalg.eigvalsh(2 / 100 * x.T @ x).max().item()
    assert round(2 / steepest, 4) == 0.9985 and round(abs(1 - steepest), 4) == 1.0031
    says("At λ = 0.1 and 0.316 it reaches the floor, 0.0746, the best line's loss. At λ = 1 the loss "
         "ends above where it started (4.517 against 3.8375), and from λ = 3.16 on it ends at nan.",
         "The limit is 0.9985, just below the sweep's λ = 1.",
         "|1 − λc| = 1.0031",
         "here the loss diverges from λ = 1, just above the limit 0.9985")


def test_the_range_test_and_the_rate_it_chooses():
    losses, rates = fit_layer(1e-4, growth=10 ** 0.05)
    assert abs(rates[-1] - 10 ** (-4 + 99 * 0.05)) < 1e-9      # 10⁻⁴ · 1.122ᵏ, up to 10¹ at k = 100
    lowest = min(range(100), key=lambda k: losses[k] if math.isfinite(losses[k]) else math.inf)
    assert lowest == 85 and f"{rates[lowest]:.3g}" == "1.78"
    assert round(fit_layer(rates[lowest] / 10)[0][-1], 4) == 0.0746
    assert math.isnan(fit_layer(rates[lowest])[0][-1])
    assert max(losses[:lowest]) == losses[0] and max(losses[lowest:]) > 1e3   # flat, fall, blow-up
    assert 2 / 2.0031 < rates[lowest]
    says("The lowest loss comes at λ ≈ 1.78, which is *above* the stability limit 0.9985 we computed",
         "The chosen λ = 0.178 reaches the floor, 0.0746; λ = 1.78, where the range test's loss was "
         "lowest, diverges to nan.",
         "(0.178, a tenth of 1.78)",
         "here at λ ≈ 1.78, above the stability limit 0.9985, and a run at 1.78 diverged")


# ---- section 7 -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def polynomial_fit(degree):
    """The lecture's experiment: 30 points of sin(πu) + 0.2·N(0, 1) (seed 3), a seeded split 20/10,
    Adam (λ = 0.01) on the powers u … u^degree, batches of 8, 500 epochs, point-weighted losses.
    Returns the losses per epoch, and the final model's error at the leftmost validation point."""
    generator = torch.Generator().manual_seed(3)
    u = torch.empty(30).uniform_(-1.0, 1.0, generator=generator)
    y = torch.sin(math.pi * u) + 0.2 * torch.randn(30, generator=generator)
    order = torch.randperm(30, generator=generator)
    training, validation = order[:20], order[20:]
    features = torch.stack([u ** k for k in range(1, degree + 1)], dim=1)
    targets = y.unsqueeze(1)
    training_loader = DataLoader(TensorDataset(features[training], targets[training]), batch_size=8,
                                 shuffle=True, generator=torch.Generator().manual_seed(0))
    layer = nn.Linear(degree, 1)
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.zero_()
    optimizer = torch.optim.Adam(layer.parameters(), lr=0.01)
    training_losses, validation_losses = [], []
    for _ in range(500):
        total = 0.0
        for features_batch, targets_batch in training_loader:
            loss = nn.MSELoss()(layer(features_batch), targets_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item() * len(targets_batch)
        training_losses.append(total / 20)
        with torch.no_grad():
            errors = layer(features[validation]) - targets[validation]
            validation_losses.append(
                (8 * (errors[:8] ** 2).mean().item() + 2 * (errors[8:] ** 2).mean().item()) / 10)
    leftmost = validation[u[validation].argmin()]
    with torch.no_grad():
        miss = (layer(features[leftmost]) - y[leftmost]).abs().item()
    return training_losses, validation_losses, miss


def test_the_high_degree_polynomial_over_fits_and_the_cubic_does_not():
    summary = {}
    for degree in (15, 3):
        training_losses, validation_losses, _ = polynomial_fit(degree)
        best = min(range(500), key=lambda k: validation_losses[k])
        summary[degree] = (round(training_losses[-1], 4), round(validation_losses[-1], 4),
                           round(validation_losses[best], 4), best + 1)
    assert summary == {15: (0.0077, 0.0726, 0.0358, 157), 3: (0.0147, 0.027, 0.0243, 457)}
    training_15, validation_15, miss_15 = polynomial_fit(15)
    assert training_15[-1] == min(training_15)                # still falling at the last epoch
    assert min(validation_15[156:]) == validation_15[156] < validation_15[-1]
    assert min(polynomial_fit(3)[1]) < min(validation_15)
    assert miss_15 > 0.4 > 0.2 > polynomial_fit(3)[2]           # the validation point at the left end
    says("The degree-15 model's training loss keeps falling to the last epoch, to 0.0077. Its "
         "validation loss falls with it at first, is lowest at epoch 157 (0.0358), and then climbs, "
         "to 0.0726 at epoch 500, while the training loss goes on falling.",
         "Its training loss ends higher, 0.0147, but its validation loss goes down with it, to "
         "0.0270 at epoch 500, with its lowest, 0.0243, at epoch 457, lower than the degree-15 model "
         "ever reaches.",
         "whose best validation loss (0.0243) beats the degree-15 model's (0.0358)",
         "the degree-15 polynomial's validation loss is lowest at epoch 157",
         "the validation point at the left end lies far from it")


# ---- the lecture's code ----------------------------------------------------------------------------


def test_the_lecture_leaves_the_assignments_function_to_the_assignment():
    """The graded exercise is a reusable `train_model(...)`: the lecture must not define one, and
    says that the assignment packages the loop."""
    defined = {node.name for source in code_cells() for node in ast.walk(ast.parse(source))
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assert "train_model" not in defined
    says("In the assignment you will package this chapter's loop")


def test_every_random_draw_of_the_lecture_is_seeded():
    """Generators are seeded where they are made; Dropout, which has no generator argument, is
    preceded by torch.manual_seed."""
    source = "\n".join(code_cells())
    assert len(re.findall(r"torch\.Generator\(\)", source)) == \
        len(re.findall(r"torch\.Generator\(\)\.manual_seed\(\d+\)", source))
    assert source.index("torch.manual_seed(0)") < source.index("nn.Dropout(")


def test_the_plot_helpers_draw_on_the_axes_they_are_given():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gdcourse.lecture import training_plots as tp

    fig, axes = plt.subplots(2, 3)
    before = plt.get_fignums()
    grid_0, grid_1 = torch.meshgrid(torch.linspace(-1, 1, 11), torch.linspace(-1, 1, 11),
                                    indexing="xy")
    path = torch.tensor([[-1.0, 1.0], [0.0, 0.5], [0.0, 0.0]])
    assert tp.plot_optimiser_paths(axes[0, 0], grid_0, grid_1, grid_0 ** 2 + grid_1 ** 2,
                                   {"a": path}, levels=[0.5, 1], title="t", minima=[(0, 0)],
                                   saddles=[(0.5, 0.5)]) is axes[0, 0]
    assert tp.plot_loss_curves(axes[0, 1], {"a": [1.0, 0.0, math.inf, 0.1], "b": [2.0, 1.0]},
                               title="t") is axes[0, 1]
    assert tp.plot_learning_rate_sweep(axes[0, 2], [0.1, 1, 10], [0.5, 4.0, math.nan],
                                       [False, True, True], title="t", start_loss=3) is axes[0, 2]
    assert tp.plot_range_test(axes[1, 0], [0.1, 1], [1.0, 0.5], lowest=1, chosen=0.1,
                              title="t") is axes[1, 0]
    assert tp.plot_train_validation(axes[1, 1], {"m": ([1, 0.5], [1, 0.7])}, title="t",
                                     best_epochs={"m": 2}) is axes[1, 1]
    assert tp.plot_fits_over_data(axes[1, 2], ([0, 1], [0, 1]), ([0.5], [0.4]),
                                  {"fit": ([0, 1], [0, 1])}, title="t") is axes[1, 2]
    assert plt.get_fignums() == before
    assert all(ax.get_title() == "t" and ax.get_legend() is not None for ax in axes.flat)
    assert axes[0, 1].get_yscale() == "log" and axes[0, 2].get_xscale() == "log"
    plt.close(fig)
