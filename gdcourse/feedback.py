"""What a student's feedback shows of the tests: which failed and why, never the hidden tests.

Stock nbgrader shows each test cell whole in the feedback, hidden tests included (nbgrader issue
917), and tracebacks quote the lines around a failure. Here:

- MarkHiddenTests (autograde, after OverwriteCells) inserts a call where each test cell's hidden
  tests begin; from there on, gdcourse.checks puts a failure's inputs and expected values on a
  line marked for the instructor, after the hint.
- StudentFeedback (generate_feedback) shows each test cell's visible part only, drops the
  instructor's lines, keeps from tracebacks only the frames in the student's own cells, and
  opens the notebook with a results table (per question: points, tests passed and failed, hints;
  gdcourse.feedback_summary) and the grader's notes (what was not graded, and why).

The autograded notebook keeps everything, for the instructor in formgrader.
"""
import re

from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from nbgrader.utils import compute_checksum

from .checks import DETAILS
from .feedback_summary import results_cell
from .notebook_cells import is_test_cell
from .rebuild import METADATA_KEY

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
ENTER_HIDDEN = "__import__('gdcourse.checks').checks.enter_hidden_tests()"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def visible_part(source):
    """A test cell's code up to its hidden tests, and whether it had any."""
    before, marker, _ = source.partition(BEGIN_HIDDEN)
    return before.rstrip(), bool(marker)


class MarkHiddenTests(NbGraderPreprocessor):

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell) and BEGIN_HIDDEN in cell.source:
            lines = cell.source.split("\n")
            for i, line in enumerate(lines):
                if line.strip() == BEGIN_HIDDEN:
                    indent = line[:len(line) - len(line.lstrip())]
                    lines.insert(i + 1, indent + ENTER_HIDDEN)
                    break
            cell.source = "\n".join(lines)
            # The cell changed on purpose: keep nbgrader's checksum check quiet about it.
            cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
        return cell, resources


def _student_frames(traceback, test_cell_count):
    """The traceback entries that point into the student's own cells."""
    kept = []
    for entry in traceback:
        plain = ANSI.sub("", entry)
        in_test_cell = test_cell_count is not None and plain.lstrip().startswith(f"Cell In[{test_cell_count}]")
        if plain.lstrip().startswith("Cell In[") and not in_test_cell:
            kept.append(entry)
    return kept


def clean_error(output, test_cell_count):
    """An error output as the student sees it: message without the instructor's line, and only
    the traceback frames of the student's own code."""
    message = "\n".join(line for line in str(output.get("evalue", "")).split("\n")
                        if not line.startswith(DETAILS))
    output.evalue = message
    output.traceback = [*_student_frames(output.get("traceback", []), test_cell_count),
                        f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {message}"]
    return output


def grader_notes(report):
    """A Markdown cell telling the student what grading left out or could not read."""
    lines = []
    for sentence in report.get("tampering", []):
        lines.append(f"- {sentence}")
    left_out = report.get("left_out", [])
    if left_out:
        lines.append("- Only definitions in answer cells are graded (functions, imports, names "
                     "set to values); these lines ran in your notebook but not when grading:")
        lines += [f"    - `{statement}` (cell {key}, line {line})" for key, line, statement in left_out]
    if not lines:
        return None
    return new_markdown_cell("**Notes from the grader**\n\n" + "\n".join(lines))


class GetGradesForFeedback(GetGrades):
    """nbgrader's GetGrades, also noting whether a grader still has to grade a cell (its score
    is 0 either way), so that feedback can say "not graded yet" rather than "0 points"."""

    def _get_score(self, cell, resources):
        # GetGrades._get_score, with the grade read once and its needs_manual_grade kept.
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader["score"] = None if grade.needs_manual_grade else grade.score
        cell.metadata.nbgrader["points"] = grade.max_score


class StudentFeedback(NbGraderPreprocessor):

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if not is_test_cell(cell):
                continue
            visible, had_hidden = visible_part(cell.source)
            if had_hidden:
                visible += "\n# Hidden tests, with other inputs, ran here when your work was graded."
            cell.source = visible
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    clean_error(output, cell.get("execution_count"))
        grades = resources.get("nbgrader", {})
        opening = [results_cell(nb, grades.get("score"), grades.get("max_score")),
                   grader_notes(nb.metadata.get(METADATA_KEY, {}))]
        nb.cells[0:0] = [cell for cell in opening if cell is not None]
        return nb, resources
