"""The rules of a test cell, judged check by check in the cell's order. Grading
(gdcourse.grading.steps.verdicts, judge_cell) and a student's own run (gdcourse.checks.runtime)
both follow them, so that both tell a student the same thing:

- An upstream probe that fails names its function in every later failure of the cell ("this
  builds on …, which fails its own test above"), unless that function builds on one already
  failing (the probe's `after`): its failure is then that one's consequence.
- The first failing check that names a known mistake waits for the cell's later checks: the
  name stands only if every later failure bears it out (the same mistake, or a value that mistake
  shares with others). Otherwise the name may be a coincidence of one input, and the failure is
  reported with its generic hint. A check the answer passes cannot tell the mistake from the
  right answer, so it bears out every name.
"""
from dataclasses import dataclass, field

from ..plain import Record, Unreadable, Value
from .verdict import Failure


def _builds_on_failing(reference: Record, failing: list[str]) -> bool:
    """Whether an upstream probe's function builds on one already failing in the same cell."""
    try:
        after = Value(reference.get("case", {}).get("after", {"list": []})).python
    except Unreadable:
        return False
    return isinstance(after, list) and any(name in failing for name in after)


@dataclass
class CellJudgement:
    """One test cell's judging so far. `wait`: whether a named mistake waits for the later checks
    (False where the cell's end is not seen: then it is reported at once, name and all)."""
    wait: bool = True
    notes: list[str] = field(default_factory=list)    # failing upstream functions to name
    failing: list[str] = field(default_factory=list)  # every failing upstream function
    waiting: Failure | None = None                    # the named mistake that waits

    def judged(self, reference: Record, failure: Failure | None) -> Failure | None:
        """Take the judgement of the next check (`reference`: its record, `failure`: None when
        it passed); return the failure to report now, or None to go on."""
        if reference.get("role") == "upstream":
            if failure is not None:
                self._upstream_fails(reference, failure)
            return None
        if self.waiting is not None:
            return self._borne_out(failure, self.waiting)
        if failure is not None and failure.mistake and self.wait:
            self.waiting = failure
            return None
        return failure

    def ended(self) -> Failure | None:
        """The cell's end: the named mistake every later check bore out, if one waited."""
        named, self.waiting = self.waiting, None
        return named

    def _upstream_fails(self, reference: Record, failure: Failure) -> None:
        if not _builds_on_failing(reference, self.failing):
            self.notes.append(failure.name)
        self.failing.append(failure.name)

    def _borne_out(self, failure: Failure | None, named: Failure) -> Failure | None:
        """None while `failure` (a later check's) bears out the waiting `named`; else `named`
        without its name, to report now."""
        if failure is None or failure.bears_out(named.why):
            return None
        self.waiting = None
        return named.unnamed()
