"""What a judge sees of one call: the outcome of the student's code, the expected outcome, the
case's inputs and the trusted run's auxiliary values, read from plain data
(gdcourse.checks.plain)."""
from dataclasses import dataclass, field
from typing import Any

from ..plain import Unreadable, Value


@dataclass
class Outcome:
    """What one call did: returned a value, raised an error, or found its function missing."""
    kind: str
    value: Value | None = None
    error_type: str = ""
    message: str = ""
    builtin: bool = False
    warnings: list[str] = field(default_factory=list)
    missing: str = ""
    warned: list[str] = field(default_factory=list)   # what a call that returned warned of

    @classmethod
    def read(cls, data: object) -> "Outcome":
        if not isinstance(data, dict) or not data:
            raise Unreadable("an outcome is a one-key mapping")
        said = data.get("warned", [])
        kinds = [key for key in data if key != "warned"]
        if len(kinds) != 1 or not isinstance(said, list):
            raise Unreadable("an outcome is a one-key mapping")
        kind, body = kinds[0], data[kinds[0]]
        if kind == "returned":
            return cls("returned", value=Value(body), warned=[str(w)[:300] for w in said[:5]])
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
class ProbePoint:
    """A related call (gdcourse.checks.runtime.Probe): its inputs, what the change is, and what
    the student's function and the solution did there."""
    name: str
    case: dict[str, Value]
    got: Outcome
    expected: Outcome
    varies: str = ""
    scale: float | None = None
    shift: tuple[str, int] | None = None
    means: str = ""
    same: bool = False
    one_step: bool = False

    @classmethod
    def read(cls, definition: object, got: object, case: dict[str, Value]) -> "ProbePoint":
        """A probe from its trusted definition (which holds the solution's outcome) and the
        student's outcome there; `case`: the check's own inputs, which the changes update."""
        if not isinstance(definition, dict):
            raise Unreadable("a probe is a mapping")
        changes = definition.get("changes") or {}
        if not isinstance(changes, dict):
            raise Unreadable("a probe's changes are a mapping")
        scale, shift = definition.get("scale"), definition.get("shift")
        return cls(
            name=str(definition.get("name", ""))[:80],
            case={**case, **{str(k): Value(v) for k, v in changes.items()}},
            got=Outcome.read(got), expected=Outcome.read(definition.get("outcome")),
            varies=str(definition.get("varies", ""))[:60],
            scale=float(scale) if isinstance(scale, (int, float)) and scale else None,
            shift=(str(shift[0]), int(shift[1])) if isinstance(shift, list) and len(shift) == 2
            and isinstance(shift[1], int) else None,
            means=str(definition.get("means", ""))[:200], same=definition.get("same") is True,
            one_step=definition.get("one_step") is True)


@dataclass
class Observation:
    """Everything a judge sees of one call."""
    call: str
    case: dict[str, Value]
    got: Outcome
    expected: Outcome
    aux: dict[str, Outcome]
    hidden: bool = False
    probes: list[ProbePoint] = field(default_factory=list)
    start: str = ""     # the input the answer moves away from (a step's θ), if any
    part: tuple[int | str, ...] = ()   # where the judged value is in what came back

    def __getitem__(self, name: str) -> Any:
        """An input of the case, as a Python value (numbers, lists, strings)."""
        return self.case[name].python
