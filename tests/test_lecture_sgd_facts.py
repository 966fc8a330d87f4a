"""The numbers chapter 4's sections on mini-batch SGD (12) and on the long, narrow bowl (13) quote,
recomputed in torch with the lecture's seeds: each test runs the claim and finds the sentence that
makes it in the lecture, so that neither can change without the other."""
import ast
import functools
import math

import nbformat
import torch

from course import ROOT
from lecture_text import assert_says

LECTURE = ROOT / "notebooks" / "04-linear-regression.ipynb"


def says(*sentences):
    assert_says("04-linear-regression", *sentences)


@functools.lru_cache(maxsize=None)
def lecture():
    """The lecture's own function definitions, taken from its code cells and run here: the tests
    run the code the lecture runs, not a copy of it."""
    nb = nbformat.read(LECTURE, as_version=4)
    found = [node for cell in nb.cells if cell.cell_type == "code"
             for node in ast.parse(cell.source).body if isinstance(node, ast.FunctionDef)]
    namespace = {"torch": torch}
    exec(compile(ast.Module(body=found, type_ignores=[]), str(LECTURE), "exec"), namespace)
    return namespace


def mean_squared_error(y_hat, y):
    return lecture()["mean_squared_error"](y_hat, y)


# ---- section 12: chapter 5's data, mini-batch SGD -------------------------------------------------


@functools.lru_cache(maxsize=None)
def data():
    """Chapter 5's hundred points, drawn as chapter 5 (and section 12) draws them: seed 42."""
    generator = torch.Generator().manual_seed(42)
    n = 100
    u = torch.empty(n).uniform_(-1.0, 1.0, generator=generator)
    x = torch.stack([u, torch.ones(n)], dim=1)
    noise = torch.rand(n, generator=generator)
    return x, x @ torch.tensor([3.0, 2.0]) + noise


def best_loss():
    x, y = data()
    best = torch.linalg.lstsq(x, y.unsqueeze(1)).solution.squeeze(1)
    return mean_squared_error(x @ best, y).item()


@functools.lru_cache(maxsize=None)
def run(batch_size, learning_rate=0.1, number_epochs=20, seed=0):
    """Section 12's `train_sgd` from a = (1, 1): batch losses (before each step), losses on all the
    data (after 0, 1, … steps), final a."""
    x, y = data()
    batch_losses, full_losses, a = lecture()["train_sgd"](
        x, y, (1.0, 1.0), learning_rate, batch_size, number_epochs,
        torch.Generator().manual_seed(seed))
    return tuple(batch_losses), tuple(full_losses), a


def test_start_and_best_losses():
    """a = (1, 1) starts at 3.84; the best line for these points has loss 0.0746."""
    x, y = data()
    assert round(mean_squared_error(x @ torch.tensor([1.0, 1.0]), y).item(), 2) == 3.84
    assert round(best_loss(), 4) == 0.0746
    says("fell from 3.84 to 0.42 in a single epoch", "above the best line's 0.0746")


def test_batches_and_steps_per_epoch():
    """Consecutive slices of one permutation: the last batch holds what is left, nothing dropped."""
    def batch_lengths(n, batch_size, seed=0):
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
        assert sorted(torch.cat(batches).tolist()) == list(range(n))
        assert len(batches) == math.ceil(n / batch_size)
        return [len(batch) for batch in batches]

    assert batch_lengths(10, 4) == [4, 4, 2]
    assert len(batch_lengths(100, 10)) == 10 and len(batch_lengths(100, 1)) == 100
    assert batch_lengths(100, 30) == [30, 30, 30, 10] and batch_lengths(100, 100) == [100]
    says("Three batches: four points, four points, and the two left over.",
         "batches of 10 make 10 steps per epoch, batches of 1 make 100, batches of 30 make 4 "
         "(the last one holding 10 points), and a batch of 100 makes 1: full-batch descent.")


