"""What a student's feedback shows of the tests: which failed and why, never the hidden tests.

Stock nbgrader shows each test cell whole in the feedback, hidden tests included (nbgrader issue
917), with everything the cell printed. Here (StudentFeedback, in generate_feedback):

- each test cell shows its visible part only;
- a judged test cell (gdcourse.grading.steps.verdicts) shows its verdict, built from the verdict's
  fields by gdcourse.checks.judges.verdict (never from the error text in the notebook): for a
  hidden check its hint, never its call or values;
- nothing the student's kernel produced after it first ran hidden test code is shown: not the
  output of later cells, not their error messages (a stock test's error shows its name only), not
  what a later visible check's call returned (that comes from a run without the hidden tests,
  gdcourse.grading.feedback.replay). Before that moment the kernel held no hidden code: its copy of the
  assignment's folder has the released notebook only (gdcourse.grading.kernels.sandbox);
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

from ...checks.judges.verdict import Verdict
from .results_table import results_cell
from ..notebook_cells import BEGIN_HIDDEN, is_test_cell
from .replay import replayed_values
from ..steps.flags import METADATA_KEY
from ..steps.verdicts import BUILTIN_ERRORS, JUDGED

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def visible_part(source: str) -> tuple[str, bool]:
    """A test cell's code up to its hidden tests, and whether it had any."""
    before, marker, _ = source.partition(BEGIN_HIDDEN)
    return before.rstrip(), bool(marker)


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


def _student_frames(traceback: Iterable[str], test_cell_count: int | None) -> list[str]:
    """The traceback entries that point into the student's own cells."""
    kept = []
    for entry in traceback:
        plain = ANSI.sub("", entry)
        in_test_cell = test_cell_count is not None and plain.lstrip().startswith(f"Cell In[{test_cell_count}]")
        if plain.lstrip().startswith("Cell In[") and not in_test_cell:
            kept.append(entry)
    return kept


def clean_error(output: NotebookNode, test_cell_count: int | None) -> NotebookNode:
    """A stock test's error as the student sees it (before any hidden code ran): its message,
    and only the traceback frames of the student's own code."""
    message = str(output.get("evalue", ""))
    output.traceback = [*_student_frames(output.get("traceback", []), test_cell_count),
                        f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {message}"]
    return output


def withheld_error(output: NotebookNode) -> NotebookNode:
    """A stock test's error after hidden code ran: its name only (if it is Python's own)."""
    name = str(output.get("ename", ""))
    name = name if name in BUILTIN_ERRORS else "Error"
    message = "(the details are withheld: the hidden tests had run in this kernel)"
    output.ename, output.evalue = name, message
    output.traceback = [f"\x1b[0;31m{name}\x1b[0m: {message}"]
    return output


def grader_notes(report: dict[str, Any], withheld: bool = False,
                 cut: Iterable[tuple[str, int]] = ()) -> NotebookNode | None:
    """A Markdown cell telling the student what grading could not read or put back."""
    lines = [f"- {sentence}" for sentence in report.get("tampering", [])]
    for name, limit in cut:
        lines.append(f"- {name} printed more than {limit} characters: the output limit of grading "
                     f"dropped the rest.")
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

    def preprocess(self, nb: NotebookNode,
                   resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        # What visible checks returned where no hidden code had run (before the cells change).
        for index, replayed in replayed_values(nb, resources, self.config, self.log).items():
            nb.cells[index].metadata[JUDGED]["verdict"] = replayed.as_data()
        after_hidden, withheld = False, False
        cut = [(f"The cell {c.metadata.get('nbgrader', {}).get('grade_id') or 'of your own'}",
                c.metadata[JUDGED]["output_cut"]) for c in nb.cells
               if c.get("metadata", {}).get(JUDGED, {}).get("output_cut")]
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if is_test_cell(cell):
                visible, had_hidden = visible_part(cell.source)
                if had_hidden:
                    visible += "\n# Hidden tests, with other inputs, ran here when your work was graded."
                cell.source = visible
                after_hidden = after_hidden or had_hidden
            judged, verdict = judged_verdict(cell)
            printed = [o for o in cell.get("outputs", [])
                       if not (judged and o.output_type == "error")]
            if after_hidden:
                withheld = withheld or any(o.output_type != "error" for o in printed)
                shown = [withheld_error(o) for o in printed if o.output_type == "error"]
            else:
                shown = [clean_error(o, cell.get("execution_count")) if o.output_type == "error"
                         else o for o in printed]
            cell.outputs = shown + ([verdict_error(verdict)] if verdict is not None else [])
        grades = resources.get("nbgrader", {})
        opening = [results_cell(nb, grades.get("score"), grades.get("max_score")),
                   grader_notes(nb.metadata.get(METADATA_KEY, {}), withheld, cut)]
        nb.cells[0:0] = [cell for cell in opening if cell is not None]
        return nb, resources
