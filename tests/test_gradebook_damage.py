"""Nothing lost when the gradebook breaks: before its first write, a grading run keeps a copy of
the gradebook and says where; a gradebook it cannot read is named in one line, with what to do,
and nothing is written (the batch command and plain `nbgrader autograde` alike)."""
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from course import course_copy
from gdcourse.course.catalog import find_entry
from gdcourse.course.nbgrader_commands import command_env, nbgrader
from gdcourse.course.submissions import submission_from_entry, write_submission
from gdcourse.grading.batch.worker import put_python_on_path
from gdcourse.grading.gradebook_guard import BACKUPS

pytestmark = pytest.mark.xdist_group("batch")
ASSIGNMENT = "01-gradient-descent"
BIN = sys.executable.rsplit("/", 1)[0]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course with one submission of chapter 1, not graded yet."""
    root = course_copy(tmp_path_factory.mktemp("damage"))
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    write_submission(root, "ada", ASSIGNMENT,
                     submission_from_entry(root, find_entry(root, ASSIGNMENT, "correct")))
    return root


def batch(root):
    return subprocess.run([sys.executable, "-m", "gdcourse.grading.batch", ASSIGNMENT,
                           "--course", str(root), "--workers", "1"], env=command_env(),
                          cwd=root, capture_output=True, text=True, timeout=600)


def autograde(root):
    return subprocess.run([f"{BIN}/nbgrader", "autograde", ASSIGNMENT, "--force"],
                          env=command_env(), cwd=root, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("command", [batch, autograde], ids=["batch", "nbgrader-autograde"])
def test_a_cut_short_gradebook_is_named_and_nothing_is_written(course, command):
    gradebook = course / "gradebook.db"
    sound = gradebook.read_bytes()
    try:
        gradebook.write_bytes(sound[:len(sound) // 2])
        done = command(course)
        said = done.stdout + done.stderr
        assert done.returncode != 0, said[-3000:]
        assert "Traceback" not in said and "sqlalchemy" not in said.lower(), said[-3000:]
        (line,) = [l for l in said.splitlines() if "cannot be read" in l]
        assert str(gradebook) in line and "Nothing was written" in line and BACKUPS in line
        assert gradebook.read_bytes() == sound[:len(sound) // 2]
        assert not (course / "autograded" / "ada").exists()
    finally:
        gradebook.write_bytes(sound)


@pytest.mark.parametrize("command", [batch, autograde], ids=["batch", "nbgrader-autograde"])
def test_a_run_keeps_a_copy_of_the_gradebook_before_it_writes_and_says_where(course, command):
    put_python_on_path()   # reading a gradebook may run nbgrader's alembic check
    backups = course / BACKUPS
    before = set(backups.glob("*.db")) if backups.exists() else set()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        graded_before = len(gb.assignment_submissions(ASSIGNMENT))
    done = command(course)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-3000:]
    (copy,) = set(backups.glob("*.db")) - before
    assert str(copy) in said
    with Gradebook(f"sqlite:///{copy}") as gb:   # the copy is the gradebook before the run
        assert len(gb.assignment_submissions(ASSIGNMENT)) == graded_before
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert len(gb.assignment_submissions(ASSIGNMENT)) == 1
