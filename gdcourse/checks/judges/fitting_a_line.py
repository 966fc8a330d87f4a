"""Judges of chapter 5 (gdcourse.checks.fitting_a_line): mse, update, fit and animate_fit on a
line's noisy points.

The expected side is the solution's (its values, its losses, its animation's frames) or a visible
test's literal. Known mistakes come from the case's inputs and the expected side: a step uphill is
2a[0] − a[1]; a frame 0 already stepped shows the solution's frame 1 or 2; the trusted run adds fit's
results one step longer and shorter. Two mistakes are computed here on plain numbers, from the
case's x, y and starting a: the loss after the step (an update that returns the wrong loss) and the path
of gradients that pile up (a.grad never zeroed).
"""
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from ..plain import Value
from .observation import Observation
from .verdict import Failure
from . import animation as film_judges
from .common import (all_close, aux_value, close, expected_value, nothing_returned, number,
                     returned, show, with_minus_sign)

# --- hints ----------------------------------------------------------------------------------------
MEAN_FIRST = ("The errors were averaged before squaring: (mean of y − ŷ)² lets errors of opposite "
              "signs cancel, so a bad line can score 0. Square each error first, then average.")
SUMMED = "The squared errors were summed: the mean divides their sum by n."
NOT_SQUARED = "The errors were not squared: square each one, (yᵢ − ŷᵢ)², then average."
MSE = "Square each error yᵢ − ŷᵢ, add the squares and divide by n."

NO_GRAD = ("An in-place change to a Parameter that requires grad must happen under "
           "`with torch.no_grad():`: autograd records every operation on a, and it refuses to "
           "record a change to the very tensor whose gradient it computes.")
GRAD_NONE = ("a.grad is None where update uses it. Either loss.backward() did not run before the "
             "step, or a = a − λ·a.grad rebound the name a to a new tensor, which has no gradient "
             "and is not the caller's Parameter. Change the Parameter itself, in place, under "
             "torch.no_grad(): a -= learning_rate * a.grad.")
PREDICTIONS = ("ŷ must hold one prediction per point, shape (n,): x @ a does that (x has n rows "
               "of [xᵢ, 1], a has 2 entries). a @ x pairs a with x's columns instead (it works "
               "only when n = 2), and a sum over dim=0 adds up the points, not each row's two "
               "terms: sum over dim=1, or write x @ a.")
UPDATE_ERRORS = {"leaf Variable": NO_GRAD, "'NoneType' object": GRAD_NONE,
                 "must match the size of tensor": PREDICTIONS,
                 "shapes cannot be multiplied": PREDICTIONS, "size mismatch": PREDICTIONS}

UPHILL = "a moved up the slope: the step goes against the gradient, a ← a − λ·∂L/∂a."
UNMOVED = ("The caller's a did not change. a = a − λ·a.grad inside update makes a new tensor and "
           "gives it to the local name a, leaving the caller's Parameter as it was. Change the "
           "Parameter itself, in place, under torch.no_grad(): a -= learning_rate * a.grad.")
NO_RATE = "The learning rate is missing: the step is λ times the gradient, a − λ·∂L/∂a."
STEP = "One step is a − λ·∂L/∂a, with ∂L/∂a from loss.backward()."

AFTER_STEP = ("That is the loss after the step: return the loss computed before it, the one whose "
              "gradient made the step.")
LOSS = "Return mse(y, x @ a) for the a update started from, as loss.item()."
GRAD_LEFT = ("The second step used the sum of both gradients: backward() adds into a.grad, so "
             "a gradient left there is added to the next one. Zero it in update, a.grad.zero_(), "
             "after the step (or before backward()).")
TWO_STEPS = ("Each call of update takes one step from where the last one left a, with the "
             "gradient at that a: a ← a − λ·∂L/∂a.")

AFTER = ("Each loss is the one after its step: update must return the loss it computed before "
         "stepping, so that losses[0] is the loss at the starting a.")
STILL = "The loss never changes: a never moved. Check that update changes a in place."
PILED = ("The gradients piled up: without a.grad.zero_() in update, every step uses the sum of "
         "all the gradients so far.")
