"""A failed test as data: a judge's Failure, the fields a verdict is made of, and the two ways it is
told.

Grading keeps a judged test cell's verdict as these fields (in the cell's metadata, which the
student's kernel cannot write), and every reader builds what it shows from them: the error that
nbgrader scores and the instructor reads in formgrader (`for_instructor`), the student's feedback
and a student's own run (`for_student`), the class report. Nothing reads a verdict back from its
text, so no text inside it (an error message, a value's repr) can change what goes where.

What a student may see, by field:

- `hint`, `builds_on`: always. The judges write hints from their own sentences, chosen by the data
  (tests/test_judges.py checks that no text or number of the student's answer gets into one), and
  `builds_on` holds names of the assignment's functions, from the instructor's records.
- `what` (the call, what came back, what was expected): for a visible check only, and only when
  no hidden test code had run in the kernel before the check (`what_shown`). After that, what the
  student's code returned may carry what it saw of the hidden tests (their inputs, their code).
  The student then reads `replayed`, the same check's `what` in a run of the notebook without
  hidden tests (gdcourse.grading.feedback.replay), or, without one, the call and where to see its value.
- `call` of a hidden check, and its `what`: never (they hold the hidden test's inputs and values).
"""
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

HIDDEN = "[hidden test]"
DETAILS = "[for the instructor]"
HIDDEN_DEFAULT = "A hidden test, with other inputs, failed."


def upstream_note(name: str) -> str:
    return f"Note: this builds on {name}, which fails its own test above: fix that first."


@dataclass(frozen=True)
class Verdict:
    """A failed test cell, as grading (or a student's own run) decided it."""
    hidden: bool = False      # the failing check is one of the hidden tests
    call: str = ""            # the call as the test makes it (the instructor's record)
    what: str = ""            # what happened: the call, what came back, what was expected
    hint: str = ""            # the teaching sentence ("" when the judge has none)
    builds_on: tuple[str, ...] = ()   # functions the test builds on that fail their own tests
    mistake: str = ""         # the known mistake the hint names ("" when it names none)
    relation: str = ""        # the relation the hint names first ("" when none explains all)
    idea: str = ""            # what the test checks (its docstring's first line)
    what_shown: bool = True   # `what` may reach the student (see the module's doc)
    replayed: str = ""        # `what` of the same check, in a run without hidden tests

    def _hint_block(self) -> str:
        """The notes on failing functions first, then the hint."""
        notes = [upstream_note(name) for name in self.builds_on]
        return "\n".join([*notes, *([self.hint] if self.hint else [])])

    def for_student(self) -> str:
        """The message a student reads: in a visible test what happened and the hint; in a
        hidden test the hint alone."""
        block = self._hint_block()
        if self.hidden:
            if not block:
                block = f"{HIDDEN_DEFAULT[:-1]}: {self.idea}" if self.idea else HIDDEN_DEFAULT
            return f"{HIDDEN} {block}"
        if self.what_shown:
            first = self.what
        elif self.replayed:
            first = self.replayed
        else:
            first = (f"{self.call}: not what the test expects. What came back is not repeated "
                     f"here, since hidden tests had run in this kernel before: run this test "
                     f"in your notebook to see it.")
        return f"{first}\n{block}".rstrip()

    def for_instructor(self) -> str:
        """The whole message: the student's, and for a hidden test the call and its values on
        a line of its own."""
        if self.hidden:
            return f"{self.for_student()}\n{DETAILS} {self.what}"
        return f"{self.what}\n{self._hint_block()}".rstrip()

    def as_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["builds_on"] = list(self.builds_on)
        return data

    @classmethod
    def from_data(cls, data: object) -> "Verdict | None":
        """The verdict grading wrote (None when `data` is not one)."""
        if not isinstance(data, dict):
            return None
        kept: dict[str, Any] = {}
        for field in fields(cls):
            value = data.get(field.name, field.default)
            if field.name == "builds_on":
                value = tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()
            elif isinstance(field.default, bool):
                value = value is True
            else:
                value = str(value) if value is not None else ""
            kept[field.name] = value
        return cls(**kept)


# eq=False: raised and caught, a Failure keeps an exception's identity (and its hash).
@dataclass(eq=False)
class Failure(Exception):
    """A judge's finding that an answer is wrong: it raises one, and judge_record returns it.
    `what` names the call and the values (withheld from the student in hidden tests); `why`
    teaches. `mistake`: `why` names a known mistake because the answer matched what that mistake
    gives (an inference, not an observation); `generic`: the hint to give instead when the
    inference does not hold across the test."""
    what: str
    why: str = ""
    mistake: bool = False
    generic: str = ""
    candidates: tuple[str, ...] = ()  # known mistakes that all give this value (none named)
    name: str = ""      # for an upstream probe: the function that fails its own test
    relation: str = ""  # what the answer's values on related inputs show (judges.relations)

    def unnamed(self) -> "Failure":
        """This failure without its mistake's name: the generic hint instead."""
        return Failure(self.what, self.generic, name=self.name, relation=self.relation)

    def bears_out(self, named: str) -> bool:
        """Whether this later failure of the same cell is consistent with the mistake an earlier
        one named (`named`, its hint): the same mistake, or a value that mistake shares with
        others here."""
        return (self.mistake and self.why == named) or named in self.candidates

    def verdict(self, *, hidden: bool = False, call: str = "", builds_on: Sequence[str] = (),
                idea: str = "", what_shown: bool = True) -> Verdict:
        """This failure as the verdict of its test cell. `builds_on`: the functions the test
        builds on that fail their own tests, said first. A known mistake is then not named: the
        answer's match with it may be a coincidence of that function's output."""
        named = self.mistake and not builds_on
        # A relation is said when no known mistake is named and the answer's own function is the
        # only one failing: a function it builds on may be what bends its values.
        relation = self.relation if not self.mistake and not builds_on else ""
        hint = "" if self.mistake and builds_on else self.why
        return Verdict(hidden=hidden, call=call, what=self.what,
                       hint=" ".join(part for part in (relation, hint) if part),
                       builds_on=tuple(dict.fromkeys(builds_on)),
                       mistake=self.why if named else "", relation=relation, idea=idea,
                       what_shown=what_shown)
