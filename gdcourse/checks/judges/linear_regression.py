"""Judges of chapter 4 (gdcourse.checks.linear_regression): the model ŷ = x · w, the mean squared
error, and a training loop with torch.optim.SGD.

Known mistakes come from the inputs (the case), the expected value (the solution's), and the
trusted run's aux values (what the solution's train gives with the example's learning rate, with
the example's number of epochs, with one epoch more or less, and with n · λ, which is what a
summed loss does). Two are computed here on plain numbers: the weights and losses of a loop that
never clears w.grad (the gradients pile up), and the loss at the expected final w (for losses
recorded after the step). The judge never computes the right answer: the solution's run gives it.
"""
import dataclasses
import math

from .observation import Observation
from .verdict import Failure
from .common import (all_close, aux_value, close, expected_value, number, returned,
                     Mistake, sequence_of_numbers, show, solution_numbers, tensor,
                     with_minus_sign)
from ..plain import Value

# --- model ----------------------------------------------------------------------------------------
IGNORES_W = "Those are the inputs themselves: each prediction is the input times the weight, x · w."
ADDS_W = "The weight was added to the inputs: the model multiplies them by it, ŷ = x · w."
MODEL = "Multiply every input by the weight: ŷ = x · w."
MODEL_HIDDEN = ("Multiply every input by the weight: ŷ = x · w, with shape (n,) whatever the shape "
                "of w, (1,) or ().")
CUT = ("The predictions are cut off from w: w.item(), float(w), w.detach() or torch.tensor(...) "
       "give a number that autograd cannot trace back to w. Multiply the tensors themselves, "
       "x * w.")
GRAD_OF_SUM = ("Each prediction xᵢ · w grows by xᵢ when w grows by 1, so the gradient of their sum "
               "is Σ xᵢ.")

# --- loss_fn --------------------------------------------------------------------------------------
SUMMED_LOSS = ("The squared errors were summed, not averaged: the mean squared error divides their "
               "sum by n, so that the loss does not grow with the number of points.")
MEAN_FIRST = ("The errors were averaged before squaring: (mean of ŷ − y)² lets errors of opposite "
              "signs cancel. Square each error first, then take the mean.")
NOT_SQUARED = ("The errors were not squared: their plain mean lets positive and negative errors "
               "cancel. Square each one, (ŷᵢ − yᵢ)².")
ABSOLUTE = ("That is the mean absolute error: square each error, (ŷᵢ − yᵢ)², instead of taking "
            "its size.")
ROOT = ("That is the square root of the mean squared error: the loss is the mean squared error "
        "itself.")
LOSS_HIDDEN = "Square each error ŷᵢ − yᵢ, add the squares up and divide by n."
LOSS_ZERO = "Predictions equal to the targets make every error 0, so the loss is 0."
NOT_A_TENSOR = ("Keep the loss a tensor so that loss.backward() can compute ∂L/∂w; .item() turns "
                "it into a plain number, for printing or recording only.")

# --- train ----------------------------------------------------------------------------------------
PILED_UP = ("The gradients piled up: backward() adds into w.grad, so without optimizer.zero_grad() "
            "each step uses the sum of every gradient so far. Clear them once per epoch, after "
            "step() (or before backward()).")
NEVER_MOVED = ("w never moved: optimizer.step() found no gradient on the tensors it updates. "
               "Either zero_grad() runs between backward() and step() (it must come after step(), "
               "or before backward()), or the optimizer was given another tensor than the one "
               "the loss is computed from: build it on the tensor you train, "
               "torch.optim.SGD([w], lr=learning_rate).")
HARDCODED_RATE = ("λ = 0.01, the example's learning rate, gives exactly this weight: hand the "
                  "learning_rate argument to the optimizer, "
                  "torch.optim.SGD([w], lr=learning_rate).")
HARDCODED_EPOCHS = ("100 epochs, the example's number, give exactly this weight: loop "
                    "number_epochs times.")
SUMMED = ("This is what training with the sum of the squared errors gives: its gradient is n times "
          "the mean's, so every step is n times too large. Use loss_fn, the mean.")
