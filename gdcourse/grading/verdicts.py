"""Verdicts decided outside the student's kernel (an autograde preprocessor, after execution).

In a submission's kernel the checks only observe: each call of the student's code leaves a record
(plain data) among the test cell's outputs. Here, in nbgrader's own process, every test cell's
records are judged against the records the instructor's solution left in the same cell
(gdcourse.grading.trusted): the solution's values, the trusted auxiliary values and which checks
are hidden all come from that run; the submission contributes only what its code returned.

A test cell then passes when each of the solution's checks has its counterpart, in order, judged
right, and the kernel reported no error in the cell. Its outputs keep what the student's code
printed; the records are taken out; a failure becomes the cell's one error, the judge's message
(whose instructor-only line the feedback leaves out). nbgrader's SaveAutoGrades scores the cell
from that, as usual. Missing, extra or unreadable records fail the cell; an error the kernel
reported never counts as a pass.

A test cell in which the solution made no record (an ordinary nbgrader test of plain asserts) is
left as it ran: nbgrader scores it exactly as stock nbgrader does.
"""
import builtins
from dataclasses import dataclass

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..checks.judges import Failure, builds_on_failing, judge_record
from ..checks.plain import Unreadable
from ..checks.runtime import MIME, record_of
from .feedback_summary import describe_test
from .flags import add_tampering
from .notebook_cells import grade_id, is_test_cell
from .trusted import trusted_observations

JUDGED = "gdcourse"   # cell metadata key: how the cell was judged
VERDICT_KEYS = ("judged", "checks", "passed", "mistake", "builds_on")  # written by this grading only
BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith(("Error", "Exception", "Exit"))}
UNREADABLE = (Unreadable, KeyError, TypeError, ValueError)  # a record that is not what it claims
GRADER_ERRORS = {"KernelStopped", "NotRun", "TimeLimitExceeded", "CellTimeoutError"}


def is_record(output):
    return output.get("output_type") in ("display_data", "execute_result") \
        and MIME in output.get("data", {})


def verdict_output(message):
    return new_output("error", ename="WrongAnswer", evalue=message,
                      traceback=[f"\x1b[0;31mWrongAnswer\x1b[0m: {message}"])


def _plain_error(output):
    """What the kernel's error says, for the instructor's line (never trusted)."""
    return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:300]}"


def _error_name(output):
    """An error's name as the student may see it: Python's own exceptions by name."""
    name = str(output.get("ename", ""))
    return name if name in BUILTIN_ERRORS or name in GRADER_ERRORS else "an error"


@dataclass
class Verdict:
    """A failed test cell: its message, the known mistake it names (None when it names none) and
    the functions it builds on that fail their own tests."""
    message: str
    mistake: str = None
    builds_on: tuple = ()


def _explains_the_rest(failure, trusted, records):
    """Whether the known mistake a failure names also explains every later check of the cell
    that fails: each names the same mistake, or gives a value that mistake and others share. (A
    check the answer passes cannot tell that mistake from the right answer, nor can a value
    several mistakes give tell them apart.) Otherwise the name may be a coincidence of one
    input."""
    for reference, record in zip(trusted, records):
        if reference.get("role") == "upstream" or not isinstance(record, dict) \
                or record.get("check") != reference.get("check"):
            continue
        try:
            later = judge_record(reference, outcome=record.get("outcome"),
                                 expected=reference["outcome"], aux=reference.get("aux"))
        except UNREADABLE:
            return False
        if later is not None and not later.bears_out(failure.why):
            return False
    return True


