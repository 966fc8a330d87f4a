"""nbgrader's exchange with the course's collect (gdcourse.grading.steps.exchange), with plain nbgrader
commands and real accounts' files: a submission handed in by one account in another student's
name is refused, and that student's own is collected. (The whole class through the exchange, in
the browser, with real accounts, is tests/test_hub.py.)"""
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course import ROOT, course_copy
from gdcourse.course.catalog import find_entry
from gdcourse.course.submissions import fill_answers

pytestmark = pytest.mark.xdist_group("exchange")
BIN = Path(sys.executable).parent
COURSE = "gradient-descent-pytorch"
ASSIGNMENT = "06-training"


def nbgrader(folder, *args):
    """`nbgrader ARGS` run in `folder`, with the configuration found there."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=folder, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def submit_as(account, student, folder, exchange, notebook):
    """`nbgrader submit` of `notebook` in `student`'s name, as the files of `account` (the test
    runs as root: it hands the submission's folder to that account, as if it had submitted)."""
    folder.mkdir()
    (folder / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.student_id = {student!r}\nc.Exchange.root = {str(exchange)!r}\n")
    (folder / ASSIGNMENT).mkdir()
    nbformat.write(notebook, folder / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    inbound = exchange / COURSE / "inbound"
    before = set(inbound.iterdir())
    nbgrader(folder, "submit", ASSIGNMENT)
    (submitted,) = set(inbound.iterdir()) - before
    uid = pwd.getpwnam(account).pw_uid
    for path in [submitted, *submitted.rglob("*")]:
        os.chown(path, uid, uid)
    return submitted


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to other accounts takes root")
def test_collect_takes_only_what_the_students_own_account_handed_in(tmp_path):
    """The machine's accounts `daemon` (the student) and `nobody` (another account): daemon hands
    in a right answer, then nobody hands in junk in daemon's name. Collect refuses nobody's, says
    so, and collects daemon's own."""
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    (tmp_path / "instructor").mkdir()
    instructor = course_copy(tmp_path / "instructor", f"c.Exchange.root = {str(exchange)!r}")
    nbgrader(instructor, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(instructor, "release_assignment", ASSIGNMENT)
    release = nbformat.read(instructor / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    right = fill_answers(nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                         release, find_entry(ROOT, ASSIGNMENT, "correct").answers)
    own = submit_as("daemon", "daemon", tmp_path / "daemon", exchange, right)
    time.sleep(1.1)  # the spoofed submission is the later one, which stock collect would take
    spoofed = submit_as("nobody", "daemon", tmp_path / "nobody", exchange, release)

    # Links daemon left in its own submission, to the instructor's source (hidden tests and all):
    # collect, run by the instructor, must not copy what they name.
    for name, target in (("notes.txt", instructor / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                         ("data", instructor / "source" / ASSIGNMENT)):
        (own / name).symlink_to(target)
        os.lchown(own / name, pwd.getpwnam("daemon").pw_uid, pwd.getpwnam("daemon").pw_gid)

    said = nbgrader(instructor, "collect", ASSIGNMENT)
    assert f"Not collected: {spoofed.name} is handed in under the name daemon by the account nobody" in said, said
    collected = instructor / "submitted" / "daemon" / ASSIGNMENT
    for name in ("notes.txt", "data"):
        assert f"Not collected: {name} in {own.name} is a link" in said, said
        assert not (collected / name).exists()
    assert "BEGIN HIDDEN TESTS" not in "".join(
        path.read_text(errors="replace") for path in collected.rglob("*") if path.is_file())
    assert (collected / "timestamp.txt").read_text() == (own / "timestamp.txt").read_text(), \
        "the submission collected is not daemon's own"
    assert nbformat.read(collected / f"{ASSIGNMENT}.ipynb", as_version=4) == right
