"""Chapter 3's checks, as the test cells of 03-autograd call them.

Each function calls the student's function on the inputs given and records what came back; its
judge (gdcourse.checks.judges.autograd) says whether that is right. A visible test states the
expected value (`expect=`); a hidden test states none: the solution's run provides it.

Tensors are given as text (`"torch.tensor([1.0])"`, seeded `torch.randn(...)`): every call builds
its own, so that no call sees what an earlier one did to its input, and the call in a failure
message is code the student can run. Loss functions are inputs, passed as they are, with the
description (`"Σᵢ θ[i]²"`) that names them in messages; the judge knows the gradients of the
lecture's losses by that name (θ·θ, Σᵢ θ[i]²) and reads the counterparts of known mistakes for the
others from the trusted run's auxiliary values.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gradient_descent import descent_probes
from .runtime import NOTHING, Probe, check

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import torch


def _make(text: str) -> torch.Tensor:
    """The tensor that `text` builds."""
    import torch
    return eval(text, {"torch": torch})


# --- exercise 1: grad_fn_names -------------------------------------------------------------------
def _names_check(kind: str, text: str, tensors: dict[str, torch.Tensor], case: dict[str, Any],
                 expect: Any, no_grad: bool = False) -> None:
    import torch

    def run(grad_fn_names: Callable[..., Any]) -> Any:
        with torch.no_grad() if no_grad else torch.enable_grad():
            result = eval(text, {"torch": torch, **tensors})
        return grad_fn_names(result)

    call = f"grad_fn_names({text})"
    if no_grad:
        call = f"grad_fn_names(unrecorded) with unrecorded = {text} computed under torch.no_grad()"
    check(f"autograd.{kind}", call=call, run=run, functions=("grad_fn_names",),
          case={"text": text, **case}, expect=expect)


def check_names(text: str, expect: Any = NOTHING, **tensors: torch.Tensor) -> None:
    """grad_fn_names(<text>), the tensor `text` computes from `tensors` (Parameters)."""
    _names_check("names", text, tensors, {}, expect)


def check_names_edge(text: str, expect: Any = NOTHING, constant_first: bool = False,
                     no_grad: bool = False, **tensors: torch.Tensor) -> None:
    """An edge case of grad_fn_names: no history, or a constant (None) among a node's inputs.
    `constant_first`: the last operation's first input is a constant; `no_grad`: `text` is
    computed under torch.no_grad()."""
    _names_check("names_edge", text, tensors, {"constant_first": constant_first}, expect, no_grad)


# --- exercise 2: gradient_at ---------------------------------------------------------------------
def _gradient_check(kind: str, text: str, description: str,
                    function: Callable[[torch.Tensor], torch.Tensor], expect: Any) -> None:
    import torch

    check(f"autograd.{kind}", call=f"gradient_at(L, {text}) with L(θ) = {description}",
          run=lambda gradient_at: gradient_at(function, _make(text)),
          functions=("gradient_at",),
          case={"theta_0": _make(text), "loss": description}, expect=expect,
          aux={"at_one": lambda gradient_at: gradient_at(function,
                                                         torch.ones_like(_make(text)))},
          probes=[Probe("θ₀ + 1", {"theta_0": _make(text) + 1},
                        lambda gradient_at: gradient_at(function, _make(text) + 1),
                        varies="theta_0")])


def check_gradient_square(text: str, description: str,
                          function: Callable[[torch.Tensor], torch.Tensor],
                          expect: Any = NOTHING) -> None:
    """gradient_at(L, <text>) for the lecture's losses θ·θ and Σᵢ θ[i]²."""
    _gradient_check("gradient_square", text, description, function, expect)


def check_gradient(text: str, description: str, function: Callable[[torch.Tensor], torch.Tensor],
                   expect: Any = NOTHING) -> None:
    """gradient_at(L, <text>) for any loss."""
    _gradient_check("gradient", text, description, function, expect)


def _input_after(call_with: Callable[[torch.Tensor], object],
                 text: str) -> dict[str, torch.Tensor | None]:
    """Call the student's function on a tensor built from `text`; return that tensor and its
    .grad as they are after the call."""
    given = _make(text)
    call_with(given)
    return {"input": given, "grad": given.grad}


def check_gradient_input(text: str, description: str,
                         function: Callable[[torch.Tensor], torch.Tensor],
                         expect: Any = NOTHING) -> None:
    """gradient_at(L, theta_0) leaves theta_0 as it was. `expect`: the tensor theta_0 still holds
    after the call (its values, no gradient tracking, .grad None)."""
    check("autograd.gradient_input",
          call=f"gradient_at(L, theta_0) with L(θ) = {description} and theta_0 = {text}",
          run=lambda gradient_at: _input_after(lambda given: gradient_at(function, given), text),
          functions=("gradient_at",), case={"theta_0": _make(text), "loss": description},
          expect=expect if expect is NOTHING else {"input": expect, "grad": None})


