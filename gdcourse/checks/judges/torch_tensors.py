"""Judges of chapter 2 (gdcourse.checks.torch_tensors): gradient descent on L(θ) = Σᵢ θ[i]² with
tensors of any shape and dtype. Known mistakes are computed from the starting θ (the case) and
the learning rate: every entry follows θ_k = (1 − 2λ)^k θ₀ when the descent is right."""
from .observation import Observation
from .verdict import Failure
from .common import expected_value, returned, show, tensor

GRADIENT = "For L(θ) = Σᵢ θ[i]², ∂L/∂θ[i] = 2θ[i]: the gradient is the tensor 2θ."
SIGN = ("The sign is flipped: the derivative of θ[i]² is +2θ[i]. The minus sign belongs to the "
        "update θ − λ·∂L/∂θ, not to the gradient.")
NO_FACTOR = "The derivative of θ[i]² is 2θ[i], not θ[i]: the exponent 2 comes down as a factor."
SQUARES = "Those are the terms θ[i]² of the loss; the gradient is their derivative, 2θ[i]."
CONSTANT = "The derivative of θ[i]² is 2θ[i]: it changes with θ, it is not the constant 2."
LOOP = ("A loop over a tensor walks along its first dimension: for a matrix that gives whole "
        "rows, not numbers, and a tensor of shape () cannot be looped over at all. Work on the "
        "whole tensor at once: 2 * tensor keeps any shape and dtype.")
LOOP_ERRORS = {"converted to Scalar": LOOP, "only one element tensors": LOOP,
               "iteration over a 0-d tensor": LOOP}
SHAPES = "The gradient is the tensor 2θ, of θ's shape and dtype."
IN_PLACE_GRADIENT = ("tensor *= 2 and tensor.mul_(2) write into the caller's tensor; 2 * tensor "
                     "makes a new tensor and leaves the input alone.")

DESCENT = ("Start at θ₀ and repeat θ ← θ − λ·∂L/∂θ number_steps times; each step multiplies θ by "
           "(1 − 2λ), so θ_k = (1 − 2λ)^k θ₀.")
DESCENT_SHAPES = ("Every entry follows its own chapter 1 descent, θ[i] ← (1 − 2λ) θ[i], whatever θ's "
                  "shape; tensor arithmetic keeps the shape and the dtype.")
UPHILL = "θ moved up the slope: a step goes against the gradient, θ − λ·∂L/∂θ, not θ + λ·∂L/∂θ."
TOO_MANY = "One step too many: the loop must run number_steps times."
TOO_FEW = "One step too few: the loop must run number_steps times."
ONE_STEP = ("Only one step was taken: repeat the step number_steps times, each from where the "
            "previous one landed.")
STAYED = ("The result is θ₀, where the descent started: keep each step's result "
          "(theta = theta - …) and return the last one.")
NO_RATE = "The learning rate is missing: the step is λ times the gradient."
DOUBLED = ("Each step doubled θ before moving it: get_gradient_tensor changed θ in place. It must "
           "return a new tensor, 2 * tensor.")
FLOAT32 = ("The numbers have float32 precision only, though θ₀ is float64: part of the "
           "computation went through float32. torch.tensor(...) of Python numbers makes float32; "
           "arithmetic on the tensor itself (2 * tensor) keeps its dtype.")
ITEM = (".item() and float() turn a one-entry tensor into a Python number, and fail on more "
        "entries: keep θ a tensor from start to end.")
ITEM_ERRORS = {"converted to Scalar": ITEM, "only one element tensors": ITEM}
SHAPE_LOOP = ("A loop over a tensor walks along its first dimension (rows, for a matrix), and "
              ".item() works on one-entry tensors only: work on the whole tensor at once.")
SHAPE_ERRORS = {"converted to Scalar": SHAPE_LOOP, "only one element tensors": SHAPE_LOOP,
                "iteration over a 0-d tensor": SHAPE_LOOP}
NO_STEPS = "With number_steps = 0 the loop body never runs: θ₀ comes back unchanged."
ZERO_RATE = "With λ = 0 every step has size 0: θ stays at θ₀."
AT_MINIMUM = "θ = 0 is the minimum of Σᵢ θ[i]², where the gradient is 0: the descent stays there."
HALF = "With λ = 0.5 a step multiplies θ by 1 − 2λ = 0: one step lands on the minimum."
SHARED_INPUT = ("theta -= … (or theta.sub_(…)) writes into the tensor that theta names, and at the "
                "start that is the caller's initial_theta. Write theta = theta - … (a new tensor "
                "each step), or start from initial_theta.clone(). A slice initial_theta[:] "
                "is no copy: it is a view of the same memory, and writing into it writes into "
                "the caller's tensor.")


