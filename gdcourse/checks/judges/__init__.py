"""The judging half of the checks: pure functions of plain data, from a record to a verdict.

A judge sees one call: what the test called (`call`, `case`: from the trusted record), what the
student's code did (`got`), what the solution did or the visible test states (`expected`), and
the trusted run's auxiliary values (`aux`). It returns None when the answer is right, or raises
`Fail(what, why)`: what happened (the call, what came back, what was expected) and why, with the
idea to revisit. For a hidden test only `why` reaches the student.

Judges run in the grading process during `nbgrader autograde` (gdcourse.grading.verdicts) and in
the kernel in a student's own run. They are never present in a student's kernel during autograde:
the grading sandbox hides this package, so nothing here (tolerances, known mistakes) can be read
by an answer while a test calls it.
"""
import importlib
from dataclasses import dataclass, field

from ..plain import Unreadable, Value
from .verdict import Verdict


class Fail(Exception):
    """Raised by a judge: the answer is wrong. `what` names the call and the values (withheld
    from the student in hidden tests); `why` teaches. `mistake`: `why` names a known mistake
    because the answer matched what that mistake gives (an inference, not an observation);
    `generic`: the hint to give instead when the inference does not hold across the test."""

    def __init__(self, what, why="", mistake=False, generic="", candidates=()):
        super().__init__(what)
        self.what, self.why, self.mistake, self.generic = what, why, mistake, generic
        self.candidates = tuple(candidates)   # known mistakes this value cannot tell apart


@dataclass
class Failure:
    what: str
    why: str
    name: str = ""      # for an upstream probe: the function that fails its own test
    mistake: bool = False
    generic: str = ""   # for a named mistake: the hint without the name
    candidates: tuple = ()  # known mistakes that all give this value (none named)

    def unnamed(self):
        """This failure without its mistake's name: the generic hint instead."""
        return Failure(self.what, self.generic, self.name)

    def bears_out(self, named):
        """Whether this later failure of the same cell is consistent with the mistake an earlier
        one named (`named`, its hint): the same mistake, or a value that mistake shares with
        others here."""
        return (self.mistake and self.why == named) or named in self.candidates

    def verdict(self, *, hidden=False, call="", builds_on=(), idea="", what_shown=True):
        """This failure as the verdict of its test cell. `builds_on`: the functions the test
        builds on that fail their own tests, said first. A known mistake is then not named: the
        answer's match with it may be a coincidence of that function's output."""
        named = self.mistake and not builds_on
        return Verdict(hidden=hidden, call=call, what=self.what,
                       hint="" if self.mistake and builds_on else self.why,
                       builds_on=tuple(dict.fromkeys(builds_on)),
                       mistake=self.why if named else "", idea=idea, what_shown=what_shown)


@dataclass
class Outcome:
    """What one call did: returned a value, raised an error, or found its function missing."""
    kind: str
    value: Value = None
    error_type: str = ""
    message: str = ""
    builtin: bool = False
    warnings: list = field(default_factory=list)
    missing: str = ""

    @classmethod
    def read(cls, data):
        if not isinstance(data, dict) or len(data) != 1:
            raise Unreadable("an outcome is a one-key mapping")
        (kind, body), = data.items()
        if kind == "returned":
            return cls("returned", value=Value(body))
        if kind == "raised" and isinstance(body, dict):
            said = body.get("warnings")
            return cls("raised", error_type=str(body.get("type", "Error"))[:80],
                       message=str(body.get("message", ""))[:2000],
                       builtin=body.get("builtin") is True,
                       warnings=[str(w)[:300] for w in said[:5]] if isinstance(said, list) else [])
        if kind == "missing":
            return cls("missing", missing=str(body)[:80])
        raise Unreadable(f"unknown outcome {kind!r:.40}")


@dataclass
class Observation:
    """Everything a judge sees of one call."""
    call: str
    case: dict
    got: Outcome
    expected: Outcome
    aux: dict
    hidden: bool = False

    def __getitem__(self, name):
        """An input of the case, as a Python value (numbers, lists, strings)."""
        return self.case[name].python


def _judge_function(name):
    module_name, _, kind = str(name).partition(".")
    if not module_name.isidentifier() or not kind:
        raise Unreadable(f"no judge named {name!r:.60}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    try:
        return module.JUDGES[kind]
    except KeyError:
        raise Unreadable(f"no judge named {name!r:.60}") from None


def builds_on_failing(reference, failing):
    """Whether an upstream probe's function builds on one already failing in the same cell (its
    `after`): then its own failure is that one's consequence, and its note goes unsaid."""
    try:
        after = Value(reference.get("case", {}).get("after", {"list": []})).python
    except Unreadable:
        return False
    return isinstance(after, list) and any(name in failing for name in after)


def judge_record(reference, *, expected, aux, outcome=None):
    """Judge one call. `reference` is the record that defines the test (the trusted one in
    autograde): its check, call, case and role; `outcome` is what the student's code did (by
    default the reference's own); `expected` is the expected outcome; `aux` the auxiliary values.
    Returns None (right) or a Failure."""
    judge = _judge_function(reference["check"])
    observation = Observation(
        call=str(reference.get("call", ""))[:300],
        case={key: Value(value) for key, value in (reference.get("case") or {}).items()},
        got=Outcome.read(reference["outcome"] if outcome is None else outcome),
        expected=Outcome.read(expected),
        aux={key: Outcome.read(value) for key, value in (aux or {}).items()},
        hidden=reference.get("hidden") is True)
    name = observation.case["function"].python if "function" in observation.case else ""
    try:
        judge(observation)
    except Fail as failure:
        return Failure(failure.what, failure.why, name=str(name), mistake=failure.mistake,
                       generic=failure.generic, candidates=failure.candidates)
    return None
