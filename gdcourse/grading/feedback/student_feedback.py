"""What a student's feedback shows of the tests: which failed and why, never the hidden tests.

Stock nbgrader shows each test cell whole in the feedback, hidden tests included (nbgrader issue
917), with everything the cell printed. Here (StudentFeedback, in generate_feedback):

- each test cell shows its visible part only;
- a judged test cell (gdcourse.grading.steps.verdicts) shows its verdict, built from the verdict's
  fields by gdcourse.checks.judges.verdict (never from the error text in the notebook): for a
  hidden check its hint, never its call or values;
- a stock test (plain asserts) that failed in a visible line shows that line, with the visible
  lines around it, from the instructor's source (as stock's traceback would); one that failed in
  a hidden test says only that;
- nothing the student's kernel produced after it first ran hidden test code is shown: not the
  output of later cells, not their error messages (a stock test's error shows its name and its
  visible line only), not what a later visible check's call returned (that comes from a run
  without the hidden tests, gdcourse.grading.feedback.replay). Before that moment the kernel held
  no hidden code: its copy of the assignment's folder has no notebook with hidden tests
  (gdcourse.grading.kernels.sandbox);
- the page opens with a results table (per question: points, tests passed and failed, hints;
  gdcourse.grading.feedback.results_table) and the grader's notes.

The autograded notebook keeps everything, for the instructor in formgrader.
"""
import re
from collections.abc import Iterable
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from traitlets import List

from ...checks.judges.verdict import Verdict
from .results_table import results_cell
from ..notebook_cells import grade_id, has_hidden_tests, hidden_line_numbers, is_test_cell
from .replay import replay
from ..steps.flags import METADATA_KEY
from ..steps.verdicts import BUILTIN_ERRORS, JUDGED

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_FRAME = re.compile(r"^\s*Cell In\[(\d+)\], line (\d+)")
HIDDEN_REGION = "# Hidden tests, with other inputs, ran here when your work was graded."
CONTEXT = 2  # lines shown before and after a test's failing line


def visible_part(source: str) -> tuple[str, bool]:
    """A test cell's code as it was released, each hidden region replaced by one comment line,
    and whether it had any."""
    hidden = hidden_line_numbers(source)
    lines: list[str] = []
    for number, line in enumerate(source.split("\n"), start=1):
        if number not in hidden:
            lines.append(line)
        elif number - 1 not in hidden:
            indent = line[:len(line) - len(line.lstrip())]
            lines.append(indent + HIDDEN_REGION)
    return "\n".join(lines).rstrip(), bool(hidden)


def judged_verdict(cell: NotebookNode) -> tuple[bool, Verdict | None]:
    """(whether grading judged the cell, its Verdict or None when it passed)."""
    facts = cell.get("metadata", {}).get(JUDGED, {})
    if not isinstance(facts, dict) or facts.get("judged") is not True:
        return False, None
    return True, Verdict.from_data(facts.get("verdict"))


def verdict_error(verdict: Verdict) -> NotebookNode:
    """The error output a student sees for a failed judged test: the verdict's student message."""
    message = verdict.for_student()
    return new_output("error", ename="WrongAnswer", evalue=message,
                      traceback=[f"\x1b[0;31mWrongAnswer\x1b[0m: {message}"])


def _plain(entry: str) -> str:
    return ANSI.sub("", entry).lstrip()


def _student_frames(traceback: Iterable[str], test_cell_count: int | None) -> list[str]:
    """The traceback entries that point into the student's own cells (for a test cell's error,
    not into the test cell itself: its frame is rebuilt from the instructor's source)."""
    kept = []
    for entry in traceback:
        frame = CELL_FRAME.match(_plain(entry))
        if frame and not (test_cell_count is not None and int(frame[1]) == test_cell_count):
            kept.append(entry)
    return kept


