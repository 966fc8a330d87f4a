"""Chapter 1's checks, as the test cells of 01-gradient-descent call them.

Each function calls the student's function on the inputs given and records what came back; its
judge (gdcourse.checks.judges.gradient_descent) says whether that is right. A visible test states
the expected value (`expect=`); a hidden test states none: the solution's run provides it.
"""
from typing import Any

from .runtime import NOTHING, check, upstream


def gradient_works() -> None:
    """Probe get_gradient_square_function, which the later exercises build on, at three points:
    a wrong gradient may be right at one (θ + 3 is 6 at θ = 3)."""
    upstream("get_gradient_square_function",
             call="get_gradient_square_function(θ) for θ = 3, −0.5 and 1.25",
             run=lambda gradient: [gradient(3.0), gradient(-0.5), gradient(1.25)],
             expect=[6.0, -1.0, 2.5])


def step_works() -> None:
    """Probe single_step_gradient_descent, which gradient_descent builds on, at three points."""
    upstream("single_step_gradient_descent",
             call="single_step_gradient_descent(θ, λ) for (θ, λ) = (1, 0.2), (−2, 0.1), (0.5, 0.3)",
             run=lambda step: [step(1.0, 0.2), step(-2.0, 0.1), step(0.5, 0.3)],
             expect=[0.6, -1.6, 0.2], after=("get_gradient_square_function",))


def check_gradient(theta: float, expect: Any = NOTHING) -> None:
    check("gradient_descent.gradient", call=f"get_gradient_square_function({theta})",
          run=lambda gradient: gradient(theta), functions=("get_gradient_square_function",),
          case={"theta": theta}, expect=expect)


def check_step(theta: float, learning_rate: float, expect: Any = NOTHING) -> None:
    check("gradient_descent.step", call=f"single_step_gradient_descent({theta}, {learning_rate})",
          run=lambda step: step(theta, learning_rate),
          functions=("single_step_gradient_descent",),
          case={"theta": theta, "learning_rate": learning_rate}, expect=expect)


def check_descent(initial_theta: float, learning_rate: float, number_steps: int,
                  expect: Any = NOTHING, kind: str = "descent") -> None:
    check(f"gradient_descent.{kind}",
          call=f"gradient_descent({initial_theta}, {learning_rate}, {number_steps})",
          run=lambda descent: descent(initial_theta, learning_rate, number_steps),
          functions=("gradient_descent",),
          case={"initial_theta": initial_theta, "learning_rate": learning_rate,
                "number_steps": number_steps}, expect=expect)


def check_descent_edge(initial_theta: float, learning_rate: float, number_steps: int,
                       expect: Any = NOTHING) -> None:
    """A case where θ must not move: no steps, λ = 0, or a start at the minimum."""
    check_descent(initial_theta, learning_rate, number_steps, expect, kind="edge")


def check_converges(learning_rate: float, expect: Any = NOTHING) -> None:
    check("gradient_descent.converges", call=f"descent_converges({learning_rate})",
          run=lambda converges: converges(learning_rate), functions=("descent_converges",),
          case={"learning_rate": learning_rate}, expect=expect)