# --- exercise 3: accumulated_gradient ------------------------------------------------------------
def check_repeated(text: str, description: str, function: Callable[[torch.Tensor], torch.Tensor],
                   k: int, expect: Any = NOTHING) -> None:
    """accumulated_gradient([L] * k, <text>): k backward() calls on the same loss."""
    check("autograd.repeated",
          call=f"accumulated_gradient([L] * {k}, {text}) with L(θ) = {description}",
          run=lambda accumulated: accumulated([function] * k, _make(text)),
          functions=("accumulated_gradient",),
          case={"theta_0": _make(text), "loss": description, "k": k}, expect=expect)


def check_sum(text: str, descriptions: Sequence[str],
              functions: Iterable[Callable[[torch.Tensor], torch.Tensor]],
              expect: Any = NOTHING) -> None:
    """accumulated_gradient([L₁, L₂, …], <text>): one backward() on each of different losses."""
    names = [f"L{'₁₂₃₄₅₆₇₈₉'[i]}" for i in range(len(descriptions))]
    functions = list(functions)
    check("autograd.sum",
          call=(f"accumulated_gradient([{', '.join(names)}], {text}) with "
                + ", ".join(f"{name}(θ) = {d}" for name, d in zip(names, descriptions))),
          run=lambda accumulated: accumulated(list(functions), _make(text)),
          functions=("accumulated_gradient",),
          case={"theta_0": _make(text), "losses": list(descriptions)}, expect=expect,
          aux={"last_only": lambda accumulated: accumulated(functions[-1:], _make(text)),
               "first_only": lambda accumulated: accumulated(functions[:1], _make(text))},
          probes=[Probe("the losses without the first", {"losses": list(descriptions[1:])},
                        lambda accumulated: accumulated(functions[1:], _make(text)),
                        means="the first loss's gradient is left out (does the loop start at "
                              "index 1, or the sum before the first backward()?)"),
                  Probe("the losses without the last", {"losses": list(descriptions[:-1])},
                        lambda accumulated: accumulated(functions[:-1], _make(text)),
                        means="the last loss's gradient is left out (does the loop stop one "
                              "loss early?)")])


# --- exercise 4: gradient_descent_autograd -------------------------------------------------------
def _descent_check(kind: str, text: str, description: str,
                   function: Callable[[torch.Tensor], torch.Tensor], rate: float, steps: int,
                   expect: Any) -> None:
    def call(theta: torch.Tensor, learning_rate: float, number_steps: int) -> Callable[..., Any]:
        return lambda descent: descent(function, theta.clone(), learning_rate, number_steps)

    check(f"autograd.{kind}",
          call=(f"gradient_descent_autograd(L, {text}, {rate}, {steps}) with "
                f"L(θ) = {description}"),
          run=lambda descent: descent(function, _make(text), rate, steps),
          functions=("gradient_descent_autograd",),
          case={"initial_theta": _make(text), "loss": description, "learning_rate": rate,
                "number_steps": steps}, expect=expect, start="initial_theta",
          aux={"loss_at_end": lambda descent: function(descent(function, _make(text), rate,
                                                               steps)).detach(),
               "loss_before_last": lambda descent: function(
                   descent(function, _make(text), rate, max(steps - 1, 0))).detach()},
          probes=[*descent_probes(_make(text), rate, steps, call),
                  Probe("number_steps = 1", {"number_steps": 1}, call(_make(text), rate, 1),
                        one_step=True),
                  Probe("number_steps = 1 from 2θ₀", {"number_steps": 1,
                                                      "initial_theta": 2 * _make(text)},
                        call(2 * _make(text), rate, 1), one_step=True)])


def check_descent_square(text: str, description: str,
                         function: Callable[[torch.Tensor], torch.Tensor], rate: float, steps: int,
                         expect: Any = NOTHING) -> None:
    """gradient_descent_autograd(L, <text>, rate, steps) on the lecture's losses θ·θ, Σᵢ θ[i]²."""
    _descent_check("descent_square", text, description, function, rate, steps, expect)


def check_descent(text: str, description: str, function: Callable[[torch.Tensor], torch.Tensor],
                  rate: float, steps: int, expect: Any = NOTHING) -> None:
    """gradient_descent_autograd(L, <text>, rate, steps) on any loss."""
    _descent_check("descent", text, description, function, rate, steps, expect)


def check_descent_input(text: str, description: str,
                        function: Callable[[torch.Tensor], torch.Tensor], rate: float, steps: int,
                        expect: Any = NOTHING) -> None:
    """gradient_descent_autograd leaves initial_theta as it was. `expect`: the tensor
    initial_theta still holds after the call (its values, no gradient tracking, .grad None)."""
    check("autograd.descent_input",
          call=(f"gradient_descent_autograd(L, initial_theta, {rate}, {steps}) with "
                f"L(θ) = {description} and initial_theta = {text}"),
          run=lambda descent: _input_after(lambda given: descent(function, given, rate, steps),
                                           text),
          functions=("gradient_descent_autograd",),
          case={"initial_theta": _make(text), "loss": description, "learning_rate": rate,
                "number_steps": steps},
          expect=expect if expect is NOTHING else {"input": expect, "grad": None})
