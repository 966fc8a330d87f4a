"""Verdicts decided outside the student's kernel (an autograde preprocessor, after execution).

In a submission's kernel the checks only observe: each call of the student's code leaves a record
(plain data) among the test cell's outputs. Here, in nbgrader's own process, every test cell's
records are judged against the records the instructor's solution left in the same cell
(gdcourse.grading.solution.run): the solution's values, the trusted auxiliary values and which checks
are hidden all come from that run; the submission contributes only what its code returned.

A test cell passes when each of the solution's checks has its counterpart, in order, judged
right. Missing, extra, repeated, reordered or unreadable records fail the cell; an error the
kernel reported counts only as a check that made no record, never as a pass. Records
no honest answer makes (numbered out of order, extra, of another check, rewritten after they
were made) also flag the submission.

In a judged cell the verdict is all that nbgrader scores: the cell's outputs are rebuilt as the
verdict's one error (or none) followed by what the student's code printed, as plain stdout text.
nbgrader's SaveAutoGrades scores the cell from that as usual, and no output the kernel made (a
result, an error, stderr) can come before the verdict. The verdict's fields go into the cell's
metadata (`gdcourse.verdict`, gdcourse.checks.judges.verdict), where the feedback and the class
report read them.

A test cell in which the solution made no record (an ordinary nbgrader test of plain asserts) is
left as it ran: nbgrader scores it exactly as stock nbgrader does.
"""
import builtins
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ...checks.judges import judge_record
from ...checks.judges.cell import CellJudgement
from ...checks.judges.verdict import Failure, Verdict
from ...checks.runtime import MIME, Record, record_of
from ..feedback.results_table import describe_test
from .flags import add_tampering
from ..notebook_cells import JUDGED, grade_id, has_hidden_tests, is_test_cell
from ..solution.run import trusted_observations
BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith(("Error", "Exception", "Exit"))}
# A record that is not what it claims breaks what a judge assumes of it, in whatever way: it is
# unreadable, and its check fails (tests/test_judges.py keeps the judges from crashing on them).
UNREADABLE = (Exception,)
GRADER_ERRORS = {"KernelStopped", "NotRun", "TimeLimitExceeded", "CellTimeoutError"}


def is_record(output: NotebookNode) -> bool:
    return output.get("output_type") in ("display_data", "execute_result") \
        and MIME in output.get("data", {})


def verdict_output(verdict: Verdict) -> NotebookNode:
    """The error nbgrader scores, with the whole message, as the instructor reads it."""
    message = verdict.for_instructor()
    return new_output("error", ename="WrongAnswer", evalue=message,
                      traceback=[f"\x1b[0;31mWrongAnswer\x1b[0m: {message}"])


def as_printed_text(output: NotebookNode) -> NotebookNode:
    """A kernel's output as plain stdout text: what it said stays readable in formgrader and the
    feedback, and nbgrader reads no grade from it (determine_grade reads errors, stderr and
    results, never stdout)."""
    kind = output.get("output_type")
    if kind == "stream":
        text = str(output.get("text", ""))
    elif kind == "error":
        text = "\n".join(str(line) for line in output.get("traceback", [])) or \
            f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    else:
        data = output.get("data", {})
        text = str(data.get("text/plain", "")) or f"[{', '.join(sorted(data))} output]"
    return new_output("stream", name="stdout", text=text if text.endswith("\n") else text + "\n")


def _plain_error(output: NotebookNode) -> str:
    """What the kernel's error says, for the instructor's line (never trusted)."""
    return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:300]}"


def _error_name(output: NotebookNode) -> str:
    """An error's name as the student may see it: Python's own exceptions by name."""
    name = str(output.get("ename", ""))
    return name if name in BUILTIN_ERRORS or name in GRADER_ERRORS else "an error"


def _is_record_of(record: object, reference: Record) -> bool:
    return isinstance(record, dict) and record.get("check") == reference.get("check")


def _judgement(reference: Record, record: Record) -> Failure | None:
    """The judge's finding on the submission's record of the check `reference`: None (right) or
    the Failure, which for a record that cannot be read says so."""
    try:
        return judge_record(reference, outcome=record.get("outcome"),
                            expected=reference["outcome"], aux=reference.get("aux"),
                            probes=record.get("probes", []))
    except UNREADABLE as error:
        return Failure(f"the record of {reference.get('call', '')} could not be read "
                       f"({error})", "The test's record of this call could not be read.")


