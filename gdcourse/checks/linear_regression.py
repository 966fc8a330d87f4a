"""Chapter 4's checks, as the test cells of 04-linear-regression call them.

Each function calls the student's function on fresh copies of the inputs given and records what
came back (for train: also what happened to initial_w, or which optimizer steps it took); its
judge (gdcourse.checks.judges.linear_regression) says whether that is right. A visible test states
the expected value (`expect=`); a hidden test states none: the solution's run provides it, and the
values of related calls the judge's known mistakes need (aux: the example's learning rate, the
example's number of epochs, one epoch more or less, a summed loss).
"""
from collections.abc import Callable
from typing import Any

import torch

from .runtime import NOTHING, Probe, Record, check, on_copies, upstream


# --- inputs ---------------------------------------------------------------------------------------
def line_data(n: int, slope: float, low: float, high: float,
              seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n inputs drawn uniformly from [low, high] and targets slope · x plus a little noise."""
    generator = torch.Generator().manual_seed(seed)
    x = low + (high - low) * torch.rand(n, generator=generator)
    return x, slope * x + 0.1 * torch.randn(n, generator=generator)


def _fresh(t: torch.Tensor) -> torch.Tensor:
    """A copy of an input tensor that nothing else shares (a leaf, requiring grad as `t` does)."""
    return t.detach().clone().requires_grad_(t.requires_grad)


def _text(t: torch.Tensor) -> str:
    """A tensor as the student would write it: torch.tensor([2.0]), torch.tensor(2.5, dtype=...)."""
    extra = "" if t.dtype == torch.float32 else f", dtype={t.dtype}"
    if t.requires_grad:
        extra += ", requires_grad=True"
    values = t.tolist()
    values = [round(v, 7) for v in values] if isinstance(values, list) else round(values, 7)
    return f"torch.tensor({values}{extra})"


# --- upstream probes ------------------------------------------------------------------------------
def _model_probe(model: Callable[..., Any]) -> list[float]:
    x, w = torch.tensor([1.0, 2.0]), torch.tensor([3.0], requires_grad=True)
    y_hat = model(x, w)
    y_hat.sum().backward()
    return [*y_hat.reshape(-1).tolist(), w.grad.item(), *x.tolist(), float(y_hat.dim())]


def model_works() -> None:
    """Probe model at x = [1, 2], w = 3: the predictions 3 and 6 (one dimension, like x), ∂/∂w
    of their sum, 3, and x left as it was."""
    upstream("model", call="model(x, w) with x = [1, 2] and w = 3 (then w.grad of the sum, "
                           "x afterwards, and ŷ's number of dimensions)", run=_model_probe,
             expect=[3.0, 6.0, 3.0, 1.0, 2.0, 1.0])


def _loss_probe(loss_fn: Callable[..., Any]) -> list[float]:
    y_hat = torch.tensor([1.0, 2.0])
    return [float(loss_fn(y_hat, torch.tensor([2.0, 4.0]))), *y_hat.tolist()]


def loss_fn_works() -> None:
    """Probe loss_fn: the mean of 1² and 2² is 2.5, and y_hat is left as it was."""
    upstream("loss_fn", call="loss_fn(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0])) (and "
                             "y_hat afterwards)",
             run=_loss_probe, expect=[2.5, 1.0, 2.0])


def train_builds_on() -> None:
    """Probe model and loss_fn, which train builds on."""
    model_works()
    loss_fn_works()


# --- model ----------------------------------------------------------------------------------------
def check_model(x: torch.Tensor, w: torch.Tensor, about: str, expect: Any = NOTHING) -> None:
    """model(x, w): the predictions x · w."""
    check("linear_regression.model", call=f"model(x, {_text(w)}) with {about}",
          run=lambda model: on_copies(model, x=x, w=w), functions=("model",),
          case={"x": x, "w": w}, expect=expect,
          probes=[Probe("w doubled", {"w": 2 * w}, lambda model: on_copies(model, x=x, w=2 * w),
                        varies="w", scale=2),
                  Probe("x doubled", {"x": 2 * x}, lambda model: on_copies(model, x=2 * x, w=w),
                        varies="x", scale=2)])


def loss_probes(y_hat: torch.Tensor, y: torch.Tensor,
                call: Callable[[torch.Tensor, torch.Tensor], Callable[..., Any]]) -> list[Probe]:
    """The related calls of a mean squared error (chapters 4 and 5): every error doubled (the loss
    grows 4-fold), and predictions and targets moved together (the loss stays)."""
    doubled = y + 2 * (y_hat - y)
    return [Probe("every error doubled", {"y_hat": doubled}, call(doubled, y),
                  varies="every error y_hat − y", scale=2,
                  means="a mean of squared errors grows as the square of the errors"),
            Probe("y_hat and y both move up by 1", {"y_hat": y_hat + 1, "y": y + 1},
                  call(y_hat + 1, y + 1), same=True,
                  means="the loss must depend on the errors y_hat − y alone (where are the "
                        "brackets? ** is done before − and *)")]


def _graph_run(x: torch.Tensor, w: torch.Tensor) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(model: Callable[..., Any]) -> dict[str, Any]:
        x_in, w_in = _fresh(x), w.detach().clone().requires_grad_(True)
        y_hat = model(x_in, w_in)
        facts: dict[str, Any] = {"y_hat": y_hat, "grad": None}
        if isinstance(y_hat, torch.Tensor) and y_hat.requires_grad:
            y_hat.sum().backward()
            facts["grad"] = w_in.grad
        return facts
    return run


def check_model_graph(x: torch.Tensor, w: torch.Tensor, about: str, expect: Any = NOTHING) -> None:
    """model(x, w) with a w that requires grad: ŷ requires grad, and backward() of Σ ŷ reaches w
    (the run records ŷ and w.grad)."""
    check("linear_regression.graph", call=f"model(x, w) with {about}", run=_graph_run(x, w),
          functions=("model",), case={"x": x, "w": w}, expect=expect)


# --- loss_fn --------------------------------------------------------------------------------------
def check_loss(y_hat: torch.Tensor, y: torch.Tensor, about: str, expect: Any = NOTHING) -> None:
    """loss_fn(y_hat, y): the mean squared error, one number."""
    def call(predictions: torch.Tensor, targets: torch.Tensor) -> Callable[..., Any]:
        return lambda loss_fn: on_copies(loss_fn, y_hat=predictions, y=targets)

    check("linear_regression.loss", call=f"loss_fn(y_hat, y) with {about}",
          run=call(y_hat, y), functions=("loss_fn",), case={"y_hat": y_hat, "y": y},
          expect=expect, probes=loss_probes(y_hat, y, call))


def _differentiable_run(x: torch.Tensor, y: torch.Tensor,
                        w: torch.Tensor) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(loss_fn: Callable[..., Any]) -> dict[str, Any]:
        x_in, y_in, w_in = _fresh(x), _fresh(y), w.detach().clone().requires_grad_(True)
        loss = loss_fn(x_in * w_in, y_in)
        facts: dict[str, Any] = {"loss": loss, "grad": None}
        if isinstance(loss, torch.Tensor) and loss.dim() == 0 and loss.requires_grad:
            loss.backward()
            facts["grad"] = w_in.grad
        return facts
    return run


def check_loss_tensor(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, about: str,
                      expect: Any = NOTHING) -> None:
    """loss_fn(x * w, y) with a w that requires grad: a one-number tensor of x's dtype whose
    backward() fills w.grad (the run records the loss and w.grad)."""
    check("linear_regression.differentiable", call=f"loss_fn(x * w, y) with {about}",
          run=_differentiable_run(x, y, w), functions=("loss_fn",),
          case={"x": x, "y": y, "w": w}, expect=expect)


# --- train ----------------------------------------------------------------------------------------
def _train(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
           number_epochs: int) -> Callable[..., Any]:
    """A call of train (the student's, or the solution's in aux) on fresh copies of the inputs."""
    return lambda train, *_: train(_fresh(x), _fresh(y), _fresh(initial_w), learning_rate,
                                   number_epochs)


def _train_case(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
                number_epochs: int) -> dict[str, Any]:
    return {"x": x, "y": y, "initial_w": initial_w, "learning_rate": learning_rate,
            "number_epochs": number_epochs}


def _related(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
             number_epochs: int) -> dict[str, Callable[..., Any]]:
    """What the solution's train gives for the calls behind known mistakes (trusted run only)."""
    return {"rate_0.01": _train(x, y, initial_w, 0.01, number_epochs),
            "epochs_100": _train(x, y, initial_w, learning_rate, 100),
            "one_more": _train(x, y, initial_w, learning_rate, number_epochs + 1),
            "one_less": _train(x, y, initial_w, learning_rate, max(number_epochs - 1, 0)),
            # A summed loss is n times the mean: its steps are those of n · λ.
            "summed": _train(x, y, initial_w, len(x) * learning_rate, number_epochs)}


def _train_probes(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
                  number_epochs: int) -> list[Probe]:
    """The related calls of train: λ halved, one epoch more and one fewer."""
    probes = [Probe("λ halved", {"learning_rate": learning_rate / 2},
                    _train(x, y, initial_w, learning_rate / 2, number_epochs), varies="λ"),
              Probe("number_epochs + 1", {"number_epochs": number_epochs + 1},
                    _train(x, y, initial_w, learning_rate, number_epochs + 1),
                    varies="number_epochs", shift=("number_epochs", 1),
                    means="the loop runs one epoch too many")]
    if number_epochs >= 1:
        probes.append(Probe("number_epochs − 1", {"number_epochs": number_epochs - 1},
                            _train(x, y, initial_w, learning_rate, number_epochs - 1),
                            varies="number_epochs", shift=("number_epochs", -1),
                            means="the loop runs one epoch too few"))
    return probes


def _check_train(kind: str, x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                 number_epochs: int, about: str, expect: Any) -> None:
    initial_w = torch.tensor([w_0])
    check(f"linear_regression.{kind}",
          call=f"train(x, y, torch.tensor([{w_0}]), {learning_rate}, {number_epochs}) {about}",
          run=_train(x, y, initial_w, learning_rate, number_epochs), functions=("train",),
          case=_train_case(x, y, initial_w, learning_rate, number_epochs),
          aux=_related(x, y, initial_w, learning_rate, number_epochs), expect=expect,
          probes=_train_probes(x, y, initial_w, learning_rate, number_epochs),
          part=(0,) if kind == "weight" else (1,))


def check_weight(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                 number_epochs: int, about: str, expect: Any = NOTHING) -> None:
    """train(x, y, torch.tensor([w_0]), λ, epochs) returns (w, losses): judged on w. A visible
    test states the expected w."""
    _check_train("weight", x, y, w_0, learning_rate, number_epochs, about, expect)


def check_losses(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                 number_epochs: int, about: str, expect: Any = NOTHING) -> None:
    """train(x, y, torch.tensor([w_0]), λ, epochs) returns (w, losses): judged on the losses. A
    visible test states the expected pair (w, losses)."""
    _check_train("losses", x, y, w_0, learning_rate, number_epochs, about, expect)


def _contract_run(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
                  number_epochs: int) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(train: Callable[..., Any]) -> dict[str, Any]:
        x_in, y_in, w_in = _fresh(x), _fresh(y), _fresh(initial_w)
        result = train(x_in, y_in, w_in, learning_rate, number_epochs)
        return {"initial_w": w_in, "initial_w_grad": w_in.grad, "result": result}
    return run


def check_contract(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
                   number_epochs: int, about: str, expect: Any = NOTHING) -> None:
    """train leaves initial_w as it was (values, requires_grad, no grad) and returns a detached w
    of initial_w's shape and dtype and a list of Python floats. The run records initial_w after
    the call, its grad, and what train returned."""
    check("linear_regression.contract",
          call=f"train(x, y, initial_w, {learning_rate}, {number_epochs}) with {about}",
          run=_contract_run(x, y, initial_w, learning_rate, number_epochs), functions=("train",),
          case=_train_case(x, y, initial_w, learning_rate, number_epochs), expect=expect)


def check_no_epochs(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                    expect: Any = NOTHING) -> None:
    """train(x, y, torch.tensor([w_0]), λ, 0): w is w₀ and there are no losses."""
    initial_w = torch.tensor([w_0])
    check("linear_regression.no_epochs",
          call=f"train(x, y, torch.tensor([{w_0}]), {learning_rate}, 0)",
          run=_train(x, y, initial_w, learning_rate, 0), functions=("train",),
          case=_train_case(x, y, initial_w, learning_rate, 0), expect=expect)


def _steps_run(x: torch.Tensor, y: torch.Tensor, initial_w: torch.Tensor, learning_rate: float,
               number_epochs: int) -> Callable[[Callable[..., Any]], Record]:
    def run(train: Callable[..., Any]) -> Record:
        from torch.optim.optimizer import register_optimizer_step_post_hook

        steps: list[torch.optim.Optimizer] = []
        # Every optimizer's step() reports here while the hook is registered.
        handle = register_optimizer_step_post_hook(
            lambda optimizer, args, kwargs: steps.append(optimizer))
        try:
            result = train(_fresh(x), _fresh(y), _fresh(initial_w), learning_rate, number_epochs)
        finally:
            handle.remove()
        pair = isinstance(result, (tuple, list)) and len(result) == 2
        return {"pair": pair, "returned": None if pair else result, "steps": len(steps),
                "optimizers": list(dict.fromkeys(type(o).__name__ for o in steps)),
                "sgd": all(isinstance(o, torch.optim.SGD) for o in steps),
                "lrs": sorted({float(group["lr"]) for o in steps for group in o.param_groups})}
    return run


def check_steps(learning_rate: float, number_epochs: int, expect: Any = NOTHING) -> None:
    """train on the example's data takes number_epochs steps of torch.optim.SGD with lr = λ. The
    run records what the optimizers' step hook saw: how many steps, which classes, which lr."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    initial_w = torch.tensor([1.0])
    check("linear_regression.steps",
          call=f"train(x, y, torch.tensor([1.0]), {learning_rate}, {number_epochs})",
          run=_steps_run(x, 2 * x, initial_w, learning_rate, number_epochs), functions=("train",),
          case={"learning_rate": learning_rate, "number_epochs": number_epochs}, expect=expect)


# --- train_minibatch ------------------------------------------------------------------------------
def _orders(n: int, number_epochs: int, seed: int) -> list[list[int]]:
    """The permutations a right answer draws, one per epoch, from a generator seeded with `seed`:
    the case's record of them lets the judge replay the known mistakes on plain numbers."""
    generator = torch.Generator().manual_seed(seed)
    return [torch.randperm(n, generator=generator).tolist() for _ in range(number_epochs)]


def _minibatch_case(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                    batch_size: int, number_epochs: int, seed: int) -> dict[str, Any]:
    return {"x": x, "y": y, "initial_w": torch.tensor([w_0]), "learning_rate": learning_rate,
            "batch_size": batch_size, "number_epochs": number_epochs, "seed": seed,
            "orders": _orders(len(x), number_epochs, seed)}


def _minibatch_call(w_0: float, learning_rate: float, batch_size: int, number_epochs: int,
                    seed: int) -> str:
    return (f"train_minibatch(x, y, torch.tensor([{w_0}]), {learning_rate}, {batch_size}, "
            f"{number_epochs}, torch.Generator().manual_seed({seed}))")


def _minibatch_run(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                   batch_size: int, number_epochs: int,
                   seed: int) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(train_minibatch: Callable[..., Any]) -> dict[str, Any]:
        generator = torch.Generator().manual_seed(seed)
        initial_w = torch.tensor([w_0])
        result = train_minibatch(_fresh(x), _fresh(y), initial_w, learning_rate, batch_size,
                                 number_epochs, generator)
        # The generator's next number tells how many numbers the call drew from it.
        return {"result": result, "initial_w": initial_w, "initial_w_grad": initial_w.grad,
                "next_draw": torch.rand(1, generator=generator).item()}
    return run


def check_minibatch(x: torch.Tensor, y: torch.Tensor, w_0: float, learning_rate: float,
                    batch_size: int, number_epochs: int, seed: int, about: str, *,
                    judged: str = "weight", expect: Any = NOTHING) -> None:
    """train_minibatch(x, y, torch.tensor([w_0]), λ, batch_size, epochs, generator seeded with
    seed): the run records what came back, initial_w after the call, and the generator's next
    number. `judged` says which part the judge holds to the solution's: "weight" (w), "losses"
    (one per step) or "contract" (initial_w kept, w detached, floats, the generator drawn from
    once per epoch)."""
    case = _minibatch_case(x, y, w_0, learning_rate, batch_size, number_epochs, seed)
    case["fresh_draw"] = torch.rand(1, generator=torch.Generator().manual_seed(seed)).item()
    probes = []
    if judged != "contract":
        probes.append(Probe("λ halved", {"learning_rate": learning_rate / 2},
                            _minibatch_run(x, y, w_0, learning_rate / 2, batch_size,
                                           number_epochs, seed), varies="λ"))
        if 2 * batch_size <= len(x):
            probes.append(Probe("batch_size doubled", {"batch_size": 2 * batch_size},
                                _minibatch_run(x, y, w_0, learning_rate, 2 * batch_size,
                                               number_epochs, seed),
                                varies="batch_size", scale=2,
                                means="batch_size is the number of points in a batch, not "
                                      "the number of batches"))
    check(f"linear_regression.minibatch_{judged}",
          call=f"{_minibatch_call(w_0, learning_rate, batch_size, number_epochs, seed)} {about}",
          run=_minibatch_run(x, y, w_0, learning_rate, batch_size, number_epochs, seed),
          functions=("train_minibatch",), case=case, expect=expect, probes=probes,
          part=("result", 0 if judged == "weight" else 1))
