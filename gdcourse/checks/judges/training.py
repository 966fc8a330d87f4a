"""Judges of chapter 6's checks (gdcourse.checks.training): split_data, make_loaders, train_model.

The right values come from the solution's run. Known mistakes of train_model are replayed here on
plain numbers, for the tests whose model is a line trained with plain SGD on the mean squared
error: the loop without zero_grad, a model that never moves, the train loss measured another way,
the validation loss measured before the epoch or on steps. What the instrumented objects saw (the
mode the model was in, gradients on or off, which optimizer stepped) tells the rest.
"""
from collections.abc import Sequence
from typing import Any

from ..plain import Value
from .common import (Mistake, expected_value, items, returned, sequence_of_numbers, show,
                     solution_numbers)
from .observation import Observation
from .verdict import Failure

RAISED = ("train_model raised an error: read its last line. The loop is: for each epoch, "
          "model.train(), then for each training batch the prediction, the loss, "
          "optimizer.zero_grad(), loss.backward(), optimizer.step(); then model.eval() and, "
          "under torch.no_grad(), the loss of each validation batch.")
PAIR = ("train_model returns a pair of lists: (train_losses, validation_losses), one number per "
        "epoch in each.")
TRAIN = ("The train loss of an epoch is the mean, over all the epoch's training points, of the "
         "loss each batch had when it was used for its step: add loss.item() * len(x_batch) for "
         "every batch, and divide by the number of points.")
VALIDATION = ("The validation loss of an epoch is the mean, over all the validation points, of "
              "the loss after that epoch's steps: add loss.item() * len(x_batch) for every "
              "validation batch, and divide by the number of points.")
PILED_UP = ("The gradients piled up from batch to batch: backward() adds to .grad, so every "
            "step used the sum of all gradients so far. Call optimizer.zero_grad() once per "
            "batch, before loss.backward().")
NEVER_MOVED = ("The model never moved: the losses are those of its starting parameters. Each "
               "batch needs loss.backward() and then optimizer.step(), in that order; a "
               "zero_grad() between them wipes the gradient the step needs.")
BATCH_MEANS = ("This is the mean of the batches' losses, each batch counted once: the last "
               "batch is smaller, so its points weigh more than the others'. Weigh each batch's "
               "loss by its number of points: loss.item() * len(x_batch), summed, divided by "
               "the number of points.")
LAST_BATCH = ("This is the loss of each epoch's last batch alone: the train loss of an epoch is "
              "the mean over all its batches' points.")
SUMMED = ("The batches' losses were added up but not divided: divide the sum of "
          "loss.item() * len(x_batch) by the number of points of the epoch.")
BEFORE = ("The validation loss was measured before the epoch's steps: each number belongs to "
          "the epoch before. Validate after the training batches of the epoch.")
TRAINED_ON_VALIDATION = ("The model took steps on the validation batches. The validation set "
                         "only measures: no backward() and no step() on it, or it stops "
                         "telling how the model does on data it has not learned from.")
OTHER_OPTIMIZER = ("The optimizer passed in never took a step: train_model made one of its own. "
                   "Use the optimizer given: the caller chose its kind and learning rate, and "
                   "it holds the model's parameters.")
STEP_PER_EPOCH = ("One step per epoch: the step belongs inside the loop over the training "
                  "batches, one per batch.")
STEPS = "Take one optimizer.step() per training batch, and no other."
STEP_IN_VALIDATION = ("The optimizer stepped while the validation batches were being read. The "
                      "validation set only measures: no backward(), no step().")
TARGET_FIRST = ("loss_function got the target first: PyTorch's losses take (prediction, "
                "target), as loss_function(model(x_batch), y_batch). A squared error gives the "
                "same number either way, but most losses do not.")
NO_EVAL = ("The validation batches went through the model in training mode: dropout was still "
           "switching off units at random. Call model.eval() before validating.")
