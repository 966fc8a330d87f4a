"""The course's words for raw errors (gdcourse.checks.judges.common.PLAIN_ERRORS), tried on the
errors Python and torch really raise for the mistakes students make."""
import pytest
import torch

from gdcourse.checks.judges.common import plain_error_hint


def steps_never_run():
    for _ in range(0):
        theta = 1.0
    return theta  # noqa: F821 -- unbound: the loop never ran


MISTAKES = {
    "a variable set only in a loop that never ran": (steps_never_run, "before anything was assigned"),
    "a vector @ a one-entry weight": (lambda: torch.arange(5.0) @ torch.tensor([2.0]), "x * w"),
    "a vector @ a number": (lambda: torch.arange(5.0) @ torch.tensor(2.0), "x * w"),
    "a row written into one entry": (lambda: torch.zeros(3).__setitem__(0, torch.ones(2)),
                                     "another shape"),
    "None times a number": (lambda: 0.2 * None, "None"),
    "backward() from a plain clone": (lambda: (torch.ones(2).clone() ** 2).sum().backward(),
                                      ".clone().requires_grad_()"),
    "backward() from .item()": (lambda: torch.tensor(torch.ones(2, requires_grad=True).sum().item()).backward(),
                                ".item()"),
    "^ for a power": (lambda: 3.0 ^ 2, "exclusive-or"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_raw_error_is_explained_in_the_courses_words(mistake):
    make, words = MISTAKES[mistake]
    with pytest.raises(Exception) as raised:
        make()
    hint = plain_error_hint(f"{type(raised.value).__name__}: {raised.value}")
    assert hint is not None and words in hint, (str(raised.value), hint)