ONE_MORE = "One epoch too many: the loop must run number_epochs times."
ONE_LESS = "One epoch too few: the loop must run number_epochs times."
WEIGHT_HIDDEN = ("Each epoch: forward, loss, backward, step, zero_grad, with "
                 "torch.optim.SGD([w], lr=learning_rate), number_epochs times.")

LOSSES_NEVER_MOVED = ("The loss never changes because w never moves: optimizer.step() found no "
                      "gradient on the tensors it updates. Either zero_grad() runs between "
                      "backward() and step(), or the optimizer was given another tensor than the "
                      "one the loss is computed from.")
AFTER_STEP = ("losses[k] is the loss after epoch k's step: record the loss computed in epoch k, "
              "before optimizer.step(), so that losses[0] is the loss at initial_w.")
LOSSES_SUMMED = ("These are sums of squared errors, n times the mean: train with loss_fn, the mean "
                 "squared error.")
LOSSES_RATE = ("These are the losses of λ = 0.01, the example's learning rate: hand the "
               "learning_rate argument to the optimizer, torch.optim.SGD([w], lr=learning_rate).")
LOSSES_EPOCHS = "100 losses is the example's number of epochs: loop number_epochs times."
EVERY_TENTH = ("Only every 10th epoch's loss was kept, as the example prints them: append the loss "
               "of every epoch.")
LOSSES = ("losses[k] is the loss computed in epoch k, before that epoch's step; losses[0] is the "
          "loss at initial_w.")

COPY = ("train must work on a copy, w = initial_w.detach().clone().requires_grad_(True), and leave "
        "the caller's tensor as it was.")
NON_LEAF = ("initial_w.clone() of a tensor that requires grad is the result of an operation, not a "
            "leaf, and an optimizer can only update leaves. Cut the copy off first: "
            "initial_w.detach().clone().requires_grad_(True).")
DETACHED = ("Return w.detach(), the trained value cut off from the training graph, so that "
            "whatever is done with it later records nothing.")
FLOATS = ("Keep the numbers only: record each loss as a Python float with loss.item(). A loss "
          "tensor keeps its whole graph alive in the list.")
NO_EPOCHS = "With 0 epochs no step is taken, so w is w₀ and there are no losses."
BY_HAND = ("Create torch.optim.SGD([w], lr=learning_rate) and let optimizer.step() update w, once "
           "per epoch, instead of changing w by hand.")
PAIR = "train returns a pair: return w.detach(), losses."
SWAPPED = ("The pair is the wrong way round: the weight comes first, then the losses: "
           "return w.detach(), losses.")
RAISED = "Run train on the example's data yourself to see where the error comes from."

# --- train_minibatch ------------------------------------------------------------------------------
MB_NO_SHUFFLE = ("The batches came in the same order every epoch, 0, 1, 2, …: shuffle at the start "
                 "of each epoch, order = torch.randperm(n, generator=generator), and take the "
                 "batches from that order.")
MB_SHUFFLE_ONCE = ("Every epoch reused the first epoch's order: draw a new permutation at the start "
                   "of each epoch, inside the epoch loop.")
MB_DROPS_LAST = ("The last, smaller batch of each epoch was left out: when batch_size does not "
                 "divide n, the last batch holds the points that are left, and it gets a step too.")
MB_PILED_UP = ("The gradients piled up: backward() adds into w.grad, so each step must be followed "
               "by optimizer.zero_grad() (or preceded by it, before backward()).")
MB_FULL_DATA = ("Every step used the loss on all the data: a mini-batch step computes the loss on "
                "its batch only, x[batch] and y[batch].")
MB_GENERATOR = ("The generator given was never drawn from: torch.randperm(n) without generator= "
                "uses torch's global generator, so the same seed does not give the same run. "
                "Shuffle with order = torch.randperm(n, generator=generator).")
MB_WEIGHT = ("Each epoch: one permutation of the n points from the generator, then one step per "
             "batch of batch_size points taken in that order (the last batch may be smaller), "
             "each on the loss of its batch.")
