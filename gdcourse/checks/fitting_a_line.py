"""Chapter 5's checks, as the test cells of 05-fitting-a-line call them: mse, update, fit and
animate_fit, on a line's noisy points.

Each function calls the student's function on fresh copies of the inputs and records what came
back; its judge (gdcourse.checks.judges.fitting_a_line) says whether that is right. A visible test
states the expected value (`expect=`); a hidden test states none: the solution's run provides it.
An animation is recorded as the data its frames draw (gdcourse.checks.animation).

The data of a check is named, not given: "two points" is (u, y) = (0, 2) and (1, 5);
"example" is the example's data, line_data(100, 42); (n, seed) is line_data(n, seed).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .linear_regression import loss_probes
from .runtime import NOTHING, Probe, check, on_copies, upstream

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import torch
    from torch import nn

TWO_POINTS = "two points"
EXAMPLE = "example"


def line_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Chapter 5's recipe (fast.ai's lesson 2): u uniform in [−1, 1], a column of ones, y = 3u + 2 + U(0, 1)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    x = torch.ones(n, 2)
    x[:, 0].uniform_(-1.0, 1.0, generator=generator)
    return x, x @ torch.tensor([3.0, 2.0]) + torch.rand(n, generator=generator)


def _data(data: str | tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor, str]:
    """(x, y, the data in words) for a data name (see the module's doc)."""
    import torch

    if data == TWO_POINTS:
        return (torch.tensor([[0.0, 1.0], [1.0, 1.0]]), torch.tensor([2.0, 5.0]),
                "the points (0, 2) and (1, 5)")
    if data == EXAMPLE:
        return (*line_data(100, 42), "the example's data")
    n, seed = data  # type: ignore[misc]  # not a name (mypy does not narrow str by ==)
    return (*line_data(n, seed), f"{n} points")


def _start(a_0: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:g}" for v in a_0) + ")"


def _parameter(a_0: Sequence[float]) -> nn.Parameter:
    import torch
    from torch import nn

    return nn.Parameter(torch.tensor([float(v) for v in a_0]))


# --- upstream probes ------------------------------------------------------------------------------
def mse_works() -> None:
    """Probe mse, which update builds on."""
    import torch

    upstream("mse", call="mse([2, 4, 6, 8, 10], [1, 2, 3, 4, 5]) and mse([3, 1], [1, 0])",
             run=lambda mse: [
                 float(on_copies(mse, y=torch.tensor([2.0, 4.0, 6.0, 8.0, 10.0]),
                                 y_hat=torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))),
                 float(on_copies(mse, y=torch.tensor([3.0, 1.0]), y_hat=torch.tensor([1.0, 0.0])))],
             expect=[11.0, 2.5])


def _update(update: Callable[..., Any], x: torch.Tensor, y: torch.Tensor, a: nn.Parameter,
            learning_rate: float) -> Any:
    """update(x, y, a, λ) on copies of x and y, which it must leave as they were (a it moves)."""
    return on_copies(lambda x_in, y_in: update(x_in, y_in, a, learning_rate), x=x, y=y)


def _two_updates(update: Callable[..., Any]) -> Any:
    """Two updates from a = (1, 1) with λ = 0.1 on the two points land on a = (1.53, 1.69), and
    each returns a Python float (1 when both do)."""
    x, y, _ = _data(TWO_POINTS)
    a = _parameter([1.0, 1.0])
    floats = [isinstance(update(x, y, a, 0.1), float) for _ in range(2)]
    return [*a.detach().tolist(), float(all(floats))]


def update_works() -> None:
    """Probe update, which fit and animate_fit build on (and mse, which update builds on): two
    updates from a = (1, 1) land on (1.53, 1.69), each returning a Python float."""
    mse_works()
    upstream("update", call="two updates from a = (1, 1) with λ = 0.1 (and whether each "
                            "returned a Python float)", run=_two_updates,
             expect=[1.53, 1.69, 1.0], after=("mse",))


# --- mse ------------------------------------------------------------------------------------------
def _listing(values: torch.Tensor) -> str | None:
    numbers = values.tolist()
    if len(numbers) <= 5 and all(float(v).is_integer() for v in numbers):
        return "[" + ", ".join(f"{v:g}" for v in numbers) + "]"
    return None