def failing_line(output: NotebookNode, count: int | None) -> int | None:
    """The line of the test cell (executed as count `count`) where its error was raised: the
    cell's outermost frame. Only a number is read from what the kernel wrote; what is shown of
    that line comes from the instructor's source."""
    if count is None:
        return None
    for entry in output.get("traceback", []):
        frame = CELL_FRAME.match(_plain(entry))
        if frame and int(frame[1]) == count:
            return int(frame[2])
    return None


def test_frame(source: str, line: int, count: int | None) -> str:
    """The failing line of a test cell with the visible lines around it, as IPython lists a
    frame (`----> 3 assert ...`), built from the instructor's source: never a hidden line."""
    hidden = hidden_line_numbers(source)
    lines = source.split("\n")
    numbers = [n for n in range(max(1, line - CONTEXT), min(len(lines), line + CONTEXT) + 1)
               if n not in hidden]
    width = len(str(numbers[-1])) if numbers else 1
    listing = [f"{'---->' if n == line else '':>5} {n:>{width}} {lines[n - 1]}" for n in numbers]
    return "\n".join([f"Cell In[{count}], line {line}", *listing])


def _error_name(output: NotebookNode) -> str:
    name = str(output.get("ename", ""))
    return name if name in BUILTIN_ERRORS else "Error"