MB_COUNT = ("One loss per step: an epoch takes ceil(n / batch_size) steps, so there are "
            "number_epochs · ceil(n / batch_size) losses.")
MB_PER_EPOCH = ("That is one loss per epoch: record the loss of every step (every batch), before "
                "its step.")
MB_LOSSES = ("losses[k] is the loss of step k's batch, computed before that step: "
             "loss.item() of the batch's mean squared error.")


# --- reading records ------------------------------------------------------------------------------
def _field(value, name):
    """A field of a dict the test's run returned (a record without it cannot come from the run)."""
    if value.kind != "dict" or name not in value.fields:
        raise Failure(f"the record has no {name!r}",
                      "The test's record of this call could not be read.")
    return value.fields[name]


def _as(obs, call):
    """The observation with another text for the call (for messages about w.grad, say)."""
    return dataclasses.replace(obs, call=call)


# --- model ----------------------------------------------------------------------------------------
def model(obs: Observation) -> None:
    got, expected = returned(obs), expected_value(obs)
    x, w = obs["x"], obs["w"][0]
    tensor(obs, got, expected, hint=MODEL_HIDDEN if obs.hidden else MODEL,
           mistakes=[(x, IGNORES_W), ([v + w for v in x], ADDS_W)])


def graph(obs: Observation) -> None:
    facts = returned(obs)
    y_hat, grad = _field(facts, "y_hat"), _field(facts, "grad")
    if y_hat.kind != "tensor":
        raise Failure(f"{obs.call} returned {show(y_hat)}: expected a tensor of predictions.",
                      "Multiply the tensors themselves, x * w: the predictions are a tensor.")
    if not y_hat.requires_grad:
        raise Failure(f"{obs.call} returned a tensor that does not require grad.", CUT)
    call = f"w.grad after {obs.call}.sum().backward()"
    if grad.kind == "none":
        raise Failure(f"{call} is None.", CUT)
    tensor(_as(obs, call), grad, _field(expected_value(obs), "grad"), hint=GRAD_OF_SUM)


# --- loss_fn --------------------------------------------------------------------------------------
def _loss_hint(errors, hidden):
    if all(e == 0 for e in errors):
        return LOSS_ZERO
    if hidden:
        return LOSS_HIDDEN
    squares = sum(e * e for e in errors)
    return (f"The errors are {', '.join(with_minus_sign(e) for e in errors)}; their squares "
            f"average to {squares:g} / {len(errors)} = {squares / len(errors):g}.")


def loss(obs: Observation) -> None:
    got = returned(obs)
    if got.kind == "tensor":
        if len(got.values) != 1:
            raise Failure(f"{obs.call} returned a tensor of shape {got.shape}: expected one "
                          f"number, the mean over all the points.",
                          "The loss is one number: take the mean over all the points.")
        got = Value({"float": got.values[0]})
    expected = expected_value(obs).numbers()
    if not expected:
        raise Failure(f"{obs.call}: the expected value is not a number.")
    errors = [p - t for p, t in zip(obs["y_hat"], obs["y"])]
    n = len(errors)
    mistakes = []
    if any(errors):
        squares, mean = sum(e * e for e in errors), sum(errors) / n
        mistakes = [(squares, SUMMED_LOSS), (mean ** 2, MEAN_FIRST), (mean, NOT_SQUARED),
                    (-mean, NOT_SQUARED), (sum(abs(e) for e in errors) / n, ABSOLUTE),
                    (math.sqrt(squares / n), ROOT)]
    number(obs, got, expected[0], hint=_loss_hint(errors, obs.hidden), mistakes=mistakes, rel=1e-5)


