"""An ordinary nbgrader assignment, graded by stock nbgrader and by this course, gets the same grades.

The assignment is nbgrader's own documentation example, Problem Set 1 (shipped in the installed
nbgrader package), with its two submitted students and honest students of our own: solutions
filled in and Part E answered in new cells, an answer using a module this course never imports
(`operator`) plus a class and top-level code, a notebook written with cell ids in nbformat 4.0 (as
papermill and jupytext write them), and an untouched release. Both graders run the real `nbgrader
autograde` and `generate_feedback` in the same test: stock nbgrader with a minimal
nbgrader_config.py, the course with its own (sandbox, trusted verdicts, feedback).
"""
import json
import shutil
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbgrader.api import Gradebook

from course import ROOT, feedback_text
from gdcourse.course.nbgrader_commands import nbgrader as run_nbgrader
from gdcourse.grading.notebook_cells import is_answer_cell, solution_text

pytestmark = pytest.mark.xdist_group("conformance")

USER_GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
NOTEBOOKS = ("problem1", "problem2")
PART_E_ANSWER = ("An arithmetic sum: 1 + 2 + … + n = n(n + 1)/2. A geometric sum: 1 + r + … + r^n = "
                 "(r^(n+1) − 1)/(r − 1). Checked below for n = 10 and r = 3.")
PART_E_CODE = "print(sum(range(1, 11)), 10 * 11 // 2)\nprint(sum(3 ** k for k in range(11)), (3 ** 11 - 1) // 2)"
OPERATOR_ANSWERS = {
    "squares": ("import operator\n\n\nclass Squares:\n    def __init__(self, n):\n"
                "        self.n = n\n\n    def values(self):\n"
                "        return [operator.mul(i, i) for i in range(1, self.n + 1)]\n\n\n"
                "def squares(n):\n    if n < 1:\n        raise ValueError('n must be at least 1')\n"
                "    return Squares(n).values()\n\n\nprint('top-level code runs too:', squares(3))"),
    "sum_of_squares": ("import functools\nimport operator\n\n\ndef sum_of_squares(n):\n"
                       "    return functools.reduce(operator.add, squares(n))"),
}


