"""Hostile and broken submissions through the real `nbgrader autograde`, in one batch with
ordinary students: each gets its declared score, never more than the same submission without its
trick; the instructor sees the flag and its reason; ordinary students' grades do not move; nothing
outside the grader's output changes; the gradebook stays consistent; and no feedback page shows a
line of hidden test code, whatever the submissions printed."""
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course import ROOT, course_copy, feedback_text, read_notebook, results_table
from gdcourse.course.catalog import find_entry
from gdcourse.grading.steps.flags import FLAG, flagged_submissions
from gdcourse.course.grade_table import format_table, read_grades
from gdcourse.course.hostile import load_hostile, write_hostile
from gdcourse.course.nbgrader_commands import command_env, nbgrader
from gdcourse.course.submissions import submission_from_entry, write_submission

HOSTILE = load_hostile(ROOT)
BYSTANDERS = {  # ordinary students graded in the same batch: (assignment, catalog entry)
    "bystander-ada": ("01-gradient-descent", "correct"),
    "bystander-dara": ("01-gradient-descent", "steps-up-the-slope"),
    "bystander-ben": ("02-torch-tensors", "correct"),
}
GRADER_OUTPUT = ("autograded", "feedback", "gradebook.db", "gradebook.db-journal", "grading.log",
                 ".gdcourse-cache", "gradebook-backups")
pytestmark = pytest.mark.xdist_group("hostile")