def differentiable(obs: Observation) -> None:
    facts = returned(obs)
    expected_value(obs)   # the solution's own call worked
    value, grad = _field(facts, "loss"), _field(facts, "grad")
    dtype = obs.case["x"].dtype
    if value.kind != "tensor":
        raise Failure(f"{obs.call} returned {show(value)}, of type {value.type_name_of}: expected "
                      f"a tensor.", NOT_A_TENSOR)
    if value.shape != ():
        raise Failure(f"{obs.call} returned a tensor of shape {value.shape}: expected a single "
                      f"number, shape ().", "Take the mean over all the points.")
    if not value.requires_grad:
        raise Failure(f"{obs.call} returned a tensor that autograd cannot trace back to w (no "
                      f"grad_fn).", "Compute the loss with tensor operations on y_hat, not on "
                      "numbers taken out of it.")
    if value.dtype != dtype:
        raise Failure(f"{obs.call} returned dtype {value.dtype} for inputs of dtype {dtype}.",
                      "Arithmetic on the input tensors keeps their dtype.")
    if grad.kind == "none":
        raise Failure(f"After {obs.call}.backward(), w.grad is still None.",
                      "Compute the loss from y_hat with tensor operations, so that backward() "
                      "reaches w.")


# --- train ----------------------------------------------------------------------------------------
def _pair(obs, got):
    """(w, losses) of what train returned, or a failure."""
    if got.kind == "none":
        raise Failure(f"{obs.call} returned None: nothing came back.", PAIR)
    # A list [w, losses] unpacks as the pair does: `w, losses = train(...)` works with both.
    if not got.is_sequence or len(got.items) != 2:
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"pair (w, losses).", PAIR)
    first, second = got.items
    if first.is_sequence and second.kind == "tensor":
        raise Failure(f"{obs.call} returned ({show(first)}, {show(second)}): expected (w, losses).",
                      SWAPPED)
    return got.items


def _expected_part(obs: Observation, index: int, field: str | None = None) -> Value:
    """Part `index` of the expected pair (w, losses), or of the pair in the expected facts'
    `field`; a visible test may state that part alone."""
    expected = expected_value(obs)
    if field is not None:
        expected = _field(expected, field)
    if expected.kind == "tuple" and len(expected.items) == 2:
        return expected.items[index]
    return expected


def _train_result(obs):
    return _pair(obs, returned(obs, hint=RAISED))


def _descent(obs, learning_rate, pile_up=False):
    """The weights and losses of plain gradient descent on the case's data (float64), with
    ∂L/∂w = (2/n)·Σ xᵢ(xᵢw − yᵢ). pile_up: w.grad is never cleared, so each step uses the sum of
    every gradient so far. Only for known mistakes."""
    x, y = obs["x"], obs["y"]
    n, w, piled, losses = len(x), obs["initial_w"][0], 0.0, []
    for _ in range(obs["number_epochs"]):
        residuals = [xi * w - yi for xi, yi in zip(x, y)]
        losses.append(sum(r * r for r in residuals) / n)
        gradient = 2 / n * sum(xi * r for xi, r in zip(x, residuals))
        piled = piled + gradient if pile_up else gradient
        w -= learning_rate * piled
    return w, losses


def _aux_part(obs, name, index):
    """Part `index` of the solution's (w, losses) for the related call `name`, or None."""
    value = aux_value(obs, name)
    if value is None or value.kind != "tuple" or len(value.items) != 2:
        return None
    return value.items[index].numbers()


def weight(obs: Observation) -> None:
    w, _ = _train_result(obs)
    expected = _expected_part(obs, 0)
    piled_w, _ = _descent(obs, obs["learning_rate"], pile_up=True)
    mistakes = [([piled_w], PILED_UP), (obs["initial_w"], NEVER_MOVED),
                (_aux_part(obs, "rate_0.01", 0), HARDCODED_RATE),
                (_aux_part(obs, "epochs_100", 0), HARDCODED_EPOCHS),
                (_aux_part(obs, "one_more", 0), ONE_MORE),
                (_aux_part(obs, "one_less", 0), ONE_LESS),
                (_aux_part(obs, "summed", 0), SUMMED)]
    if obs.hidden:
        hint = WEIGHT_HIDDEN
    else:
        hint = (f"Each epoch takes one step w ← w − λ ∂L/∂w; on this data {obs['number_epochs']} "
                f"steps reach w = {with_minus_sign(solution_numbers(expected)[0])}.")
    tensor(obs, w, expected, rel=1e-4, abs_tol=1e-5, mistakes=mistakes, hint=hint)


