"""The judging half of the checks: pure functions of plain data, from a record to a verdict.

A judge sees one call (an Observation): what the test called (`call`, `case`: from the trusted
record), what the student's code did (`got`), what the solution did or the visible test states
(`expected`), and the trusted run's auxiliary values (`aux`). It returns None when the answer is
right, or raises `Failure(what, why)`: what happened (the call, what came back, what was expected)
and why, with the idea to revisit. For a hidden test only `why` reaches the student.

Judges run in the grading process during `nbgrader autograde` (gdcourse.grading.steps.verdicts) and in
the kernel in a student's own run. They are never present in a student's kernel during autograde:
the grading sandbox hides this package, so nothing here (tolerances, known mistakes) can be read
by an answer while a test calls it.
"""
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..plain import Record, Unreadable, Value
from . import autograd, common, fitting_a_line, gradient_descent, linear_regression, torch_tensors
from . import training
from . import relations
from .observation import Observation, Outcome, ProbePoint
from .verdict import Failure

Judge = Callable[[Observation], None]

# Every judge, by the name its check gives its records, "module.kind": gdcourse.checks.X names its
# judges by "X.kind", and judges/X.py holds them in its JUDGES. The checks never import their
# judges (the grading sandbox hides them), so this is where the two halves meet.
REGISTRY: dict[str, Mapping[str, Judge]] = {
    "autograd": autograd.JUDGES,
    "common": common.JUDGES,
    "fitting_a_line": fitting_a_line.JUDGES,
    "gradient_descent": gradient_descent.JUDGES,
    "linear_regression": linear_regression.JUDGES,
    "torch_tensors": torch_tensors.JUDGES,
    "training": training.JUDGES,
}


def _judge_named(name: object) -> Judge:
    module, _, kind = str(name).partition(".")
    try:
        return REGISTRY[module][kind]
    except KeyError:
        raise Unreadable(f"no judge named {name!r:.60}") from None


def _probes(reference: Record, got: object, case: dict[str, Value]) -> list[ProbePoint]:
    """The probes of a check: their definitions and the solution's outcomes from the trusted
    `reference`, the student's outcomes from `got`. A student's record whose probes do not match
    the reference's in number, or cannot be read, gives none: a relation is then not named, and
    nothing else changes (the probes never decide a pass)."""
    definitions = reference.get("probes")
    if not isinstance(definitions, list) or not isinstance(got, list) \
            or len(got) != len(definitions):
        return []
    try:
        return [ProbePoint.read(definition, outcome, case)
                for definition, outcome in zip(definitions, got)]
    except (Unreadable, KeyError, TypeError, ValueError):
        return []


def judge_record(reference: Record, *, expected: object, aux: dict[str, Any] | None,
                 outcome: object = None, probes: object = None) -> Failure | None:
    """Judge one call. `reference` is the record that defines the test (the trusted one in
    autograde): its check, call, case, role and probes; `outcome` is what the student's code did
    (by default the reference's own); `expected` is the expected outcome; `aux` the auxiliary
    values; `probes` the student's outcomes on the check's probes (by default the reference's).
    Returns None (right) or the Failure. A failure that names no known mistake is told by the
    relation the probes show, when one explains them all (gdcourse.checks.judges.relations)."""
    judge = _judge_named(reference["check"])
    case = {key: Value(value) for key, value in (reference.get("case") or {}).items()}
    if probes is None and outcome is None:   # the reference judged against itself
        definitions = reference.get("probes")
        probes = [d.get("outcome") for d in definitions if isinstance(d, dict)] \
            if isinstance(definitions, list) else None
    observation = Observation(
        call=str(reference.get("call", ""))[:300], case=case,
        got=Outcome.read(reference["outcome"] if outcome is None else outcome),
        expected=Outcome.read(expected),
        aux={key: Outcome.read(value) for key, value in (aux or {}).items()},
        hidden=reference.get("hidden") is True,
        probes=_probes(reference, probes, case),
        start=str(reference.get("start", ""))[:60],
        part=tuple(key for key in reference.get("part") or ()
                   if isinstance(key, (int, str)) and not isinstance(key, bool)))
    name = observation.case["function"].python if "function" in observation.case else ""
    try:
        judge(observation)
    except Failure as failure:
        return relations.told(replace(failure, name=str(name)), observation)
    return None
