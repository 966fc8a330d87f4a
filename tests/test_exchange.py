"""A class through nbgrader's exchange, end to end, with plain nbgrader commands: the instructor
releases an assignment, a student fetches it into their own folder, answers and submits it, the
instructor collects, autogrades (trusted verdicts, in the sandbox), generates and releases the
feedback, and the student fetches it and reads their results. The student's folder never holds
the source notebook or the catalog."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import ROOT, course_copy, feedback_text, results_table
from gdcourse.course.catalog import find_entry
from gdcourse.course.submissions import fill_answers

pytestmark = pytest.mark.xdist_group("exchange")
BIN = Path(sys.executable).parent
COURSE = "gradient-descent-pytorch"
ASSIGNMENT = "01-gradient-descent"


def nbgrader(folder, *args):
    """`nbgrader ARGS` run in `folder`, with the configuration found there."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=folder, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_release_fetch_submit_collect_grade_feedback(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    setting = f"c.Exchange.root = {str(exchange)!r}"
    (tmp_path / "instructor").mkdir()
    instructor = course_copy(tmp_path / "instructor", setting)
    student = tmp_path / "ada"
    student.mkdir()
    # Every user here is the same OS user: the student's nbgrader says who they are (on a hub,
    # each student is a user of their own, or nbgrader reads JUPYTERHUB_USER).
    (student / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.student_id = 'ada'\n{setting}\n")

    nbgrader(instructor, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(instructor, "release_assignment", ASSIGNMENT)
    listed = nbgrader(student, "list")
    assert ASSIGNMENT in listed, listed

    nbgrader(student, "fetch_assignment", ASSIGNMENT)
    fetched = student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    names = {p.name for p in student.rglob("*")}
    assert fetched.is_file() and not names & {"source", "catalog", "gradebook.db"}, names
    # The student answers: one step too few in the descent, everything else right.
    entry = find_entry(ROOT, ASSIGNMENT, "one-step-too-few")
    answered = fill_answers(nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                            nbformat.read(fetched, as_version=4), entry.answers)
    nbformat.write(answered, fetched)
    nbgrader(student, "submit", ASSIGNMENT)

    nbgrader(instructor, "collect", ASSIGNMENT)
    assert (instructor / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    nbgrader(instructor, "autograde", ASSIGNMENT)
    nbgrader(instructor, "generate_feedback", ASSIGNMENT)
    nbgrader(instructor, "release_feedback", ASSIGNMENT)

    nbgrader(student, "fetch_feedback", ASSIGNMENT)
    pages = list((student / ASSIGNMENT / "feedback").rglob("*.html"))
    assert len(pages) == 1, pages
    table = " ".join(results_table(pages[0]).split())
    assert table.startswith(f"Your results: {entry.score:g} / "), table[:200]
    assert "One step too few: the loop must run number_steps times." in feedback_text(pages[0])