def checksums(root):
    """Every file of the course folder but nbgrader's own output, with its SHA-256."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.relative_to(root).parts[0] not in GRADER_OUTPUT}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    # A shorter cell timeout keeps the endless-loop submission quick to grade.
    root = course_copy(tmp_path_factory.mktemp("hostile"), "c.Execute.timeout = 10")
    assignments = sorted({h.assignment for h in HOSTILE} | {a for a, _ in BYSTANDERS.values()})
    log = root / "grading.log"
    for assignment in assignments:
        nbgrader(root, "generate_assignment", assignment, "--force", log_file=log)
    for student, (assignment, entry_id) in BYSTANDERS.items():
        write_submission(root, student, assignment,
                         submission_from_entry(root, find_entry(root, assignment, entry_id)))
    students = {hostile.id: write_hostile(root, hostile) for hostile in HOSTILE}
    # A link in a submission to the instructor's source: nbgrader copies the file it names.
    reader = root / "submitted" / students["reads-the-graded-notebook"] / "01-gradient-descent"
    (reader / "notes.txt").symlink_to(root / "source" / "01-gradient-descent" / "01-gradient-descent.ipynb")
    before = checksums(root)
    for assignment in assignments:
        nbgrader(root, "autograde", assignment, "--force", log_file=log)
        nbgrader(root, "generate_feedback", assignment, "--force", log_file=log)
    after = checksums(root)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        graded = {}
        for hostile in HOSTILE:
            submission = gradebook.find_submission(hostile.assignment, students[hostile.id])
            notebook = submission.notebooks[0]
            graded[hostile.id] = {
                "score": sum(g.auto_score or 0 for g in notebook.grades if g.cell_type == "code"),
                "flagged": notebook.flagged,
                "comments": "\n".join(c.auto_comment or "" for c in notebook.comments),
            }
        for student, (assignment, _) in BYSTANDERS.items():
            notebook = gradebook.find_submission(assignment, student).notebooks[0]
            graded[student] = {"score": sum(g.auto_score or 0 for g in notebook.grades
                                            if g.cell_type == "code")}
    return {"root": root, "students": students, "graded": graded, "before": before, "after": after}


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.id for h in HOSTILE])
def test_hostile_submission_earns_nothing_from_its_trick(hostile, batch):
    base = find_entry(ROOT, hostile.assignment, hostile.base)
    assert hostile.score <= base.score, f"{hostile.id} is declared to earn more than its base"
    result = batch["graded"][hostile.id]
    assert result["score"] == hostile.score, f"{hostile.about}: {result}"
    assert result["flagged"] == hostile.flagged, f"{hostile.about}: {result['comments']}"
    if hostile.flagged:
        assert hostile.message in result["comments"], result["comments"]
    elif hostile.message:
        feedback = batch["root"] / "feedback" / batch["students"][hostile.id] / hostile.assignment
        assert hostile.message in feedback_text(feedback / f"{hostile.assignment}.html")


def test_ordinary_students_keep_their_grades(batch):
    for student, (assignment, entry_id) in BYSTANDERS.items():
        expected = find_entry(ROOT, assignment, entry_id).score
        assert batch["graded"][student]["score"] == expected, student


def test_nothing_outside_the_graders_output_changed(batch):
    changed = {name for name in batch["before"].keys() | batch["after"].keys()
               if batch["before"].get(name) != batch["after"].get(name)}
    assert not changed, f"changed by grading: {sorted(changed)}"


def test_gradebook_stays_consistent(batch):
    root = batch["root"]
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for assignment in gradebook.assignments:
            cells = {cell.name for notebook in assignment.notebooks for cell in notebook.grade_cells}
            for submission in assignment.submissions:
                grades = {g.name: g for n in submission.notebooks for g in n.grades}
                assert set(grades) == cells, submission.student.id
                assert all((g.auto_score or 0) <= g.max_score for g in grades.values())
    nbgrader(root, "export", "--to", str(root / "grades.csv"))
    rows = (root / "grades.csv").read_text().splitlines()
    assert len(rows) - 1 >= len(batch["students"]) + len(BYSTANDERS)


def hidden_only_lines(assignment, min_length=8):
    """The lines of the source's hidden tests that its visible code does not also hold (an `else:`
    is in both): each line stripped, and at least `min_length` characters long."""
    nb = read_notebook(ROOT, "source", assignment)
    hidden, visible = set(), set()
    for cell in nb.cells:
        before, marker, after = cell.source.partition("### BEGIN HIDDEN TESTS")
        visible.update(line.strip() for line in before.splitlines())
        if marker:
            inside, _, rest = after.partition("### END HIDDEN TESTS")
            hidden.update(line.strip() for line in inside.splitlines())
            visible.update(line.strip() for line in rest.splitlines())
    return sorted(line for line in hidden - visible if len(line) >= min_length)


def test_feedback_never_shows_hidden_tests(batch):
    """Not the hidden code (any line of 8 characters or more that only the hidden tests have),
    not the instructor's lines, not what a submission printed or returned of them."""
    root = batch["root"]
    hidden = {assignment: hidden_only_lines(assignment)
              for assignment in {h.assignment for h in HOSTILE}}
    for page in (root / "feedback").rglob("*.html"):
        text = feedback_text(page)
        assert "BEGIN HIDDEN TESTS" not in text, page
        # The instructor's line of a hidden verdict never reaches the feedback (the results table
        # quotes every verdict); the marker may, as text of the student's own answer (a value's
        # repr), but never opening a line of its own. (A cell's output is the student's own text.)
        table = results_table(page) if "gdcourse-results" in page.read_text() else ""
        assert not any(line.lstrip().startswith("[for the instructor]") for line in
                       table.splitlines()), page
        shown = [line for line in hidden[page.parent.name] if line in text]
        assert not shown, f"{page} shows hidden test code: {shown[:3]}"
    for trick in ("prints-the-hidden-tests", "returns-the-hidden-tests",
                  "prints-hidden-lines-split-by-escapes"):
        graded = nbformat.read(root / "autograded" / batch["students"][trick] /
                               "01-gradient-descent" / "01-gradient-descent.ipynb", as_version=4)
        kept = json.dumps([cell.get("outputs", []) for cell in graded.cells])
        assert any(line in kept.replace("\\x1b[0m", "").replace("\\u001b[0m", "")
                   for line in hidden["01-gradient-descent"]), \
            f"{trick} did not get hold of the hidden tests: the test proves nothing"


