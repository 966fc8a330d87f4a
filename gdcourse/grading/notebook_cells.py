"""Finding an assignment's notebooks and their nbgrader cells, and reading a source cell's
solution."""
import os
import re
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

# The cell metadata where grading keeps what it noted of a cell and how it judged it (the
# verdict); never a submission's own (gdcourse.grading.steps.structure removes those).
JUDGED = "gdcourse"
# nbgrader's delimiters of hidden tests (ClearHiddenTests), found anywhere in a line: `### BEGIN
# HIDDEN TESTS`, `# BEGIN HIDDEN TESTS`... A cell may hold several regions, and visible code after one.
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
_SOLUTION_MARKER = re.compile(r"^[ \t]*#*[ \t]*(BEGIN|END) SOLUTION[ \t]*$\n?", re.MULTILINE)


def assignment_notebook(config: Config, step: str, assignment: str, notebook: str) -> Path:
    """Where nbgrader keeps `notebook` of `assignment` in `step` ("source" or "release") of the
    course that `config` describes."""
    coursedir = CourseDirectory(config=config)
    directory = {"source": coursedir.source_directory, "release": coursedir.release_directory}
    return Path(coursedir.format_path(directory[step], ".", assignment)) / f"{notebook}.ipynb"


def course_notebook(course_root: str | os.PathLike[str], step: str, assignment: str) -> Path:
    """The notebook of `assignment` in `step` of the course folder `course_root`, in nbgrader's
    default layout (this course's: one notebook per assignment, named like it)."""
    config = Config({"CourseDirectory": {"root": str(Path(course_root).resolve())}})
    return assignment_notebook(config, step, assignment, assignment)


def nbgrader_meta(cell: NotebookNode) -> dict[str, Any]:
    """The cell's nbgrader metadata ({} for a cell nbgrader does not manage)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_answer_cell(cell: NotebookNode) -> bool:
    """A cell the student writes in: an autograded answer or a manually graded one."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_test_cell(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell["cell_type"] == "code"


def defines(source: str, name: str) -> bool:
    """Whether code defines `name` at top level: `def name(` or `name = ...`."""
    pattern = rf"^(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=)"
    return re.search(pattern, source, re.MULTILINE) is not None


def find_answer_cell(nb: NotebookNode, key: str) -> NotebookNode:
    """The answer cell named by `key`: the function or variable it defines, or its grade_id."""
    for cell in nb.cells:
        if is_answer_cell(cell) and (grade_id(cell) == key or
                                     (cell.cell_type == "code" and defines(cell.source, key))):
            return cell
    raise KeyError(f"no answer cell defines or is named {key!r}")


def cells_by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {grade_id(cell): cell  # type: ignore[misc]  # the filter leaves no None
            for cell in nb.cells if grade_id(cell)}


def solution_text(source: str) -> str:
    """A source cell's text as a student who solved it would write it: the markers removed."""
    return _SOLUTION_MARKER.sub("", source)


def hidden_line_numbers(source: str) -> set[int]:
    """The lines (numbered from 1, as in a traceback) of `source` that nbgrader's release removes:
    its hidden test regions, delimiters included. An unclosed region runs to the end."""
    hidden, inside = set(), False
    for number, line in enumerate(source.split("\n"), start=1):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            hidden.add(number)
        if END_HIDDEN in line:
            inside = False
    return hidden


def has_hidden_tests(cell: NotebookNode) -> bool:
    return is_test_cell(cell) and BEGIN_HIDDEN in cell.source
