"""The class report: what a class missed on each assignment, for the instructor, after grading.

    python -m gdcourse.course.class_report [ASSIGNMENT ...] [--course DIR] [--out DIR]
                                           [--formgrader URL]

writes one HTML page per assignment (every graded assignment when none is named) and an index
page with the class across assignments, into `reports/` of the course folder, and prints where
the index is. Each assignment's page shows:

- the score distribution (a histogram) and the class's mean share of each question's points;
- per test, the share of students who passed it, who failed one of its visible checks, and who
  passed those but failed a hidden one (a hidden test nobody passes is a bad test, or a gap in
  the lecture);
- the known mistakes the grading recognised (gdcourse.grading.steps.verdicts notes which one a failure
  names), most common first, then the other failures by the hint they got: the students, the
  tests it came from and the lecture code the exercise builds on;
- flagged submissions and written answers still to grade, each linked to its page in formgrader.

The index adds the students whose scores dropped (their latest share of the points at least a
quarter below their best earlier one). The pages name students by their nbgrader ids: they are
for instructors, written outside every folder students get. Everything a student wrote that
reaches a page (hints quote returned values) is HTML-escaped.
"""
import argparse
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

from .class_results import (AssignmentResults, FallingBehind, HintCount,  # noqa: E402
                            NotebookNote, assignments_in_gradebook, falling_behind, read_results)
from .course_folder import gradebook_url  # noqa: E402

REPORTS = "reports"
PASSED, VISIBLE, HIDDEN = "tab:green", "tab:red", "tab:orange"
HIDDEN_NOTE = " <span class=muted>(hidden checks)</span>"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; } td.n { text-align: right; white-space: nowrap; }
.figure svg { max-width: 100%; height: auto; }
.muted { color: #666; } code { background: #f4f4f4; padding: 0 0.2rem; }
nav a { margin-right: 1rem; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _svg(fig: Figure) -> str:
    """A figure as inline SVG (no file next to the page to lose)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return f'<div class="figure">{text[text.index("<svg"):]}</div>'


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f} %"


def _code(text: str) -> str:
    """The introduction's `code` spans as <code>, the rest escaped."""
    parts = str(text).split("`")
    return "".join(f"<code>{_e(p)}</code>" if i % 2 else _e(p) for i, p in enumerate(parts))


# --- figures --------------------------------------------------------------------------------------
def score_histogram(results: AssignmentResults) -> Figure:
    scores = [s.score for s in results.submissions]
    top = results.max_score or 1.0
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    bins = [i * top / 10 for i in range(11)]
    ax.hist(scores, bins=bins, color="tab:blue", edgecolor="white")
    ax.set(title=f"{results.name}: scores of {len(scores)} submissions",
           xlabel=f"score (out of {top:g}, written answers included once graded)",
           ylabel="students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def question_means_figure(results: AssignmentResults) -> Figure:
    means = [(m.question, m.mean) for m in results.question_means() if m.mean is not None]
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(means) + 1.2))
    labels = [q for q, _ in means][::-1]
    values = [100 * m for _, m in means][::-1]
    ax.barh(labels, values, color="tab:blue")
    for y, value in enumerate(values):
        ax.text(min(value + 1, 93), y, f"{value:.0f} %", va="center")
    ax.set(title="Mean share of each question's points (graded ones)", xlabel="% of the points",
           xlim=(0, 100))
    return fig


def pass_rates_figure(results: AssignmentResults) -> Figure:
    rates = results.pass_rates()[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.4 * len(rates) + 1.4))
    labels = [r.test.grade_id for r in rates]
    passed = [100 * r.passed for r in rates]
    visible = [100 * r.visible for r in rates]
    hidden = [100 * r.hidden for r in rates]
    ax.barh(labels, passed, color=PASSED, label="passed")
    ax.barh(labels, visible, left=passed, color=VISIBLE, label="failed a visible check")
    ax.barh(labels, hidden, left=[p + v for p, v in zip(passed, visible)], color=HIDDEN,
            label="failed a hidden check only")
    ax.set(title="Each test: who passed it", xlabel="% of the students", xlim=(0, 100))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.6 / max(len(rates), 1)),
              ncol=3, frameon=False)
    return fig


