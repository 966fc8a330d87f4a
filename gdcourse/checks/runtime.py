"""The kernel's half of every check: call the student's code and record what happened as plain data.

What happens next depends on where the kernel runs (the Mode in the variable GDCOURSE_CHECKS, set
by the grading sandbox):

- JUDGE (the variable unset), in a student's own run and in `nbgrader validate`: the record is
  judged here, at once, by the check's judge (gdcourse.checks.judges), and a failure raises
  `WrongAnswer` with the teaching message;
- OBSERVE, in a student's kernel during `nbgrader autograde`: the record leaves the kernel as an
  output of the test cell (mime type MIME) and nothing is judged here. The grading process judges
  it (gdcourse.grading.steps.verdicts) against the records of the instructor's solution; the
  judges are not even present in this sandbox, so this module imports them in JUDGE mode only;
- TRUSTED, in the run of the instructor's source notebook: the record also carries the check's
  auxiliary values (what the solution gives for related calls, the known mistakes' counterparts),
  which only this run computes.

A record never holds an expected value computed in a student's kernel: expected values come from
the trusted run, or in a student's own run from the literal the visible test states.
"""
import ast
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .plain import Record

if TYPE_CHECKING:
    from .judges.cell import CellJudgement

MIME = "application/vnd.gdcourse.observation+json"
MODE_VARIABLE = "GDCOURSE_CHECKS"
NOTHING = object()   # "no expected value stated" (None is a value a test may expect)


class Mode(StrEnum):
    """How the checks behave in a kernel (see the module's doc). The value travels in
    MODE_VARIABLE: a StrEnum's members are their strings there."""
    JUDGE = "judge"
    OBSERVE = "observe"
    TRUSTED = "trusted"


