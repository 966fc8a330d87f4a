"""What the lectures state about torch, checked against torch: each test runs the claim and finds
the sentence that makes it in the lecture, so that neither can change without the other."""
import re

import nbformat
import torch
from torch import nn

from course import ROOT


def lecture_text(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return re.sub(r"\s+", " ", "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))


def test_the_number_after_a_node_name_tells_variants_apart():
    theta = nn.Parameter(torch.tensor([1.0]))
    assert type((theta - 10).grad_fn).__name__ == "SubBackward0"
    assert type((10 - theta).grad_fn).__name__ == "RsubBackward1"
    text = lecture_text("03-autograd")
    assert "`θ - 10` records `SubBackward0`" in text and "records `RsubBackward1`" in text


def test_a_parameter_used_twice_reaches_accumulate_grad_once_with_the_sum():
    theta = nn.Parameter(torch.tensor([1.0]))
    loss = theta * theta
    first, second = (edge[0] for edge in loss.grad_fn.next_functions)
    assert first is second and type(first).__name__ == "AccumulateGrad"
    calls = []
    first.register_prehook(lambda grads: calls.append(grads[0].clone()))
    loss.backward()
    assert [c.tolist() for c in calls] == [[2.0]]
    assert "reaches `AccumulateGrad` once, with 2θ" in lecture_text("03-autograd")


def test_a_python_float_keeps_float_dtypes_and_makes_integers_float():
    assert (torch.tensor([1.0]) * 0.2).dtype == torch.float32
    assert (torch.tensor([1.0], dtype=torch.float64) * 0.2).dtype == torch.float64
    product = torch.tensor([1]) * 0.2
    assert product.dtype == torch.float32 and str(product) == "tensor([0.2000])"
    assert "`torch.tensor([1]) * 0.2` is `tensor([0.2000])`" in lecture_text("02-torch-tensors")


def test_momentum_is_slower_than_plain_sgd_on_the_one_weight_bowl():
    """Chapter 4's data (y = 2x, x = 1…5), w₀ = 1, λ = 0.01, 60 epochs."""
    epochs = 60
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    y = 2 * x
    distance = {}
    for momentum in (0.0, 0.9):
        w = torch.tensor([1.0], requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.01, momentum=momentum)
        for _ in range(epochs):
            loss = ((x * w - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        distance[momentum] = abs(w.item() - 2)
    assert distance[0.0] < 1e-5 < 1e-2 < distance[0.9]
    assert "plain SGD gets to w = 2 sooner than SGD with momentum 0.9" in lecture_text("04-linear-regression")