def _stopped_early(reference: Record, errors: list[NotebookNode], stopped: str | None) -> Failure:
    """Why the check `reference` has no record: grading stopped the cell (`stopped`, the
    grader's words alone), or the code it calls did."""
    if stopped:
        what = f"the test stopped before its check of {reference.get('call', '')}: {stopped}"
        return Failure(what, f"The test did not run to its end: {stopped}")
    what = (f"the test stopped before its check of {reference.get('call', '')} "
            f"({_plain_error(errors[0]) if errors else 'no record of it'})")
    if errors:
        why = (f"The test stopped with {_error_name(errors[0])} before all its checks "
               f"ran: run the cell yourself to see where it comes from.")
    else:
        why = "The test did not run to its end: the code it calls stopped it."
    return Failure(what, why)


def _after_the_rest(judging: CellJudgement, trusted: list[Record],
                    records: list[Any]) -> Failure | None:
    """The named mistake that waits in `judging`, once the cell's later checks (`trusted`, and
    the submission's `records` of them) are judged: as it is, or without its name."""
    for reference, record in zip(trusted, records):
        # Only the answer's own checks can bear the name out: a later probe adds no note to a
        # failure already found, and a record of another check is no check of this cell.
        if reference.get("role") == "upstream" or not _is_record_of(record, reference):
            continue
        failure = judging.judged(reference, _judgement(reference, record))
        if failure is not None:
            return failure
    return judging.ended()


@dataclass(frozen=True)
class _TestCell:
    """What a verdict of the cell says besides its failure: the solution's records (which checks
    are hidden, their calls), what the test checks (`idea`), whether hidden test code ran in the
    kernel before the cell (`hidden_ran`), and whether the cell has hidden tests."""
    trusted: list[Record]
    idea: str
    hidden_ran: bool
    has_hidden: bool

    def verdict_at(self, index: int, failure: Failure, builds_on: list[str],
                   graders_words: bool = False) -> Verdict:
        """The verdict of `failure` at the check trusted[index]. What it says of the student's
        values is shown only from a check made before any hidden code ran, or when it holds
        nothing the kernel produced (`graders_words`)."""
        reference = self.trusted[index]
        before_hidden = not self.hidden_ran and not any(
            r.get("hidden") is True for r in self.trusted[:index + 1])
        return failure.verdict(hidden=reference.get("hidden") is True,
                               call=str(reference.get("call", ""))[:300], builds_on=builds_on,
                               idea=self.idea, what_shown=before_hidden or graders_words)

    def verdict_at_end(self, failure: Failure, builds_on: list[str]) -> Verdict:
        """The verdict of `failure` found after the cell's last check."""
        return failure.verdict(hidden=any(r.get("hidden") is True for r in self.trusted),
                               builds_on=builds_on, idea=self.idea,
                               what_shown=not self.hidden_ran and not self.has_hidden)


def judge_cell(trusted: list[Record], records: list[Any], errors: list[NotebookNode],
               stopped: str | None = None, idea: str = "", hidden_ran: bool = False,
               has_hidden: bool = False) -> Verdict | None:
    """The Verdict of a failed cell, or None when it passed. `trusted`: the solution's records;
    `records`: the submission's (untrusted) records; `errors`: the kernel's error outputs;
    `stopped`: why grading stopped the cell (a limit, the kernel's end), in the grader's words;
    `idea`: what the test checks, for a hidden check that fails without a hint; `hidden_ran`:
    hidden test code ran in the kernel before this cell; `has_hidden`: this cell has hidden
    tests. What a check's failure says of the student's values reaches the student only from
    a visible check made before any hidden code ran (gdcourse.checks.judges.verdict)."""
    cell = _TestCell(trusted, idea, hidden_ran, has_hidden)
    judging = CellJudgement()
    for index, reference in enumerate(trusted):
        if index >= len(records):
            return cell.verdict_at(index, _stopped_early(reference, errors, stopped),
                                   judging.notes, graders_words=bool(stopped))
        if not _is_record_of(records[index], reference):
            return cell.verdict_at(index, Failure(
                "the records of this test do not match its checks", "The test's records are "
                "not those of its checks: something printed records of its own."), judging.notes)
        failure = judging.judged(reference, _judgement(reference, records[index]))
        if failure is None and judging.waiting is not None:
            failure = _after_the_rest(judging, trusted[index + 1:], records[index + 1:])
        if failure is not None:
            return cell.verdict_at(index, failure, judging.notes)
    if len(records) > len(trusted):
        return cell.verdict_at_end(Failure(
            f"{len(records)} records for {len(trusted)} checks", "The test made more records "
            "than it has checks: something printed records of its own."), judging.notes)
    # Every check observed the answer, and every observation was right: an error the kernel
    # reported besides them (a hook of the answer's, a message sent by a thread) observes nothing.
    return None


