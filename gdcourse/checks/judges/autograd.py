"""Judges of chapter 3 (gdcourse.checks.autograd): grad_fn nodes, gradients from backward(),
gradients that add up, and gradient descent on any loss.

Known mistakes come from the inputs and the expected value (2θ₀ written by hand, the gradient of
one loss out of k, the descent with 2θ by hand), from the gradients of the lecture's losses, which
the course states (θ·θ and Σᵢ θ[i]²: 2θ), named by the case's loss, or from the trusted run's
auxiliary values (the solution's gradient at θ = 1, of the first or the last loss alone).
"""
import math

from .observation import Observation
from .verdict import Failure
from .common import NON_LEAF_GRAD, aux_value, expected_value, items, returned, show, tensor
from ..plain import Value

# --- exercise 1: grad_fn_names -------------------------------------------------------------------
PAST_THE_LEAF = ("The walk went past the leaf: AccumulateGrad, θ's own node, has no inputs (its "
                 "next_functions is empty), so the walk stops there.")
NONE_NODE = ("The walk reached None: a constant input (the 5 of θ + 5) appears in next_functions "
             "as (None, 0), and a tensor with no recorded history has grad_fn None. Skip the None "
             "inputs, and stop when no node is left.")
NONE_NODE_EDGE = ("The walk reached None: a constant input appears in next_functions as (None, 0), "
                  "and a tensor with no recorded history has grad_fn None. Skip the None inputs, "
                  "and return [] when there is no grad_fn at all.")
NAMES = ("Each name is type(node).__name__ (or node.name()), the class name torch shows in "
         "grad_fn=<…>. Start at result.grad_fn, move to the first input in next_functions that is "
         "not None, and stop after a node that has none.")
ONE_EARLY = ("The list stops one node early: the walk ends at the leaf's AccumulateGrad node, and "
             "that node is in the list, last.")
REVERSED = ("The names are in reverse order: start at result.grad_fn, the last operation, and "
            "walk back towards θ.")
FIRST_MISSING = "The first name is missing: the walk starts at result.grad_fn itself."
SKIP_NONE = ("The walk stopped at a constant: its entry in next_functions is (None, 0). Skip "
             "the None entries and move to the first input that is a node.")
NO_HISTORY = ("This tensor has no recorded history (grad_fn is None): a parameter itself, a "
              "tensor computed from no parameter, or one computed under torch.no_grad(). There "
              "is nothing to walk: the answer is [].")
NAMES_EDGE = ("Start at result.grad_fn, move to the first input in next_functions that is not "
              "None, and stop after a node that has none.")

# --- exercise 2: gradient_at ---------------------------------------------------------------------
NONE_GRAD = ("theta.grad is None until loss.backward() has run: backward() computes the gradient "
             "and stores it in .grad. Read .grad after backward(), and return it.")
AT_ONE = ("That is the gradient at θ = 1, the lecture's θ₀, not at the theta_0 given: start the "
          "Parameter from theta_0's values, nn.Parameter(theta_0.clone()).")
SQUARE = "For these losses ∂L/∂θ = 2θ, taken at θ = theta_0."
BY_HAND = ("That is 2θ₀, the gradient of Σᵢ θ[i]² only: gradient_at must work for any loss. Make "
           "θ a Parameter, compute function(θ), call backward() and return θ.grad.")
AUTOGRAD = "Let autograd find the gradient: compute function(θ) on a Parameter θ, then backward()."
OWN_PARAMETER = ("Make a Parameter of your own from a copy, nn.Parameter(theta_0.clone()), and "
                 "leave the caller's tensor alone.")
CHANGED = "gradient_at changed the values of the caller's theta_0. " + OWN_PARAMETER
TRACKING = ("theta_0.requires_grad is True: gradient_at switched on gradient tracking on the "
            "caller's tensor. From then on every operation on theta_0 is recorded, and its .grad "
            "adds up from one call to the next.\n" + OWN_PARAMETER)
WROTE_GRAD = ("theta_0.grad is no longer None: backward() wrote into the caller's tensor.\n"
              + OWN_PARAMETER)

# --- exercise 3: accumulated_gradient ------------------------------------------------------------
USED_TWICE_REPEATED = ("A graph is used once: backward() frees it. Compute the loss again before "
                       "each backward() call.")
REPEATED = ("Each backward() adds the loss's gradient into .grad: k calls leave k times the "
            "gradient.")
