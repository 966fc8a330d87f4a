"""Verdicts decided outside the student's kernel (an autograde preprocessor, after execution).

In a submission's kernel the checks only observe: each call of the student's code leaves a record
(plain data) among the test cell's outputs. Here, in nbgrader's own process, every test cell's
records are judged against the records the instructor's solution left in the same cell
(gdcourse.grading.trusted): the solution's values, the trusted auxiliary values and which checks
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

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..checks.judges import Failure, builds_on_failing, judge_record
from ..checks.runtime import MIME, record_of
from .feedback_summary import describe_test
from .flags import add_tampering
from .notebook_cells import JUDGED, grade_id, is_test_cell
from .trusted import BEGIN_HIDDEN, trusted_observations
BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith(("Error", "Exception", "Exit"))}
# A record that is not what it claims breaks what a judge assumes of it, in whatever way: it is
# unreadable, and its check fails (tests/test_judges.py keeps the judges from crashing on them).
UNREADABLE = (Exception,)
GRADER_ERRORS = {"KernelStopped", "NotRun", "TimeLimitExceeded", "CellTimeoutError"}


def is_record(output):
    return output.get("output_type") in ("display_data", "execute_result") \
        and MIME in output.get("data", {})


def verdict_output(verdict):
    """The error nbgrader scores, with the whole message, as the instructor reads it."""
    message = verdict.for_instructor()
    return new_output("error", ename="WrongAnswer", evalue=message,
                      traceback=[f"\x1b[0;31mWrongAnswer\x1b[0m: {message}"])


def as_printed_text(output):
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


def _plain_error(output):
    """What the kernel's error says, for the instructor's line (never trusted)."""
    return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:300]}"


def _error_name(output):
    """An error's name as the student may see it: Python's own exceptions by name."""
    name = str(output.get("ename", ""))
    return name if name in BUILTIN_ERRORS or name in GRADER_ERRORS else "an error"


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


def _stopped_early(reference, errors, stopped):
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


def judge_cell(trusted, records, errors, stopped=None, idea="", hidden_ran=False,
               has_hidden=False):
    """The Verdict of a failed cell, or None when it passed. `trusted`: the solution's records;
    `records`: the submission's (untrusted) records; `errors`: the kernel's error outputs;
    `stopped`: why grading stopped the cell (a limit, the kernel's end), in the grader's words;
    `idea`: what the test checks, for a hidden check that fails without a hint; `hidden_ran`:
    hidden test code ran in the kernel before this cell; `has_hidden`: this cell has hidden
    tests. What a check's failure says of the student's values reaches the student only from
    a visible check made before any hidden code ran (gdcourse.checks.judges.verdict)."""
    noted, failing = [], []

    def failed(failure, upto, graders_words=False):
        """The verdict of `failure`, at the check trusted[upto] (None: at the cell's end).
        `graders_words`: what it says holds nothing the kernel produced."""
        reference = trusted[upto] if upto is not None else {}
        hidden = reference.get("hidden") is True if upto is not None \
            else any(r.get("hidden") is True for r in trusted)
        before_hidden = not hidden_ran and (
            not any(r.get("hidden") is True for r in trusted[:upto + 1]) if upto is not None
            else not has_hidden)
        return failure.verdict(hidden=hidden, call=str(reference.get("call", ""))[:300],
                               builds_on=noted, idea=idea,
                               what_shown=before_hidden or graders_words)

    for index, reference in enumerate(trusted):
        if index >= len(records):
            return failed(_stopped_early(reference, errors, stopped), index,
                          graders_words=bool(stopped))
        record = records[index]
        if not isinstance(record, dict) or record.get("check") != reference.get("check"):
            return failed(Failure("the records of this test do not match its checks",
                                  "The test's records are not those of its checks: something "
                                  "printed records of its own."), index)
        try:
            failure = judge_record(reference, outcome=record.get("outcome"),
                                   expected=reference["outcome"], aux=reference.get("aux"))
        except UNREADABLE as error:
            failure = Failure(f"the record of {reference.get('call', '')} could not be read "
                              f"({error})", "The test's record of this call could not be read.")
        if failure is None:
            continue
        if reference.get("role") == "upstream":
            if not builds_on_failing(reference, failing):
                noted.append(failure.name)
            failing.append(failure.name)
            continue
        if failure.mistake and not _explains_the_rest(failure, trusted[index + 1:],
                                                       records[index + 1:]):
            failure = failure.unnamed()
        return failed(failure, index)
    if len(records) > len(trusted):
        return failed(Failure(f"{len(records)} records for {len(trusted)} checks",
                              "The test made more records than it has checks: something printed "
                              "records of its own."), None)
    # Every check observed the answer, and every observation was right: an error the kernel
    # reported besides them (a hook of the answer's, a message sent by a thread) observes nothing.
    return None


def suspicious_records(records, expected, last_seq):
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

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        trusted = trusted_observations(self.config, info["assignment"], info["notebook"],
                                       self.log) or {}
        hidden_ran, last_seq = False, 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            records = [record_of(o) for o in cell.get("outputs", []) if is_record(o)]
            kept = [o for o in cell.get("outputs", []) if not is_record(o)]
            expected = trusted.get(grade_id(cell)) if is_test_cell(cell) else None
            facts = cell.metadata.setdefault(JUDGED, {})
            for sentence in facts.get("rewritten", []):
                add_tampering(nb, f"in {grade_id(cell) or 'a cell of its own'}, {sentence}")
            has_hidden = is_test_cell(cell) and BEGIN_HIDDEN in cell.source
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