NO_TRAIN = ("After the first validation the model stayed in evaluation mode and trained in it: "
            "model.eval() lasts until model.train(). Call model.train() at the start of every "
            "epoch.")
GRAD_ON = ("The validation ran with gradients on: every validation batch built a graph that "
           "nothing uses. Compute the validation losses inside with torch.no_grad():.")
NOT_VALIDATED = ("The model never saw the validation batches: compute the validation loss of "
                 "every epoch from model(x_batch) for each batch of validation_loader.")
FLOATS = ("The losses must be Python floats: loss.item() turns a one-number tensor into one "
          "(a tensor kept in a list also keeps its whole graph alive).")
PASSES = ("Read each loader once per epoch: every pass of a shuffling loader draws a new order, "
          "so a second pass (to measure the training loss again after the epoch's steps, or to "
          "count the points) changes the batches of every later epoch. The train loss is the "
          "loss each batch had at its step, added up as you go; count the points with "
          "len(loader.dataset), or add up len(x_batch).")
NO_EPOCHS = "With number_epochs = 0 nothing is trained: return two empty lists."


def _field(value: Value, name: str) -> Value:
    if value.kind != "dict" or name not in value.fields:
        raise Failure(f"the record has no {name!r}", "The test's record of this call could not "
                                                     "be read.")
    return value.fields[name]


def _pair(obs: Observation, got: Value) -> tuple[Value, Value]:
    if got.kind == "none":
        raise Failure(f"{obs.call} returned None: nothing came back.", PAIR)
    if not got.is_sequence or len(got.items) != 2:
        raise Failure(f"{obs.call} returned {show(got)}, of type {got.type_name_of}: expected a "
                      f"pair (train_losses, validation_losses).", PAIR)
    return got.items[0], got.items[1]


def _facts(obs: Observation) -> Value:
    return returned(obs, hint=RAISED)


def _solution_ran(obs: Observation) -> None:
    """The solution's own call worked (a visible check states no facts, only that it is judged)."""
    expected_value(obs)


def _expected_part(obs: Observation, index: int) -> list[float]:
    """Part `index` of the expected pair: the solution's, or the pair a visible test states."""
    expected = expected_value(obs)
    if expected.kind == "dict":
        expected = _field(expected, "result")
    if expected.is_sequence and len(expected.items) == 2:
        return solution_numbers(expected.items[index])
    raise Failure("the expected value is not a pair of lists.")


# --- replays of known mistakes (a line ŷ = w·u + b, any of the tests' optimizers and losses) --------
class _Line:
    """The tests' line and its optimizer, replayed on plain floats: PyTorch's SGD (with momentum)
    and Adam update rules, with their default settings, and the mean squared or absolute error."""

    def __init__(self, obs: Observation, pile_up: bool, frozen: bool) -> None:
        self.theta = [float(obs["w"]), float(obs["b"])]
        self.grad = [0.0, 0.0]
        self.kind, self.rate, self.loss_kind = obs["optimizer"], obs["learning_rate"], obs["loss"]
        self.pile_up, self.frozen = pile_up, frozen
        self.buffer: list[float] | None = None          # momentum
        self.m, self.v, self.t = [0.0, 0.0], [0.0, 0.0], 0   # Adam

    def loss(self, xs: Sequence[float], ys: Sequence[float], batch: Sequence[int],
             step: bool) -> float:
        """The batch's mean loss; with `step`, its backward() and the optimizer's step."""
        w, b = self.theta
        errors = [(xs[i], w * xs[i] + b - ys[i]) for i in batch]
        slopes: list[tuple[float, float]]
        if self.loss_kind == "l1":
            value = sum(abs(e) for _, e in errors) / len(errors)
            slopes = [(u, (e > 0) - (e < 0)) for u, e in errors]   # d|e|/de, 0 at 0 as in torch
        else:
            value = sum(e * e for _, e in errors) / len(errors)
            slopes = [(u, 2 * e) for u, e in errors]
        if step:
            grad = [sum(u * d for u, d in slopes) / len(errors),
                    sum(d for _, d in slopes) / len(errors)]
            self.grad = [a + g for a, g in zip(self.grad, grad)] if self.pile_up else grad
            if not self.frozen:
                self._step()
        return value

    def _step(self) -> None:
        g = self.grad
        if self.kind == "adam":
            beta1, beta2, eps = 0.9, 0.999, 1e-8
            self.t += 1
            self.m = [beta1 * m + (1 - beta1) * gi for m, gi in zip(self.m, g)]
            self.v = [beta2 * v + (1 - beta2) * gi * gi for v, gi in zip(self.v, g)]
            for k in range(2):
                m_hat = self.m[k] / (1 - beta1 ** self.t)
                v_hat = self.v[k] / (1 - beta2 ** self.t)
                self.theta[k] -= self.rate * m_hat / (v_hat ** 0.5 + eps)
            return
        if self.kind == "momentum":
            self.buffer = list(g) if self.buffer is None else \
                [0.9 * buf + gi for buf, gi in zip(self.buffer, g)]
            g = self.buffer
        self.theta = [t - self.rate * gi for t, gi in zip(self.theta, g)]


