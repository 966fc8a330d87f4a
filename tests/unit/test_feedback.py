"""gdcourse.grading.feedback: the results table and each test cell as the student reads them,
from notebooks built in memory (graded cells carry nbgrader's scores and grading's verdicts)."""
from nbformat.v4 import new_markdown_cell, new_output

from gdcourse.checks.judges.verdict import HIDDEN, Verdict
from gdcourse.grading.feedback.results_table import collect_questions, question_title, results_cell
from gdcourse.grading.feedback.student_feedback import (clean_error, grader_notes, visible_part,
                                                        withheld_error)
from gdcourse.grading.notebook_cells import JUDGED
from notebooks import answer, nbgrader_cell, notebook, test_cell


def graded_test(grade_id, docstring, score, points=2, verdict=None, error=None):
    cell = test_cell(grade_id, f'"""{docstring}"""\ncheck()', points=points)
    cell.metadata.nbgrader["score"] = score
    if verdict is not None or error is None:
        cell.metadata[JUDGED] = {"judged": True,
                                 "verdict": verdict.as_data() if verdict else None}
    if error is not None:
        cell.outputs = [new_output("error", ename=error[0], evalue=error[1], traceback=[])]
    return cell


def graded_notebook():
    wrong = Verdict(what="step(1.0, 0.1) returned 1.2, expected 0.8",
                    hint="Subtract λ times the gradient: <b>down</b> the slope.")
    written = nbgrader_cell("My answer.", "written", solution=True, grade=True, points=1,
                            markdown=True)
    return notebook(
        new_markdown_cell("## Exercise 1 — one step (4 points)"),
        answer("answer-step"),
        graded_test("test-step", "One step goes down the slope.", 0, verdict=wrong),
        graded_test("test-shape", "It returns a number.", 2),
        new_markdown_cell("## Exercise 2 — in your words"),
        written,
        new_markdown_cell("## Exercise 3 — a stock test"),
        graded_test("test-stock", "Plain asserts.", 0, points=1,
                    error=("AssertionError", "x <script>")),
    )


def test_a_question_is_a_level_two_heading_without_its_points():
    assert question_title("## Exercise 3 — many steps (3 points)") == "Exercise 3 — many steps"
    assert question_title("Some text\n## Exercise 1 (1 point)") == "Exercise 1"
    assert question_title("# A title") is None


def test_each_question_adds_up_its_tests_and_written_answers():
    questions = collect_questions(graded_notebook())
    assert [(q.title, q.score, q.points, q.ungraded) for q in questions] == [
        ("Exercise 1 — one step", 2.0, 4.0, 0.0),
        ("Exercise 2 — in your words", 0.0, 1.0, 1.0),
        ("Exercise 3 — a stock test", 0.0, 1.0, 0.0)]
    step, shape = questions[0].rows
    assert step[0] is False and step[1] == "One step goes down the slope."
    assert step[4].startswith("WrongAnswer: step(1.0, 0.1) returned 1.2")
    assert shape[0] is True and shape[4] == ""
    assert questions[2].rows[0][4] == "AssertionError: x <script>"


def test_the_table_shows_totals_and_what_is_left_to_grade_by_hand():
    html = results_cell(graded_notebook()).source
    assert "Your results: 2 / 6 points (1 still to be graded by hand)" in html
    assert "– / 1" in html  # a question graded by hand alone, not yet graded


def test_what_a_student_controls_is_escaped():
    html = results_cell(graded_notebook()).source
    assert "&lt;b&gt;down&lt;/b&gt;" in html and "<b>down</b>" not in html
    assert "x &lt;script&gt;" in html and "<script>" not in html


def test_a_notebook_without_graded_questions_has_no_table():
    assert results_cell(notebook(answer("a"), test_cell("t"))) is None


def test_a_test_cells_visible_part_ends_where_its_hidden_tests_begin():
    source = "check(1)\n\n### BEGIN HIDDEN TESTS\ncheck(7)\n### END HIDDEN TESTS"
    assert visible_part(source) == ("check(1)", True)
    assert visible_part("check(1)\n") == ("check(1)", False)


def test_a_stock_error_keeps_the_students_frames_only():
    output = new_output("error", ename="ValueError", evalue="bad", traceback=[
        "\x1b[0;32mCell In[3], line 2\x1b[0m\n----> 2 step()",   # the student's answer
        "\x1b[0;32mCell In[5], line 1\x1b[0m\n----> 1 assert ...",  # the test cell itself
        "File /opt/site-packages/torch/x.py:10"])
    kept = clean_error(output, test_cell_count=5).traceback
    assert len(kept) == 2 and "Cell In[3]" in kept[0] and kept[1].endswith("ValueError\x1b[0m: bad")


def test_after_hidden_code_an_error_keeps_only_a_builtin_name():
    assert withheld_error(new_output("error", ename="ValueError", evalue="hidden input 7",
                                     traceback=["x"])).ename == "ValueError"
    forged = withheld_error(new_output("error", ename="Hidden: 7, 8", evalue="", traceback=[]))
    assert forged.ename == "Error" and "7" not in forged.evalue


def test_grader_notes_say_what_grading_changed_or_cut():
    cell = grader_notes({"tampering": ["the test cell t was deleted"]}, withheld=True,
                        cut=[("cell 4", 10000)])
    assert cell.source.splitlines()[2:] == [
        "- the test cell t was deleted",
        "- cell 4 printed more than 10000 characters: the output limit of grading dropped the rest.",
        "- The output of code that ran after the first hidden test is not repeated here: "
        "your own notebook has it."]
    assert grader_notes({}) is None


def test_a_hidden_failure_in_the_table_shows_its_hint_only():
    hidden = Verdict(hidden=True, what="step(7.0) returned 11.0", hint="Go down the slope.")
    nb = notebook(new_markdown_cell("## Exercise 1"), graded_test("t", "Steps.", 0, verdict=hidden))
    html = results_cell(nb).source
    assert f"{HIDDEN} Go down the slope." in html and "11.0" not in html
