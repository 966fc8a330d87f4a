"""Chapter 1's checks, as the test cells of 01-gradient-descent call them.

Each function calls the student's function on the inputs given and records what came back; its
judge (gdcourse.checks.judges.gradient_descent) says whether that is right. A visible test states
the expected value (`expect=`); a hidden test states none: the solution's run provides it.
"""
from typing import Any

from .runtime import NOTHING, Probe, check, upstream


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
          case={"theta": theta}, expect=expect,
          probes=[Probe("θ doubled", {"theta": 2 * theta}, lambda gradient: gradient(2 * theta),
                        varies="θ", scale=2),
                  Probe("θ + 1", {"theta": theta + 1}, lambda gradient: gradient(theta + 1),
                        varies="θ")])


def check_step(theta: float, learning_rate: float, expect: Any = NOTHING) -> None:
    check("gradient_descent.step", call=f"single_step_gradient_descent({theta}, {learning_rate})",
          run=lambda step: step(theta, learning_rate),
          functions=("single_step_gradient_descent",),
          case={"theta": theta, "learning_rate": learning_rate}, expect=expect, start="theta",
          probes=[Probe("λ doubled", {"learning_rate": 2 * learning_rate},
                        lambda step: step(theta, 2 * learning_rate), varies="λ", scale=2),
                  Probe("θ doubled", {"theta": 2 * theta}, lambda step: step(2 * theta, learning_rate),
                        varies="θ", scale=2)])


def descent_probes(initial_theta: Any, learning_rate: float, number_steps: int,
                   call: Any, theta_name: str = "initial_theta") -> list[Probe]:
    """The related calls of a descent (chapters 1 to 3): one step more and one fewer, λ halved,
    θ₀ doubled. `call(initial_theta, learning_rate, number_steps)` makes the run of one;
    `theta_name`: the case's name of θ₀."""
    probes = [Probe("number_steps + 1", {"number_steps": number_steps + 1},
                    call(initial_theta, learning_rate, number_steps + 1), varies="number_steps",
                    shift=("number_steps", 1),
                    means="the loop runs one step too many (it must run number_steps times)")]
    if number_steps >= 1:
        probes.append(Probe("number_steps − 1", {"number_steps": number_steps - 1},
                            call(initial_theta, learning_rate, number_steps - 1),
                            varies="number_steps", shift=("number_steps", -1),
                            means="the loop runs one step too few (it must run number_steps "
                                  "times)"))
    probes += [Probe("λ halved", {"learning_rate": learning_rate / 2},
                     call(initial_theta, learning_rate / 2, number_steps), varies="λ"),
               Probe("θ₀ doubled", {theta_name: 2 * initial_theta},
                     call(2 * initial_theta, learning_rate, number_steps), varies="θ₀")]
    return probes


def check_descent(initial_theta: float, learning_rate: float, number_steps: int,
                  expect: Any = NOTHING, kind: str = "descent") -> None:
    def call(theta: float, rate: float, steps: int) -> Any:
        return lambda descent: descent(theta, rate, steps)

    check(f"gradient_descent.{kind}",
          call=f"gradient_descent({initial_theta}, {learning_rate}, {number_steps})",
          run=call(initial_theta, learning_rate, number_steps), functions=("gradient_descent",),
          case={"initial_theta": initial_theta, "learning_rate": learning_rate,
                "number_steps": number_steps}, expect=expect, start="initial_theta",
          # The edge cases (λ = 0, no steps, the minimum) make every answer alike: no probes.
          probes=descent_probes(initial_theta, learning_rate, number_steps, call)
          if kind != "edge" else ())


def check_descent_edge(initial_theta: float, learning_rate: float, number_steps: int,
                       expect: Any = NOTHING) -> None:
    """A case where θ must not move: no steps, λ = 0, or a start at the minimum."""
    check_descent(initial_theta, learning_rate, number_steps, expect, kind="edge")


def check_converges(learning_rate: float, expect: Any = NOTHING) -> None:
    check("gradient_descent.converges", call=f"descent_converges({learning_rate})",
          run=lambda converges: converges(learning_rate), functions=("descent_converges",),
          case={"learning_rate": learning_rate}, expect=expect)