def judge_cell(trusted, records, errors, stopped=None, idea=""):
    """The Verdict of a failed cell, or None when it passed. `trusted`: the solution's records;
    `records`: the submission's (untrusted) records; `errors`: the kernel's error outputs;
    `stopped`: why grading stopped the cell (a limit, the kernel's end), in the grader's words;
    `idea`: what the test checks, for a hidden check that fails without a hint."""
    notes, builds_on = [], []

    def failed(failure, hidden):
        # Under a failing upstream function no mistake is named (Failure.hint).
        named = failure.why if failure.mistake and not notes else None
        return Verdict(failure.text(hidden, notes, idea), named, tuple(dict.fromkeys(builds_on)))

    for index, reference in enumerate(trusted):
        hidden = reference.get("hidden") is True
        if index >= len(records):
            what = (f"the test stopped before its check of {reference.get('call', '')} "
                    f"({_plain_error(errors[0]) if errors else 'no record of it'})")
            if stopped:
                why = f"The test did not run to its end: {stopped}"
            elif errors:
                why = (f"The test stopped with {_error_name(errors[0])} before all its checks "
                       f"ran: run the cell yourself to see where it comes from.")
            else:
                why = "The test did not run to its end: the code it calls stopped it."
            return failed(Failure(what, why), hidden)
        record = records[index]
        if not isinstance(record, dict) or record.get("check") != reference.get("check"):
            return failed(Failure("the records of this test do not match its checks",
                                  "The test's records are not those of its checks: something "
                                  "printed records of its own."), hidden)
        try:
            failure = judge_record(reference, outcome=record.get("outcome"),
                                   expected=reference["outcome"], aux=reference.get("aux"))
        except UNREADABLE as error:
            failure = Failure(f"the record of {reference.get('call', '')} could not be read "
                              f"({error})", "The test's record of this call could not be read.")
        if failure is None:
            continue
        if reference.get("role") == "upstream":
            if not builds_on_failing(reference, builds_on):
                notes.append(failure.note)
            builds_on.append(failure.name)
            continue
        if failure.mistake and not _explains_the_rest(failure, trusted[index + 1:],
                                                       records[index + 1:]):
            failure = failure.unnamed()
        return failed(failure, hidden)
    if len(records) > len(trusted):
        return failed(Failure(f"{len(records)} records for {len(trusted)} checks",
                              "The test made more records than it has checks: something printed "
                              "records of its own."), False)
    if errors:
        return failed(Failure(f"the cell raised {_plain_error(errors[0])}",
                              f"The test's checks passed, but the cell then raised "
                              f"{_error_name(errors[0])}."),
                      any(r.get("hidden") for r in trusted))
    return None


class JudgeObservations(NbGraderPreprocessor):
    """Autograde: judge each test cell's records against the solution's; see the module's doc."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        trusted = trusted_observations(self.config, info["assignment"], info["notebook"],
                                       self.log) or {}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            records = [record_of(o) for o in cell.get("outputs", []) if is_record(o)]
            kept = [o for o in cell.get("outputs", []) if not is_record(o)]
            expected = trusted.get(grade_id(cell)) if is_test_cell(cell) else None
            if not expected:
                if records and not is_test_cell(cell):
                    add_tampering(nb, f"a cell that is not a test ({grade_id(cell) or 'an added cell'}) "
                                      f"printed {len(records)} test records; they were ignored")
                cell.outputs = kept
                _forget_verdict(cell)
                continue
            errors = [o for o in kept if o.get("output_type") == "error"]
            facts = cell.metadata.get(JUDGED, {})
            verdict = judge_cell(expected, records, errors, facts.get("stopped"),
                                 describe_test(cell.source, ""))
            if len(records) > len(expected) or any(
                    isinstance(r, dict) and r.get("check") != e.get("check")
                    for r, e in zip(records, expected)):
                add_tampering(nb, f"test cell {grade_id(cell)} held records that its checks did "
                                  f"not make; the cell was failed")
            # The verdict is the cell's only error; what the student's code wrote to stderr is
            # shown as ordinary output (stock nbgrader fails any cell that writes to stderr).
            cell.outputs = [_as_stdout(o) for o in kept if o.get("output_type") != "error"]
            judged = {key: value for key, value in facts.items() if key not in VERDICT_KEYS}
            judged.update(judged=True, checks=len(expected), passed=verdict is None)
            if verdict is not None:
                cell.outputs.append(verdict_output(verdict.message))
                # For the class report: the known mistake named, and the failing functions the
                # test builds on (then its failure is their consequence).
                judged.update(mistake=verdict.mistake, builds_on=list(verdict.builds_on))
            cell.metadata[JUDGED] = judged
        return nb, resources


def _forget_verdict(cell):
    """A cell this grading does not judge carries no verdict of ours (a submission may have
    written one into its metadata)."""
    facts = cell.get("metadata", {}).get(JUDGED)
    if isinstance(facts, dict):
        cell.metadata[JUDGED] = {k: v for k, v in facts.items() if k not in VERDICT_KEYS}


def _as_stdout(output):
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        output["name"] = "stdout"
    return output