def _mean_squared_error(obs, w):
    x, y = obs["x"], obs["y"]
    return sum((xi * w - yi) ** 2 for xi, yi in zip(x, y)) / len(x)


def losses(obs: Observation) -> None:
    w, got = _train_result(obs)
    expected = solution_numbers(_expected_part(obs, 1))
    final = _expected_part(obs, 0)
    count = len(expected)
    if got.is_sequence and len(got.items) != count:
        if len(got.items) == 100:
            raise Failure(f"{obs.call} gave 100 losses, expected {count}.", LOSSES_EPOCHS,
                          mistake=True, generic=LOSSES)
        if len(got.items) == math.ceil(count / 10):
            raise Failure(f"{obs.call} gave {len(got.items)} losses, expected {count}.",
                          EVERY_TENTH, mistake=True, generic=LOSSES)
    n = len(obs["x"])
    mistakes: list[Mistake] = []
    if count and final.kind == "tensor":
        # The losses after each step: the next epoch's loss, and at the end the loss at final w.
        after = expected[1:] + [_mean_squared_error(obs, final.values[0])]
        mistakes.append((after, AFTER_STEP))
    mistakes += [(_descent(obs, obs["learning_rate"], pile_up=True)[1], PILED_UP),
                 ([expected[0]] * count if count else None, LOSSES_NEVER_MOVED),
                 (_aux_part(obs, "rate_0.01", 1), LOSSES_RATE)]
    summed = _aux_part(obs, "summed", 1)
    if summed is None:   # a student's own run: no aux values
        summed = _descent(obs, n * obs["learning_rate"])[1]
    mistakes.append(([n * v for v in summed], LOSSES_SUMMED))
    sequence_of_numbers(obs, got, expected, what="losses", mistakes=mistakes, hint=LOSSES,
                        rel=1e-4, abs_tol=1e-6 * max(1.0, abs(expected[0]) if count else 1.0))


def contract(obs: Observation) -> None:
    facts = returned(obs, errors={"non-leaf": NON_LEAF}, hint=RAISED)
    expected_value(obs)   # the solution's own call worked
    before = obs.case["initial_w"]
    after, grad = _field(facts, "initial_w"), _field(facts, "initial_w_grad")
    if (after.kind != "tensor" or after.values != before.values
            or after.requires_grad != before.requires_grad or grad.kind != "none"):
        rg = after.requires_grad if after.kind == "tensor" else "?"
        raise Failure(f"{obs.call} changed initial_w: it is now {show(after)}, requires_grad={rg}, "
                      f"grad={show(grad)}.", COPY)
    w, losses_ = _pair(obs, _field(facts, "result"))
    if w.kind != "tensor":
        raise Failure(f"{obs.call} returned w = {show(w)}: expected a tensor.",
                      "w is the trained weight tensor: return w.detach().")
    if w.shape != before.shape or w.dtype != before.dtype:
        raise Failure(f"{obs.call} returned w of shape {w.shape} and dtype {w.dtype}: expected the "
                      f"shape {before.shape} and dtype {before.dtype} of initial_w.",
                      "Train a copy of initial_w itself, initial_w.detach().clone(): it keeps its "
                      "shape and dtype.")
    if w.requires_grad:
        raise Failure(f"{obs.call} returned a w that still requires grad.", DETACHED)
    if losses_.kind != "list":
        raise Failure(f"{obs.call} returned losses = {show(losses_)}: expected a list.",
                      "Collect the losses in a list: losses = [] and losses.append(loss.item()).")
    for k, item in enumerate(losses_.items):
        if item.kind != "float":
            raise Failure(f"{obs.call}: losses[{k}] is {show(item)}, of type {item.type_name_of}.",
                          FLOATS)