def clean_error(output: NotebookNode, test_cell_count: int | None) -> NotebookNode:
    """An error as the student sees it before any hidden code ran: its message, and only the
    traceback frames of the student's own code."""
    message = str(output.get("evalue", ""))
    output.traceback = [*_student_frames(output.get("traceback", []), test_cell_count),
                        f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {message}"]
    return output


def _error_saying(output: NotebookNode, message: str) -> NotebookNode:
    """The error with its name (if it is Python's own) and `message` only."""
    name = _error_name(output)
    output.ename, output.evalue = name, message
    output.traceback = [f"\x1b[0;31m{name}\x1b[0m: {message}"]
    return output


def withheld_error(output: NotebookNode) -> NotebookNode:
    """An error after hidden code ran: its name only (if it is Python's own)."""
    return _error_saying(output, "(the details are withheld: the hidden tests had run in this kernel)")


def stock_test_error(output: NotebookNode, source: str, count: int | None,
                     hidden_ran_before: bool) -> tuple[NotebookNode, str]:
    """A stock test's error as the student sees it, and the line the results table gives it.

    A failure in a hidden test says only that. A failure in a visible line shows that line from
    the instructor's source; the error's message and the frames of the student's code (what the
    kernel wrote) only when no hidden code had run before it, in this cell or an earlier one."""
    line = failing_line(output, count)
    hidden = hidden_line_numbers(source)
    if line is not None and line in hidden:
        shown = _error_saying(output, "a hidden test failed (its code and values are not shown)")
        return shown, f"{shown.ename}: {shown.evalue}"
    secrets_ran = hidden_ran_before or (
        any(number < line for number in hidden) if line is not None else bool(hidden))
    shown = withheld_error(output) if secrets_ran else clean_error(output, count)
    if line is None:
        summary = f"{shown.ename}: {shown.evalue}".rstrip(": ")
        return shown, summary
    failed = source.split("\n")[line - 1].strip()
    shown.traceback[0:0] = [test_frame(source, line, count)]
    evalue = "" if secrets_ran else str(shown.get("evalue", "")).strip()
    summary = f"{shown.ename} in line {line}: {failed}" + (f"\n{evalue}" if evalue else "")
    return shown, summary


def grader_notes(report: dict[str, Any], withheld: bool = False,
                 cut: Iterable[tuple[str, int]] = (), replayed: bool = False) -> NotebookNode | None:
    """A Markdown cell telling the student what grading could not read or put back."""
    lines = [f"- {sentence}" for sentence in report.get("tampering", [])]
    for name, limit in cut:
        lines.append(f"- {name} printed more than {limit} characters: the output limit of grading "
                     f"dropped the rest.")
    if replayed:
        lines.append("- What your cells showed after the first hidden test comes from a second run "
                     "of your notebook without the hidden tests, as you would run it yourself.")
    if withheld:
        lines.append("- The output of code that ran after the first hidden test is not repeated "
                     "here: your own notebook has it.")
    if not lines:
        return None
    return new_markdown_cell("**Notes from the grader**\n\n" + "\n".join(lines))


class GetGradesForFeedback(GetGrades):
    """nbgrader's GetGrades, also noting whether a grader still has to grade a cell (its score
    is 0 either way), so that feedback can say "not graded yet" rather than "0 points"."""

    def _get_score(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        # GetGrades._get_score, with the grade read once and its needs_manual_grade kept.
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader["score"] = None if grade.needs_manual_grade else grade.score
        cell.metadata.nbgrader["points"] = grade.max_score


class StudentFeedback(NbGraderPreprocessor):

    # Declared configurable, as nbgrader's GetGrades does: the HTML exporter configures every
    # NbConvertBase's display_data_priority, and traitlets warns of a setting a class ignores.
    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value,
                                 config=True)

    def preprocess(self, nb: NotebookNode,
                   resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        # What the cells after the first hidden test showed, and what failing visible checks
        # returned, from a run without hidden tests (before the cells change).
        again = replay(nb, resources, self.config, self.log, outputs_after_hidden_tests(nb))
        for index, replayed in again.verdicts.items():
            nb.cells[index].metadata[JUDGED]["verdict"] = replayed.as_data()
        after_hidden, withheld, any_hidden = False, False, False
        failures: dict[str, str] = {}  # a stock test's grade_id -> its failure, for the table
        cut = [(f"The cell {c.metadata.get('nbgrader', {}).get('grade_id') or 'of your own'}",
                c.metadata[JUDGED]["output_cut"]) for c in nb.cells
               if c.get("metadata", {}).get(JUDGED, {}).get("output_cut")]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            judged, verdict = judged_verdict(cell)
            source, hidden_ran_before = cell.source, after_hidden
            stock_test = is_test_cell(cell) and not judged
            if is_test_cell(cell):
                cell.source, had_hidden = visible_part(source)
                after_hidden = after_hidden or had_hidden
                any_hidden = any_hidden or had_hidden
            graded = cell.get("outputs", [])
            if after_hidden and index in again.outputs:
                # The run without hidden tests: what the student's own run shows.
                graded = [o for o in graded if o.output_type == "error" and is_test_cell(cell)]
                graded += [o for o in again.outputs[index]
                           if o.output_type != "error" or not is_test_cell(cell)]
                after_cell = False
            else:
                after_cell = after_hidden
            shown = []
            for output in graded:
                if output.output_type != "error":
                    withheld = withheld or after_cell
                    shown += [] if after_cell else [output]
                elif stock_test:
                    output, failures[grade_id(cell) or ""] = stock_test_error(
                        output, source, cell.get("execution_count"), hidden_ran_before)
                    shown.append(output)
                elif not judged:
                    shown.append(withheld_error(output) if after_cell else clean_error(output, None))
            cell.outputs = shown + ([verdict_error(verdict)] if verdict is not None else [])
        grades = resources.get("nbgrader", {})
        opening = [results_cell(nb, grades.get("score"), grades.get("max_score"), failures,
                                any_hidden),
                   grader_notes(nb.metadata.get(METADATA_KEY, {}), withheld, cut,
                                replayed=bool(again.outputs))]
        nb.cells[0:0] = [cell for cell in opening if cell is not None]
        return nb, resources


def outputs_after_hidden_tests(nb: NotebookNode) -> set[int]:
    """The code cells whose outputs the graded run made after its first hidden test: those are
    shown from the run without hidden tests (a judged test cell's records and verdict aside)."""
    found, after_hidden = set(), False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        after_hidden = after_hidden or has_hidden_tests(cell)
        judged, _ = judged_verdict(cell)
        if after_hidden and not judged and cell.get("outputs"):
            found.add(index)
    return found