def falling_behind_figure(names: list[str], behind: list[FallingBehind]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for row in behind:
        points = [(i, 100 * share) for i, share in enumerate(row.shares) if share is not None]
        ax.plot([i for i, _ in points], [v for _, v in points], marker="o", label=row.student)
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.set(title="Students whose scores dropped", ylabel="% of the points", ylim=(0, 105))
    ax.legend(fontsize="small")
    return fig


# --- pages ----------------------------------------------------------------------------------------
def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>\n"
            f"{body}\n</body></html>\n")


def _formgrader_link(formgrader: str, note: NotebookNote) -> str:
    return (f'<a href="{_e(formgrader.rstrip("/"))}/submissions/{_e(note.notebook_id)}">'
            f'{_e(note.notebook)}</a>')


def assignment_page(results: AssignmentResults, formgrader: str) -> str:
    count = len(results.submissions)
    parts = [f'<nav><a href="index.html">← the class</a></nav><h1>{_e(results.name)}: what the '
             f"class missed</h1>"]
    if not count:
        parts.append("<p>No graded submissions yet.</p>")
        return _page(results.name, "\n".join(parts))
    mean = sum(s.score for s in results.submissions) / count
    parts.append(f"<p>{count} graded submissions; mean score {mean:.1f} of "
                 f"{results.max_score:g}.</p>")
    parts += ["<h2>Scores</h2>", _svg(score_histogram(results))]
    if results.questions:
        parts.append(_svg(question_means_figure(results)))
    if results.tests:
        parts += ["<h2>Tests</h2>",
                  "<p>A test fails a <em>hidden</em> check only when its visible checks pass "
                  "and one with other inputs does not: a hidden check that most students fail "
                  "may test what the lecture does not teach.</p>",
                  _svg(pass_rates_figure(results)), _tests_table(results)]
    parts += ["<h2>Mistakes the grading recognised</h2>",
              _hints_table(results, results.mistakes(),
                           "Each row is a known mistake: the answers matched what that mistake "
                           "gives, and the feedback named it.", "No known mistake was recognised."),
              "<h2>Other failures</h2>",
              _hints_table(results, results.other_failures(),
                           "Failures that name no known mistake, by the hint the feedback gave. "
                           "Failures that only follow from an earlier function's failure are not "
                           "counted.", "None.")]
    parts += ["<h2>To look at in formgrader</h2>", _attention(results, formgrader)]
    return _page(f"{results.name}: class report", "\n".join(parts))


def _tests_table(results: AssignmentResults) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(r.test.grade_id)}</code></td><td>{_e(r.test.description)}</td>"
        f'<td class="n">{_percent(r.passed)}</td><td class="n">{_percent(r.visible)}</td>'
        f'<td class="n">{_percent(r.hidden) if r.test.has_hidden else "no hidden checks"}</td></tr>'
        for r in results.pass_rates())
    return ("<table><tr><th>test</th><th>what it checks</th><th>passed</th>"
            "<th>failed a visible check</th><th>failed a hidden check only</th></tr>"
            f"{rows}</table>")


def _hints_table(results: AssignmentResults, hints: list[HintCount], intro: str,
                 empty: str) -> str:
    if not hints:
        return f"<p>{_e(empty)}</p>"
    count = len(results.submissions)
    by_id = {t.grade_id: t for t in results.tests}
    rows = []
    for row in hints:
        questions = list(dict.fromkeys(by_id[t].question for t in row.tests if t in by_id))
        lecture = "; ".join(_code(results.lecture[q]) for q in questions if q in results.lecture)
        rows.append(
            f'<tr><td class="n">{row.students} ({_percent(row.students / count)})</td>'
            f"<td>{_e(row.hint)}{HIDDEN_NOTE if row.hidden else ''}</td>"
            f"<td>{'<br>'.join(_e(q) for q in questions)}<br><span class=muted>"
            f"{', '.join(_e(t) for t in row.tests)}</span></td><td>{lecture or '–'}</td></tr>")
    return (f"<p>{_e(intro)}</p>"
            "<table><tr><th>students</th><th>the hint they got</th><th>question and tests</th>"
            f"<th>in the lecture</th></tr>{''.join(rows)}</table>")