def _replayable(obs: Observation) -> bool:
    return obs["model"] == "line" and bool(obs["orders"])


def _replay(obs: Observation, *, pile_up: bool = False, frozen: bool = False,
            measure: str = "points", validation: str = "after") -> tuple[list[float], list[float]]:
    """(train losses, validation losses) of the loop with one known mistake, in float64."""
    x, y = obs["x"], obs["y"]
    xv, yv = obs["x_validation"], obs["y_validation"]
    size = obs["batch_size"]
    line = _Line(obs, pile_up, frozen)
    validation_batches = [list(range(i, min(i + size, len(xv)))) for i in range(0, len(xv), size)]

    def evaluate(batch_means: bool = False, step: bool = False) -> float:
        losses = [(line.loss(xv, yv, batch, step), len(batch)) for batch in validation_batches]
        if batch_means:
            return sum(loss for loss, _ in losses) / len(losses)
        return sum(loss * k for loss, k in losses) / len(xv)

    train_losses, validation_losses = [], []
    for order in obs["orders"]:
        if validation == "before":
            validation_losses.append(evaluate())
        losses = [(line.loss(x, y, batch, True), len(batch)) for batch in order]
        if measure == "batches":
            train_losses.append(sum(loss for loss, _ in losses) / len(losses))
        elif measure == "last":
            train_losses.append(losses[-1][0])
        elif measure == "sum":
            train_losses.append(sum(loss * k for loss, k in losses))
        else:
            train_losses.append(sum(loss * k for loss, k in losses) / len(x))
        if validation != "before":
            validation_losses.append(evaluate(batch_means=validation == "batch_means",
                                              step=validation == "trains"))
    return train_losses, validation_losses


def _mistakes(obs: Observation, index: int) -> list[Mistake]:
    if not _replayable(obs):
        return []
    variants: list[tuple[dict[str, Any], str]] = [
        ({"pile_up": True}, PILED_UP), ({"frozen": True}, NEVER_MOVED)]
    if index == 0:
        variants += [({"validation": "trains"}, TRAINED_ON_VALIDATION),
                     ({"measure": "batches"}, BATCH_MEANS), ({"measure": "last"}, LAST_BATCH),
                     ({"measure": "sum"}, SUMMED)]
    else:
        variants += [({"validation": "before"}, BEFORE),
                     ({"validation": "batch_means"}, BATCH_MEANS),
                     ({"validation": "trains"}, TRAINED_ON_VALIDATION)]
    return [(_replay(obs, **options)[index], hint) for options, hint in variants]


