"""gdcourse.grading.steps.structure: what a submission changed in the grading structure, and
how it is put back. Notebooks built in memory; no nbgrader run."""
import copy

from nbformat.v4 import new_code_cell

from gdcourse.grading.notebook_cells import grade_id, nbgrader_meta
from gdcourse.grading.steps.structure import restore_metadata, restore_missing, structure_changes
from notebooks import answer, notebook, released, test_cell


def ids(nb):
    return [grade_id(cell) for cell in nb.cells]


def test_an_untouched_release_changes_nothing():
    assert structure_changes(released(), released()) == []


def test_answers_and_added_cells_are_the_students_own():
    submission = released()
    submission.cells[1].source = "def step(x):\n    return x + 1"
    submission.cells.insert(2, new_code_cell("print('my own cell')"))
    assert structure_changes(released(), submission) == []


def test_a_deleted_test_cell_is_reported_and_put_back_after_the_cell_before_it():
    submission = released()
    del submission.cells[3]
    assert structure_changes(released(), submission) == ["the test cell test-step was deleted"]
    restore_missing(released(), submission)
    assert ids(submission) == ["intro", "answer-step", "test-step", None]
    assert submission.cells[2].source == "assert step(1) == 2"


def test_a_deleted_first_cell_goes_back_first():
    # (it once went after the first cell without an nbgrader id)
    submission = released()
    del submission.cells[0]
    restore_missing(released(), submission)
    assert ids(submission)[0] == "intro"


def test_a_duplicated_cell_keeps_its_first_copy_only():
    submission = released()
    submission.cells.append(copy.deepcopy(submission.cells[3]))
    assert structure_changes(released(), submission) == ["the test cell test-step appears 2 times"]
    restore_metadata(released(), submission)
    assert ids(submission) == ["intro", "answer-step", None, "test-step", None]


def test_edited_points_and_flags_are_reported_and_the_released_ones_put_back():
    submission = released()
    meta = submission.cells[3].metadata.nbgrader
    meta["points"], meta["grade"] = 100, False
    meta["solution"] = True
    changes = structure_changes(released(), submission)
    assert changes == ["the nbgrader metadata of test-step was edited (grade, solution, points)"]
    restore_metadata(released(), submission)
    assert nbgrader_meta(submission.cells[3]) == nbgrader_meta(released().cells[3])


def test_an_edited_test_is_reported_but_its_code_left_to_nbgrader():
    submission = released()
    submission.cells[3].source = "assert True"
    assert structure_changes(released(), submission) == ["the test cell test-step was edited"]
    restore_metadata(released(), submission)
    assert submission.cells[3].source == "assert True"  # OverwriteCells restores it, from the gradebook


def test_a_retyped_cell_is_reported():
    submission = released()
    submission.cells[0].cell_type = "code"
    assert "the read-only cell intro was turned from markdown into code" in \
        structure_changes(released(), submission)


def test_a_cell_claiming_an_unknown_id_loses_its_nbgrader_metadata():
    submission = released()
    submission.cells.append(test_cell("test-bonus", "assert True", points=50))
    assert structure_changes(released(), submission) == ["a cell claims the unknown nbgrader id test-bonus"]
    restore_metadata(released(), submission)
    assert "nbgrader" not in submission.cells[-1].metadata


def test_a_notebook_with_every_cell_deleted_gets_every_cell_back():
    submission = notebook()
    assert len(structure_changes(released(), submission)) == 3
    restore_missing(released(), submission)
    assert ids(submission) == ["intro", "answer-step", "test-step"]


def test_an_answer_moved_after_its_test_is_not_a_change():
    submission = released()
    submission.cells[1], submission.cells[3] = submission.cells[3], submission.cells[1]
    assert structure_changes(released(), submission) == []


def test_an_answer_cell_made_locked_is_an_edit_of_its_metadata():
    submission = notebook(answer("answer-step"))
    submission.cells[0].metadata.nbgrader["locked"] = True
    template = notebook(answer("answer-step"))
    assert structure_changes(template, submission) == \
        ["the nbgrader metadata of answer-step was edited (locked)"]