class WrongAnswer(AssertionError):
    """An answer is not right yet. The message says what was expected, what came back, and why."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this in place of a traceback: the message is the whole story, and the
        # frames would be this package's, with the path of the course's installation in them.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def mode() -> Mode:
    """JUDGE (a student's own run, nbgrader validate), OBSERVE or TRUSTED (autograde)."""
    try:
        return Mode(os.environ.get(MODE_VARIABLE, ""))
    except ValueError:   # unset (or no mode of the grader's): judged here, as it always was
        return Mode.JUDGE


# --- per-cell state: whether the hidden tests have begun, and in a student's own run the judging
# of the cell so far (gdcourse.checks.judges.cell) -------------------------------------------------
_state: dict[str, Any] = {"hidden": False, "cell": None, "hooked": False, "seq": 0}


def _new_cell(*_: object) -> None:
    _state["hidden"] = False
    _state["cell"] = None


class _EndOfTestCell(ast.NodeTransformer):
    """Frames a test cell (a cell that imports the checks) with calls of test_cell_begins() and
    test_cell_ends(), so that a student's own run can judge a failure against the cell's later
    checks before it reports it, as grading does (gdcourse.grading.steps.verdicts)."""

    CALL = "__import__('gdcourse.checks.runtime', fromlist=['{0}']).{0}()"

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if any(isinstance(statement, ast.ImportFrom)
               and (statement.module or "").startswith("gdcourse.checks")
               for statement in node.body):
            node.body = (ast.parse(self.CALL.format("test_cell_begins")).body + node.body
                         + ast.parse(self.CALL.format("test_cell_ends")).body)
            ast.fix_missing_locations(node)
        return node


def install() -> None:
    """Reset the per-cell state before every cell (IPython's pre_run_cell event) and, in a
    student's own run, frame test cells (_EndOfTestCell). gdcourse.checks.kernel_start calls
    this when a kernel starts; otherwise the first check does, and the cell it runs in is judged
    check by check."""
    if _state["hooked"]:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return  # not in a kernel yet (a fork server preloading this module): the first check installs
    _state["hooked"] = True
    shell.events.register("pre_run_cell", _new_cell)
    if mode() is Mode.JUDGE:
        shell.ast_transformers.append(_EndOfTestCell())


def test_cell_begins() -> None:
    """The start of a framed test cell: a named mistake waits for the cell's later checks."""
    from .judges.cell import CellJudgement

    _state["cell"] = CellJudgement(wait=True)


def test_cell_ends() -> None:
    """The end of a framed test cell: report the named mistake that waited for the later checks."""
    cell: CellJudgement | None = _state["cell"]
    if cell is None:
        return
    named = cell.ended()
    if named is not None:
        __tracebackhide__ = True
        raise WrongAnswer(named.verdict(builds_on=cell.notes).for_student())


def hidden_tests_begin() -> None:
    """Called where a test cell's hidden tests begin, in the trusted run only (the grader inserts
    the call into its copy of the source notebook): records made from here on are hidden checks,
    whose inputs and expected values the student's feedback never shows."""
    _state["hidden"] = True


# --- calling the student's code -------------------------------------------------------------------
def _namespace() -> dict[str, Any]:
    """The notebook's global names, where the student's functions are defined."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        return shell.user_ns
    return vars(sys.modules["__main__"])


def _first_sentence(text: object) -> str:
    first = str(text).split("\n")[0]
    end = first.find(". ")
    return first if end < 0 else first[:end + 1]


def outcome_of(run: Callable[..., Any], functions: Sequence[str]) -> Record:
    """Call `run(*functions)` (functions: names in the notebook) and describe what happened:
    {"returned": plain value} | {"raised": {...}} | {"missing": name}, and the warnings it gave."""
    from .plain import plain

    namespace = _namespace()
    found = []
    for name in functions:
        if name not in namespace:
            return {"missing": name}
        found.append(namespace[name])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = run(*found)
        except Exception as error:
            said = list(dict.fromkeys(_first_sentence(w.message) for w in caught))
            return {"raised": {"type": type(error).__name__, "message": str(error)[:2000],
                               "builtin": type(error).__module__ == "builtins",
                               "warnings": said[:5]}}
    for w in caught:  # a call that worked shows its warnings as usual (on stdout when grading)
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    try:
        done: Record = {"returned": plain(result)}
    except Exception as error:  # reading the value ran the student's code (a __float__, say)
        return {"raised": {"type": type(error).__name__, "message": str(error)[:2000],
                           "builtin": type(error).__module__ == "builtins", "warnings": [],
                           "while": "reading the value that came back"}}
    if caught:   # what torch warned of explains some values (.grad read from a non-leaf: None)
        done["warned"] = list(dict.fromkeys(_first_sentence(w.message) for w in caught))[:5]
    return done


@dataclass(frozen=True)
class Probe:
    """A call related to a check's own: the same function on inputs changed in one known way. The
    student's function is called on it as well as the solution (in the trusted run), and the judge
    compares the two: an answer wrong on the test's input may be the right answer for a
    neighbouring one, or stay the same when an argument changes (gdcourse.checks.judges.relations).

    name      the change, as a student reads it: "number_steps + 1", "every error doubled"
    changes   the inputs that differ from the check's case, {name: value}
    run       like the check's run, on the changed inputs
    varies    what the change varies, for the judge's sentence (default: the one input changed)
    scale     the change multiplies `varies` by this factor (λ × 2: 2), or None
    shift     (input, δ): the change adds δ to an integer input (number_steps + 1: ("number_steps", 1))
    means     what an answer equal to the solution's here would mean ("one step too many")
    same      the solution's answer does not change here (shifting y_hat and y together)
    one_step  the call makes a single step from the check's `start` (number_steps = 1)
    """
    name: str
    changes: Mapping[str, Any]
    run: Callable[..., Any]
    varies: str = ""
    scale: float | None = None
    shift: tuple[str, int] | None = None
    means: str = ""
    same: bool = False
    one_step: bool = False

    def definition(self) -> Record:
        """The probe as the trusted record keeps it (the judge reads it from there alone)."""
        from .plain import plain

        varies = self.varies or (next(iter(self.changes)) if len(self.changes) == 1 else "")
        return {"name": self.name, "changes": {k: plain(v) for k, v in self.changes.items()},
                "varies": varies, "scale": self.scale,
                "shift": list(self.shift) if self.shift else None, "means": self.means,
                "same": self.same, "one_step": self.one_step}


def check(name: str, *, call: str, run: Callable[..., Any], functions: Sequence[str],
          case: Mapping[str, Any] | None = None, expect: Any = NOTHING,
          aux: Mapping[str, Callable[..., Any]] | None = None, role: str = "check",
          probes: Sequence[Probe] = (), start: str = "",
          part: Sequence[int | str] = ()) -> None:
    """Observe one call of the student's code, then judge it here or send it out (see above).

    name       the judge, "module.kind" in gdcourse.checks.judges
    call       the call as the student would type it, for messages
    run        run(*functions) makes the call; what it returns (or raises) is the observation
    functions  the names of the notebook's functions `run` needs, in order
    case       the inputs, {name: value}, for the judge's messages and known mistakes
    expect     the expected value a visible test states (judged against in a student's own run)
    aux        {name: run-like function}: values only the trusted run computes, with the
               solution's functions, for the judge (the counterparts of known mistakes)
    probes     related calls (Probe), made on the student's function and, in the trusted run, on
               the solution's; not in a student's own run, which has no solution to compare with
    start      the input the answer moves away from (a step's θ), for the judge's relations
    part       where in what came back the judged value is (train's (w, losses): (1,) for the
               losses), for the judge's relations
    """
    from .plain import plain

    install()
    current = mode()
    # Records are numbered in the order the kernel makes them: one seen twice, or out of order,
    # was not made by its check where it stands (gdcourse.grading.steps.verdicts flags it).
    _state["seq"] += 1
    record: Record = {"check": name, "role": role, "call": call, "seq": _state["seq"],
                      "case": {key: plain(value) for key, value in (case or {}).items()},
                      "outcome": outcome_of(run, functions), "hidden": _state["hidden"]}
    if expect is not NOTHING:
        record["stated"] = {"returned": plain(expect)}
    if current is Mode.TRUSTED and aux:
        record["aux"] = {key: outcome_of(compute, functions) for key, compute in aux.items()}
    if probes and current is not Mode.JUDGE:
        outcomes = [outcome_of(probe.run, functions) for probe in probes]
        # The student's record carries the outcomes alone: what a probe is, the judge reads from
        # the trusted record.
        record["probes"] = ([{**probe.definition(), "outcome": outcome}
                             for probe, outcome in zip(probes, outcomes)]
                            if current is Mode.TRUSTED else outcomes)
    if start:
        record["start"] = start
    if part:
        record["part"] = list(part)
    if current is Mode.JUDGE:
        _judge_here(record)
    else:
        _emit(record)


class InputChanged(Exception):
    """The student's function wrote into a tensor it was given (an in-place operation)."""


def on_copies(function: Callable[..., Any], **inputs: Any) -> Any:
    """function(*copies of the input tensors), once each copy is found unchanged after the call
    (a copy keeps its original's requires_grad). A changed one is reported as the call's error,
    InputChanged, which the judges explain."""
    copies = {name: t.detach().clone().requires_grad_(t.requires_grad)
              for name, t in inputs.items()}
    result = function(*copies.values())
    for name, original in inputs.items():
        copy = copies[name]
        if copy.shape != original.shape or not bool((copy.detach() == original.detach()).all()):
            raise InputChanged(f"the function changed its input {name} in place: it held "
                               f"{original.detach().flatten().tolist()[:6]}, now "
                               f"{copy.detach().flatten().tolist()[:6]}")
    return result


def upstream(function: str, *, call: str, run: Callable[..., Any], expect: Any,
             after: Iterable[str] = (), name: str = "common.upstream") -> None:
    """Probe a function the tested one builds on: when it is wrong, every failure of this cell
    says so ("this builds on …, which fails its own test above: fix that first"). `after`: the
    functions it builds on in turn, probed before it in the same cell; when one of them fails,
    this one's failure is its consequence and goes unsaid."""
    check(name, call=call, run=run, functions=(function,),
          case={"function": function, "after": list(after)}, expect=expect, role="upstream")


def _emit(record: Record) -> None:
    """Send a record out of the kernel as one JSON text: the grader reads it with one json.loads
    instead of walking a large nested structure (an animation's frames) key by key."""
    import json
    from IPython.display import display
    display({MIME: json.dumps(record)}, raw=True)


def record_of(output: Mapping[str, Any]) -> Any:
    """The record a test cell's output carries (see _emit): plain data, or, when it is not JSON,
    the text as it came, which no judge reads as a pass (Any: a kernel's data, to be checked)."""
    import json
    data = output["data"][MIME]
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return data
    return data


def _judge_here(record: Record) -> None:
    """A student's own run: judge against the stated expected value, now, under the cell's rules
    (gdcourse.checks.judges.cell), as grading does."""
    if "stated" not in record:
        return  # a hidden check in the instructor's source notebook: the solution is the reference
    from .judges import judge_record
    from .judges.cell import CellJudgement

    if _state["cell"] is None:   # a cell not framed (the first check installs): nothing waits
        _state["cell"] = CellJudgement(wait=False)
    cell: CellJudgement = _state["cell"]
    failure = cell.judged(record, judge_record(record, expected=record["stated"], aux={}))
    if failure is not None:
        __tracebackhide__ = True
        raise WrongAnswer(failure.verdict(builds_on=cell.notes).for_student())