def _losses(obs: Observation, index: int, what: str, hint: str) -> None:
    facts = _facts(obs)
    got = _pair(obs, _field(facts, "result"))[index]
    expected = _expected_part(obs, index)
    passes = _seen(obs)["passes"]
    if got.is_sequence and passes["train"] > max(len(got.items), obs["number_epochs"]):
        hint = PASSES   # an extra pass reshuffled the batches: no replay can say more
    if got.is_sequence and len(got.items) != len(expected):
        raise Failure(f"{obs.call} gave {len(got.items)} {what}, expected {len(expected)}: one "
                      f"per epoch.", hint)
    sequence_of_numbers(obs, got, expected, what=what, mistakes=_mistakes(obs, index), hint=hint,
                        rel=1e-4, abs_tol=1e-6 * max([1.0] + [abs(v) for v in expected[:1]]))


def train_losses(obs: Observation) -> None:
    _losses(obs, 0, "train losses", TRAIN)


def validation_losses(obs: Observation) -> None:
    _losses(obs, 1, "validation losses", VALIDATION)


# --- what happened during the call --------------------------------------------------------------
def _seen(obs: Observation) -> dict[str, Any]:
    seen = _field(_facts(obs), "seen").python
    if not isinstance(seen, dict):
        raise Failure("the record has no 'seen'", "The test's record of this call could not "
                                                  "be read.")
    return seen


def _batches_per_epoch(obs: Observation) -> int:
    orders = obs["orders"]
    return len(orders[0]) if orders else 0


def steps(obs: Observation) -> None:
    seen = _seen(obs)
    _solution_ran(obs)
    train, validation = seen["train"], seen["validation"]
    given = train["steps"] + validation["steps"] + seen["none"]["steps"]
    others = train["other_steps"] + validation["other_steps"] + seen["none"]["other_steps"]
    if not given and others:
        raise Failure(f"{obs.call}: the optimizer passed in took no step; another took {others}.",
                      OTHER_OPTIMIZER, mistake=True, generic=STEPS)
    if validation["steps"] or validation["other_steps"]:
        raise Failure(f"{obs.call}: {validation['steps'] + validation['other_steps']} steps were "
                      f"taken while the validation batches were read.", STEP_IN_VALIDATION,
                      mistake=True, generic=STEPS)
    epochs, batches = obs["number_epochs"], _batches_per_epoch(obs)
    if given != epochs * batches:
        per_epoch = given == epochs and batches > 1
        raise Failure(f"{obs.call}: the optimizer took {given} steps, expected {epochs * batches}: "
                      f"{epochs} epochs of {batches} batches.",
                      STEP_PER_EPOCH if per_epoch else STEPS, mistake=per_epoch, generic=STEPS)
    if train["loss_target_first"]:
        raise Failure(f"{obs.call}: loss_function was called with the prediction second "
                      f"{train['loss_target_first']} times.", TARGET_FIRST)


def modes(obs: Observation) -> None:
    seen = _seen(obs)
    _solution_ran(obs)
    train, validation = seen["train"], seen["validation"]
    if not validation["forward"] and obs["number_epochs"] > 0:
        raise Failure(f"{obs.call}: the model was never called on a validation batch.",
                      NOT_VALIDATED)
    if validation["forward_eval"] < validation["forward"]:
        raise Failure(f"{obs.call}: {validation['forward'] - validation['forward_eval']} of "
                      f"{validation['forward']} validation batches went through the model in "
                      f"training mode.", NO_EVAL)
    if train["forward_eval_grad"]:
        raise Failure(f"{obs.call}: {train['forward_eval_grad']} of {train['forward']} training "
                      f"batches went through the model in evaluation mode, from epoch "
                      f"{(seen.get('train_eval_first') or 0) + 1} on.", NO_TRAIN)
    if validation["forward_grad"]:
        raise Failure(f"{obs.call}: {validation['forward_grad']} of {validation['forward']} "
                      f"validation batches went through the model with gradients on.", GRAD_ON)


