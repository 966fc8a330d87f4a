"""Ordinary nbgrader assignments, graded by stock nbgrader, by the course's `nbgrader autograde`
and by its batch command: the same results, and feedback that shows what stock's shows.

The assignments nobody here wrote is nbgrader's own documentation example, Problem Set 1 (ps1,
shipped in the installed nbgrader package), with its two submitted students and honest students
of ours: solutions filled in and Part E answered in new cells, an answer using a module this course
never imports (`operator`) plus a class and top-level code, a notebook written with cell ids in
nbformat 4.0 (as papermill and jupytext write them), and an untouched release. The two written
here (tests/ordinary, in the styles public courses use) add an answer that plots (graded by hand),
written answers and a task, a visible test cell with five asserts, `#`/`###` headings or none,
answers in a second notebook run with `%run`, hidden tests and none, a right answer whose test
makes numpy warn, and nbformat 4.5 with cell ids.

Three graders, each in a course folder of its own, grade the same submissions:
- stock: nbgrader with a minimal nbgrader_config.py (`nbgrader autograde`);
- course: the course's nbgrader_config.py (`nbgrader autograde`);
- batch: the course's nbgrader_config.py with the stderr rule set back to stock's
  (WARNINGS_FAIL_TESTS = True), and the batch command.
The course grades differently from stock in one documented way: a test cell whose code passes
but warns keeps its points. With stock's stderr rule, the batch grades exactly as stock does.
"""
import base64
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbgrader.api import Gradebook

from browser import grade_by_hand, save_screenshot
from course import ROOT, feedback_text, results_table
from gdcourse.course.nbgrader_commands import command_env, nbgrader as run_nbgrader
from gdcourse.grading.notebook_cells import (hidden_line_numbers, is_answer_cell, is_test_cell,
                                             solution_text)
from jupyterlab import running_jupyterlab
from ordinary.students import SOLUTION, STUDENTS, EXPECTED_STOCK_SCORES

pytestmark = pytest.mark.xdist_group("conformance")

USER_GUIDE = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
ORDINARY = Path(__file__).parent / "ordinary" / "source"
ASSIGNMENTS = ("ps1", "plots-and-prose", "two-notebooks")
PS1_STUDENTS = ["bitdiddle", "hacker", "solver", "operator-user", "papermill", "untouched"]
CLASS = [("ps1", student) for student in PS1_STUDENTS] + [
    (assignment, student) for assignment, students in STUDENTS.items() for student in students]
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
STDERR_SWITCH = "WARNINGS_FAIL_TESTS = False"


# --- The course folders ------------------------------------------------------------------------

