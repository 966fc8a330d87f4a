"""What the tests share: the course folder, copies of it, and grading through real nbgrader."""
import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from gdcourse.course.course_folder import copy_course
from gdcourse.course.nbgrader_commands import nbgrader
from gdcourse.grading.notebook_cells import grade_id, is_test_cell
from gdcourse.grading.feedback.student_feedback import judged_verdict
from gdcourse.course.submissions import write_submission
from gdcourse.grading.notebook_cells import course_notebook

ROOT = Path(__file__).resolve().parent.parent
# The virtual environment running the tests (set up by the Makefile), lent to commands run on
# fresh clones so that they skip the set-up.
VENV = Path(sys.executable).parent.parent


def quick_start_commands():
    """The commands of the README's quick start, in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", section, re.DOTALL).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def tracked_files(root=ROOT):
    """The files a fresh clone of the working tree would have (tracked and new, not ignored)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=root, check=True, capture_output=True).stdout
    return [name for name in listing.decode().split("\0") if name and (root / name).is_file()]


def fresh_clone(destination):
    """Copy the working tree as a fresh clone would see it; returns the copy's folder."""
    destination = Path(destination)
    for name in tracked_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


def course_copy(destination, extra_config=""):
    """A course folder to grade in: configuration, source/, release/ and the catalog."""
    return copy_course(ROOT, destination, extra_config)


def feedback_text(html_path):
    """What a student reads in a feedback page: its text, tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", Path(html_path).read_text()))


def results_table(html_path):
    """The text of the results table that opens a feedback page (gdcourse.grading.feedback.results_table)."""
    page = Path(html_path).read_text()
    table = re.search(r'<div class="gdcourse-results">.*?</table>', page, re.DOTALL)
    assert table, f"{html_path} has no results table"
    return html.unescape(re.sub(r"<[^>]+>", " ", table.group(0)))


@dataclass
class GradedSubmission:
    autograded_score: float       # points from test cells
    autograded_max: float
    cell_scores: dict             # grade_id -> auto score of each test cell
    feedback: str                 # text of the generated feedback page
    results: str                  # text of the results table that opens it
    failures: str                 # the errors the test cells raised, as the grader recorded them
    mistakes: dict                # grade_id -> the known mistake a failing test cell named
    autograded: Path              # the autograded notebook
    relations: dict = None        # grade_id -> the relation a failing test cell's hint said first


def grade(course_root, assignment, submissions):
    """Autograde {student: notebook} for `assignment` with one real `nbgrader autograde` run,
    generate feedback, and return {student: GradedSubmission}."""
    course_root = Path(course_root)
    log = course_root / "grading.log"
    nbgrader(course_root, "generate_assignment", assignment, "--force", log_file=log)
    for student, nb in submissions.items():
        write_submission(course_root, student, assignment, nb)
    nbgrader(course_root, "autograde", assignment, "--force", log_file=log)
    nbgrader(course_root, "generate_feedback", assignment, "--force", log_file=log)
    results = {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gradebook:
        for student in submissions:
            notebook = gradebook.find_submission(assignment, student).notebooks[0]
            auto = [g for g in notebook.grades if g.cell_type == "code"]
            feedback_page = course_root / "feedback" / student / assignment / f"{assignment}.html"
            results[student] = GradedSubmission(
                autograded_score=sum(g.auto_score or 0 for g in auto),
                autograded_max=sum(g.max_score for g in auto),
                cell_scores={g.name: g.auto_score for g in auto},
                feedback=feedback_text(feedback_page),
                results=results_table(feedback_page),
                failures=test_failures(course_root / "autograded" / student / assignment /
                                       f"{assignment}.ipynb"),
                mistakes=named_mistakes(course_root / "autograded" / student / assignment /
                                        f"{assignment}.ipynb"),
                relations=named_mistakes(course_root / "autograded" / student / assignment /
                                         f"{assignment}.ipynb", field="relation"),
                autograded=course_root / "autograded" / student / assignment / f"{assignment}.ipynb",
            )
    return results


def test_failures(autograded_path):
    """The error messages of the test cells of an autograded notebook ("Name: message" lines).

    A hint found here was produced by a failing test, not merely written in a test's code."""
    nb = nbformat.read(autograded_path, as_version=4)
    return "\n".join(f"{output.ename}: {output.evalue}"
                     for cell in nb.cells if is_test_cell(cell)
                     for output in cell.get("outputs", []) if output.output_type == "error")


def named_mistakes(autograded_path, field="mistake"):
    """{grade_id: hint} of the test cells whose failure named a known mistake (the verdict's
    note in the cell's metadata, gdcourse.grading.steps.verdicts); with field="relation", the
    relation its hint said first (gdcourse.checks.judges.relations)."""
    nb = nbformat.read(autograded_path, as_version=4)
    return {grade_id(cell): getattr(verdict, field) for cell in nb.cells if is_test_cell(cell)
            for _, verdict in [judged_verdict(cell)]
            if verdict is not None and getattr(verdict, field)}


def read_notebook(course_root, folder, assignment):
    return nbformat.read(course_notebook(course_root, folder, assignment), as_version=4)