def check_mse(y: torch.Tensor, y_hat: torch.Tensor, expect: Any = NOTHING) -> None:
    """mse(y, y_hat) on two tensors of targets and predictions."""
    shown = (_listing(y), _listing(y_hat))
    about = (f"y = {shown[0]}, y_hat = {shown[1]}" if None not in shown
             else f"{len(y)} random points")
    def call(predictions: torch.Tensor, targets: torch.Tensor) -> Callable[..., Any]:
        return lambda mse: on_copies(mse, y=targets, y_hat=predictions)

    check("fitting_a_line.mse", call=f"mse(y, y_hat) with {about}",
          run=call(y_hat, y), functions=("mse",), case={"y": y, "y_hat": y_hat}, expect=expect,
          probes=loss_probes(y_hat, y, call))


def check_mse_traceable(expect: Any = NOTHING) -> None:
    """mse(y, x @ a) with a Parameter a: a loss autograd can trace back to a."""
    def run(mse: Callable[..., Any]) -> Any:
        x, y, _ = _data(TWO_POINTS)
        return mse(y, x @ _parameter([1.0, 1.0]))

    check("fitting_a_line.traceable", call="mse(y, x @ a) with a Parameter a",
          run=run, functions=("mse",), case={}, expect=expect)


# --- update ---------------------------------------------------------------------------------------
def _update_case(data: str | tuple[int, int], a_0: Sequence[float],
                 learning_rate: float) -> tuple[torch.Tensor, torch.Tensor, str, dict[str, Any]]:
    x, y, about = _data(data)
    call = f"update(x, y, a, {learning_rate}) from a = {_start(a_0)} on {about}"
    return x, y, call, {"x": x, "y": y, "a_0": list(a_0), "learning_rate": learning_rate}


def check_step(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
               expect: Any = NOTHING) -> None:
    """One update from a = a_0: where the caller's Parameter a is afterwards."""
    x, y, call, case = _update_case(data, a_0, learning_rate)

    def after(rate: float) -> Callable[..., Any]:
        def run(update: Callable[..., Any]) -> torch.Tensor:
            a = _parameter(a_0)
            _update(update, x, y, a, rate)
            return a.detach().clone()
        return run

    check("fitting_a_line.step", call=call, run=after(learning_rate), functions=("update",),
          case=case, expect=expect, start="a_0",
          probes=[Probe("λ doubled", {"learning_rate": 2 * learning_rate},
                        after(2 * learning_rate), varies="λ", scale=2)])


def check_loss(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
               expect: Any = NOTHING) -> None:
    """One update from a = a_0: the loss it returns."""
    x, y, call, case = _update_case(data, a_0, learning_rate)
    check("fitting_a_line.loss", call=call,
          run=lambda update: _update(update, x, y, _parameter(a_0), learning_rate),
          functions=("update",), case=case, expect=expect)


def check_two_steps(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
                    expect: Any = NOTHING) -> None:
    """Two updates from a = a_0: where a is after each. The second step must use the gradient at
    its own a alone, whether update zeroes a.grad after the step or before backward()."""
    x, y, call, case = _update_case(data, a_0, learning_rate)

    def run(update: Callable[..., Any]) -> list[torch.Tensor]:
        path: list[torch.Tensor]
        a, path = _parameter(a_0), []
        for _ in range(2):
            _update(update, x, y, a, learning_rate)
            path.append(a.detach().clone())
        return path

    check("fitting_a_line.two_steps", call=call, run=run, functions=("update",), case=case,
          expect=expect)


# --- fit ------------------------------------------------------------------------------------------
def _fit_case(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
              number_steps: int,
              call: str | None = None) -> tuple[torch.Tensor, torch.Tensor, str, dict[str, Any]]:
    x, y, about = _data(data)
    call = call or (f"fit(x, y, a, {learning_rate}, {number_steps}) from a = {_start(a_0)} on "
                    f"{about}")
    return x, y, call, {"x": x, "y": y, "a_0": list(a_0), "learning_rate": learning_rate,
                        "number_steps": number_steps}


def check_fit_example(expect: Any = NOTHING) -> None:
    """fit(x, y, a, 0.1, 100) from a = (1, 1) on the example's data: the losses it returns. A
    visible test states their count, the first and the last: {"count", "first", "last"}."""
    x, y, call, case = _fit_case(EXAMPLE, [1.0, 1.0], 0.1, 100)
    check("fitting_a_line.fit_example", call=call,
          run=lambda fit: on_copies(
              lambda x_in, y_in: fit(x_in, y_in, _parameter([1.0, 1.0]), 0.1, 100), x=x, y=y),
          functions=("fit",), case=case, expect=expect)


