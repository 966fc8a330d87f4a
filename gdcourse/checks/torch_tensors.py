"""Chapter 2's checks, as the test cells of 02-torch-tensors call them.

Inputs are written as code (`"torch.tensor([1.0, -2.0])"`), so that the call in a failure message
is code the student can run; each call gets a fresh tensor. Visible tests state the expected
tensor (`expect=`); hidden tests state none: the solution's run provides it.
"""
from .runtime import NOTHING, check, upstream

PROBE = "torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)"


def make(text):
    """The tensor that `text` builds."""
    import torch
    return eval(text, {"torch": torch})


def gradient_works():
    """Probe get_gradient_tensor on a float64 matrix: its answer, and the matrix after the call."""
    import torch

    def probe(gradient):
        theta = make(PROBE)
        return torch.stack([gradient(theta), theta])

    theta = make(PROBE)
    upstream("get_gradient_tensor", call=f"get_gradient_tensor({PROBE})", run=probe,
             expect=torch.stack([2 * theta, theta]))


def check_gradient(text, expect=NOTHING, kind="gradient"):
    check(f"torch_tensors.{kind}", call=f"get_gradient_tensor({text})",
          run=lambda gradient: gradient(make(text)), functions=("get_gradient_tensor",),
          case={"theta": make(text)}, expect=expect)


def check_gradient_shape(text, expect=NOTHING):
    """Matrices, scalar tensors and float64: the shape and dtype are kept, to float64 precision."""
    check_gradient(text, expect, kind="gradient_shape")


def check_gradient_keeps_input(text):
    def run(gradient):
        theta = make(text)
        gradient(theta)
        return theta

    check("torch_tensors.gradient_input", call=f"get_gradient_tensor(theta) with theta = {text}",
          run=run, functions=("get_gradient_tensor",), case={"theta": make(text)})


def check_descent(text, learning_rate, number_steps, expect=NOTHING, kind="descent"):
    check(f"torch_tensors.{kind}",
          call=f"gradient_descent_torch({text}, {learning_rate}, {number_steps})",
          run=lambda descent: descent(make(text), learning_rate, number_steps),
          functions=("gradient_descent_torch",),
          case={"theta": make(text), "learning_rate": learning_rate,
                "number_steps": number_steps}, expect=expect)


def check_descent_shape(text, learning_rate, number_steps, expect=NOTHING):
    check_descent(text, learning_rate, number_steps, expect, kind="descent_shape")


def check_descent_edge(text, learning_rate, number_steps, expect=NOTHING):
    check_descent(text, learning_rate, number_steps, expect, kind="descent_edge")


def check_descent_keeps_input(text, learning_rate, number_steps):
    def run(descent):
        initial_theta = make(text)
        descent(initial_theta, learning_rate, number_steps)
        return initial_theta

    check("torch_tensors.descent_input",
          call=(f"gradient_descent_torch(initial_theta, {learning_rate}, {number_steps}) with "
                f"initial_theta = {text}"),
          run=run, functions=("gradient_descent_torch",), case={"theta": make(text)})