ONE_OR_MEAN = ("That is the gradient of one loss: backward() ran once (after the loop, where it "
               "belongs inside it), or .grad was cleared (or θ made anew) between the backward() "
               "calls, or the sum was divided by the number of losses. Left alone, "
               "every backward() adds its gradient to what .grad already holds, and the sum is "
               "the answer.")
MEAN = ("That is the mean of the gradients, not their sum: after backward() on every loss, .grad "
        "already holds the sum. Return it as it is.")
LAST_ONLY = ("That is the gradient of the last loss only: backward() ran for the last loss "
             "alone (once, after the loop, where it belongs inside it), or .grad was cleared (or "
             "θ made anew) between the backward() calls. Left alone, every backward() adds its "
             "gradient to what .grad already holds.")
FIRST_ONLY = "That is the gradient of the first loss only: call backward() on every loss."
USED_TWICE_SUM = ("A graph is used once: backward() frees it. Compute each loss, then call "
                  "backward() on it.")
SUM = ("The gradients add up: after backward() on L₁, …, L_n, .grad holds "
       "∂L₁/∂θ + … + ∂L_n/∂θ, the gradient of L₁ + … + L_n.")

# --- exercise 4: gradient_descent_autograd -------------------------------------------------------
NO_GRAD = ("θ is a leaf that requires grad, and torch refuses to record an in-place update on it. "
           "Do the update inside `with torch.no_grad():`, where nothing is recorded.")
REBIND = ("θ was rebound with theta = theta - …: the result of a recorded operation is a new, "
          "non-leaf tensor, not the Parameter, and backward() fills .grad of leaves only, so its "
          ".grad stays None. Update the Parameter in place, under torch.no_grad(): "
          "theta -= learning_rate * theta.grad.")
NONE_GRAD_DESCENT = ("theta.grad is None until loss.backward() has run: compute the loss and call "
                     "backward() before reading .grad.")
USED_TWICE_DESCENT = ("A graph is used once: backward() frees it. Compute a fresh loss at every "
                      "step, then call backward() on it.")
DESCENT_ERRORS = {"leaf Variable that requires grad": NO_GRAD, "not a leaf": REBIND,
                  "'NoneType'": NONE_GRAD_DESCENT, "second time": USED_TWICE_DESCENT}
NEVER_ZEROED = ("θ moved by the sum of all the gradients so far: .grad was never cleared, so each "
                "backward() added the new gradient to the earlier ones. Clear it after every "
                "update: theta.grad.zero_() (or theta.grad = None).")
DESCENT_BY_HAND = ("That is the descent with the gradient 2θ written by hand, the gradient of Σθ[i]² "
                   "only. gradient_descent_autograd must work for any loss: get ∂L/∂θ from "
                   "loss.backward() and theta.grad at every step.")
STEP = "Each step is θ ← θ − λ·∂L/∂θ with ∂L/∂θ from backward(), at the current θ."
LOSS_BACK = ("That is a value of the loss, L(θ), not θ: return θ where the descent ended "
             "(theta.detach()), the point the steps lead to.")
SHARED = ("nn.Parameter(initial_theta) does not copy: the Parameter shares initial_theta's "
          "memory, so every update under torch.no_grad() also wrote into the caller's tensor. "
          "Start from a copy: nn.Parameter(initial_theta.clone()).")
DESCENT_TRACKING = ("The descent switched on gradient tracking on the caller's tensor. Work on a "
                    "Parameter of your own, nn.Parameter(initial_theta.clone()).")

# The gradients of the losses students see (the lecture's and the visible tests'), entry by
# entry: the counterparts of known mistakes in a student's own run, where the trusted run's
# auxiliary values are not there, and of the "never zeroed" descent.
PUBLIC_GRADIENTS = {
    "θ·θ": lambda x: 2 * x, "Σᵢ θ[i]²": lambda x: 2 * x, "3θ": lambda x: 3.0,
    "(θ − 3)² + sin θ": lambda x: 2 * (x - 3) + math.cos(x),
    "Σᵢ sin θ[i] + θ[i]³": lambda x: math.cos(x) + 3 * x ** 2,
    "exp(θ·θ + 5)": lambda x: 2 * x * math.exp(x * x + 5),
    "Σᵢⱼ (θ[i, j] − 1)⁴": lambda x: 4 * (x - 1) ** 3,
}


def _public(loss, values):
    """The gradient of a loss the course states, at `values` (flat numbers), or None."""
    gradient = PUBLIC_GRADIENTS.get(loss)
    return None if gradient is None else [float(gradient(x)) for x in values]


def _aux_numbers(obs, name):
    found = aux_value(obs, name)
    return found.values if found is not None and found.kind == "tensor" else None