def contract(obs: Observation) -> None:
    facts = _facts(obs)
    _solution_ran(obs)
    first, second = _pair(obs, _field(facts, "result"))
    epochs = obs["number_epochs"]
    for name, losses in (("train_losses", first), ("validation_losses", second)):
        if losses.kind not in ("list", "tuple"):
            raise Failure(f"{obs.call} returned {name} = {show(losses)}: expected a list.",
                          "Collect the losses in lists: train_losses = [] and "
                          "train_losses.append(...), once per epoch.")
        if len(losses.items) != epochs:
            raise Failure(f"{obs.call} returned {len(losses.items)} {name}, expected {epochs}: "
                          f"one per epoch.", NO_EPOCHS if epochs == 0 else PAIR)
        for k, item in enumerate(losses.items):
            if item.kind != "float":
                raise Failure(f"{obs.call}: {name}[{k}] is {show(item)}, of type "
                              f"{item.type_name_of}.", FLOATS, mistake=True, generic=PAIR)
    passes = _seen(obs)["passes"]
    for name in ("train", "validation"):
        if passes[name] > epochs:
            raise Failure(f"{obs.call} read the {name} loader {passes[name]} times in {epochs} "
                          f"epochs.", PASSES)


# --- split_data -----------------------------------------------------------------------------------
SPLIT = ("Draw one permutation of the n positions with torch.randperm(n, generator=generator); "
         "its first round(validation_fraction · n) positions are the validation points, the "
         "rest the training points; index x and y with the same positions.")
SPLIT_IN_ORDER = ("The points were split in their given order, without shuffling: data are often "
                  "stored sorted (by date, by class), so a split in order gives a validation "
                  "set unlike the training set. Shuffle the positions first: "
                  "torch.randperm(n, generator=generator).")
SPLIT_FROM_END = ("The validation points came from the end of the permutation: take them from "
                  "its start, permutation[:number_validation], and train on the rest.")
SPLIT_SWAPPED = ("The validation set got the larger share: validation_fraction is the share of "
                 "the points that goes to validation.")
SPLIT_ORDER = ("The four tensors came back in another order: return x_train, y_train, "
               "x_validation, y_validation.")
PAIRS_BROKEN = ("Some (x, y) pairs came back that are not pairs of the data: x and y were "
                "shuffled separately. Draw one permutation and index both with it.")
GENERATOR = ("The generator was not drawn from: pass it to torch.randperm(n, "
             "generator=generator), so that the same seed gives the same split.")
ONE_PERMUTATION = ("Draw one permutation, with one call of torch.randperm(n, "
                   "generator=generator), and nothing else from the generator.")


def _four(obs: Observation) -> tuple[list[Value], Value]:
    facts = returned(obs, hint=SPLIT)
    result = _field(facts, "result")
    if result.kind == "none":
        raise Failure(f"{obs.call} returned None.", SPLIT)
    if not result.is_sequence or len(result.items) != 4 or \
            any(part.kind != "tensor" for part in result.items):
        raise Failure(f"{obs.call} returned {show(result)}: expected four tensors, x_train, "
                      f"y_train, x_validation, y_validation.", SPLIT)
    return list(result.items), facts


def _split_by(obs: Observation, validation: list[int], train: list[int]) -> list[float]:
    """The four tensors' numbers when `validation` and `train` are the positions taken."""
    x, y = _rows(obs.case["x"]), _rows(obs.case["y"])
    return [v for part in (x, y) for i in train for v in part[i]] + \
        [v for part in (x, y) for i in validation for v in part[i]]


def _rows(tensor: Value) -> list[list[float]]:
    """A tensor's numbers, one list per point (a row; one number when it has one dimension)."""
    if not tensor.shape:
        return [list(tensor.values)]
    width = len(tensor.values) // tensor.shape[0] if tensor.shape[0] else 0
    return [list(tensor.values[i * width:(i + 1) * width]) for i in range(tensor.shape[0])]


