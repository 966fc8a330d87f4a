"""Chapter 6's checks, as the test cells of 06-training call them.

Each check builds what the student's function works with (data, a model, a loss function, an
optimizer, loaders) afresh from the case's numbers, so the student's run and the solution's see
the same objects; calls the function; and records what came back and what happened meanwhile:
which loader was being read when the model ran, in which mode and with gradients on or off, which
optimizer stepped, in what order the loss function got its arguments. Its judge
(gdcourse.checks.judges.training) says whether that is right.
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .runtime import NOTHING, Probe, check, on_copies


# --- data -----------------------------------------------------------------------------------------
def points(n: int, seed: int, *, slope: float = 2.0, intercept: float = 1.0,
           noise: float = 0.3) -> tuple[torch.Tensor, torch.Tensor]:
    """n points (as columns, shape (n, 1)): u uniform in [−1, 1] and targets on a line plus noise."""
    generator = torch.Generator().manual_seed(seed)
    u = 2 * torch.rand(n, 1, generator=generator) - 1
    return u, slope * u + intercept + noise * torch.randn(n, 1, generator=generator)


def batch_orders(n: int, batch_size: int, seed: int, number_epochs: int) -> list[list[list[int]]]:
    """The batches (as lists of indices) a shuffling DataLoader with a generator seeded with `seed`
    gives in each of `number_epochs` passes: what a right answer's training loader yields, for the
    judge's replays of known mistakes."""
    loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    return [[batch.tolist() for (batch,) in loader] for _ in range(number_epochs)]


# --- what happens during a call: the tracker and the instrumented objects ------------------------
@dataclass
class Tracker:
    """What the instrumented objects saw during one call of train_model."""
    phase: str = "none"     # the loader whose batch was handed out last: "train" or "validation"
    passes: dict[str, int] = field(default_factory=lambda: {"train": 0, "validation": 0})
    # [phase, training mode, gradients on, validation passes begun so far]
    forward: list[list[Any]] = field(default_factory=list)
    loss_calls: list[list[Any]] = field(default_factory=list)  # [phase, 1st needs grad, 2nd]
    steps: list[list[Any]] = field(default_factory=list)     # [phase, the given optimizer?]

    def saw_forward(self, model: nn.Module) -> None:
        """A model of the test was called: in which phase, mode and gradient setting."""
        self.forward.append([self.phase, model.training, torch.is_grad_enabled(),
                             self.passes["validation"]])

    def summary(self) -> dict[str, Any]:
        """The record: counts per phase, short enough for any number of batches."""
        def count(rows: list[list[Any]], phase: str, *where: Callable[[list[Any]], bool]) -> int:
            return sum(1 for row in rows if row[0] == phase and all(w(row) for w in where))
        summary: dict[str, Any] = {"passes": dict(self.passes)}
        for phase in ("train", "validation", "none"):
            summary[phase] = {
                "forward": count(self.forward, phase),
                "forward_eval": count(self.forward, phase, lambda r: not r[1]),
                # in evaluation mode with gradients on: trained in evaluation mode
                "forward_eval_grad": count(self.forward, phase, lambda r: not r[1] and r[2]),
                "forward_grad": count(self.forward, phase, lambda r: r[2]),
                "loss_target_first": count(self.loss_calls, phase, lambda r: r[2] and not r[1]),
                "steps": count(self.steps, phase, lambda r: r[1]),
                "other_steps": count(self.steps, phase, lambda r: not r[1])}
        # The first training forward in eval mode: after which epoch's validation did it come?
        summary["train_eval_first"] = next(
            (row[3] for row in self.forward if row[0] == "train" and not row[1] and row[2]), None)
        return summary