def _tolerance(expected):
    """Tight for float64, as float32's rounding allows otherwise."""
    if expected.kind == "tensor" and expected.dtype == "torch.float64":
        return {"rel": 1e-9, "abs_tol": 1e-12}
    return {"rel": 1e-4, "abs_tol": 1e-6}


# --- exercise 1 ----------------------------------------------------------------------------------
NODE_TEXTS = ("The list holds each node's text, str(node) or repr(node), '<… object at 0x…>': "
              "the name is type(node).__name__ (or node.name()), the class name alone.")
NODES = ("The list holds the nodes themselves, not their names: add type(node).__name__ (or "
         "node.name()) for each node, the text torch shows in grad_fn=<…>.")


def _class_names(obs, got):
    """The names as type(node).__name__ gives them. node.name() names the same nodes, but gives
    the leaf's node its C++ name, torch::autograd::AccumulateGrad: both answers are right."""
    if got.is_sequence and got.items and all(item.kind == "object" for item in got.items):
        raise Failure(f"{obs.call} returned {show(got)}.", NODES)
    if got.is_sequence and got.items and all(
            item.kind == "str" and " object at 0x" in item.python for item in got.items):
        raise Failure(f"{obs.call} returned {show(got)}.", NODE_TEXTS)
    if got.is_sequence and all(item.kind == "str" for item in got.items):
        return Value({got.kind: [{"str": item.python.rsplit("::", 1)[-1]} for item in got.items]})
    return got


def names(obs: Observation) -> None:
    got = _class_names(obs, returned(obs, errors={"tuple index out of range": PAST_THE_LEAF,
                                                  "'NoneType' object has no attribute": NONE_NODE}))
    expected = expected_value(obs).python
    items(obs, got, expected, what="names", hint=NAMES, mistakes=[
        (expected[:-1], ONE_EARLY), (expected[::-1], REVERSED), (expected[1:], FIRST_MISSING)])


def names_edge(obs: Observation) -> None:
    expected = expected_value(obs).python
    hint = NO_HISTORY if not expected else NAMES_EDGE
    got = _class_names(obs, returned(obs, errors={"tuple index out of range": PAST_THE_LEAF,
                                                  "'NoneType' object has no attribute":
                                                      NONE_NODE_EDGE},
                                     hint=NO_HISTORY if not expected else ""))
    mistakes = [(expected[:1], SKIP_NONE)] if obs["constant_first"] and expected else []
    items(obs, got, expected, what="names", mistakes=mistakes, hint=hint)


# --- exercise 2 ----------------------------------------------------------------------------------
def _gradient(obs, got):
    """The gradient that came back: None is the classic read-before-backward mistake."""
    if got.kind == "none":
        raise Failure(f"{obs.call} returned None.",
                      NON_LEAF_GRAD if any("is not a leaf Tensor" in w for w in obs.got.warned)
                      else NONE_GRAD)
    return got


def _at_one(obs):
    theta_0 = obs.case["theta_0"]
    return _aux_numbers(obs, "at_one") or _public(obs["loss"], [1.0] * len(theta_0.values))


def gradient_square(obs: Observation) -> None:
    got = _gradient(obs, returned(obs))
    tensor(obs, got, expected_value(obs), hint=SQUARE, mistakes=[(_at_one(obs), AT_ONE)])


def gradient(obs: Observation) -> None:
    got = _gradient(obs, returned(obs))
    expected = expected_value(obs)
    by_hand = [2 * x for x in obs["theta_0"]]
    tensor(obs, got, expected, hint=AUTOGRAD,
           mistakes=[(by_hand, BY_HAND), (_at_one(obs), AT_ONE)], **_tolerance(expected))


def _input_kept(obs, name, *, changed, tracking, wrote_grad, errors=None):
    """The caller's tensor `name` after the call, against what it holds after the solution's call
    (or what the visible test states): the same values, no tracking, no .grad."""
    got = returned(obs, errors=errors)
    expected = expected_value(obs).fields
    kept, kept_grad = expected["input"], expected.get("grad")
    fields = got.fields if got.kind == "dict" else {}
    after, grad = fields.get("input"), fields.get("grad")
    if after is None or after.kind != "tensor":
        raise Failure(f"{obs.call}: the test could not read {name} after the call.")
    if after.shape != kept.shape or after.dtype != kept.dtype or after.values != kept.values:
        raise Failure(f"{obs.call} changed {changed[0]} now holds {show(after)}, it held "
                      f"{show(obs.case[name])}.", changed[1])
    tracks = after.requires_grad and not kept.requires_grad
    has_grad = grad is not None and grad.kind != "none" and (kept_grad is None
                                                             or kept_grad.kind == "none")
    if tracks or has_grad:
        raise Failure(f"After {obs.call}, {name}.requires_grad is {after.requires_grad} and "
                      f"{name}.grad is {show(grad)}.", tracking if tracks else wrote_grad)