def test_one_epoch_of_batches_of_10():
    """Section 12's single epoch uses seed 0, as the full runs do: all-data loss 0.42 after it."""
    batch_losses, full_losses, _ = run(10)
    assert round(full_losses[10], 2) == 0.42
    assert len(batch_losses) == 20 * 10
    says("Ten steps in one epoch, where full-batch descent takes one, and the loss on all the data "
         "fell from 3.84 to 0.42 in a single epoch.")


def test_same_seed_same_run():
    assert run(10, seed=0)[0] == run(10, seed=0)[0] != run(10, seed=1)[0]
    says("two runs whose generators are seeded alike give the same losses, number for number")


def test_a_batch_of_all_n_points_is_full_batch_descent():
    x, y = data()
    a = torch.tensor([1.0, 1.0], requires_grad=True)
    optimizer = torch.optim.SGD([a], lr=0.1)
    for _ in range(20):
        mean_squared_error(x @ a, y).backward()
        optimizer.step()
        optimizer.zero_grad()
    assert (a.detach() - run(100)[2]).abs().max().item() < 1e-6
    says("The same twenty steps.")


def test_batch_sizes_compared():
    """20 epochs, λ = 0.1: per step they fall together, per epoch small batches win."""
    full, tens, ones = run(100)[1], run(10)[1], run(1)[1]
    assert (len(full), len(tens), len(ones)) == (21, 201, 2001)
    assert [len(run(size)[0]) for size in (100, 10, 1)] == [20, 200, 2000]
    assert [round(losses[10], 2) for losses in (full, tens, ones)] == [0.43, 0.42, 0.38]
    assert round(ones[100], 4) == 0.0758            # after epoch 1 (100 steps)
    assert round(tens[50], 4) == 0.0758             # after epoch 5 (10 steps each)
    assert round(full[20], 3) == 0.153
    assert (round(tens[-1], 4), round(ones[-1], 4)) == (0.0753, 0.0759)
    says("after 10 steps the loss is 0.43 with the full batch, 0.42 with batches of 10 and 0.38 "
         "with single points",
         "Single points reach 0.0758 within the first epoch and batches of 10 by the fifth, while "
         "the full batch, one step per epoch, is still at 0.153 after all 20.",
         "After 20 epochs the batches of 10 end at 0.0753 and single points at 0.0759.",
         "the full batch gets to 0.153, batches of 10 to 0.0753 and single points to 0.0759, "
         "against the best line's 0.0746",
         "A run of E epochs makes E · ⌈n / batch_size⌉ steps, so it records that many batch losses "
         "and one full loss more.")


def test_batch_losses_scatter():
    """Batches of 10: the last 10 epochs' batch losses range from 0.025 to 0.132."""
    last = run(10)[0][-100:]
    assert (round(min(last), 3), round(max(last), 3)) == (0.025, 0.132)
    says("while the batch losses range from 0.025 to 0.132")


def test_smaller_batches_need_a_smaller_learning_rate():
    """Over the last 10 epochs: mean distance above the best loss and the worst loss."""
    def hover(full_losses):
        return (torch.tensor(full_losses) - best_loss()).mean().item(), max(full_losses)

    mean_big, worst_big = hover(run(1)[1][-1000:])
    mean_small, worst_small = hover(run(1, 0.01)[1][-1000:])
    mean_tens, _ = hover(run(10)[1][-100:])
    assert (round(mean_big, 4), round(worst_big, 3)) == (0.0111, 0.162)
    assert (round(mean_small, 4), round(worst_small, 3)) == (0.0005, 0.082)
    assert round(mean_tens, 4) == 0.0006
    says("over the last 10 epochs the loss stays on average 0.0005 above the best instead of "
         "0.0111, and at worst reaches 0.082 instead of 0.162",
         "Batches of 10 with λ = 0.1 hovered about as close, 0.0006 above the best on average")