def stock_config(folder):
    (folder / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "conformance"\n')


def course_config(folder):
    shutil.copy2(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")


def solved(release, source):
    """The release notebook with every answer cell holding the source's solution."""
    nb = nbformat.from_dict(release)
    answers = {c.metadata.nbgrader["grade_id"]: solution_text(c.source)
               for c in source.cells if is_answer_cell(c)}
    for cell in nb.cells:
        if is_answer_cell(cell):
            cell.source = answers[cell.metadata.nbgrader["grade_id"]].rstrip("\n")
    return nb


def with_part_e(nb):
    """Part E answered as nbgrader asks: in new cells after the task."""
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("task"))
    nb.cells[index + 1:index + 1] = [nbformat.v4.new_markdown_cell(PART_E_ANSWER),
                                     nbformat.v4.new_code_cell(PART_E_CODE)]
    return nb


def with_answers(nb, answers):
    for cell in nb.cells:
        key = cell.metadata.get("nbgrader", {}).get("grade_id")
        if key in answers:
            cell.source = answers[key]
    return nb


def write(folder, student, notebooks, *, minor_zero_with_ids=False):
    target = folder / "submitted" / student / "ps1"
    target.mkdir(parents=True)
    for name, nb in notebooks.items():
        if minor_zero_with_ids:
            data = json.loads(nbformat.writes(nb))
            data["nbformat_minor"] = 0
            for number, cell in enumerate(data["cells"]):
                cell["id"] = f"cell-{number}"
            (target / f"{name}.ipynb").write_text(json.dumps(data, indent=1))
        else:
            nbformat.write(nb, target / f"{name}.ipynb")
    shutil.copy2(USER_GUIDE / "source" / "ps1" / "jupyter.png", target / "jupyter.png")
    (target / "timestamp.txt").write_text("2026-09-15 12:00:00.000000 UTC")


def grade_class(folder, configure):
    """Set up `folder` as a course with ps1 and the class, grade it; per student the grades."""
    folder.mkdir()
    configure(folder)
    shutil.copytree(USER_GUIDE / "source" / "ps1", folder / "source" / "ps1")
    log = folder / "grading.log"
    run_nbgrader(folder, "generate_assignment", "ps1", "--force", log_file=log)
    release = {n: nbformat.read(folder / "release" / "ps1" / f"{n}.ipynb", as_version=4) for n in NOTEBOOKS}
    source = {n: nbformat.read(folder / "source" / "ps1" / f"{n}.ipynb", as_version=4) for n in NOTEBOOKS}
    for student in ("bitdiddle", "hacker"):
        shutil.copytree(USER_GUIDE / "submitted" / student / "ps1", folder / "submitted" / student / "ps1")
    solver = {n: solved(release[n], source[n]) for n in NOTEBOOKS}
    solver["problem1"] = with_part_e(solver["problem1"])
    write(folder, "solver", solver)
    write(folder, "operator-user", {"problem1": with_answers(solved(release["problem1"], source["problem1"]),
                                                             OPERATOR_ANSWERS),
                                    "problem2": solved(release["problem2"], source["problem2"])})
    write(folder, "papermill", {n: solved(release[n], source[n]) for n in NOTEBOOKS},
          minor_zero_with_ids=True)
    write(folder, "untouched", release)
    run_nbgrader(folder, "autograde", "ps1", "--force", log_file=log)
    run_nbgrader(folder, "generate_feedback", "ps1", "--force", log_file=log)
    grades = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for submission in gradebook.find_assignment("ps1").submissions:
            cells = {(n.name, g.name): (g.auto_score, g.needs_manual_grade)
                     for n in submission.notebooks for g in n.grades}
            grades[submission.student.id] = {"score": submission.score, "cells": cells}
    return grades, log.read_text()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("conformance")
    return {"stock": grade_class(base / "stock", stock_config),
            "course": grade_class(base / "course", course_config), "base": base}


STUDENTS = ["bitdiddle", "hacker", "solver", "operator-user", "papermill", "untouched"]


@pytest.mark.parametrize("student", STUDENTS)
def test_same_grades_as_stock_nbgrader(student, graded):
    stock, course = graded["stock"][0][student], graded["course"][0][student]
    assert course["cells"] == stock["cells"], (
        f"{student}: per cell (auto score, needs manual grading) differ:\n"
        f"stock  {stock['cells']}\ncourse {course['cells']}")
    assert course["score"] == stock["score"]


def test_the_class_is_graded_as_nbgrader_documents_it(graded):
    """bitdiddle and hacker score what nbgrader's own example results say (user_guide/grades.csv)."""
    documented = {row.split(",")[3]: float(row.split(",")[9])
                  for row in (USER_GUIDE / "grades.csv").read_text().splitlines()[1:]}
    for student, score in documented.items():
        assert graded["course"][0][student]["score"] == score, student
    assert graded["course"][0]["solver"]["score"] > 0
    assert graded["course"][0]["untouched"]["score"] == 0


def test_part_e_reaches_the_graded_notebook_and_the_feedback(graded):
    folder = graded["base"] / "course"
    autograded = (folder / "autograded" / "solver" / "ps1" / "problem1.ipynb").read_text()
    assert PART_E_ANSWER in autograded and "sum(range(1, 11))" in autograded
    feedback = feedback_text(folder / "feedback" / "solver" / "ps1" / "problem1.html")
    assert PART_E_ANSWER in feedback


def test_no_false_warnings(graded):
    log = graded["course"][1]
    assert "[gdcourse]" not in log, [line for line in log.splitlines() if "[gdcourse]" in line]
    assert "was edited" not in log and "was deleted" not in log


def test_an_assignment_without_a_catalog_breaks_nothing(tmp_path):
    """ps1 added to the course's source/, with no catalog: the main job releases it and grades the
    example class as before (here one student, to keep the test short)."""
    from gdcourse.course.course_folder import copy_course
    from gdcourse.course.example_class import run

    root = copy_course(ROOT, tmp_path)
    # Chapter 1 stands for the course's chapters (the class has it only): releasing the others
    # would cost time and test nothing.
    for other in (*(root / "source").iterdir(), *(root / "release").iterdir()):
        if other.name != "01-gradient-descent":
            shutil.rmtree(other)
    shutil.copytree(USER_GUIDE / "source" / "ps1", root / "source" / "ps1")
    (root / "catalog" / "example_class.yaml").write_text(
        "students:\n  ada:\n    01-gradient-descent: correct\n")
    run(root)
    assert (root / "release" / "ps1" / "problem1.ipynb").is_file()
    rows = (root / "grades.csv").read_text().splitlines()
    assert any(row.startswith("01-gradient-descent,") and ",ada," in row for row in rows), rows


def test_the_class_report_reads_an_ordinary_nbgrader_assignment(graded):
    """The class report of ps1 (no catalog, plain assert tests, two notebooks): its numbers are
    the gradebook's."""
    from gdcourse.course.class_report import write_reports
    from gdcourse.course.class_results import read_results

    folder = graded["base"] / "course"
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    index = write_reports(folder, ["ps1"], out=folder / "reports", db_url=db_url)
    results = read_results(folder, "ps1", db_url)
    assert sorted(s.student for s in results.submissions) == sorted(STUDENTS)
    with Gradebook(db_url) as gradebook:
        for submission in gradebook.find_assignment("ps1").submissions:
            mine = next(s for s in results.submissions if s.student == submission.student.id)
            assert mine.score == submission.score
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in mine.passed:
                        assert mine.passed[grade.name] == (grade.score == grade.max_score)
    # problem1's four tests; problem2's written answers wait for a grader; stock tests name no
    # known mistake.
    assert [t.grade_id for t in results.tests] == [
        "correct_squares", "squares_invalid_input", "correct_sum_of_squares",
        "sum_of_squares_uses_squares"]
    bitdiddle = next(s for s in results.submissions if s.student == "bitdiddle")
    assert {cell for notebook, _, cell in bitdiddle.ungraded if notebook == "problem2"} >= {
        "part-a", "part-b"}
    assert results.mistakes() == []
    page = (folder / "reports" / "ps1.html").read_text()
    assert "No known mistake was recognised." in page and index.is_file()