def _attention(results: AssignmentResults, formgrader: str) -> str:
    rows = []
    for s in results.submissions:
        for note in s.flagged:
            rows.append(f"<tr><td>{_e(s.student)}</td><td>flagged</td><td>{_e(note.what)}</td>"
                        f"<td>{_formgrader_link(formgrader, note)}</td></tr>")
        for note in s.ungraded:
            rows.append(f"<tr><td>{_e(s.student)}</td><td>to grade by hand</td>"
                        f"<td><code>{_e(note.what)}</code></td>"
                        f"<td>{_formgrader_link(formgrader, note)}</td></tr>")
    if not rows:
        return "<p>Nothing flagged, nothing left to grade by hand.</p>"
    return ("<table><tr><th>student</th><th>why</th><th>what</th><th>formgrader</th></tr>"
            f"{''.join(rows)}</table>")


def index_page(all_results: list[AssignmentResults], formgrader: str) -> str:
    names = [r.name for r in all_results]
    rows = "".join(
        f'<tr><td><a href="{_e(r.name)}.html">{_e(r.name)}</a></td>'
        f'<td class="n">{len(r.submissions)}</td>'
        f'<td class="n">{_mean_share(r)}</td><td>{_e(_top_mistake(r))}</td></tr>'
        for r in all_results)
    parts = ["<h1>The class, assignment by assignment</h1>",
             "<table><tr><th>assignment</th><th>submissions</th><th>mean score</th>"
             f"<th>most common mistake</th></tr>{rows}</table>",
             "<h2>Students who fell behind</h2>"]
    behind = falling_behind(all_results)
    if behind:
        parts += ["<p>Their latest score is at least a quarter of the points below their best "
                  "earlier one.</p>", _svg(falling_behind_figure(names, behind)),
                  "<table><tr><th>student</th>" + "".join(f"<th>{_e(n)}</th>" for n in names)
                  + "</tr>" + "".join(
                      f"<tr><td>{_e(row.student)}</td>"
                      + "".join(f'<td class="n">{_percent(v)}</td>' for v in row.shares) + "</tr>"
                      for row in behind) + "</table>"]
    else:
        parts.append("<p>No student's score dropped by a quarter of the points or more.</p>")
    return _page("Class report", "\n".join(parts))


def _mean_share(results: AssignmentResults) -> str:
    shares = [s.score / s.max_score for s in results.submissions if s.max_score]
    return _percent(sum(shares) / len(shares)) if shares else "–"


def _top_mistake(results: AssignmentResults) -> str:
    mistakes = results.mistakes() or results.other_failures()
    if not mistakes:
        return "–"
    top = mistakes[0]
    return f"{top.hint} ({top.students} of {len(results.submissions)})"


def write_reports(course_root: str | Path, assignments: list[str] | None = None,
                  out: str | Path | None = None, formgrader: str = "/formgrader",
                  db_url: str | None = None) -> Path:
    """Write the pages; returns the index page's path."""
    course_root = Path(course_root)
    db_url = db_url or gradebook_url(course_root)
    out = Path(out) if out else course_root / REPORTS
    out.mkdir(parents=True, exist_ok=True)
    names = assignments or assignments_in_gradebook(db_url)
    all_results = [read_results(course_root, name, db_url) for name in names]
    for results in all_results:
        (out / f"{results.name}.html").write_text(assignment_page(results, formgrader),
                                                  encoding="utf-8")
    index = out / "index.html"
    index.write_text(index_page(all_results, formgrader), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gdcourse.course.class_report",
        description="Write the class report (HTML) of graded assignments.")
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="assignments to report on (default: every one in the gradebook)")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--out", help="where to write the pages (default: COURSE/reports)")
    parser.add_argument("--formgrader", default="/formgrader",
                        help="formgrader's address, for links (default: /formgrader on the "
                             "server the report is opened from; on a hub, for example "
                             "https://hub.example.org/user/INSTRUCTOR/formgrader)")
    args = parser.parse_args(argv)
    index = write_reports(args.course, args.assignments or None, args.out, args.formgrader)
    print(f"Class report: {index.resolve()}")


if __name__ == "__main__":
    main()