def gradient_input(obs: Observation) -> None:
    _input_kept(obs, "theta_0",
                changed=("theta_0: it", CHANGED), tracking=TRACKING, wrote_grad=WROTE_GRAD)


# --- exercise 3 ----------------------------------------------------------------------------------
def repeated(obs: Observation) -> None:
    got = returned(obs, errors={"second time": USED_TWICE_REPEATED})
    expected = expected_value(obs)
    k = obs["k"]
    # k copies of one loss: clearing .grad between them and dividing the sum by k give the same
    # value, so the hint names both.
    one = [x / k for x in expected.values] if k > 1 else None
    tensor(obs, got, expected, hint=REPEATED, mistakes=[(one, ONE_OR_MEAN)], rel=1e-4,
           abs_tol=1e-6)


def sum_of_losses(obs: Observation) -> None:
    got = returned(obs, errors={"second time": USED_TWICE_SUM})
    losses, theta_0 = obs["losses"], obs["theta_0"]
    last = _aux_numbers(obs, "last_only") or _public(losses[-1], theta_0)
    first = _aux_numbers(obs, "first_only") or _public(losses[0], theta_0)
    expected = expected_value(obs)
    mean = [x / len(losses) for x in expected.values] if len(losses) > 1 else None
    tensor(obs, got, expected, hint=SUM,
           mistakes=[(last, LAST_ONLY), (first, FIRST_ONLY), (mean, MEAN)], rel=1e-4,
           abs_tol=1e-6)


# --- exercise 4 ----------------------------------------------------------------------------------
def _never_zeroed(obs):
    """The descent whose .grad is never cleared, for a loss whose gradient the course states."""
    gradient = PUBLIC_GRADIENTS.get(obs["loss"])
    if gradient is None:
        return None
    theta = [float(x) for x in obs["initial_theta"]]
    total = [0.0] * len(theta)
    rate = obs["learning_rate"]
    for _ in range(obs["number_steps"]):
        total = [t + gradient(x) for t, x in zip(total, theta)]
        theta = [x - rate * t for x, t in zip(theta, total)]
    return theta


def _not_the_loss(obs, got):
    """A descent that returns a loss (the last one computed, or the one at the final θ)."""
    number = got.numbers() if got.kind in ("tensor", "float", "int") else None
    if number is None or len(number) != 1:
        return
    for name in ("loss_before_last", "loss_at_end"):
        loss = aux_value(obs, name)
        value = loss.numbers() if loss is not None else None
        if value and len(value) == 1 and math.isclose(number[0], value[0], rel_tol=1e-4,
                                                       abs_tol=1e-7):
            raise Failure(f"{obs.call} returned {show(got)}, expected "
                          f"{show(expected_value(obs))}.", LOSS_BACK, mistake=True, generic=STEP)


def descent_square(obs: Observation) -> None:
    got = returned(obs, errors=DESCENT_ERRORS)
    _not_the_loss(obs, got)
    tensor(obs, got, expected_value(obs), hint=STEP,
           mistakes=[(_never_zeroed(obs), NEVER_ZEROED)], rel=1e-4, abs_tol=1e-7)


def descent(obs: Observation) -> None:
    got = returned(obs, errors=DESCENT_ERRORS)
    _not_the_loss(obs, got)
    expected = expected_value(obs)
    factor = (1 - 2 * obs["learning_rate"]) ** obs["number_steps"]
    by_hand = [x * factor for x in obs["initial_theta"]]
    tensor(obs, got, expected, hint=STEP,
           mistakes=[(by_hand, DESCENT_BY_HAND), (_never_zeroed(obs), NEVER_ZEROED)],
           **_tolerance(expected))


def descent_input(obs: Observation) -> None:
    _input_kept(obs, "initial_theta",
                changed=("the caller's tensor: initial_theta", SHARED), tracking=DESCENT_TRACKING,
                wrote_grad=DESCENT_TRACKING, errors=DESCENT_ERRORS)


JUDGES = {"names": names, "names_edge": names_edge, "gradient_square": gradient_square,
          "gradient": gradient, "gradient_input": gradient_input, "repeated": repeated,
          "sum": sum_of_losses, "descent_square": descent_square, "descent": descent,
          "descent_input": descent_input}