def stock_config(folder):
    (folder / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "conformance"\n')


def course_config(folder):
    shutil.copy2(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")


def course_config_with_stock_stderr_rule(folder):
    """The course's configuration with its documented switch set to stock's stderr rule."""
    text = (ROOT / "nbgrader_config.py").read_text()
    assert text.count(STDERR_SWITCH) == 1, "nbgrader_config.py no longer has the stderr switch"
    (folder / "nbgrader_config.py").write_text(text.replace(STDERR_SWITCH, "WARNINGS_FAIL_TESTS = True"))


def new_course(folder, configure):
    folder.mkdir()
    configure(folder)
    shutil.copytree(USER_GUIDE / "source" / "ps1", folder / "source" / "ps1")
    for assignment in ("plots-and-prose", "two-notebooks"):
        shutil.copytree(ORDINARY / assignment, folder / "source" / assignment)
    # nbgrader reads the assignment's name as a pattern: "*" is every assignment, in one run.
    run_nbgrader(folder, "generate_assignment", "*", "--force", log_file=folder / "grading.log")
    return folder


# --- The class ---------------------------------------------------------------------------------

def notebook_json(path):
    return json.loads(Path(path).read_text())


def answered(release, source, answers):
    """The released notebook (JSON as released: its nbformat version and ids kept) with the
    answer cells named in `answers` holding that text (SOLUTION: the source's solution)."""
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: solution_text("".join(c["source"]))
                 for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    for cell in release["cells"]:
        key = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if key in answers and answers[key] is not None:
            text = solutions[key] if answers[key] == SOLUTION else answers[key]
            cell["source"] = text.rstrip("\n")
    return release


def ps1_submissions(stock):
    """ps1's class: {student: {notebook: JSON}}."""
    release = {n: notebook_json(stock / "release" / "ps1" / f"{n}.ipynb") for n in ("problem1", "problem2")}
    source = {n: notebook_json(stock / "source" / "ps1" / f"{n}.ipynb") for n in ("problem1", "problem2")}

    def solved(name, answers=None):
        answers = answers or {c["metadata"]["nbgrader"]["grade_id"]: SOLUTION
                              for c in source[name]["cells"]
                              if c["metadata"].get("nbgrader", {}).get("solution")}
        return answered(json.loads(json.dumps(release[name])), source[name], answers)

    solver = {n: solved(n) for n in release}
    task = next(i for i, c in enumerate(solver["problem1"]["cells"])
                if c["metadata"].get("nbgrader", {}).get("task"))
    part_e = [nbformat.v4.new_markdown_cell(PART_E_ANSWER), nbformat.v4.new_code_cell(PART_E_CODE)]
    if "id" not in solver["problem1"]["cells"][0]:
        for cell in part_e:
            del cell["id"]  # as the release: a version of the format without cell ids
    solver["problem1"]["cells"][task + 1:task + 1] = part_e
    papermill = {n: solved(n) for n in release}
    for nb in papermill.values():
        nb["nbformat_minor"] = 0
        for number, cell in enumerate(nb["cells"]):
            cell["id"] = f"cell-{number}"
    return {"solver": solver,
            "operator-user": {"problem1": solved("problem1", {**{k: SOLUTION for k in ("squares", "sum_of_squares")},
                                                              **OPERATOR_ANSWERS}),
                              "problem2": solved("problem2")},
            "papermill": papermill, "untouched": release}


def ordinary_submissions(stock, assignment):
    """{student: {notebook: JSON}} of tests/ordinary/students.py."""
    release_folder = stock / "release" / assignment
    class_ = {}
    for student, notebooks in STUDENTS[assignment].items():
        class_[student] = {}
        for path in sorted(release_folder.glob("*.ipynb")):
            source = notebook_json(stock / "source" / assignment / path.name)
            class_[student][path.stem] = answered(notebook_json(path), source,
                                                  notebooks.get(path.stem, {}))
    return class_


def hand_in(folder, assignment, student, notebooks):
    target = folder / "submitted" / student / assignment
    target.mkdir(parents=True)
    for name, nb in notebooks.items():
        (target / f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    if assignment == "ps1":
        shutil.copy2(USER_GUIDE / "source" / "ps1" / "jupyter.png", target / "jupyter.png")
    (target / "timestamp.txt").write_text("2026-09-15 12:00:00.000000 UTC")


def hand_in_class(stock, folders):
    submissions = {("ps1", s): nbs for s, nbs in ps1_submissions(stock).items()}
    for assignment in ("plots-and-prose", "two-notebooks"):
        submissions.update({(assignment, s): nbs for s, nbs in ordinary_submissions(stock, assignment).items()})
    for folder in folders:
        for student in ("bitdiddle", "hacker"):
            shutil.copytree(USER_GUIDE / "submitted" / student / "ps1", folder / "submitted" / student / "ps1")
        for (assignment, student), notebooks in submissions.items():
            hand_in(folder, assignment, student, notebooks)


# --- Grading -----------------------------------------------------------------------------------

def autograde(folder):
    for assignment in ASSIGNMENTS:
        run_nbgrader(folder, "autograde", assignment, "--force", log_file=folder / "grading.log")


def batch(folder):
    done = subprocess.run([sys.executable, "-m", "gdcourse.grading.batch", *ASSIGNMENTS,
                           "--course", str(folder), "--workers", "2",
                           "--log", str(folder / "grading.log")],
                          env=command_env(), cwd=folder, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def generate_feedback(folder):
    run_nbgrader(folder, "generate_feedback", "*", "--force", log_file=folder / "grading.log")


def gradebook_grades(folder):
    """{(assignment, student): {"score": total, "cells": {(notebook, cell): (auto score,
    needs manual grade)}, "max": {(notebook, cell): points}}}."""
    grades = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for assignment in ASSIGNMENTS:
            for submission in gradebook.find_assignment(assignment).submissions:
                grades[(assignment, submission.student.id)] = {
                    "score": submission.score,
                    "cells": {(n.name, g.name): (g.auto_score, g.needs_manual_grade)
                              for n in submission.notebooks for g in n.grades},
                    "max": {(n.name, g.name): g.max_score for n in submission.notebooks for g in n.grades}}
    return grades


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("conformance")
    folders = {"stock": new_course(base / "stock", stock_config),
               "course": new_course(base / "course", course_config),
               "batch": new_course(base / "batch", course_config_with_stock_stderr_rule)}
    hand_in_class(folders["stock"], folders.values())
    run_nbgrader(folders["stock"], "autograde", "*", "--force", log_file=folders["stock"] / "grading.log")
    autograde(folders["course"])
    batch(folders["batch"])
    for folder in folders.values():
        generate_feedback(folder)
    return {name: {"folder": folder, "grades": gradebook_grades(folder),
                   "log": (folder / "grading.log").read_text()} for name, folder in folders.items()}


# --- What each grader made -------------------------------------------------------------------

def autograded(folder, assignment, student):
    return {path.stem: nbformat.read(path, as_version=4)
            for path in sorted((folder / "autograded" / student / assignment).glob("*.ipynb"))}


def warned_but_passed(stock_folder, assignment, student):
    """The test cells stock scored 0 for stderr alone: no error, a stderr stream."""
    cells = set()
    for name, nb in autograded(stock_folder, assignment, student).items():
        for cell in nb.cells:
            outputs = cell.get("outputs", [])
            if is_test_cell(cell) and not any(o.output_type == "error" for o in outputs) \
                    and any(o.get("name") == "stderr" for o in outputs):
                cells.add((name, cell.metadata.nbgrader["grade_id"]))
    return cells


KERNEL_FILE = re.compile(r"/tmp/ipykernel_\d+/\d+\.py")


def answer_outputs(folder, assignment, student, stream_names=True):
    """{(notebook, answer cell): its outputs}, without what differs from kernel to kernel (the
    file a cell runs as, execution counts); images compared byte for byte."""
    found = {}
    for name, nb in autograded(folder, assignment, student).items():
        for cell in nb.cells:
            if cell.cell_type != "code" or not is_answer_cell(cell):
                continue
            outputs = []
            for output in cell.outputs:
                output = json.loads(KERNEL_FILE.sub("<cell>", json.dumps(output)))
                output.pop("execution_count", None)
                if not stream_names:
                    output.pop("name", None)
                outputs.append(output)
            found[(name, cell.metadata.nbgrader["grade_id"])] = outputs
    return found


def feedback_pages(folder, assignment, student):
    return {path.stem: path.read_text()
            for path in sorted((folder / "feedback" / student / assignment).glob("*.html"))}


IMAGE = re.compile(r'src="data:image/png;base64,([^"]+)"')
ARROW = re.compile(r"^-+> *\d+ .*$", re.M)


def visible_test_lines(folder, assignment, notebook):
    nb = nbformat.read(folder / "source" / assignment / f"{notebook}.ipynb", as_version=4)
    return {line.strip() for cell in nb.cells if is_test_cell(cell)
            for number, line in enumerate(cell.source.split("\n"), start=1)
            if number not in hidden_line_numbers(cell.source) and line.strip()}


def hidden_lines(folder, assignment, notebook):
    """The lines of the source's hidden tests that say something (the delimiters aside)."""
    nb = nbformat.read(folder / "source" / assignment / f"{notebook}.ipynb", as_version=4)
    lines = set()
    for cell in nb.cells:
        if is_test_cell(cell):
            source = cell.source.split("\n")
            lines |= {source[n - 1].strip() for n in hidden_line_numbers(cell.source)}
    return {line for line in lines if len(line) >= 8 and "HIDDEN TESTS" not in line}


# --- The tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment,student", CLASS)
def test_the_batch_with_stocks_stderr_rule_grades_as_stock(assignment, student, graded):
    stock = graded["stock"]["grades"][(assignment, student)]
    mine = graded["batch"]["grades"][(assignment, student)]
    assert mine["cells"] == stock["cells"], (
        f"per cell (auto score, needs manual grade):\nstock {stock['cells']}\nbatch {mine['cells']}")
    assert mine["score"] == stock["score"]


@pytest.mark.parametrize("assignment,student", CLASS)
def test_the_course_grades_as_stock_but_for_warnings(assignment, student, graded):
    """The one difference: a test cell that passed but warned (stock: 0) keeps its points."""
    stock = graded["stock"]["grades"][(assignment, student)]
    warned = warned_but_passed(graded["stock"]["folder"], assignment, student)
    expected = {cell: ((stock["max"][cell], False) if cell in warned else grade)
                for cell, grade in stock["cells"].items()}
    course = graded["course"]["grades"][(assignment, student)]
    assert course["cells"] == expected, (
        f"per cell (auto score, needs manual grade):\nexpected {expected}\ncourse   {course['cells']}")
    assert course["score"] == stock["score"] + sum(stock["max"][cell] for cell in warned)


def test_the_difference_is_real_and_only_where_a_test_warned(graded):
    """The warning cells exist (the difference is tested, not assumed), and stock scores what
    tests/ordinary/students.py says it does."""
    assert warned_but_passed(graded["stock"]["folder"], "plots-and-prose", "solver") == {
        ("plots-and-prose", "q4-log-ratio-asserts")}
    for assignment, students in EXPECTED_STOCK_SCORES.items():
        for student, score in students.items():
            assert graded["stock"]["grades"][(assignment, student)]["score"] == score, (assignment, student)


def test_the_class_is_graded_as_nbgrader_documents_it(graded):
    """bitdiddle and hacker score what nbgrader's own example results say (user_guide/grades.csv)."""
    documented = {row.split(",")[3]: float(row.split(",")[9])
                  for row in (USER_GUIDE / "grades.csv").read_text().splitlines()[1:]}
    for student, score in documented.items():
        assert graded["course"]["grades"][("ps1", student)]["score"] == score, student
    assert graded["course"]["grades"][("ps1", "solver")]["score"] > 0
    assert graded["course"]["grades"][("ps1", "untouched")]["score"] == 0


@pytest.mark.parametrize("assignment,student", CLASS)
def test_answers_outputs_plots_included_are_as_stock_made_them(assignment, student, graded):
    """What each answer cell showed (a plot's PNG byte for byte) reaches the autograded notebook
    that formgrader shows, as under stock nbgrader: warm kernels lose no figure."""
    stock = answer_outputs(graded["stock"]["folder"], assignment, student)
    assert answer_outputs(graded["batch"]["folder"], assignment, student) == stock
    # The course's rule shows warnings on stdout: the same text, another stream.
    assert answer_outputs(graded["course"]["folder"], assignment, student, stream_names=False) \
        == answer_outputs(graded["stock"]["folder"], assignment, student, stream_names=False)


def test_a_plot_reaches_the_autograded_notebook_as_an_image(graded):
    for grader in ("stock", "course", "batch"):
        outputs = answer_outputs(graded[grader]["folder"], "plots-and-prose", "solver")
        plot = outputs[("plots-and-prose", "q2-histogram")]
        assert [o["output_type"] for o in plot] == ["display_data"], (grader, plot)
        assert base64.b64decode(plot[0]["data"]["image/png"]).startswith(b"\x89PNG"), grader


@pytest.mark.parametrize("assignment,student", CLASS)
def test_feedback_shows_what_stocks_shows_but_hidden_tests(assignment, student, graded):
    stock_folder = graded["stock"]["folder"]
    stock_pages = feedback_pages(stock_folder, assignment, student)
    for grader in ("course", "batch"):
        pages = feedback_pages(graded[grader]["folder"], assignment, student)
        assert pages.keys() == stock_pages.keys(), grader
        for notebook, stock_page in stock_pages.items():
            page, text = pages[notebook], feedback_text_of(pages[notebook])
            hidden = hidden_lines(stock_folder, assignment, notebook)
            # Every figure, in order, byte for byte.
            assert IMAGE.findall(page) == IMAGE.findall(stock_page), (grader, notebook)
            # Every line of a test cell that stock points at as failing, unless it is hidden.
            tests = visible_test_lines(stock_folder, assignment, notebook)
            for arrow in ARROW.findall(feedback_text_of(stock_page)):
                if arrow.split(maxsplit=2)[-1].strip() in tests:
                    assert arrow.strip() in text, (grader, notebook, arrow)
            # Every answer's code, as the student wrote it.
            submitted = nbformat.read(graded[grader]["folder"] / "submitted" / student / assignment /
                                      f"{notebook}.ipynb", as_version=4)
            for cell in submitted.cells:
                if cell.cell_type == "code" and is_answer_cell(cell):
                    for line in cell.source.splitlines():
                        assert len(line.strip()) < 8 or line.strip() in text, (grader, notebook, line)
            # And no hidden test.
            shown = [line for line in hidden if line in text]
            assert not shown, (grader, notebook, shown)


def feedback_text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_a_visible_assert_that_fails_shows_its_line_and_a_hidden_one_does_not(graded):
    for grader in ("course", "batch"):
        folder = graded[grader]["folder"]
        one = results_table(folder / "feedback" / "one-assert-wrong" / "plots-and-prose" / "plots-and-prose.html")
        assert "AssertionError in line 3: assert np.allclose(normalise(np.array([-2.0, 0.0]))" in one, one
        hidden = results_table(folder / "feedback" / "hidden-only-wrong" / "plots-and-prose" / "plots-and-prose.html")
        assert "a hidden test failed" in hidden, hidden
        page = feedback_text(folder / "feedback" / "one-assert-wrong" / "plots-and-prose" / "plots-and-prose.html")
        assert re.search(r"----> 3 assert np\.allclose\(normalise\(np\.array\(\[-2\.0, 0\.0\]\)\)", page)


def test_the_results_table_follows_the_notebooks_headings(graded):
    folder = graded["course"]["folder"] / "feedback"
    table = results_table(folder / "solver" / "plots-and-prose" / "plots-and-prose.html")
    titles = ["Question 1 — normalising a vector", "Question 2 — a histogram",
              "Question 3 — reading the figure", "Question 4 — log ratios",
              "Task — where the warning comes from"]
    assert [title for title in titles if title in table] == titles, table
    assert "Hidden tests" in Path(folder / "solver" / "plots-and-prose" / "plots-and-prose.html").read_text()
    # No heading at all: a row per test cell; no hidden tests: none mentioned.
    checks = folder / "one-wrong" / "two-notebooks" / "2-checks.html"
    table = results_table(checks)
    for test in ("check-moving-average", "check-moving-average-one", "check-word-counts",
                 "check-palindrome"):
        assert test in table, table
    assert "Hidden tests" not in checks.read_text()
    # nbgrader's ps1: `## Part A (2 points)` headings.
    table = results_table(folder / "hacker" / "ps1" / "problem1.html")
    assert "Part A" in table and "Part B" in table, table


def test_no_false_warnings_and_no_noise(graded):
    for grader in ("course", "batch"):
        log = graded[grader]["log"]
        noise = [line for line in log.splitlines()
                 if "[gdcourse]" in line or "fails on the solution" in line
                 or "display_data_priority" in line or "was edited" in line or "was deleted" in line]
        assert not noise, (grader, noise)


def test_a_notebook_run_by_another_is_the_students_own(graded):
    """two-notebooks' checks `%run 1-answers.ipynb`: the student's answers, as under stock."""
    for grader in ("course", "batch"):
        assert graded[grader]["grades"][("two-notebooks", "solver")]["score"] == 6
        assert graded[grader]["grades"][("two-notebooks", "one-wrong")]["score"] == 4


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

    folder = graded["course"]["folder"]
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    index = write_reports(folder, ["ps1"], out=folder / "reports", db_url=db_url)
    results = read_results(folder, "ps1", db_url)
    assert sorted(s.student for s in results.submissions) == sorted(PS1_STUDENTS)
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


def test_part_e_reaches_the_graded_notebook_and_the_feedback(graded):
    folder = graded["course"]["folder"]
    autograded_text = (folder / "autograded" / "solver" / "ps1" / "problem1.ipynb").read_text()
    assert PART_E_ANSWER in autograded_text and "sum(range(1, 11))" in autograded_text
    assert PART_E_ANSWER in feedback_text(folder / "feedback" / "solver" / "ps1" / "problem1.html")


def test_a_grader_scores_a_students_plot_in_formgrader(graded, page, tmp_path):
    """formgrader, in a real browser, shows the figure a student's answer drew (graded by hand):
    an image, as stock nbgrader shows it, not the text `<Figure size 640x480 with 1 Axes>`."""
    course = shutil.copytree(graded["course"]["folder"], tmp_path / "course")
    with running_jupyterlab(course, tmp_path / "jupyterlab", formgrader=True) as lab:
        page.goto(lab.url(""))
        page.locator("table.dataTable tbody tr").first.wait_for()
        grade_by_hand(page, "plots-and-prose", "solver", "q2-histogram", 2,
                      "A clear histogram: the bins, the title and both axes labelled.")
        # The cell: its answer (with the score field) and, below it, what the answer showed.
        cell = page.locator(".code_cell", has=page.locator("input.score#q2-histogram"))
        image = cell.locator("img[src^='data:image/png']")
        assert image.count() == 1, cell.inner_text()
        assert image.evaluate("img => img.complete && img.naturalWidth") > 300
        assert "<Figure size" not in cell.inner_text()
        image.scroll_into_view_if_needed()
        save_screenshot(page, "formgrader-plot.png", tmp_path)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("q2-histogram", "plots-and-prose", "plots-and-prose", "solver")
        assert (grade.manual_score, grade.needs_manual_grade) == (2, False)
