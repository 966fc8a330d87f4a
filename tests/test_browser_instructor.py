"""An instructor in formgrader, in a real browser, on the example class the main job graded:
the assignments and scores are listed, a written answer is graded by hand and saved, and the
grade reaches the exported grades and the student's feedback page. formgrader runs on a copy of
the graded course, started by the command behind `make formgrader`."""
import re
import shutil

import pytest

from browser import grade_by_hand, save_screenshot
from course import results_table
from gdcourse.course.catalog import assignment_names, example_class
from gdcourse.course.grade_table import read_grades
from gdcourse.course.nbgrader_commands import nbgrader
from jupyterlab import running_jupyterlab

# The main job runs once per test process, shared with the quick-start test (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("main-job")

ASSIGNMENT = "01-gradient-descent"
STUDENT, STUDENT_NAME = "chen", "Wei, Chen"
WRITTEN_ANSWER = "observations"  # the grade id of chapter 1's written answer (2 points)
COMMENT = "Right: with λ = 10 each step multiplies θ by −19, so |θ| grows."


def cell_texts(row):
    return [" ".join(text.split()) for text in row.locator("th, td").all_inner_texts()]


def test_instructor_grades_a_written_answer_in_formgrader(example_class_run, page, tmp_path):
    graded, _ = example_class_run
    course = shutil.copytree(graded, tmp_path / "course")
    students = example_class(course)

    with running_jupyterlab(course, tmp_path / "jupyterlab", formgrader=True) as lab:
        # make formgrader lands on Manage Assignments: every assignment, 5 submissions each.
        page.goto(lab.url(""))
        rows = page.locator("table.dataTable tbody tr")
        rows.first.wait_for()
        listed = {cells[0]: cells for cells in map(cell_texts, rows.all())}
        assert sorted(listed) == assignment_names(course)
        header = cell_texts(page.locator("table.dataTable thead tr"))
        submissions = header.index("# Submissions")
        assert all(cells[submissions] == str(len(students)) for cells in listed.values()), listed

        # Each student's submission of chapter 1, with the score the catalog expects.
        rows.filter(has_text=ASSIGNMENT).get_by_role("link", name=str(len(students))).click()
        page.get_by_role("heading", name="Manage Submissions").wait_for()
        page.locator("table.dataTable tbody tr").filter(has_text=STUDENT).wait_for()
        for student, picks in students.items():
            row = cell_texts(page.locator("table.dataTable tbody tr").filter(has_text=student))
            assert f"{picks[ASSIGNMENT].score:g} / 10" in row, (student, row)
        assert STUDENT_NAME in page.inner_text("table.dataTable")  # names from the student list

        # Manual Grading → the assignment → its notebook → the student's submission: the written
        # answer gets 2 points and a comment.
        grade_by_hand(page, ASSIGNMENT, STUDENT, WRITTEN_ANSWER, 2, COMMENT)
        page.locator(f"#{WRITTEN_ANSWER}-comment").evaluate(
            "e => e.closest('.nbgrader_cell').scrollIntoView({block: 'center'})")
        save_screenshot(page, "formgrader.png", tmp_path)

    # The exported grades include the hand-graded points (nbgrader export, as the README says).
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    grades, _ = read_grades(tmp_path / "grades.csv")
    autograded = students[STUDENT][ASSIGNMENT].score
    assert grades[(STUDENT, ASSIGNMENT)] == (autograded + 2, 10)

    # The student's feedback, regenerated, opens with the grade and the grader's comment.
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", STUDENT, "--force")
    feedback = course / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.html"
    table = " ".join(results_table(feedback).split())
    assert table.startswith(f"Your results: {autograded + 2:g} / 10 points"), table[:200]
    assert f"✎ 2 / 2 — Your written answer, graded by hand grader's comment: {COMMENT}" in table
    page.goto(feedback.as_uri())
    results = page.locator(".gdcourse-results")
    assert "✗ failed" in results.inner_text()
    assert re.search(r"One step too few: the loop must run number_steps times\.", results.inner_text())
    save_screenshot(page, "feedback.png", tmp_path)
