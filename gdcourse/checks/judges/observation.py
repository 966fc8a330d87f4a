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

    @classmethod
    def read(cls, data: object) -> "Outcome":
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
    case: dict[str, Value]
    got: Outcome
    expected: Outcome
    aux: dict[str, Outcome]
    hidden: bool = False

    def __getitem__(self, name: str) -> Any:
        """An input of the case, as a Python value (numbers, lists, strings)."""
        return self.case[name].python