LOSSES = "losses[k] is the loss update returns at step k."
FIRST_LOSS = "losses[0] is the loss at the starting a, before any step."
CLIMBS = ("every step goes downhill: a loss that climbs back up comes from steps that go the wrong "
          "way, are too large, or carry old gradients along (a.grad not zeroed).")

NEVER_MOVED = ("a never moved: fit must step the caller's a with update, number_steps times. A copy "
               "of it (nn.Parameter(a.clone()), a new tensor from its values) is another tensor: "
               "stepping the copy leaves the caller's a where it was.")
TOO_MANY = "One step too many: call update number_steps times."
TOO_FEW = "One step too few: call update number_steps times."
NO_STEPS = "With number_steps = 0 no step is taken: a stays as it was."
FITTED = "fit calls update number_steps times on the caller's a."
NEAR_BEST = ("After {steps} steps a is within {within:g} of the best line's weights (slope near 3, "
             "intercept near 2.5: 2 plus the noise's mean, 0.5).")

STEPPED_FIRST = ("Frame 0 must show the starting a, before any update: update only in the frames "
                 "after the first (if i > 0). matplotlib also calls the frame function on frame 0 "
                 "once more, for its initial draw, so a frame function that updates every time it "
                 "is called has moved a twice before frame 0 is shown.")
HUNDRED = ("100 frames is the number in fast.ai's lesson (np.arange(0, 100)): give FuncAnimation "
           "the frames asked for, frames=number_frames.")
START = "the line of the starting a, before any update"
FRAME_LINES = ("Frame i must show x @ a after i updates: one update per frame after the first, "
               "then line.set_ydata((x @ a).detach()).")


# --- the case's data as plain numbers, and the two mistakes computed on it ------------------------
def _g(x):
    return f"{x:.6g}"


def _data(obs: Observation) -> tuple[list[list[float]], list[float]]:
    """The rows (u, 1) of x and the targets y of the case, as floats."""
    x = obs.case["x"]
    rows = [x.values[2 * i:2 * i + 2] for i in range(x.shape[0])]
    return rows, list(obs["y"])


def _loss_at(rows, y, a):
    return sum((r[0] * a[0] + r[1] * a[1] - t) ** 2 for r, t in zip(rows, y)) / len(y)


def _gradient(rows, y, a):
    """∂L/∂a = (2/n) xᵀ(x a − y)."""
    n = len(y)
    errors = [r[0] * a[0] + r[1] * a[1] - t for r, t in zip(rows, y)]
    return [2 / n * sum(e * r[k] for e, r in zip(errors, rows)) for k in range(2)]


def _path(rows, y, a_0, rate, steps, pile_up=False):
    """a after 0, 1, …, steps steps a ← a − λ·g. pile_up: g is the sum of every gradient so far,
    the known mistake of an a.grad that is never zeroed."""
    a, total, path = list(a_0), [0.0, 0.0], [list(a_0)]
    for _ in range(steps):
        gradient = _gradient(rows, y, a)
        total = [t + g for t, g in zip(total, gradient)] if pile_up else gradient
        a = [v - rate * t for v, t in zip(a, total)]
        path.append(a)
    return path


def _numbers(value):
    found = value.numbers()
    if found is None:
        raise Failure("the expected value is not a list of numbers: the instructor must fix this "
                      "test.")
    return found