def test_the_kernel_never_holds_a_notebook_with_hidden_tests(batch):
    """The submission that reads every file in reach printed only notebooks without hidden
    tests: its kernel's copy of the folder holds its own notebook, and not the file nbgrader
    copied from a link in the submission to the source notebook."""
    root = batch["root"]
    graded = nbformat.read(root / "autograded" / batch["students"]["reads-the-graded-notebook"] /
                           "01-gradient-descent" / "01-gradient-descent.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for cell in graded.cells for o in cell.get("outputs", []))
    assert '"cells"' in printed, "the submission read no notebook: the test proves nothing"
    assert "BEGIN HIDDEN TESTS" not in printed and not any(
        line in printed for line in hidden_only_lines("01-gradient-descent")), \
        "the kernel read a notebook with the hidden tests"


def test_no_kernel_reaches_the_fork_server(batch):
    """The submission that looks for the fork server's sockets among its descriptors and files
    found none; and the students graded after it kept their grades (above)."""
    root = batch["root"]
    graded = nbformat.read(root / "autograded" / batch["students"]["attacks-the-fork-server"] /
                           "01-gradient-descent" / "01-gradient-descent.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for cell in graded.cells for o in cell.get("outputs", []))
    assert "found []" in printed, f"a kernel reached a socket it does not own: {printed[:500]}"


@pytest.mark.xdist_group("refusal")
def test_autograde_refuses_without_the_sandbox(tmp_path):
    root = course_copy(tmp_path)
    write_submission(root, "ada", "01-gradient-descent", submission_from_entry(
        root, find_entry(root, "01-gradient-descent", "correct")))
    nbgrader(root, "generate_assignment", "01-gradient-descent", "--force")
    env = command_env()
    env["PATH"] = str(Path(sys.executable).parent)  # no /usr/bin: bubblewrap cannot be found
    refused = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde",
                              "01-gradient-descent"], cwd=root, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "Refusing to run students' code without a sandbox" in refused.stdout + refused.stderr
    graded = [p for p in (root / "autograded").rglob("*") if p.is_file()] if (root / "autograded").exists() else []
    assert not graded, f"autograde produced {graded} without a sandbox"


def test_grade_table_shows_the_flags(batch):
    root = batch["root"]
    nbgrader(root, "export", "--to", str(root / "grades-table.csv"))
    grades, assignments = read_grades(root / "grades-table.csv")
    flagged = flagged_submissions(f"sqlite:///{root / 'gradebook.db'}")
    rows = {line.split()[0]: line for line in format_table(grades, assignments, flagged).splitlines()}
    for hostile in HOSTILE:
        row = rows[batch["students"][hostile.id]]
        assert (FLAG in row) == hostile.flagged, row
    for student in BYSTANDERS:
        assert FLAG not in rows[student]


@pytest.mark.xdist_group("refusal")
def test_renamed_or_missing_notebooks_are_named_and_the_batch_goes_on(tmp_path):
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", "01-gradient-descent", "--force")
    correct = find_entry(root, "01-gradient-descent", "correct")
    write_submission(root, "ada", "01-gradient-descent", submission_from_entry(root, correct))
    renamed = write_submission(root, "renamed", "01-gradient-descent", submission_from_entry(root, correct))
    (renamed / "01-gradient-descent.ipynb").rename(renamed / "my-work.ipynb")
    missing = write_submission(root, "missing", "01-gradient-descent", submission_from_entry(root, correct))
    (missing / "01-gradient-descent.ipynb").unlink()
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde",
                           "01-gradient-descent"], cwd=root, env=command_env(), capture_output=True, text=True)
    said = done.stdout + done.stderr
    assert "student 'renamed': no 01-gradient-descent.ipynb" in said and "my-work.ipynb" in said
    assert "No notebooks were matched" in said and "missing" in said
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("01-gradient-descent", "ada").score == correct.score
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