def no_epochs(obs: Observation) -> None:
    w, losses_ = _train_result(obs)
    expected = _expected_part(obs, 0)
    if (w.kind != "tensor" or w.shape != expected.shape or w.values != expected.values
            or losses_.python != []):
        raise Failure(f"{obs.call} returned ({show(w)}, {show(losses_)}).", NO_EPOCHS)


def steps(obs: Observation) -> None:
    facts = returned(obs, hint=RAISED)
    expected = expected_value(obs)
    if not _field(facts, "pair").python:
        returned_value = _field(facts, "returned")
        raise Failure(f"{obs.call} returned {show(returned_value)}, of type "
                      f"{returned_value.type_name_of}: expected a pair (w, losses).", PAIR)
    count = _field(facts, "steps").python
    if not count:
        raise Failure(f"{obs.call} never called an optimizer's step().", BY_HAND)
    if _field(facts, "sgd").python is not True:
        names = _field(facts, "optimizers").python or ["?"]
        raise Failure(f"{obs.call} stepped with {', '.join(map(str, names))}.",
                      "This assignment trains with torch.optim.SGD.")
    expected_count = _field(expected, "steps").python
    if count != expected_count:
        raise Failure(f"{obs.call} called optimizer.step() {count} times: expected "
                      f"{expected_count}.",
                      "Take one optimizer step per epoch: loop number_epochs times.")
    rates, expected_rates = _field(facts, "lrs").python, _field(expected, "lrs").python
    if rates != expected_rates:
        shown = "[" + ", ".join(f"{r:g}" for r in rates) + "]" if isinstance(rates, list) \
            else repr(rates)
        raise Failure(f"{obs.call} stepped with lr = {shown}: "
                      f"expected lr = {obs['learning_rate']}.",
                      "Pass the learning_rate argument to the optimizer: "
                      "torch.optim.SGD([w], lr=learning_rate).")


# --- train_minibatch ------------------------------------------------------------------------------
def _minibatch(obs, orders, *, drop_last=False, pile_up=False, full_data=False):
    """w and the per-step losses of mini-batch SGD on the case's data (float64) for the given
    permutations, one per epoch, and the variants behind known mistakes. Only for known mistakes:
    the right answer is the solution's run."""
    x, y, size = obs["x"], obs["y"], obs["batch_size"]
    n, w, piled, losses = len(x), obs["initial_w"][0], 0.0, []
    for order in orders:
        for start in range(0, n, size):
            batch = order[start:start + size]
            if drop_last and len(batch) < size:
                continue
            if full_data:
                batch = range(n)
            residuals = [(x[i], x[i] * w - y[i]) for i in batch]
            losses.append(sum(r * r for _, r in residuals) / len(residuals))
            gradient = 2 / len(residuals) * sum(xi * r for xi, r in residuals)
            piled = piled + gradient if pile_up else gradient
            w -= obs["learning_rate"] * piled
    return w, losses


def _minibatch_mistakes(obs, part):
    """(value, hint) of each known mistake; part 0: the weight, part 1: the losses."""
    orders = obs["orders"]
    if not orders:
        return []
    in_order = [list(range(len(obs["x"])))] * len(orders)
    variants = [(dict(orders=in_order), MB_NO_SHUFFLE),
                (dict(orders=[orders[0]] * len(orders)), MB_SHUFFLE_ONCE),
                (dict(orders=orders, drop_last=True), MB_DROPS_LAST),
                (dict(orders=orders, pile_up=True), MB_PILED_UP),
                (dict(orders=orders, full_data=True), MB_FULL_DATA)]
    mistakes = []
    for options, hint in variants:
        value = _minibatch(obs, **options)[part]
        mistakes.append(([value] if part == 0 else value, hint))
    return mistakes


def _minibatch_result(obs):
    facts = returned(obs, errors={"non-leaf": NON_LEAF}, hint=RAISED)
    return facts, _pair(obs, _field(facts, "result"))


def _generator_unused(facts, obs):
    draw = _field(facts, "next_draw")
    return draw.is_number and close(float(draw.python), obs["fresh_draw"], 1e-5, 1e-9)


