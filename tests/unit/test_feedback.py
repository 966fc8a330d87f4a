"""gdcourse.grading.feedback: the results table and each test cell as the student reads them,
from notebooks built in memory (graded cells carry nbgrader's scores and grading's verdicts)."""
from nbformat.v4 import new_markdown_cell, new_output

from gdcourse.checks.judges.verdict import HIDDEN, Verdict
from gdcourse.grading.feedback.results_table import collect_questions, question_title, results_cell
from gdcourse.grading.feedback.student_feedback import (HIDDEN_REGION, clean_error, grader_notes,
                                                        stock_test_error, visible_part, withheld_error)
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


def test_a_question_is_a_heading_of_any_level_without_its_points():
    assert question_title("## Exercise 3 — many steps (3 points)") == "Exercise 3 — many steps"
    assert question_title("Some text\n## Exercise 1 (1 point)") == "Exercise 1"
    assert question_title("# A title") == "A title"
    assert question_title("### Question 2 — plots (2 points) ###") == "Question 2 — plots"
    # A cell with a title and a question: the question, which the tests below it answer.
    assert question_title("# Problem set\n\nIntro.\n\n## Part A") == "Part A"
    assert question_title("#hashtag, not a heading\n    # code") is None


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


def test_a_notebook_without_graded_cells_has_no_table():
    assert results_cell(notebook(answer("a"), new_markdown_cell("## Exercise"))) is None


def test_without_headings_each_graded_cell_is_a_question_of_its_own():
    nb = notebook(answer("a"), graded_test("test-a", "A works.", 1, points=1),
                  graded_test("test-b", "B works.", 0, points=1, error=("AssertionError", "")))
    assert [(q.title, q.score, q.points) for q in collect_questions(nb)] == [
        ("test-a", 1.0, 1.0), ("test-b", 0.0, 1.0)]


def test_hidden_tests_are_mentioned_only_where_there_are_some():
    assert "Hidden tests" not in results_cell(graded_notebook()).source
    assert "Hidden tests" in results_cell(graded_notebook(), hidden_tests=True).source


def test_tasks_and_plots_graded_by_hand_are_rows_of_their_question():
    task = nbgrader_cell("### Part E\nDescribe two sums.", "task-e", points=4, markdown=True)
    task.metadata.nbgrader["task"] = True
    plot = nbgrader_cell("plt.plot(x)", "plot", solution=True, grade=True, points=2)
    questions = collect_questions(notebook(new_markdown_cell("## Part D"), plot, task))
    assert [(q.title, [row[1] for row in q.rows]) for q in questions] == [
        ("Part D", ["Your answer, graded by hand"]),
        ("Part E", ["Your work on this task, graded by hand"])]


def test_a_test_cells_visible_part_is_what_nbgrader_released():
    source = "check(1)\n\n### BEGIN HIDDEN TESTS\ncheck(7)\n### END HIDDEN TESTS"
    assert visible_part(source) == ("check(1)\n\n" + HIDDEN_REGION, True)
    assert visible_part("check(1)\n") == ("check(1)", False)
    # nbgrader finds its delimiters anywhere in a line; code may follow a hidden region.
    source = "a()\n    # BEGIN HIDDEN TESTS\n    b(7)\n    # END HIDDEN TESTS\nc()"
    assert visible_part(source) == ("a()\n    " + HIDDEN_REGION + "\nc()", True)


def traceback_at(line, count=5, student_frame=True):
    frames = ["\x1b[0;31m------\x1b[0m", "\x1b[0;31mAssertionError\x1b[0m  Traceback",
              f"\x1b[0;36mCell In[{count}], line {line}\x1b[0m\n      1 kernel's own text"]
    if student_frame:
        frames.append("\x1b[0;36mCell In[3], line 2, in f\x1b[0m\n----> 2 return x")
    return frames + ["\x1b[0;31mAssertionError\x1b[0m: f(3) gave 7"]


TESTS = "\n".join(["assert f(1) == 2", "assert f(2) == 4", "assert f(3) == 6", "assert f(0) == 0",
                   "### BEGIN HIDDEN TESTS", "assert f(7) == 14", "### END HIDDEN TESTS",
                   "assert f(9) == 18"])


def stock_error(line, hidden_ran_before=False):
    output = new_output("error", ename="AssertionError", evalue="f(3) gave 7",
                        traceback=traceback_at(line))
    return stock_test_error(output, TESTS, 5, hidden_ran_before)


def test_a_visible_assert_that_failed_shows_its_line_from_the_instructors_source():
    shown, summary = stock_error(3)
    frame = shown.traceback[0]
    assert frame.splitlines() == ["Cell In[5], line 3", "      1 assert f(1) == 2",
                                  "      2 assert f(2) == 4", "----> 3 assert f(3) == 6",
                                  "      4 assert f(0) == 0"]
    assert "kernel's own text" not in "".join(shown.traceback)
    assert "Cell In[3], line 2, in f" in shown.traceback[1]  # the student's code, as stock shows
    assert shown.traceback[-1].endswith("AssertionError\x1b[0m: f(3) gave 7")
    assert summary == "AssertionError in line 3: assert f(3) == 6\nf(3) gave 7"


def test_a_hidden_assert_that_failed_shows_only_that_a_hidden_test_failed():
    shown, summary = stock_error(6)
    text = "".join(shown.traceback) + shown.evalue + summary
    assert "hidden test failed" in summary and "14" not in text and "f(7)" not in text
    assert "f(3) gave 7" not in text


def test_after_hidden_code_ran_a_visible_line_is_shown_without_the_kernels_message():
    for shown, summary in (stock_error(8), stock_error(3, hidden_ran_before=True)):
        assert "----> " in shown.traceback[0]
        assert "gave 7" not in "".join(shown.traceback) + summary
        assert "Cell In[3]" not in "".join(shown.traceback)
    shown, _ = stock_error(8)
    assert "f(7)" not in shown.traceback[0] and "8 assert f(9) == 18" in shown.traceback[0]


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
