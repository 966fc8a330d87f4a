"""The results table that opens a student's feedback page: per question, the points, each test
passed or failed with what it checks, and the hint of each failure.

nbgrader's own feedback lists "Test cell (Score: 0.0 / 2.0)" links and leaves the student to find
the failures in the notebook below. This table reads on its own. Questions are the assignment's
"## Exercise …" headings; a test cell's description is its docstring's first line; a failure's
hint is a judged test's verdict as the student may read it, or a stock test's error as the
feedback shows it. Everything a student controls (their answers' output inside messages) is
HTML-escaped.
"""
import ast
import html
import re

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from ...checks.judges.verdict import Verdict
from ..notebook_cells import JUDGED, grade_id, is_answer_cell, is_test_cell, nbgrader_meta

POINTS_NOTE = re.compile(r"\s*\((?:[^()]*\bpoints?\b[^()]*)\)\s*$")


def question_title(markdown: str) -> str | None:
    """'Exercise 3 — many steps' from a '## Exercise 3 — many steps (3 points)' heading cell."""
    for line in markdown.splitlines():
        if line.startswith("## "):
            return POINTS_NOTE.sub("", line[3:]).strip()
    return None


def describe_test(source: str, fallback: str) -> str:
    """What a test cell checks: the first line of its docstring."""
    try:
        docstring = ast.get_docstring(ast.parse(source))
    except SyntaxError:
        docstring = None
    return docstring.strip().splitlines()[0] if docstring else fallback


def failure_message(cell: NotebookNode) -> str:
    """What a failed test says to the student: a judged test's verdict, built from its fields
    (gdcourse.checks.judges.verdict); a stock test's error as the feedback shows it; or ''."""
    facts = cell.get("metadata", {}).get(JUDGED, {})
    if isinstance(facts, dict) and facts.get("judged") is True:
        verdict = Verdict.from_data(facts.get("verdict"))
        return f"WrongAnswer: {verdict.for_student()}" if verdict is not None else ""
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

    def add_test(self, cell: NotebookNode) -> None:
        meta = nbgrader_meta(cell)
        points = float(meta.get("points") or 0)
        score = float(meta.get("score") or 0)
        hint = failure_message(cell)
        self.rows.append((score >= points and not hint,
                          # a graded cell has a grade_id (nbgrader requires it)
                          describe_test(cell.source, grade_id(cell)),  # type: ignore[arg-type]
                          score, points, hint))
        self.score += score
        self.points += points

    def add_written_answer(self, cell: NotebookNode) -> None:
        meta = nbgrader_meta(cell)
        points = float(meta.get("points") or 0)
        score = meta.get("score")
        comment = (meta.get("comment") or "").strip()
        if score is None:
            self.ungraded += points
        self.rows.append((None, "Your written answer, graded by hand", score, points, comment))
        self.score += float(score or 0)
        self.points += points


def collect_questions(nb: NotebookNode) -> list[Question]:
    questions = []
    current = None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "markdown" and not is_answer_cell(cell):
            title = question_title(cell.source)
            if title:
                current = Question(title)
                questions.append(current)
            continue
        if current is None or not meta.get("grade"):
            continue
        if is_test_cell(cell):
            current.add_test(cell)
        elif is_answer_cell(cell):
            current.add_written_answer(cell)
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


def results_cell(nb: NotebookNode, score: float | None = None,
                 max_score: float | None = None) -> NotebookNode | None:
    """A Markdown cell (HTML inside) with the results table, or None if nothing was graded."""
    questions = collect_questions(nb)
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
    lines += ["</table>",
              "<p>Hidden tests, with other inputs than the visible ones, ran when your work was "
              "graded; their hints are here, their code is not. Your notebook follows, with each "
              "test's output under it.</p>",
              "</div>"]
    return new_markdown_cell("\n".join(lines))