# --- mse ------------------------------------------------------------------------------------------
def _scalar(obs, got, why):
    """The one number of a tensor of shape () that `got` must be."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if got.kind != "tensor":
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"tensor.", f"Return a tensor, {why}: .item() is for printing only.")
    if got.shape != ():
        raise Failure(f"{obs.call} returned a tensor of shape {got.shape}: expected one number, "
                      f"shape ().",
                      "The loss is one number, shape (): the mean over all the points.")
    return got.values[0]


def mse(obs: Observation) -> None:
    got = returned(obs, hint=MSE)
    value = _scalar(obs, got, "so that loss.backward() can differentiate it")
    expected = _numbers(expected_value(obs))[0]
    y, y_hat = obs["y"], obs["y_hat"]
    errors = [t - p for t, p in zip(y, y_hat)]
    n = len(errors)
    mean = sum(errors) / n
    hint = MSE
    if not obs.hidden and n <= 5:
        hint = (f"The errors yᵢ − ŷᵢ are {', '.join(with_minus_sign(e) for e in errors)}: "
                f"squared {', '.join(f'{e * e:g}' for e in errors)}, their mean is "
                f"{sum(e * e for e in errors):g} / {n} = {expected:g}.")
    number(obs, Value({"float": value}), expected, rel=1e-5, hint=hint, mistakes=[
        (mean ** 2, MEAN_FIRST), (sum(e * e for e in errors), SUMMED), (mean, NOT_SQUARED),
        (-mean, NOT_SQUARED)])


def traceable(obs: Observation) -> None:
    got = returned(obs, hint=MSE)
    expected_value(obs)
    _scalar(obs, got, "so that loss.backward() can differentiate it")
    if not got.requires_grad:
        raise Failure(f"{obs.call} returned {show(got)}, which autograd cannot trace back to a.",
                      "Compute it with tensor operations only: .item(), float() or "
                      "torch.tensor(...) cut the loss off from a.")


# --- update ---------------------------------------------------------------------------------------
def step(obs: Observation) -> None:
    got = returned(obs, errors=UPDATE_ERRORS)
    expected = expected_value(obs)
    wanted, values = _numbers(expected), _numbers(got)
    a_0, rate = obs["a_0"], obs["learning_rate"]
    if rate:
        slope = [(a - b) / rate for a, b in zip(a_0, wanted)]
    else:
        slope = _gradient(*_data(obs), a_0)
    hint = STEP
    if not obs.hidden and rate:
        shown = "(" + ", ".join(with_minus_sign(round(g, 6)) for g in slope) + ")"
        hint = f"∂L/∂a = {shown} here: one step is a − {rate:g}·{shown}."
    abs_tol = 1e-5 if obs.hidden else 1e-6
    if all_close(values, wanted, 1e-5, abs_tol):
        return
    what = f"{obs.call}, then a returned {show(got)}, expected {show(expected)}."
    for wrong, why in [(a_0, UNMOVED), ([2 * a - b for a, b in zip(a_0, wanted)], UPHILL),
                       ([a - g for a, g in zip(a_0, slope)], NO_RATE)]:
        if all_close(values, wrong, 1e-5, abs_tol):
            raise Failure(what, why, mistake=True, generic=hint)
    raise Failure(what, hint)


def loss(obs: Observation) -> None:
    got = returned(obs, errors=UPDATE_ERRORS)
    if got.kind == "tensor":
        raise Failure(f"{obs.call} returned {show(got)}: expected a Python float. Return "
                      f"loss.item(): the number, without the tensor and the graph behind it.",
                      "Return loss.item(), a Python float, not the loss tensor.")
    rows, y = _data(obs)
    after = _path(rows, y, obs["a_0"], obs["learning_rate"], 1)[1]
    number(obs, got, _numbers(expected_value(obs))[0], rel=1e-5, hint=LOSS,
           mistakes=[(_loss_at(rows, y, after), AFTER_STEP)])


def two_steps(obs: Observation) -> None:
    got = returned(obs, errors=UPDATE_ERRORS)
    expected = expected_value(obs)
    if not got.is_sequence or len(got.items) != 2 or not expected.is_sequence:
        raise Failure(f"{obs.call}: the test could not read a after the two calls.", TWO_STEPS)
    rows, y = _data(obs)
    piled = _path(rows, y, obs["a_0"], obs["learning_rate"], 2, pile_up=True)[2]
    for count, a, wanted in zip(("one call", "two calls"), got.items, expected.items):
        values, target = _numbers(a), _numbers(wanted)
        if all_close(values, target, 1e-5, 1e-6):
            continue
        what = f"After {count} of {obs.call}, a is {show(a)}, expected {show(wanted)}."
        if all_close(values, piled, 1e-5, 1e-6):
            raise Failure(what, GRAD_LEFT, mistake=True, generic=TWO_STEPS)
        raise Failure(what, TWO_STEPS)


# --- fit ------------------------------------------------------------------------------------------
def _losses(obs, got, steps):
    """The student's losses as floats, after the failures of a loop run too often or too rarely."""
    if got.kind == "none":
        raise nothing_returned(obs)
    if got.is_sequence:
        count = len(got.items)
        if count == steps + 1:
            raise Failure(f"{obs.call} gave {steps + 1} losses, expected {steps}: one update too "
                          f"many.", "Call update number_steps times.")
        if count == steps - 1:
            raise Failure(f"{obs.call} gave {steps - 1} losses, expected {steps}: one update too "
                          f"few.", "Call update number_steps times.")
        if steps > 1 and count == 1:
            raise Failure(f"{obs.call} gave a single loss, expected {steps}.",
                          "Keep the loss of every step in a list.")
    return got.numbers() if (got.is_sequence or got.kind == "tensor") else None


