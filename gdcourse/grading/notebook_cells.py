"""Finding nbgrader cells in a notebook, and reading a source cell's solution."""
import re

# The cell metadata where grading keeps what it noted of a cell and how it judged it (the
# verdict); never a submission's own (gdcourse.grading.structure removes those).
JUDGED = "gdcourse"
_SOLUTION_MARKER = re.compile(r"^[ \t]*#*[ \t]*(BEGIN|END) SOLUTION[ \t]*$\n?", re.MULTILINE)


def nbgrader_meta(cell):
    """The cell's nbgrader metadata ({} for a cell nbgrader does not manage)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def is_answer_cell(cell):
    """A cell the student writes in: an autograded answer or a manually graded one."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_test_cell(cell):
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell["cell_type"] == "code"


def defines(source, name):
    """Whether code defines `name` at top level: `def name(` or `name = ...`."""
    pattern = rf"^(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=)"
    return re.search(pattern, source, re.MULTILINE) is not None


def find_answer_cell(nb, key):
    """The answer cell named by `key`: the function or variable it defines, or its grade_id."""
    for cell in nb.cells:
        if is_answer_cell(cell) and (grade_id(cell) == key or
                                     (cell.cell_type == "code" and defines(cell.source, key))):
            return cell
    raise KeyError(f"no answer cell defines or is named {key!r}")


def cells_by_grade_id(nb):
    return {grade_id(cell): cell for cell in nb.cells if grade_id(cell)}


def solution_text(source):
    """A source cell's text as a student who solved it would write it: the markers removed."""
    return _SOLUTION_MARKER.sub("", source)