def split_values(obs: Observation) -> None:
    parts, _ = _four(obs)
    expected = expected_value(obs)
    if expected.kind == "dict":
        expected = _field(expected, "result")
    wanted = [solution_numbers(part) for part in expected.items]
    got = [part.values for part in parts]
    if [len(g) for g in got] == [len(w) for w in wanted] and \
            all(_close_all(g, w) for g, w in zip(got, wanted)):
        return
    n, permutation = obs.case["x"].shape[0], obs["permutation"]
    k = expected.items[2].shape[0]   # the validation points the solution kept
    mistakes = [(_split_by(obs, permutation[n - k:], permutation[:n - k]), SPLIT_FROM_END),
                (_split_by(obs, list(range(k)), list(range(k, n))), SPLIT_IN_ORDER),
                (_split_by(obs, list(range(n - k, n)), list(range(n - k))), SPLIT_IN_ORDER),
                (_split_by(obs, permutation[:n - k], permutation[n - k:]), SPLIT_SWAPPED),
                ([v for part in (wanted[0], wanted[2], wanted[1], wanted[3]) for v in part],
                 SPLIT_ORDER)]
    flat_got = [v for g in got for v in g]
    found = {hint for value, hint in mistakes if _close_all(flat_got, value)}
    what = (f"{obs.call} returned tensors of {', '.join(str(len(g)) for g in got)} numbers, "
            f"expected {', '.join(str(len(w)) for w in wanted)}, or other points")
    if len(found) == 1:
        raise Failure(what + ".", found.pop(), mistake=True, generic=SPLIT)
    raise Failure(what + ".", SPLIT)


