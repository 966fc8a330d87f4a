"""Chapter 2's checks, as the test cells of 02-torch-tensors call them.

Inputs are written as code (`"torch.tensor([1.0, -2.0])"`), so that the call in a failure message
is code the student can run; each call gets a fresh tensor. Visible tests state the expected
tensor (`expect=`); hidden tests state none: the solution's run provides it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gradient_descent import descent_probes
from .runtime import NOTHING, Probe, check, upstream

if TYPE_CHECKING:
    from collections.abc import Callable

    import torch

PROBE = "torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)"


def make(text: str) -> torch.Tensor:
    """The tensor that `text` builds."""
    import torch
    return eval(text, {"torch": torch})


def gradient_works() -> None:
    """Probe get_gradient_tensor on a float64 matrix: its answer and that answer's dtype, and the
    matrix after the call."""
    import torch

    def probe(gradient: Callable[..., Any]) -> dict[str, Any]:
        theta = make(PROBE)
        result = gradient(theta)
        return {"values": torch.stack([result, theta]).tolist(), "dtype": str(result.dtype)}

    theta = make(PROBE)
    upstream("get_gradient_tensor", call=f"get_gradient_tensor({PROBE})", run=probe,
             expect={"values": torch.stack([2 * theta, theta]).tolist(), "dtype": str(theta.dtype)})


def check_gradient(text: str, expect: Any = NOTHING, kind: str = "gradient") -> None:
    check(f"torch_tensors.{kind}", call=f"get_gradient_tensor({text})",
          run=lambda gradient: gradient(make(text)), functions=("get_gradient_tensor",),
          case={"theta": make(text)}, expect=expect,
          probes=[Probe("θ doubled", {"theta": 2 * make(text)},
                        lambda gradient: gradient(2 * make(text)), varies="θ", scale=2),
                  Probe("θ + 1", {"theta": make(text) + 1},
                        lambda gradient: gradient(make(text) + 1), varies="θ")])


def check_gradient_shape(text: str, expect: Any = NOTHING) -> None:
    """Matrices, scalar tensors and float64: the shape and dtype are kept, to float64 precision."""
    check_gradient(text, expect, kind="gradient_shape")


def check_gradient_keeps_input(text: str) -> None:
    def run(gradient: Callable[..., Any]) -> torch.Tensor:
        theta = make(text)
        gradient(theta)
        return theta

    check("torch_tensors.gradient_input", call=f"get_gradient_tensor(theta) with theta = {text}",
          run=run, functions=("get_gradient_tensor",), case={"theta": make(text)})


def check_descent(text: str, learning_rate: float, number_steps: int, expect: Any = NOTHING,
                  kind: str = "descent") -> None:
    def call(theta: torch.Tensor, rate: float, steps: int) -> Callable[..., Any]:
        return lambda descent: descent(theta.clone(), rate, steps)

    check(f"torch_tensors.{kind}",
          call=f"gradient_descent_torch({text}, {learning_rate}, {number_steps})",
          run=lambda descent: descent(make(text), learning_rate, number_steps),
          functions=("gradient_descent_torch",),
          case={"theta": make(text), "learning_rate": learning_rate,
                "number_steps": number_steps}, expect=expect, start="theta",
          # The edge cases (λ = 0 or 0.5, no steps, the minimum) make answers alike: no probes.
          probes=descent_probes(make(text), learning_rate, number_steps, call, "theta")
          if kind != "descent_edge" else ())


def check_descent_shape(text: str, learning_rate: float, number_steps: int,
                        expect: Any = NOTHING) -> None:
    check_descent(text, learning_rate, number_steps, expect, kind="descent_shape")


def check_descent_edge(text: str, learning_rate: float, number_steps: int,
                       expect: Any = NOTHING) -> None:
    check_descent(text, learning_rate, number_steps, expect, kind="descent_edge")


def check_descent_keeps_input(text: str, learning_rate: float, number_steps: int) -> None:
    def run(descent: Callable[..., Any]) -> torch.Tensor:
        initial_theta = make(text)
        descent(initial_theta, learning_rate, number_steps)
        return initial_theta

    check("torch_tensors.descent_input",
          call=(f"gradient_descent_torch(initial_theta, {learning_rate}, {number_steps}) with "
                f"initial_theta = {text}"),
          run=run, functions=("gradient_descent_torch",), case={"theta": make(text)})