# ---- section 13: the long, narrow bowl ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def descend(learning_rate, number_steps, momentum=0.0, steepness=10):
    """Section 13's `descend` on θ[0]² + steepness·θ[1]² from (−4, 1): θ₀, θ₁, …"""
    return lecture()["descend"](learning_rate, number_steps, momentum, steepness)


def steps_to_reach(learning_rate, number_steps, momentum=0.0, steepness=10):
    """The lecture's `steps_to_reach(descend(...))`: the first k with ‖θₖ‖ < 10⁻³, or None."""
    return lecture()["steps_to_reach"](descend(learning_rate, number_steps, momentum, steepness))


def test_factors_per_step_are_chapter_1s():
    """Each entry is chapter 1's aθ²: factor 1 − 2aλ, a = 1 along θ[0] and a = 10 along θ[1]."""
    for learning_rate in (0.02, 0.05, 0.09, 0.1):
        first, second = descend(learning_rate, 1)[1]
        assert abs(first.item() - (1 - 2 * learning_rate) * -4.0) < 1e-5
        assert abs(second.item() - (1 - 20 * learning_rate) * 1.0) < 1e-5
    assert round(1 - 2 * 0.09, 2) == 0.82 and round(1 - 20 * 0.09, 2) == -0.8
    assert round(1 - 20 * 0.095, 2) == -0.9 and round(1 - 2 * 0.05, 2) == 0.9
    assert 1 - 2 * 0.1 == 0.8 and round(math.sqrt(10), 1) == 3.2
    assert round(9 / 11, 2) == 0.82 and 1 - 2 / 11 == -(1 - 20 / 11)
    says("ellipses √10 ≈ 3.2 times longer along θ[0] than across",
         "the shallow direction's factor 1 − 2λ stays above 0.8: θ[0] crawls",
         "λ = 0.09 gives −0.8 along θ[1], so θ[1] changes sign at every step, while θ[0] shrinks "
         "by 0.82",
         "and θ[0] then shrinks by 0.9 per step",
         "at λ = 0.095 the factor along θ[1] is −0.9",
         "which happens at λ = 1/11, where they are ±9/11 ≈ ±0.82")


def test_small_learning_rate_crawls():
    assert round(descend(0.02, 30)[30, 0].item(), 2) == -1.18
    says("after 30 steps θ[0] is still at −1.18")


def test_steps_until_close_to_the_minimum():
    counts = {lr: steps_to_reach(lr, 250) for lr in (0.02, 0.05, 0.09, 0.095, 0.1)}
    assert counts == {0.02: 204, 0.05: 79, 0.09: 42, 0.095: 66, 0.1: None}
    assert steps_to_reach(1 / 11, 250) == 42      # the best λ does no better than 0.09
    bounce = descend(0.1, 250)[:, 1]
    assert set(bounce.tolist()) == {1.0, -1.0}
    says("λ = 0.09 needs 42 steps, against 79 for λ = 0.05 and 204 for λ = 0.02.",
         "now θ[1] is the slow one (66 steps); at λ = 0.1, θ[1] bounces between 1 and −1 and "
         "never arrives")


def test_momentum_on_the_bowl():
    counts = {m: steps_to_reach(0.09, 200, m) for m in (0.0, 0.3, 0.5, 0.7, 0.9)}
    assert counts == {0.0: 42, 0.3: 23, 0.5: 22, 0.7: 41, 0.9: 133}
    assert round(counts[0.9] / counts[0.0]) == 3
    says("with β = 0.5, 22 steps instead of 42",
         "and needs 133 steps, three times as many as plain descent",
         "λ = 0.09 needs 42 steps to ‖θ‖ < 10⁻³; momentum 0.5 with the same λ needs 22, while "
         "momentum 0.9 swings for 133")