class TrackedLoader(DataLoader):
    """A DataLoader that tells the tracker which loader is being read, and how often."""

    def __init__(self, tracker: Tracker, name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tracker, self.name = tracker, name

    def __iter__(self) -> Iterator[Any]:
        self.tracker.passes[self.name] += 1
        for batch in super().__iter__():
            self.tracker.phase = self.name
            yield batch


class Line(nn.Module):
    """ŷ = w · u + b, the model of the tests (an nn.Linear(1, 1) set to w and b) that reports
    each call to the tracker."""

    def __init__(self, tracker: Tracker, w: float, b: float) -> None:
        super().__init__()
        self.tracker = tracker
        self.linear = nn.Linear(1, 1)
        with torch.no_grad():
            self.linear.weight.fill_(w)
            self.linear.bias.fill_(b)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        self.tracker.saw_forward(self)
        return self.linear(u)


class NetWithDropout(nn.Module):
    """A small network with dropout (which acts only in training mode), reporting each call."""

    def __init__(self, tracker: Tracker, seed: int) -> None:
        super().__init__()
        self.tracker = tracker
        generator = torch.Generator().manual_seed(seed)
        self.hidden, self.out = nn.Linear(1, 8), nn.Linear(8, 1)
        with torch.no_grad():
            for parameter in self.parameters():
                parameter.copy_(0.5 * torch.randn(parameter.shape, generator=generator))
        self.dropout = nn.Dropout(0.5)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        self.tracker.saw_forward(self)
        return self.out(self.dropout(torch.tanh(self.hidden(u))))


class TrackedLoss(nn.Module):
    """A loss function (the mean squared or absolute error) that reports which of its arguments
    needs grad: the prediction does while training, the target never does."""

    def __init__(self, tracker: Tracker, kind: str) -> None:
        super().__init__()
        self.tracker, self.kind = tracker, kind

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        t = self.tracker
        t.loss_calls.append([t.phase, bool(getattr(prediction, "requires_grad", False)),
                             bool(getattr(target, "requires_grad", False))])
        if self.kind == "l1":
            return nn.functional.l1_loss(prediction, target)
        return nn.functional.mse_loss(prediction, target)


def _optimizer(kind: str, parameters: Any, learning_rate: float) -> torch.optim.Optimizer:
    if kind == "momentum":
        return torch.optim.SGD(parameters, lr=learning_rate, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=learning_rate)
    return torch.optim.SGD(parameters, lr=learning_rate)


# --- train_model ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One call of train_model, as numbers: everything its objects are built from."""
    n_train: int = 10
    n_validation: int = 5
    batch_size: int = 4
    seed: int = 0
    w: float = 0.0
    b: float = 0.0
    optimizer: str = "sgd"
    learning_rate: float = 0.1
    number_epochs: int = 3
    model: str = "line"
    loss: str = "mse"

    def data(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        x, y = points(self.n_train + self.n_validation, self.seed + 100)
        cut = self.n_train
        return x[:cut], y[:cut], x[cut:], y[cut:]

    def case(self) -> dict[str, Any]:
        x, y, x_validation, y_validation = self.data()
        return {"x": x.flatten(), "y": y.flatten(), "x_validation": x_validation.flatten(),
                "y_validation": y_validation.flatten(), "batch_size": self.batch_size,
                "w": self.w, "b": self.b, "optimizer": self.optimizer,
                "learning_rate": self.learning_rate, "number_epochs": self.number_epochs,
                "model": self.model, "loss": self.loss,
                "orders": batch_orders(self.n_train, self.batch_size, self.seed,
                                       self.number_epochs)}

    def call(self) -> str:
        model = (f"nn.Linear(1, 1) with w = {self.w}, b = {self.b}" if self.model == "line"
                 else "a small network with dropout")
        optimizer = {"sgd": "SGD", "momentum": "SGD with momentum 0.9",
                     "adam": "Adam"}[self.optimizer]
        loss = {"mse": "nn.MSELoss()", "l1": "nn.L1Loss()"}[self.loss]
        return (f"train_model(model, {loss}, optimizer, train_loader, validation_loader, "
                f"{self.number_epochs}) with {model}, {optimizer} at lr = {self.learning_rate}, "
                f"{self.n_train} training and {self.n_validation} validation points in batches "
                f"of {self.batch_size}")


def run_train_model(setting: Setting) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    """Build the objects of `setting`, call train_model on them, and record what came back and
    what the tracker saw."""
    def run(train_model: Callable[..., Any]) -> dict[str, Any]:
        tracker = Tracker()
        x, y, x_validation, y_validation = setting.data()
        model: nn.Module = (Line(tracker, setting.w, setting.b) if setting.model == "line"
                            else NetWithDropout(tracker, setting.seed))
        optimizer = _optimizer(setting.optimizer, model.parameters(), setting.learning_rate)
        train_loader = TrackedLoader(tracker, "train", TensorDataset(x, y),
                                     batch_size=setting.batch_size, shuffle=True,
                                     generator=torch.Generator().manual_seed(setting.seed))
        validation_loader = TrackedLoader(tracker, "validation",
                                          TensorDataset(x_validation, y_validation),
                                          batch_size=setting.batch_size)
        from torch.optim.optimizer import register_optimizer_step_post_hook

        # Every optimizer's step() reports here while the hook is registered.
        handle = register_optimizer_step_post_hook(
            lambda stepped, args, kwargs: tracker.steps.append([tracker.phase,
                                                                stepped is optimizer]))
        torch.manual_seed(setting.seed)   # dropout draws from the global generator
        try:
            result = train_model(model, TrackedLoss(tracker, setting.loss), optimizer,
                                 train_loader, validation_loader, setting.number_epochs)
        finally:
            handle.remove()
        return {"result": result, "seen": tracker.summary()}
    return run


def _probes(setting: Setting) -> list[Probe]:
    """The related calls: one epoch more and one fewer."""
    from dataclasses import replace

    epochs = setting.number_epochs
    probes = [Probe("number_epochs + 1", {"number_epochs": epochs + 1},
                    run_train_model(replace(setting, number_epochs=epochs + 1)),
                    varies="number_epochs", shift=("number_epochs", 1),
                    means="the loop runs one epoch too many")]
    if epochs >= 2:
        probes.append(Probe("number_epochs − 1", {"number_epochs": epochs - 1},
                            run_train_model(replace(setting, number_epochs=epochs - 1)),
                            varies="number_epochs", shift=("number_epochs", -1),
                            means="the loop runs one epoch too few"))
    return probes


# The checks judged by rules alone (a count of steps, the model's mode) state this in a visible
# test's place of an expected value: the rules are the same for every answer.
RULES = "judged by its rules"


def _check_train_model(kind: str, setting: Setting, part: tuple[Any, ...], expect: Any,
                       probes: bool = True) -> None:
    check(f"training.{kind}", call=setting.call(), run=run_train_model(setting),
          functions=("train_model",), case=setting.case(), expect=expect,
          probes=_probes(setting) if probes else [], part=part)


def check_train_losses(setting: Setting, expect: Any = NOTHING) -> None:
    """train_model(...) returns (train losses, validation losses): judged on the train losses, one
    per epoch, the mean over the epoch's training points of the loss each batch had at its step."""
    _check_train_model("train_losses", setting, ("result", 0), expect)


def check_validation_losses(setting: Setting, expect: Any = NOTHING) -> None:
    """Judged on the validation losses, one per epoch, the mean over the validation points of the
    loss after that epoch's steps."""
    _check_train_model("validation_losses", setting, ("result", 1), expect)


def check_steps(setting: Setting) -> None:
    """One step of the optimizer given per training batch, none while validating, and the loss
    function called with the prediction first."""
    _check_train_model("steps", setting, (), RULES, probes=False)


def check_modes(setting: Setting) -> None:
    """Training batches go through the model in training mode; validation batches in evaluation
    mode, with gradients off."""
    _check_train_model("modes", setting, (), RULES, probes=False)


def check_contract(setting: Setting) -> None:
    """Two lists of number_epochs Python floats; each loader read once per epoch."""
    _check_train_model("contract", setting, (), RULES, probes=False)


# --- split_data -----------------------------------------------------------------------------------
def _split_run(x: torch.Tensor, y: torch.Tensor, fraction: float,
               seed: int) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(split_data: Callable[..., Any]) -> dict[str, Any]:
        generator = torch.Generator().manual_seed(seed)
        result = on_copies(lambda xs, ys: split_data(xs, ys, fraction, generator), x=x, y=y)
        # The generator's next number tells how many numbers the call drew from it.
        return {"result": result, "next_draw": torch.rand(1, generator=generator).item()}
    return run


def _split_case(x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int) -> dict[str, Any]:
    generator = torch.Generator().manual_seed(seed)
    return {"x": x, "y": y, "validation_fraction": fraction, "seed": seed,
            "permutation": torch.randperm(len(x), generator=generator).tolist(),
            "fresh_draw": torch.rand(1, generator=torch.Generator().manual_seed(seed)).item()}


def check_split(kind: str, x: torch.Tensor, y: torch.Tensor, fraction: float, seed: int,
                expect: Any = NOTHING) -> None:
    """split_data(x, y, fraction, generator seeded with seed). `kind`: "values" (the four tensors
    against the solution's) or "contract" (every point once, pairs kept, sizes, the generator
    drawn from once)."""
    check(f"training.split_{kind}",
          call=(f"split_data(x, y, {fraction}, torch.Generator().manual_seed({seed})) with "
                f"{len(x)} points"),
          run=_split_run(x, y, fraction, seed), functions=("split_data",),
          case=_split_case(x, y, fraction, seed), expect=expect)


# --- make_loaders ---------------------------------------------------------------------------------
def _loaders_run(n_train: int, n_validation: int, batch_size: int, seed: int,
                 epochs: int) -> Callable[[Callable[..., Any]], dict[str, Any]]:
    def run(make_loaders: Callable[..., Any]) -> dict[str, Any]:
        generator = torch.Generator().manual_seed(seed)
        # The inputs are their own positions, so a batch shows which points it holds.
        u = torch.arange(float(n_train)).unsqueeze(1)
        v = torch.arange(float(n_train), float(n_train + n_validation)).unsqueeze(1)
        made = make_loaders(u, -u, v, -v, batch_size, generator)
        if not (isinstance(made, (tuple, list)) and len(made) == 2):
            return {"pair": False, "returned": made}
        batches: dict[str, Any] = {}
        for name, loader, passes in (("train", made[0], epochs), ("validation", made[1], 2)):
            batches[name] = [[[int(value) for value in batch[0].flatten().tolist()]
                              for batch in loader] for _ in range(passes)]
            batches[f"{name}_pairs_kept"] = all(bool((batch[1] == -batch[0]).all())
                                                for batch in loader)
        return {"pair": True, **batches,
                "next_draw": torch.rand(1, generator=generator).item()}
    return run


def check_loaders(kind: str, n_train: int, n_validation: int, batch_size: int, seed: int,
                  expect: Any = NOTHING) -> None:
    """make_loaders on points numbered 0, 1, …: the batches of the training loader in a few
    epochs (kind "train") or of the validation loader twice (kind "validation"), as the points'
    numbers."""
    epochs = 3
    check(f"training.loaders_{kind}",
          call=(f"make_loaders(x_train, y_train, x_validation, y_validation, {batch_size}, "
                f"torch.Generator().manual_seed({seed})) with {n_train} training and "
                f"{n_validation} validation points"),
          run=_loaders_run(n_train, n_validation, batch_size, seed, epochs),
          functions=("make_loaders",),
          case={"n_train": n_train, "n_validation": n_validation, "batch_size": batch_size,
                "seed": seed, "orders": batch_orders(n_train, batch_size, seed, epochs)},
          expect=expect)