def minibatch_weight(obs: Observation) -> None:
    facts, (w, _) = _minibatch_result(obs)
    expected = _expected_part(obs, 0, "result")
    mistakes = _minibatch_mistakes(obs, 0)
    hint = MB_WEIGHT
    if w.kind == "tensor" and expected.kind == "tensor" and _generator_unused(facts, obs) \
            and not all_close(w.values, expected.values, 1e-4, 1e-5):
        hint = MB_GENERATOR
    tensor(obs, w, expected, rel=1e-4, abs_tol=1e-5, mistakes=mistakes, hint=hint)


def minibatch_losses(obs: Observation) -> None:
    facts, (_, got) = _minibatch_result(obs)
    expected = solution_numbers(_expected_part(obs, 1, "result"))
    if got.is_sequence and len(got.items) != len(expected):
        per_epoch = len(got.items) == obs["number_epochs"]
        raise Failure(f"{obs.call} gave {len(got.items)} losses, expected {len(expected)}: "
                      f"{obs['number_epochs']} epochs of ceil({len(obs['x'])} / "
                      f"{obs['batch_size']}) steps.", MB_PER_EPOCH if per_epoch else MB_COUNT,
                      mistake=per_epoch, generic=MB_COUNT)
    hint = MB_GENERATOR if _generator_unused(facts, obs) else MB_LOSSES
    sequence_of_numbers(obs, got, expected, what="losses", hint=hint,
                        mistakes=_minibatch_mistakes(obs, 1), rel=1e-4,
                        abs_tol=1e-6 * max([1.0] + [abs(v) for v in expected[:1]]))


def minibatch_contract(obs: Observation) -> None:
    facts, (w, losses_) = _minibatch_result(obs)
    before = obs.case["initial_w"]
    after, grad = _field(facts, "initial_w"), _field(facts, "initial_w_grad")
    if after.kind != "tensor" or after.values != before.values or grad.kind != "none" \
            or after.requires_grad:
        raise Failure(f"{obs.call} changed initial_w: it is now {show(after)}, grad={show(grad)}.",
                      COPY)
    if w.kind != "tensor" or w.shape != before.shape or w.dtype != before.dtype:
        raise Failure(f"{obs.call} returned w = {show(w)}: expected a tensor of initial_w's shape "
                      f"{before.shape} and dtype {before.dtype}.",
                      "Train a copy of initial_w itself, initial_w.detach().clone().")
    if w.requires_grad:
        raise Failure(f"{obs.call} returned a w that still requires grad.", DETACHED)
    if losses_.kind != "list" or any(item.kind != "float" for item in losses_.items):
        raise Failure(f"{obs.call} returned losses = {show(losses_)}: expected a list of Python "
                      f"floats.", FLOATS)
    draw, wanted = _field(facts, "next_draw"), _field(expected_value(obs), "next_draw")
    if wanted.is_number and not draw.is_number:
        raise Failure(f"After {obs.call}, the test could not read the generator's next number "
                      f"({show(draw)}).",
                      "Leave the generator as a generator: draw from it with "
                      "torch.randperm(n, generator=generator), and do not replace or change it.")
    if wanted.is_number and not close(float(draw.python), float(wanted.python), 1e-5, 1e-9):
        if _generator_unused(facts, obs):
            raise Failure(f"After {obs.call}, the generator had not been drawn from.", MB_GENERATOR)
        raise Failure(f"After {obs.call}, the generator's next number was {draw.python:.6g}, not "
                      f"{wanted.python:.6g}: the call drew more or fewer numbers from it than one "
                      f"permutation per epoch.",
                      "Call torch.randperm(n, generator=generator) once per epoch, at its start, "
                      "and draw nothing else from the generator.")


JUDGES = {"model": model, "graph": graph, "loss": loss, "differentiable": differentiable,
          "weight": weight, "losses": losses, "contract": contract,
          "no_epochs": no_epochs, "steps": steps, "minibatch_weight": minibatch_weight,
          "minibatch_losses": minibatch_losses, "minibatch_contract": minibatch_contract}