def suspicious_records(records: list[Any], expected: list[Record],
                       last_seq: int) -> tuple[list[str], int]:
    """What no honest run makes, in one test cell's records (sentences), and the last record
    number seen: records numbered out of order or twice (replayed from elsewhere), records of
    other checks than the cell's, more records than checks."""
    found = []
    for record in records:
        seq = record.get("seq") if isinstance(record, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or seq <= last_seq:
            found.append("held records out of order or repeated (not made by its checks there)")
            break
        last_seq = seq
    if len(records) > len(expected) or any(
            not isinstance(r, dict) or r.get("check") != e.get("check")
            for r, e in zip(records, expected)):
        found.append("held records that its checks did not make")
    return found, last_seq


class JudgeObservations(NbGraderPreprocessor):
    """Autograde: judge each test cell's records against the solution's; see the module's doc."""

    def preprocess(self, nb: NotebookNode,
                   resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources["nbgrader"]
        trusted = trusted_observations(self.config, info["assignment"], info["notebook"],
                                       self.log) or {}
        hidden_ran, last_seq = False, 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            records = [record_of(o) for o in cell.get("outputs", []) if is_record(o)]
            kept = [o for o in cell.get("outputs", []) if not is_record(o)]
            key = grade_id(cell)
            expected = trusted.get(key) if is_test_cell(cell) and key is not None else None
            facts = cell.metadata.setdefault(JUDGED, {})
            for sentence in facts.get("rewritten", []):
                add_tampering(nb, f"in {grade_id(cell) or 'a cell of its own'}, {sentence}")
            has_hidden = has_hidden_tests(cell)
            if not expected:
                if records and not is_test_cell(cell):
                    add_tampering(nb, f"a cell that is not a test ({grade_id(cell) or 'an added cell'}) "
                                      f"printed {len(records)} test records; they were ignored")
                cell.outputs = kept
                hidden_ran = hidden_ran or has_hidden
                continue
            errors = [o for o in kept if o.get("output_type") == "error"]
            verdict = judge_cell(expected, records, errors, facts.get("stopped"),
                                 describe_test(cell.source, ""), hidden_ran, has_hidden)
            suspicious, last_seq = suspicious_records(records, expected, last_seq)
            for sentence in suspicious:
                add_tampering(nb, f"test cell {grade_id(cell)} {sentence}; the cell was failed")
            if suspicious and verdict is None:
                verdict = Failure("the records of this test are not those its checks made",
                                  "The test's records are not those of its checks: something "
                                  "printed records of its own.").verdict(
                    hidden=has_hidden, idea=describe_test(cell.source, ""),
                    what_shown=not (hidden_ran or has_hidden))
            # The verdict is all nbgrader scores: it comes first, and what the kernel said
            # follows as plain text (stock nbgrader fails a cell that writes to stderr; here
            # what the student's code wrote there is shown as printed text).
            cell.outputs = ([verdict_output(verdict)] if verdict else []) + \
                [as_printed_text(o) for o in kept]
            facts.update(judged=True, checks=len(expected), passed=verdict is None,
                         hidden_checks=sum(r.get("hidden") is True for r in expected),
                         verdict=verdict.as_data() if verdict else None)
            hidden_ran = hidden_ran or has_hidden
        return nb, resources