def _tight(value):
    """float64 tensors are compared to float64 precision, float32 ones to float32's."""
    return dict(rel=1e-10, abs_tol=1e-12) if value.dtype == "torch.float64" \
        else dict(rel=1e-4, abs_tol=1e-7)


def gradient(obs: Observation) -> None:
    got, expected, theta = returned(obs), expected_value(obs), obs["theta"]
    tensor(obs, got, expected, hint=GRADIENT, mistakes=[
        ([-2 * t for t in theta], SIGN), (theta, NO_FACTOR), ([t * t for t in theta], SQUARES),
        ([2.0] * len(theta), CONSTANT)])


def gradient_shape(obs: Observation) -> None:
    got, expected, theta = returned(obs, errors=LOOP_ERRORS), expected_value(obs), obs["theta"]
    tensor(obs, got, expected, hint=SHAPES, mistakes=[([-2 * t for t in theta], SIGN)],
           rel=1e-12, abs_tol=0.0)


def _kept(obs, why):
    got, before = returned(obs), obs.case["theta"]
    if got.kind != "tensor" or got.values != before.values:
        raise Failure(f"{obs.call} changed theta: it now holds {show(got)}, it held "
                      f"{show(before)}.", why)


def gradient_input(obs: Observation) -> None:
    _kept(obs, IN_PLACE_GRADIENT)


def _descend(theta, rate, steps):
    return [t * (1 - 2 * rate) ** steps for t in theta]


def _descent_mistakes(theta, rate, steps):
    return [
        (_descend(theta, -rate, steps), UPHILL), (_descend(theta, rate, steps + 1), TOO_MANY),
        (_descend(theta, rate, max(steps - 1, 0)), TOO_FEW), (_descend(theta, rate, 1), ONE_STEP),
        (theta, STAYED), (_descend(theta, 1.0, steps), NO_RATE),
        ([t * (2 - 2 * rate) ** steps for t in theta], DOUBLED)]


def descent(obs: Observation) -> None:
    got = returned(obs, errors=ITEM_ERRORS)
    theta, rate, steps = obs["theta"], obs["learning_rate"], obs["number_steps"]
    tensor(obs, got, expected_value(obs), hint=DESCENT, rel=1e-4, abs_tol=1e-7,
           mistakes=_descent_mistakes(theta, rate, steps))


def _float32_gradient_descent(theta, rate, steps):
    """The descent whose gradient went through float32 (a known mistake), in float64 otherwise."""
    import numpy as np

    values = np.array(theta, dtype=np.float64)
    for _ in range(steps):
        values = values - rate * (2 * values).astype(np.float32).astype(np.float64)
    return values.tolist()


def descent_shape(obs: Observation) -> None:
    got = returned(obs, errors=SHAPE_ERRORS)
    theta, rate, steps = obs["theta"], obs["learning_rate"], obs["number_steps"]
    mistakes = _descent_mistakes(theta, rate, steps)[:3]
    if obs.case["theta"].dtype == "torch.float64":
        mistakes.append((_float32_gradient_descent(theta, rate, steps), FLOAT32))
    expected = expected_value(obs)
    tensor(obs, got, expected, hint=DESCENT_SHAPES, mistakes=mistakes, **_tight(expected))


def descent_edge(obs: Observation) -> None:
    theta, rate, steps = obs["theta"], obs["learning_rate"], obs["number_steps"]
    if steps == 0:
        hint = NO_STEPS
    elif rate == 0:
        hint = ZERO_RATE
    elif not any(theta):
        hint = AT_MINIMUM
    else:
        hint = HALF
    tensor(obs, returned(obs), expected_value(obs), hint=hint)


def descent_input(obs: Observation) -> None:
    got, before = returned(obs), obs.case["theta"]
    if got.kind != "tensor" or got.values != before.values:
        raise Failure(f"{obs.call} changed the caller's tensor: initial_theta now holds "
                      f"{show(got)}, it held {show(before)}.", SHARED_INPUT)


JUDGES = {"gradient": gradient, "gradient_shape": gradient_shape, "gradient_input": gradient_input,
          "descent": descent, "descent_shape": descent_shape, "descent_edge": descent_edge,
          "descent_input": descent_input}