def _close_all(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(abs(p - q) <= 1e-6 * max(1.0, abs(q)) for p, q in zip(a, b))


def split_contract(obs: Observation) -> None:
    parts, facts = _four(obs)
    x_train, y_train, x_validation, y_validation = (_rows(part) for part in parts)
    pairs = sorted(a + b for a, b in zip(_rows(obs.case["x"]), _rows(obs.case["y"])))
    got_pairs = sorted([*(a + b for a, b in zip(x_train, y_train)),
                        *(a + b for a, b in zip(x_validation, y_validation))])
    if len(x_train) != len(y_train) or len(x_validation) != len(y_validation) or \
            any(not _close_all(p, q) for p, q in zip(got_pairs, pairs)) or \
            len(got_pairs) != len(pairs):
        raise Failure(f"{obs.call}: the points that came back are not the data's points, each "
                      f"once, with its own target.", PAIRS_BROKEN)
    n = len(pairs)
    k = round(obs["validation_fraction"] * n)   # what the solution keeps: the docstring's rule
    if len(x_validation) != k:
        swapped = len(x_validation) == n - k and k != n - k
        raise Failure(f"{obs.call} gave {len(x_validation)} validation points, expected {k}.",
                      SPLIT_SWAPPED if swapped else SPLIT, mistake=swapped, generic=SPLIT)
    for name, part, wanted_shape in (("x_train", parts[0], obs.case["x"]),
                                     ("y_train", parts[1], obs.case["y"])):
        if len(part.shape) != len(wanted_shape.shape):
            raise Failure(f"{obs.call} returned {name} of shape {part.shape}: expected as many "
                          f"dimensions as the input, {wanted_shape.shape}.",
                          "Index the inputs with the positions (x[positions]): that keeps every "
                          "dimension but the first.")
    draw = _field(facts, "next_draw")
    if draw.is_number and abs(float(draw.python) - obs["fresh_draw"]) < 1e-9:
        raise Failure(f"After {obs.call}, the generator had not been drawn from.", GENERATOR,
                      mistake=True, generic=SPLIT)
    wanted = expected_value(obs)
    if wanted.kind == "dict":
        wanted_draw = _field(wanted, "next_draw")
        if draw.is_number and wanted_draw.is_number and \
                abs(float(draw.python) - float(wanted_draw.python)) > 1e-9:
            raise Failure(f"After {obs.call}, the generator's next number was "
                          f"{float(draw.python):.6g}, not {float(wanted_draw.python):.6g}: the "
                          f"call drew more or fewer numbers from it than one permutation.",
                          ONE_PERMUTATION)


# --- make_loaders ---------------------------------------------------------------------------------
LOADERS = ("train_loader is DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, "
           "shuffle=True, generator=generator); validation_loader is "
           "DataLoader(TensorDataset(x_validation, y_validation), batch_size=batch_size), in "
           "order.")
NOT_SHUFFLED = ("The training batches come in the same order every epoch: pass shuffle=True "
                "(with generator=generator), so each epoch draws a new order.")
NO_GENERATOR = ("The training loader shuffles, but not with the generator given: pass "
                "generator=generator to the DataLoader, so the same seed gives the same "
                "batches.")
DROPS_LAST = ("The last, smaller batch is missing: drop_last=True throws those points away "
              "every epoch. Leave drop_last at its default, False.")
VALIDATION_SHUFFLED = ("The validation batches come in a new order each time: the validation "
                       "loader takes no steps, so shuffling changes nothing but the order; "
                       "leave shuffle=False, its default, and keep the generator for training.")
UNPAIRED = ("The loader's batches do not pair each x with its own y: build the dataset from "
            "both, TensorDataset(x, y).")


def _batches(obs: Observation, name: str) -> Value:
    facts = returned(obs, hint=LOADERS)
    if _field(facts, "pair").python is not True:
        raise Failure(f"{obs.call} returned {show(_field(facts, 'returned'))}: expected a pair "
                      f"(train_loader, validation_loader).", LOADERS)
    if _field(facts, f"{name}_pairs_kept").python is not True:
        raise Failure(f"{obs.call}: the {name} loader's x and y batches do not match.", UNPAIRED)
    return _field(facts, name)


def _expected_batches(obs: Observation, name: str) -> Any:
    expected = expected_value(obs)
    return _field(expected, name).python if expected.kind == "dict" else expected.python


def loaders_train(obs: Observation) -> None:
    got_value = _batches(obs, "train")
    got = got_value.python
    expected = _expected_batches(obs, "train")
    n, size, orders = obs["n_train"], obs["batch_size"], obs["orders"]
    in_order = [list(range(i, min(i + size, n))) for i in range(0, n, size)]
    dropped = [order[:-1] if len(order[-1]) < size else order for order in orders]
    shuffled_elsewhere = got != expected and all(
        sorted(i for batch in epoch for i in batch) == list(range(n)) and
        [len(b) for b in epoch] == [len(b) for b in in_order] for epoch in got) and \
        got != [in_order] * len(got)
    mistakes = [([in_order] * len(orders), NOT_SHUFFLED), (dropped, DROPS_LAST)]
    if shuffled_elsewhere:
        mistakes.append((got, NO_GENERATOR))
    items(obs, got_value, expected, what="epochs' batches", mistakes=mistakes, hint=LOADERS)


def loaders_validation(obs: Observation) -> None:
    got_value = _batches(obs, "validation")
    got = got_value.python
    expected = _expected_batches(obs, "validation")
    n, size = obs["n_validation"], obs["batch_size"]
    start = obs["n_train"]
    in_order = [list(range(i, min(i + size, start + n))) for i in range(start, start + n, size)]
    dropped = [batch for batch in in_order if len(batch) == size]
    shuffled = got != expected and all(
        sorted(i for batch in epoch for i in batch) == list(range(start, start + n))
        for epoch in got)
    mistakes = [([dropped] * len(expected), DROPS_LAST)]
    if shuffled:
        mistakes.append((got, VALIDATION_SHUFFLED))
    items(obs, got_value, expected, what="passes' batches", mistakes=mistakes, hint=LOADERS)


JUDGES = {"train_losses": train_losses, "validation_losses": validation_losses, "steps": steps,
          "modes": modes, "contract": contract, "split_values": split_values,
          "split_contract": split_contract, "loaders_train": loaders_train,
          "loaders_validation": loaders_validation}
