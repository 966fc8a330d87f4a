"""Chapter 6's judges (gdcourse.checks.judges.training) on the records the checks make, in this
process: the judges' replays of the training loop agree with torch's optimizers, so a known
mistake is named for the loop that makes it, on every kind of setting the hidden tests use, and
a right loop is never told one."""
import pytest
import torch

from gdcourse.checks import training
from gdcourse.checks.judges import judge_record
from gdcourse.checks.judges import training as judges
from gdcourse.checks.judges.observation import Observation
from gdcourse.checks.plain import Value, plain

SETTINGS = [training.Setting(),
            training.Setting(n_train=13, batch_size=5, seed=1, w=1.0, b=-0.5, learning_rate=0.2,
                             number_epochs=4),
            training.Setting(n_train=8, batch_size=1, seed=2, learning_rate=0.05),
            training.Setting(seed=4, optimizer="momentum", learning_rate=0.05, number_epochs=4),
            training.Setting(seed=5, optimizer="adam", learning_rate=0.1, loss="l1")]


def loop(*, zero_grad=True, measure="points", validate_first=False, train_on_validation=False):
    """train_model, right or with one of the mistakes the judges replay."""
    def train_model(model, loss_function, optimizer, train_loader, validation_loader, epochs):
        def validate():
            model.eval()
            total, losses = 0.0, []
            with torch.set_grad_enabled(train_on_validation):
                for x, y in validation_loader:
                    loss = loss_function(model(x), y)
                    if train_on_validation:
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
                    total += loss.item() * len(x)
                    losses.append(loss.item())
            return total / len(validation_loader.dataset)

        train_losses, validation_losses = [], []
        for _ in range(epochs):
            if validate_first:
                validation_losses.append(validate())
            model.train()
            seen = []
            for x, y in train_loader:
                loss = loss_function(model(x), y)
                if zero_grad:
                    optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                seen.append((loss.item(), len(x)))
            if measure == "last":
                train_losses.append(seen[-1][0])
            elif measure == "batches":
                train_losses.append(sum(loss for loss, _ in seen) / len(seen))
            else:
                train_losses.append(sum(loss * k for loss, k in seen) / len(train_loader.dataset))
            if not validate_first:
                validation_losses.append(validate())
        return train_losses, validation_losses
    return train_model


def verdict(kind, setting, answer):
    """The judge's verdict on `answer`'s record, against the right loop's, as grading gives it."""
    def outcome(function):
        return {"returned": plain(training.run_train_model(setting)(function))}
    part = {"train_losses": ["result", 0], "validation_losses": ["result", 1]}.get(kind, [])
    reference = {"check": f"training.{kind}", "call": setting.call(), "hidden": True,
                 "case": {k: plain(v) for k, v in setting.case().items()},
                 "outcome": outcome(loop()), "part": part}
    return judge_record(reference, expected=reference["outcome"], aux={},
                        outcome=outcome(answer), probes=[])


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s.optimizer}-{s.loss}-{s.seed}")
def test_the_replay_of_the_right_loop_is_torchs(setting):
    observation = Observation(call="", case={k: Value(plain(v)) for k, v in setting.case().items()},
                              got=None, expected=None, aux={})
    replayed = judges._replay(observation)
    real = training.run_train_model(setting)(loop())["result"]
    assert torch.allclose(torch.tensor(replayed[0] + replayed[1], dtype=torch.float64),
                          torch.tensor(real[0] + real[1], dtype=torch.float64), rtol=1e-5)


MISTAKES = [("train_losses", {"zero_grad": False}, judges.PILED_UP),
            ("validation_losses", {"zero_grad": False}, judges.PILED_UP),
            ("train_losses", {"measure": "last"}, judges.LAST_BATCH),
            ("train_losses", {"measure": "batches"}, judges.BATCH_MEANS),
            ("validation_losses", {"validate_first": True}, judges.BEFORE),
            ("validation_losses", {"train_on_validation": True}, judges.TRAINED_ON_VALIDATION)]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s.optimizer}-{s.loss}-{s.seed}")
@pytest.mark.parametrize("kind, mistake, hint", MISTAKES,
                         ids=[f"{k}-{next(iter(m))}" for k, m, _ in MISTAKES])
def test_a_known_mistake_is_named_on_every_setting(setting, kind, mistake, hint):
    failure = verdict(kind, setting, loop(**mistake))
    if failure is None:   # a mistake that changes nothing here (batches of equal size)
        assert mistake == {"measure": "batches"} and setting.n_train % setting.batch_size == 0
        return
    assert failure.mistake and failure.why == hint, failure.why


@pytest.mark.parametrize("kind", ["train_losses", "validation_losses", "steps", "modes",
                                  "contract"])
def test_the_right_loop_passes_every_check(kind):
    for setting in SETTINGS + [training.Setting(model="net"), training.Setting(number_epochs=0)]:
        if kind in ("train_losses", "validation_losses") and setting.number_epochs == 0:
            continue
        assert verdict(kind, setting, loop()) is None, (kind, setting)


def test_a_hidden_failure_says_no_value_of_the_hidden_case():
    setting = SETTINGS[1]
    failure = verdict("train_losses", setting, loop(measure="last"))
    real = training.run_train_model(setting)(loop())["result"]
    said = failure.verdict(hidden=True).for_student()
    assert not any(f"{v:.4g}" in said for v in real[0] + real[1]), said
