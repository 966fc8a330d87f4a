"""Judges of chapter 1 (gdcourse.checks.gradient_descent): gradient descent on L(θ) = θ² with floats.

Known mistakes are computed from the inputs and the expected value: what a step up the slope, a
missing learning rate or a loop one step short would give.
"""
from .observation import Observation
from .common import expected_value, number, returned, truth, with_minus_sign

GRADIENT = "For L(θ) = θ², ∂L/∂θ = 2θ."
CONSTANT = "The derivative of θ² is 2θ: it changes with θ, it is not the constant 2."
LOSS_ITSELF = "That is the loss L(θ) = θ² itself; the gradient is its derivative, 2θ."
NO_FACTOR = "The derivative of θ² is 2θ, not θ: the exponent 2 comes down as a factor."

STEP = "One step is θ − λ·∂L/∂θ, and here ∂L/∂θ = 2θ."
UPHILL = ("θ moved up the slope: the gradient points uphill, so a step must go against it, "
          "θ − λ·∂L/∂θ, not θ + λ·∂L/∂θ.")
NO_RATE = ("The learning rate is missing: the step is λ times the gradient, θ − λ·∂L/∂θ, so that λ "
           "controls how far θ moves.")
RATE_TWICE = "λ was applied twice: the step is λ times the gradient, θ − λ·∂L/∂θ, with λ once."
STEP_ONLY = "That is only the step, λ·∂L/∂θ: the new θ is the old θ minus the step."
UNMOVED = "θ did not move: the step must subtract λ·∂L/∂θ from θ."

DESCENT = ("Start at θ₀ and apply single_step_gradient_descent number_steps times; each step "
           "multiplies θ by (1 − 2λ), so θ_k = (1 − 2λ)^k θ₀.")
STAYED = ("The result is θ₀, where the descent started: keep the result of each step "
          "(theta = single_step_gradient_descent(theta, learning_rate)) and return it.")
TOO_MANY = "One step too many: the loop must run number_steps times."
TOO_FEW = "One step too few: the loop must run number_steps times."
ONE_STEP = ("Only one step was taken: repeat the step number_steps times, each from where the "
            "previous one landed.")
NO_STEPS = "With number_steps = 0 the loop body never runs: θ₀ comes back unchanged."
ZERO_RATE = "With λ = 0 every step has size 0: θ stays at θ₀."
AT_MINIMUM = "θ = 0 is the minimum of θ², where the gradient is 0: the descent stays there."


def gradient(obs: Observation) -> None:
    got, expected, theta = returned(obs), float(expected_value(obs).python), obs["theta"]
    number(obs, got, expected, hint=GRADIENT,
           mistakes=[(2.0, CONSTANT), (theta ** 2, LOSS_ITSELF), (theta, NO_FACTOR)])


def step(obs: Observation) -> None:
    got, expected = returned(obs, hint=STEP), float(expected_value(obs).python)
    theta, rate = obs["theta"], obs["learning_rate"]
    slope = 2 * theta
    number(obs, got, expected, hint=STEP, mistakes=[
        (theta + rate * slope, UPHILL), (theta - slope, NO_RATE),
        (theta - rate * rate * slope, RATE_TWICE), (rate * slope, STEP_ONLY),
        (-rate * slope, STEP_ONLY), (theta, UNMOVED)])


def descent(obs: Observation) -> None:
    got, expected = returned(obs, hint=DESCENT), float(expected_value(obs).python)
    theta_0, factor = obs["initial_theta"], 1 - 2 * obs["learning_rate"]
    number(obs, got, expected, hint=DESCENT, mistakes=[
        (theta_0, STAYED), (expected * factor, TOO_MANY),
        (expected / factor if factor else None, TOO_FEW), (theta_0 * factor, ONE_STEP)])


def edge(obs: Observation) -> None:
    if obs["number_steps"] == 0:
        hint = NO_STEPS
    elif obs["learning_rate"] == 0:
        hint = ZERO_RATE
    else:
        hint = AT_MINIMUM
    number(obs, returned(obs, hint=hint), float(expected_value(obs).python), hint=hint)


def _convergence_hint(rate, hidden):
    """Why descent at learning rate `rate` converges or not, in the words of the factor 1 − 2λ.
    A hidden test's hint names the kind of learning rate, never the rate itself."""
    factor = 1 - 2 * rate
    if rate == 0:
        return "At λ = 0 no step moves θ: it stays at θ₀ ≠ 0."
    if rate < 0:
        return "With λ < 0 the step goes up the slope: the factor 1 − 2λ is above 1 and |θ| grows."
    if rate == 0.5:
        return "At λ = 0.5 the factor is 0: one step lands exactly on the minimum."
    if rate == 1:
        return "At λ = 1 each step maps θ to −θ: it bounces between θ₀ and −θ₀ forever."
    if 0.5 < rate < 1:
        return ("For 0.5 < λ < 1 the factor 1 − 2λ is negative but |1 − 2λ| < 1: θ flips sign "
                "each step and still shrinks to 0.")
    if rate > 1:
        if hidden:
            return "For λ > 1, |1 − 2λ| > 1: each step makes |θ| larger."
        return (f"With λ = {rate:g} each step multiplies θ by 1 − {2 * rate:g} = "
                f"{with_minus_sign(factor)}: |θ| grows {abs(factor):g} times a step.")
    if rate < 1e-3:
        return "However small λ > 0 is, (1 − 2λ)^k still goes to 0: slowly, but it converges."
    if hidden:
        return ("For 0 < λ < 0.5 the factor 1 − 2λ lies between 0 and 1: every step brings θ "
                "closer to 0.")
    if factor > 0.99:
        return (f"With λ = {rate:g} each step multiplies θ by {factor:g}: slow, but "
                f"θ_k = {factor:g}^k θ₀ still goes to 0.")
    return f"With λ = {rate:g} each step multiplies θ by {factor:g}: θ shrinks towards 0."


def converges(obs: Observation) -> None:
    hint = _convergence_hint(obs["learning_rate"], obs.hidden)
    truth(obs, returned(obs, hint=hint), bool(expected_value(obs).python), hint=hint)


JUDGES = {"gradient": gradient, "step": step, "descent": descent, "edge": edge,
          "converges": converges}
