"""The results table that opens a student's feedback page: per question, the points, each test
passed or failed with what it checks, and the hint of each failure.

nbgrader's own feedback lists "Test cell (Score: 0.0 / 2.0)" links and leaves the student to find
the failures in the notebook below. This table reads on its own. A question is the heading
(of any level) that a graded cell follows, or the cell itself where no heading comes before it;
a test cell's description is its docstring's first line, or its grade id; a failure's hint is a
judged test's verdict as the student may read it, or a stock test's error as the feedback shows
it (its failing line). Everything a student controls (their answers' output inside messages) is
HTML-escaped.
"""
import ast
import html
import re
from collections.abc import Mapping

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from ...checks.judges.verdict import Verdict
from ..notebook_cells import JUDGED, grade_id, is_answer_cell, is_test_cell, nbgrader_meta

POINTS_NOTE = re.compile(r"\s*\((?:[^()]*\bpoints?\b[^()]*)\)\s*$")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$")


def question_title(markdown: str) -> str | None:
    """'Exercise 3 — many steps' from a cell whose last heading, of any level, is
    '## Exercise 3 — many steps (3 points)'."""
    titles = [POINTS_NOTE.sub("", match[1]).strip()
              for match in map(HEADING.match, markdown.splitlines()) if match]
    return next((title for title in reversed(titles) if title), None)


def describe_test(source: str, fallback: str) -> str:
    """What a test cell checks: the first line of its docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(source))
    except SyntaxError:
        docstring = None
    return docstring.strip().splitlines()[0] if docstring else fallback


def failure_message(cell: NotebookNode, failures: Mapping[str, str]) -> str:
    """What a failed test says to the student: a judged test's verdict, built from its fields
    (gdcourse.checks.judges.verdict); a stock test's failure as the feedback shows it; or ''."""
    facts = cell.get("metadata", {}).get(JUDGED, {})
    if isinstance(facts, dict) and facts.get("judged") is True:
        verdict = Verdict.from_data(facts.get("verdict"))
        return f"WrongAnswer: {verdict.for_student()}" if verdict is not None else ""
    if grade_id(cell) in failures:
        return failures[grade_id(cell)]  # type: ignore[index]  # a test cell has a grade_id
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = str(output.get("evalue", "")).strip()
            name = output.get("ename", "Error")
            return f"{name}: {message}" if message else name
    return ""


def _points(value: float) -> str:
    return f"{value:g}"


class Question:
    def __init__(self, title: str) -> None:
        self.title = title
        # (passed, description, score, points, hint); passed None = by hand
        self.rows: list[tuple[bool | None, str, float | None, float, str]] = []
        self.score = 0.0
        self.points = 0.0
        self.ungraded = 0.0   # points still to be graded by hand

    def add_test(self, cell: NotebookNode, failures: Mapping[str, str]) -> None:
        meta = nbgrader_meta(cell)
        points = float(meta.get("points") or 0)
        score = float(meta.get("score") or 0)
        hint = failure_message(cell, failures)
        self.rows.append((score >= points and not hint,
                          # a graded cell has a grade_id (nbgrader requires it)
                          describe_test(cell.source, grade_id(cell)),  # type: ignore[arg-type]
                          score, points, hint))
        self.score += score
        self.points += points

    def add_answer_graded_by_hand(self, cell: NotebookNode) -> None:
        meta = nbgrader_meta(cell)
        points = float(meta.get("points") or 0)
        score = meta.get("score")
        comment = (meta.get("comment") or "").strip()
        if score is None:
            self.ungraded += points
        what = ("Your work on this task" if meta.get("task") else
                "Your written answer" if cell.cell_type == "markdown" else "Your answer")
        self.rows.append((None, f"{what}, graded by hand", score, points, comment))
        self.score += float(score or 0)
        self.points += points