def _summary(expected):
    """(count, first, last) of the expected losses: the solution's list, or a visible test's
    literal {"count", "first", "last"}."""
    if expected.kind == "dict":
        summary = expected.python
        return int(summary["count"]), float(summary["first"]), float(summary["last"])
    values = _numbers(expected)
    return len(values), values[0], values[-1]


def fit_example(obs: Observation) -> None:
    """The example's fit: one loss per step, the first at the starting a, never rising, down to
    where the solution's descent gets."""
    got = returned(obs, errors=UPDATE_ERRORS)
    count, first, last = _summary(expected_value(obs))
    values = _losses(obs, got, count)
    if got.kind != "list" or values is None or len(values) != count:
        raise Failure(f"{obs.call} returned {show(got)}: expected a list of {count} losses, one "
                      f"per step.",
                      "Collect the loss of every step in a list, and return the list.")
    if not close(values[0], first, 1e-5, 1e-7):
        raise Failure(f"{obs.call}: losses[0] is {_g(values[0])}, expected {_g(first)}.",
                      FIRST_LOSS)
    rate = obs["learning_rate"]
    for k in range(1, count):
        if not values[k] <= values[k - 1] * (1 + 1e-6):
            raise Failure(f"{obs.call}: the loss rose from {values[k - 1]:.5g} at step {k - 1} to "
                          f"{values[k]:.5g} at step {k}.", f"With λ = {rate:g} {CLIMBS}")
    if not values[-1] < last + 1e-3:
        raise Failure(f"{obs.call}: the last loss is {values[-1]:.5g}, still far above {last:.5g}, "
                      f"where {count} steps of gradient descent get on these points.",
                      f"With λ = {rate:g}, {count} steps bring the loss down to nearly the lowest "
                      f"loss any line reaches on these points.")


def fit_losses(obs: Observation) -> None:
    got = returned(obs, errors=UPDATE_ERRORS)
    wanted = _numbers(expected_value(obs))
    steps = obs["number_steps"]
    values = _losses(obs, got, steps)
    if values is None:
        raise Failure(f"{obs.call} gave {show(got)} as its losses: expected a list of {steps} "
                      f"numbers.", "Collect one number per step in a list.")
    if len(values) != len(wanted):
        raise Failure(f"{obs.call} gave {len(values)} losses, expected {len(wanted)}: one per "
                      f"step.", LOSSES)
    if all_close(values, wanted, 1e-4, 1e-6):
        return
    first = next(i for i, (a, b) in enumerate(zip(values, wanted)) if not close(a, b, 1e-4, 1e-6))
    what = f"{obs.call}: losses[{first}] is {_g(values[first])}, expected {_g(wanted[first])}."
    rows, y = _data(obs)
    piled = _path(rows, y, obs["a_0"], obs["learning_rate"], steps, pile_up=True)
    one_more = aux_value(obs, "one_more")
    mistakes = [(None if one_more is None else _numbers(one_more)[1:], AFTER),
                ([wanted[0]] * steps, STILL),
                ([_loss_at(rows, y, a) for a in piled[:-1]], PILED)]
    for wrong, why in mistakes:
        if wrong is not None and all_close(values, wrong, 1e-4, 1e-6):
            raise Failure(what, why, mistake=True, generic=LOSSES)
    raise Failure(what, LOSSES)


