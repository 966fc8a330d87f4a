"""release/ is what `nbgrader generate_assignment` makes from source/ now, and leaks nothing."""
import nbformat
import pytest

from course import ROOT, course_copy
from gdcourse.course.catalog import assignment_names
from gdcourse.course.nbgrader_commands import nbgrader
from gdcourse.grading.notebook_cells import is_answer_cell

ASSIGNMENTS = assignment_names(ROOT)


def comparable(nb):
    """What matters in a release notebook: each cell's type, text and nbgrader metadata."""
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells], \
        nb.metadata.get("kernelspec")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_is_in_sync_with_source(assignment, tmp_path):
    course = course_copy(tmp_path)
    nbgrader(course, "generate_assignment", assignment, "--force")
    folder = f"release/{assignment}"
    regenerated = sorted(p.relative_to(course / folder) for p in (course / folder).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / folder) for p in (ROOT / folder).rglob("*") if p.is_file())
    assert regenerated == committed, "release/ has other files than nbgrader makes: run `make release`"
    for name in committed:
        if name.suffix == ".ipynb":
            fresh = nbformat.read(course / folder / name, as_version=4)
            saved = nbformat.read(ROOT / folder / name, as_version=4)
            assert comparable(fresh) == comparable(saved), \
                f"{folder}/{name} is stale: run `make release` and commit release/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(assignment):
    nb = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    for cell in nb.cells:
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in cell.source, f"{assignment}: a released cell contains {marker}"
        if is_answer_cell(cell) and cell.cell_type == "code":
            assert "raise NotImplementedError()" in cell.source, \
                f"{assignment}: answer cell {cell.metadata.nbgrader.grade_id} is not a stub"
