"""The batch's merge (gdcourse.grading.batch.gradebook_rows): a worker's autograde rows written
into the course's gradebook, in a SQLite gradebook of a test's own; no nbgrader command."""
import os
import shutil
from datetime import datetime, timezone

import pytest
from nbgrader.api import Gradebook

from gdcourse.python_env import with_this_python_first

from gdcourse.grading.batch.gradebook_rows import (AssignmentStructure, NotebookRows,
                                                   NotebookStructure, ScoredCell, SubmissionRows,
                                                   assignment_structure, merge_autograde_rows,
                                                   seed_assignment)

# nbgrader's add_submission trips SQLAlchemy's autoflush warning (stock autograde prints it too).
pytestmark = pytest.mark.filterwarnings("ignore:.*not in session")

STRUCTURE = AssignmentStructure("ch1", None, [NotebookStructure(
    "ch1", [ScoredCell("test-step", 2.0, "code"), ScoredCell("written", 1.0, "markdown")],
    ["answer-step", "written"], [], [])])
HANDED_IN = datetime(2026, 9, 15, 12, tzinfo=timezone.utc).replace(tzinfo=None)


def rows(step_score, *, submitted=True, flagged=False, comment=None):
    return SubmissionRows(HANDED_IN, {"ch1": NotebookRows(
        submitted=submitted, flagged=flagged, late_submission_penalty=None,
        grades={"test-step": (step_score, False), "written": (None, True)},
        comments={"answer-step": comment, "written": None})})


def grades(db_url, student):
    with Gradebook(db_url) as gradebook:
        notebook = gradebook.find_submission("ch1", student).notebooks[0]
        return ({g.name: (g.auto_score, g.needs_manual_grade) for g in notebook.grades},
                notebook.flagged, {c.name: c.auto_comment for c in notebook.comments})


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    """A gradebook with the assignment seeded, made once (nbgrader runs alembic, by name)."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", with_this_python_first(os.environ)["PATH"])
        seed_assignment(f"sqlite:///{path}", STRUCTURE)
    return path


@pytest.fixture
def seeded(seeded_file, tmp_path):
    """The URL of a copy of the seeded gradebook, this test's own."""
    shutil.copy(seeded_file, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def test_the_structure_read_back_is_the_structure_seeded(seeded):
    assert assignment_structure(seeded, "ch1") == STRUCTURE
    assert assignment_structure(seeded, "ch9") is None


def test_a_merged_submission_has_the_workers_scores_flags_and_comments(seeded):
    db_url = seeded
    with Gradebook(db_url) as gradebook:
        merge_autograde_rows(gradebook, "ch1", "ada", rows(2.0, flagged=True, comment="⚑ note"))
    scores, flagged, comments = grades(db_url, "ada")
    assert scores == {"test-step": (2.0, False), "written": (None, True)}
    assert flagged is True and comments["answer-step"] == "⚑ note"


def test_merging_again_replaces_and_a_hand_score_needs_review_again(seeded):
    db_url = seeded
    with Gradebook(db_url) as gradebook:
        merge_autograde_rows(gradebook, "ch1", "ada", rows(0.0))
        grade = gradebook.find_grade("test-step", "ch1", "ch1", "ada")
        grade.manual_score = 1.5
        gradebook.db.commit()
        merge_autograde_rows(gradebook, "ch1", "ada", rows(2.0))
    scores, _, _ = grades(db_url, "ada")
    assert scores["test-step"] == (2.0, True)  # as SaveAutoGrades: the grader looks again


def test_a_notebook_not_handed_in_keeps_what_autograde_gave_it(seeded):
    db_url = seeded
    with Gradebook(db_url) as gradebook:
        merge_autograde_rows(gradebook, "ch1", "ben", rows(0.0, submitted=False))
    scores, _, _ = grades(db_url, "ben")
    assert scores == {"test-step": (0.0, False), "written": (None, True)}


def test_one_students_merge_leaves_the_others_alone(seeded):
    db_url = seeded
    with Gradebook(db_url) as gradebook:
        merge_autograde_rows(gradebook, "ch1", "ada", rows(2.0))
        merge_autograde_rows(gradebook, "ch1", "ben", rows(0.0, flagged=True))
    assert grades(db_url, "ada")[:2] == ({"test-step": (2.0, False), "written": (None, True)}, False)
    assert grades(db_url, "ben")[1] is True