def fitted(obs: Observation) -> None:
    got = returned(obs, errors=UPDATE_ERRORS)
    expected = expected_value(obs)
    if got.kind != "tensor":
        raise Failure(f"{obs.call} is {show(got)}: expected the Parameter a.", FITTED)
    if not (got.parameter and got.requires_grad):
        raise Failure(f"After {obs.call.removesuffix(', then a')}, a is {show(got)}: it is no "
                      f"longer a Parameter that requires grad.",
                      "fit must change the values of a in place (under torch.no_grad(), in "
                      "update), and a must stay a Parameter that requires grad.")
    wanted, values = _numbers(expected), got.values
    steps, within = obs["number_steps"], obs.case.get("within")
    if within is not None:
        rel, abs_tol = 0.0, within.python
        hint = NEAR_BEST.format(steps=steps, within=abs_tol)
    elif steps == 0:
        rel, abs_tol, hint = 1e-5, 1e-7, NO_STEPS
    else:
        rel, abs_tol, hint = 1e-4, 1e-5, FITTED
    if all_close(values, wanted, rel, abs_tol):
        return
    what = f"{obs.call} returned {show(got)}, expected {show(expected)}."
    more, fewer = aux_value(obs, "more"), aux_value(obs, "fewer")
    mistakes = [(more, TOO_MANY), (fewer, TOO_FEW)]
    for wrong, why in mistakes:
        if wrong is not None and all_close(values, _numbers(wrong), rel, abs_tol):
            raise Failure(what, why, mistake=True, generic=hint)
    if steps and all_close(values, obs["a_0"], rel, abs_tol):
        raise Failure(what, NEVER_MOVED)
    raise Failure(what, hint)


# --- animate_fit ----------------------------------------------------------------------------------
def _u(obs):
    rows, y = _data(obs)
    return [r[0] for r in rows], y


@contextmanager
def _told_by_the_frames(film: film_judges.Film, wanted: list) -> Iterator[None]:
    """A failure of the film's lines, with what the frames show about how they were drawn first
    (gdcourse.checks.judges.animation.story), when that explains them all."""
    try:
        yield
    except Failure as failure:
        said = "" if failure.mistake else film_judges.story(film, wanted)
        if said:
            raise replace(failure, relation=said) from None
        raise


def frames(obs: Observation) -> None:
    """How many frames, and frame 0 shows the starting a."""
    film = film_judges.student_film(obs, errors=UPDATE_ERRORS)
    count, lines = film_judges.reference(obs)
    film_judges.frame_count(obs, film, count, mistakes={100: HUNDRED})
    with _told_by_the_frames(film, lines):
        film_judges.lines(obs, film, lines[:1], describe_expected=lambda i: START,
                          mistakes=[(lines[1:2], STEPPED_FIRST), (lines[2:3], STEPPED_FIRST)])


def lines(obs: Observation) -> None:
    """The drawn line's loss falls, and frame i shows the solution's line of frame i."""
    film = film_judges.student_film(obs, errors=UPDATE_ERRORS)
    u, y = _u(obs)
    count, wanted = film_judges.reference(obs)
    rows, _ = _data(obs)
    piled = [tuple(a) for a in _path(rows, y, obs["a_0"], obs["learning_rate"],
                                     obs["number_frames"], pile_up=True)]
    with _told_by_the_frames(film, wanted):
        film_judges.loss_falls(obs, film, u, y)
        film_judges.lines(
            obs, film, wanted, required=count,
            describe_expected=lambda i: f"the line after {i} step{'s' * (i != 1)} a ← a − λ·∂L/∂a",
            mistakes=[(wanted[1:], STEPPED_FIRST), (wanted[2:], STEPPED_FIRST), (piled, PILED)],
            hint=FRAME_LINES)


def axes(obs: Observation) -> None:
    """Frame 0 shows the data, and the axes never change."""
    film = film_judges.student_film(obs, errors=UPDATE_ERRORS)
    expected_value(obs)
    u, y = _u(obs)
    film_judges.fixed_axes(obs, film, u, y)


JUDGES = {"mse": mse, "traceable": traceable, "step": step, "loss": loss,
          "two_steps": two_steps, "fit_example": fit_example, "fit_losses": fit_losses,
          "fitted": fitted, "frames": frames, "lines": lines, "axes": axes}