def check_fit_losses(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
                     number_steps: int, expect: Any = NOTHING) -> None:
    """fit from a = a_0: the losses it returns, one per step."""
    x, y, call, case = _fit_case(data, a_0, learning_rate, number_steps)

    def losses(fit: Callable[..., Any], steps: int = number_steps) -> Any:
        return on_copies(lambda x_in, y_in: fit(x_in, y_in, _parameter(a_0), learning_rate, steps),
                         x=x, y=y)

    def halved(fit: Callable[..., Any]) -> Any:
        return on_copies(lambda x_in, y_in: fit(x_in, y_in, _parameter(a_0), learning_rate / 2,
                                                number_steps), x=x, y=y)

    probes = [Probe("λ halved", {"learning_rate": learning_rate / 2}, halved, varies="λ"),
              Probe("number_steps + 1", {"number_steps": number_steps + 1},
                    lambda fit: losses(fit, number_steps + 1), varies="number_steps",
                    shift=("number_steps", 1), means="the loop runs one step too many")]
    check("fitting_a_line.fit_losses", call=call, run=losses, functions=("fit",), case=case,
          aux={"one_more": lambda fit: losses(fit, number_steps + 1)}, expect=expect,
          probes=probes)


def check_fitted(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
                 number_steps: int, within: float | None = None, call: str | None = None,
                 expect: Any = NOTHING) -> None:
    """fit from a = a_0: the caller's Parameter a afterwards (within: the tolerance, for a
    visible test that states the weights to a few digits)."""
    x, y, call, case = _fit_case(data, a_0, learning_rate, number_steps, call)
    if within is not None:
        case["within"] = within

    def fitted(fit: Callable[..., Any], steps: int = number_steps) -> nn.Parameter:
        a = _parameter(a_0)
        on_copies(lambda x_in, y_in: fit(x_in, y_in, a, learning_rate, steps), x=x, y=y)
        return a

    aux = {"more": lambda fit: fitted(fit, number_steps + 1).detach()}
    if number_steps > 0:
        aux["fewer"] = lambda fit: fitted(fit, number_steps - 1).detach()
    check("fitting_a_line.fitted", call=call + ", then a", run=fitted, functions=("fit",),
          case=case, aux=aux, expect=expect, start="a_0")


# --- animate_fit ----------------------------------------------------------------------------------
def _film(kind: str, data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
          number_frames: int, expect: Any) -> None:
    from .animation import read_frames

    x, y, _ = _data(data)

    def film(animate_fit: Callable[..., Any], frames: int = number_frames) -> Any:
        # x and y must come back unchanged once every frame is drawn (drawing runs update).
        return on_copies(lambda x_in, y_in: read_frames(
            lambda: animate_fit(x_in, y_in, _parameter(a_0), learning_rate, frames), frames),
            x=x, y=y)

    # A film of two more frames, for the known mistake of a frame 0 already stepped, when the
    # film itself has fewer than three frames.
    aux = {"longer": lambda animate_fit: film(animate_fit, number_frames + 2)} \
        if kind == "frames" and number_frames < 3 else None
    check(f"fitting_a_line.{kind}",
          call=f"animate_fit(x, y, a, {learning_rate}, {number_frames}) from "
               f"a = {[round(float(v), 4) for v in a_0]}",
          run=film, functions=("animate_fit",),
          case={"x": x, "y": y, "a_0": list(a_0), "learning_rate": learning_rate,
                "number_frames": number_frames}, aux=aux, expect=expect)


def check_frames(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
                 number_frames: int, expect: Any = NOTHING) -> None:
    """animate_fit's frame count, and the line of frame 0. A visible test states
    {"count": frames, "lines": [(slope, intercept) of frames 0, 1, 2]}."""
    _film("frames", data, a_0, learning_rate, number_frames, expect)


def check_lines(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
                number_frames: int, expect: Any = NOTHING) -> None:
    """The drawn line's loss falls, and frame i shows the line after i updates. A visible test
    states {"count": frames, "lines": [(slope, intercept) of every frame]}."""
    _film("lines", data, a_0, learning_rate, number_frames, expect)


def check_axes(data: str | tuple[int, int], a_0: Sequence[float], learning_rate: float,
               number_frames: int, expect: Any = NOTHING) -> None:
    """Frame 0 shows the data, inside axes whose limits never change. A visible test states
    {"count": frames}."""
    _film("axes", data, a_0, learning_rate, number_frames, expect)