def collect_questions(nb: NotebookNode, failures: Mapping[str, str] | None = None) -> list[Question]:
    questions = []
    current = None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        task = bool(meta.get("task"))
        if cell.cell_type == "markdown" and not is_answer_cell(cell):
            title = question_title(cell.source)  # a task's own text may open its question
            if title:
                current = Question(title)
                questions.append(current)
        if not (is_test_cell(cell) or task or (is_answer_cell(cell) and meta.get("grade"))):
            continue
        question = current
        if question is None:  # no heading yet: the graded cell is a question of its own
            question = Question(grade_id(cell) or "")
            questions.append(question)
        if is_test_cell(cell):
            question.add_test(cell, failures or {})
        else:
            question.add_answer_graded_by_hand(cell)
    return [question for question in questions if question.rows]


def _row_html(passed: bool | None, description: str, score: float | None, points: float,
              hint: str) -> str:
    if passed is None:
        mark, result = "✎", ("not graded yet" if score is None
                             else f"{_points(score)} / {_points(points)}")
        label = "grader's comment" if hint else ""
    elif passed:
        mark, result, label = "✓", "passed", ""
    else:
        mark, result, label = "✗", "failed", "hint"
    colour = {"✓": "#1a7f37", "✗": "#cf222e", "✎": "#57606a"}[mark]
    parts = [f'<li style="margin:0.3em 0"><span style="color:{colour};font-weight:bold">{mark} '
             f'{result}</span> — {html.escape(description)}']
    if hint:
        # No blank line may appear inside this block: Markdown would end the HTML there.
        text = re.sub(r"\n\s*\n", "\n", hint)
        parts.append(f'<div style="margin:0.2em 0 0 1.5em"><em>{label}:</em>'
                     f'<pre style="white-space:pre-wrap;margin:0.2em 0">{html.escape(text)}</pre></div>')
    parts.append("</li>")
    return "".join(parts)


def results_cell(nb: NotebookNode, score: float | None = None, max_score: float | None = None,
                 failures: Mapping[str, str] | None = None,
                 hidden_tests: bool = False) -> NotebookNode | None:
    """A Markdown cell (HTML inside) with the results table, or None if nothing was graded.
    `failures`: stock tests' failures by grade id, as the feedback shows them; `hidden_tests`:
    whether any test cell had hidden tests."""
    questions = collect_questions(nb, failures)
    if not questions:
        return None
    if score is None:
        score = sum(question.score for question in questions)
    if max_score is None:
        max_score = sum(question.points for question in questions)
    ungraded = sum(question.ungraded for question in questions)
    pending = f" ({_points(ungraded)} still to be graded by hand)" if ungraded else ""
    cell = "vertical-align:top;text-align:left;padding:0.25em 0.75em 0.25em 0"
    lines = ['<div class="gdcourse-results">',
             f"<h2>Your results: {_points(score)} / {_points(max_score)} points{pending}</h2>",
             '<table style="width:100%;border-collapse:collapse">',
             '<tr>' + "".join(f'<th style="{cell}">{title}</th>'
                             for title in ("Question", "Points", "Tests and hints")) + '</tr>']
    for question in questions:
        if question.ungraded == question.points:
            points = f"– / {_points(question.points)}"
        else:
            points = f"{_points(question.score)} / {_points(question.points)}"
            points += " so far" if question.ungraded else ""
        rows = "".join(_row_html(*row) for row in question.rows)
        lines.append(f'<tr style="border-top:1px solid #d0d7de">'
                     f'<td style="{cell}">{html.escape(question.title)}</td>'
                     f'<td style="{cell};white-space:nowrap">{points}</td>'
                     f'<td style="{cell}"><ul style="list-style:none;padding-left:0;margin:0">'
                     f'{rows}</ul></td></tr>')
    lines.append("</table>")
    if hidden_tests:
        lines.append("<p>Hidden tests, with other inputs than the visible ones, ran when your work "
                     "was graded; their hints are here, their code is not.</p>")
    lines += ["<p>Your notebook follows, with each test's output under it.</p>", "</div>"]
    return new_markdown_cell("\n".join(lines))