def test_momentum_0_9_wins_on_a_narrower_bowl():
    learning_rate = 2 / 202
    assert round(learning_rate, 4) == 0.0099
    plain = steps_to_reach(learning_rate, 450, steepness=100)
    momentum = steps_to_reach(learning_rate, 450, 0.9, steepness=100)
    assert (plain, momentum) == (417, 131)
    says("its best λ is 2/202 ≈ 0.0099, and with that λ it needs 417 steps where momentum 0.9 "
         "needs 131")
    # ... and 0.9 is not the best β there: 0.8 and 0.7 arrive sooner at the same λ.
    others = {b: steps_to_reach(learning_rate, 450, b, steepness=100) for b in (0.7, 0.8)}
    assert others == {0.7: 99, 0.8: 77}
    says("with the same λ, β = 0.7 needs 99 steps and β = 0.8 only 77",
         "on one ten times narrower, at its best λ, β = 0.8 needs 77 steps and 0.9 needs 131",
         "the running sum grows to 1/(1 − β) times the gradient (10 times for β = 0.9)")


def test_the_running_sum_grows_to_one_over_one_minus_beta():
    """Under a constant gradient g, PyTorch's momentum buffer v ← βv + g tends to g/(1 − β)."""
    import torch
    w = torch.tensor([0.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=1.0, momentum=0.9)
    for _ in range(300):
        w.grad = torch.tensor([1.0])
        optimizer.step()
    buffer = optimizer.state[w]["momentum_buffer"].item()
    assert abs(buffer - 1 / (1 - 0.9)) < 1e-4


def test_questionnaire_hides_every_answer():
    """8 to 12 questions after the summary, each followed by its answer in a <details> block."""
    nb = nbformat.read(LECTURE, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "markdown"]
    start = next(i for i, s in enumerate(sources) if s.startswith("## Questionnaire"))
    assert any(s.startswith("## Summary") for s in sources[:start])
    questions = sources[start + 1:]
    assert 8 <= len(questions) <= 12
    for number, source in enumerate(questions, start=1):
        assert source.startswith(f"**{number}.** ")
        assert "<details><summary>Answer</summary>" in source and source.endswith("</details>")
    says("22 steps instead of 42 with β = 0.5", "λ > 2/22 ≈ 0.091", "w ← 1 − 0.01 · (−22) = 1.22",
         "⌈100 / 30⌉ = 4 steps, and the last batch holds the 10 points left over")


def test_the_lecture_runs_these_settings():
    """The settings these tests give the lecture's functions are its cells' own."""
    code = "\n".join(c.source for c in nbformat.read(LECTURE, as_version=4).cells
                     if c.cell_type == "code")
    for setting in ["generator = torch.Generator().manual_seed(42)",
                    "train_sgd(x, y, (1.0, 1.0), 0.1, size, 20, torch.Generator().manual_seed(0))",
                    "train_sgd(x, y, (1.0, 1.0), 0.01, 1, 20, torch.Generator().manual_seed(0))",
                    "theta = torch.tensor([-4.0, 1.0], requires_grad=True)"]:
        assert setting in code, f"chapter 4's code no longer has: {setting}"


def test_an_epoch_of_single_points_takes_longer_than_one_full_batch_step():
    """Counted in updates the small batches win; counted in seconds an epoch of 100 single-point
    steps costs many times one vectorised full-batch step (here on the CPU, 5 times at the very
    least: each step pays torch's fixed overhead)."""
    import time

    import torch
    x = torch.linspace(0, 1, 100)
    y = 3 * x + 2

    def epoch(batch_size):
        w = torch.tensor([1.0, 1.0], requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.1)
        start = time.perf_counter()
        for first in range(0, 100, batch_size):
            xb, yb = x[first:first + batch_size], y[first:first + batch_size]
            loss = ((w[0] * xb + w[1] - yb) ** 2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return time.perf_counter() - start

    epoch(1), epoch(100)   # warm up
    single = min(epoch(1) for _ in range(3))
    full = min(epoch(100) for _ in range(3))
    assert single > 5 * full, (single, full)
    says("so on real hardware single points take by far the longest per epoch")
