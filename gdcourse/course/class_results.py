"""What a class did on an assignment, read back after grading: the data of the class report.

Everything comes from what grading left behind, so that it works for any nbgrader assignment, with
or without this course's checks or a mistake catalog:

- the gradebook (nbgrader's API): every submission's score, every grade cell's score, whether a
  cell still waits for a grader (a written answer), and the flag grading or a grader set;
- the autograded notebooks: each failed test cell's verdict (the fields grading kept in the cell's
  metadata: the hint, the known mistake it names, whether a hidden check failed), or for a stock
  test its error;
- the source notebook: the questions (the "## " headings), what each test checks (its docstring's
  first line) and, where the assignment's introduction has an "in the lecture" column, the
  lecture code each exercise builds on.

Students are named by their nbgrader ids: the report made from this is for instructors only.
"""
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry, SubmittedNotebook

from gdcourse.checks.judges.verdict import HIDDEN, Verdict
from gdcourse.grading.feedback.student_feedback import judged_verdict
from gdcourse.grading.feedback.results_table import describe_test, question_title
from gdcourse.grading.notebook_cells import grade_id, is_test_cell, nbgrader_meta


@dataclass
class Test:
    """A test cell: where it is and what it checks."""
    grade_id: str
    notebook: str
    question: str
    description: str
    points: float
    has_hidden: bool


@dataclass(frozen=True)
class FailedTest:
    """A row of the class report: why one student's test cell failed. The hint shown, whether a
    hidden check failed, the functions it builds on that fail their own tests (then the failure
    is a consequence), and the known mistake grading recognised (the hint that names it), if any."""
    hint: str
    hidden: bool
    upstream: tuple[str, ...] = ()
    mistake: str | None = None


class NotebookNote(NamedTuple):
    """A submitted notebook to look at in formgrader: flagged (`what` says why) or with a cell
    to grade by hand (`what` names it)."""
    notebook: str
    notebook_id: str          # the submitted notebook's id in the gradebook (formgrader's link)
    what: str


@dataclass
class Submission:
    student: str
    score: float
    max_score: float
    passed: dict[str, bool] = field(default_factory=dict)          # by test grade_id
    failures: dict[str, FailedTest] = field(default_factory=dict)  # by test grade_id
    question_scores: dict[str, tuple[float, float]] = field(default_factory=dict)  # (score, max)
    flagged: list[NotebookNote] = field(default_factory=list)
    ungraded: list[NotebookNote] = field(default_factory=list)


@dataclass(frozen=True)
class PassRate:
    """A test's row of the report: the shares of the submissions that passed it, that failed a
    visible check, and that failed only a hidden one."""
    test: Test
    passed: float
    visible: float
    hidden: float


@dataclass(frozen=True)
class QuestionMean:
    """The class's mean share of a question's points (None while none of them is graded)."""
    question: str
    mean: float | None


@dataclass(frozen=True)
class HintCount:
    """A hint of the report: how many students got it, from which tests, and whether only from
    hidden checks."""
    hint: str
    students: int
    tests: list[str]
    hidden: bool


@dataclass
class AssignmentResults:
    name: str
    tests: list[Test]
    questions: list[str]              # in the notebook's order
    lecture: dict[str, str]           # question -> lecture code / section it builds on
    submissions: list[Submission]

    @property
    def max_score(self) -> float:
        return max((s.max_score for s in self.submissions), default=0.0)

    def pass_rates(self) -> list[PassRate]:
        """Per test, over the submissions."""
        count = len(self.submissions) or 1
        rates = []
        for test in self.tests:
            passed = sum(s.passed.get(test.grade_id, False) for s in self.submissions)
            hidden = sum(1 for s in self.submissions
                         if test.grade_id in s.failures and s.failures[test.grade_id].hidden)
            visible = len(self.submissions) - passed - hidden
            rates.append(PassRate(test, passed / count, visible / count, hidden / count))
        return rates

    def question_means(self) -> list[QuestionMean]:
        """Per question, points autograded and graded by hand."""
        means = []
        for question in self.questions:
            shares = [got / total for s in self.submissions
                      for got, total in [s.question_scores.get(question, (0.0, 0.0))] if total]
            means.append(QuestionMean(question, sum(shares) / len(shares) if shares else None))
        return means

    def mistakes(self) -> list[HintCount]:
        """The known mistakes grading recognised, most common first."""
        return self._hints(lambda failure: failure.mistake)

    def other_failures(self) -> list[HintCount]:
        """The other failures of a test's own, by the hint shown, most common first (a failure
        whose function builds on another failing one is that one's consequence)."""
        return self._hints(lambda failure: None if failure.mistake or failure.upstream
                           else failure.hint)

    def _hints(self, key: Callable[[FailedTest], str | None]) -> list[HintCount]:
        students: Counter[str] = Counter()
        tests: dict[str, set[str]] = {}
        hidden: dict[str, bool] = {}
        for submission in self.submissions:
            seen = set()
            for test_id, failure in submission.failures.items():
                hint = key(failure)
                if not hint:
                    continue
                tests.setdefault(hint, set()).add(test_id)
                hidden[hint] = hidden.get(hint, True) and failure.hidden
                if hint not in seen:
                    seen.add(hint)
                    students[hint] += 1
        return [HintCount(hint, n, sorted(tests[hint]), hidden[hint]) for hint, n in
                sorted(students.items(), key=lambda item: (-item[1], item[0]))]


def stock_failure(ename: str, evalue: str | None) -> FailedTest:
    """The failure of a test cell grading did not judge (a plain assert of a stock nbgrader
    test): its error's name and first line are its hint."""
    text = str(evalue or "").strip()
    return FailedTest(hint=f"{ename}: {text.splitlines()[0]}" if text else ename, hidden=False)


def judged_failure(verdict: Verdict) -> FailedTest:
    """The failure of a judged test cell, from its verdict's fields: the hint the student read
    (a hidden check's default sentence when it had none), the failing functions it builds on,
    the known mistake named."""
    if verdict.hint or verdict.builds_on:
        hint = verdict.hint
    elif verdict.hidden:
        hint = verdict.for_student().removeprefix(HIDDEN).strip()
    else:
        hint = verdict.what
    return FailedTest(hint=hint, hidden=verdict.hidden, upstream=verdict.builds_on,
                      mistake=verdict.mistake or None)


def _error_of(cell: NotebookNode) -> tuple[str, str | None] | None:
    """(ename, evalue) of a cell's error output, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "Error")), output.get("evalue", "")
    return None


def _lecture_column(markdown: str) -> dict[str, str]:
    """{exercise number: text} from an introduction's table with an "in the lecture" column."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in markdown.splitlines() if line.strip().startswith("|")]
    if not rows or "in the lecture" not in rows[0]:
        return {}
    column = rows[0].index("in the lecture")
    return {row[0]: row[column] for row in rows[2:] if len(row) > column and row[column]}


def read_source(course_root: str | Path, assignment: str
                ) -> tuple[list[Test], list[str], dict[str, str], dict[str, str]]:
    """The tests, the questions, the lecture pointers of an assignment's source notebooks, and
    the question of every graded cell (tests and written answers): grade_id -> question."""
    tests: list[Test] = []
    questions: list[str] = []
    lecture: dict[str, str] = {}
    question_of: dict[str, str] = {}
    for path in sorted((Path(course_root) / "source" / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        pointers: dict[str, str] = {}
        question = path.stem
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                pointers = pointers or _lecture_column(cell.source)
                title = question_title(cell.source)
                if title:
                    question = title
                    if question not in questions:
                        questions.append(question)
                    number = re.match(r"Exercise (\d+)", title)
                    if number and number.group(1) in pointers:
                        lecture[question] = pointers[number.group(1)]
            key = grade_id(cell)
            if key is None:  # not a cell of nbgrader's
                continue
            meta = nbgrader_meta(cell)
            if meta.get("grade"):
                question_of[key] = question
                if question not in questions:
                    questions.append(question)
            if is_test_cell(cell):
                tests.append(Test(key, path.stem, question, describe_test(cell.source, key),
                                  float(meta.get("points", 0)),
                                  "BEGIN HIDDEN TESTS" in cell.source))
    return tests, questions, lecture, question_of


def read_results(course_root: str | Path, assignment: str, db_url: str) -> AssignmentResults:
    """The class's results on `assignment`: every graded submission in the gradebook."""
    course_root = Path(course_root)
    tests, questions, lecture, question_of = read_source(course_root, assignment)
    test_ids = {t.grade_id for t in tests}
    submissions = []
    with Gradebook(db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise SystemExit(f"{assignment}: no such assignment in the gradebook ({db_url})")
        for submitted in gradebook.assignment_submissions(assignment):
            submission = Submission(submitted.student_id, submitted.score, submitted.max_score)
            for notebook in submitted.notebooks:
                for grade in notebook.grades:
                    question = question_of.get(grade.name)
                    # Points still to be graded by hand say nothing yet about the question.
                    if question is not None and not grade.needs_manual_grade:
                        got, total = submission.question_scores.get(question, (0.0, 0.0))
                        submission.question_scores[question] = (
                            got + (grade.score or 0.0), total + (grade.max_score or 0.0))
                    if grade.name in test_ids:
                        submission.passed[grade.name] = (grade.max_score or 0) > 0 and \
                            (grade.score or 0) >= grade.max_score
                    elif grade.needs_manual_grade:
                        submission.ungraded.append(NotebookNote(notebook.name, notebook.id,
                                                                grade.name))
                if notebook.flagged:
                    submission.flagged.append(NotebookNote(notebook.name, notebook.id,
                                                           _flag_reason(notebook)))
                _read_failures(course_root, assignment, submitted.student_id, notebook.name,
                               submission)
            submissions.append(submission)
    submissions.sort(key=lambda s: s.student)
    return AssignmentResults(assignment, tests, questions, lecture, submissions)


def _flag_reason(notebook: SubmittedNotebook) -> str:
    comments = [c.auto_comment for c in notebook.comments if c.auto_comment]
    return comments[0] if comments else "flagged in formgrader"


def _read_failures(course_root: Path, assignment: str, student: str, notebook_name: str,
                   submission: Submission) -> None:
    path = Path(course_root) / "autograded" / student / assignment / f"{notebook_name}.ipynb"
    if not path.is_file():
        return
    for cell in nbformat.read(path, as_version=4).cells:
        key = grade_id(cell)
        if key is None or not is_test_cell(cell) or submission.passed.get(key, True):
            continue
        judged, verdict = judged_verdict(cell)
        if judged:
            # Written by grading alone (gdcourse.grading.steps.verdicts), never kept from a submission.
            if verdict is not None:
                submission.failures[key] = judged_failure(verdict)
            continue
        error = _error_of(cell)
        if error is not None:
            submission.failures[key] = stock_failure(*error)


def assignments_in_gradebook(db_url: str) -> list[str]:
    """The gradebook's assignments, by due date then name."""
    with Gradebook(db_url) as gradebook:
        found = [(a.duedate is None, a.duedate, a.name) for a in gradebook.assignments]
    return [name for *_, name in sorted(found, key=lambda t: (t[0], t[1] or 0, t[2]))]


@dataclass(frozen=True)
class FallingBehind:
    """A student whose scores dropped: their share of the points per assignment (None where
    they have no graded submission)."""
    student: str
    shares: list[float | None]


def falling_behind(results: list[AssignmentResults], drop: float = 0.25) -> list[FallingBehind]:
    """Students whose latest share of the points is at least `drop` below their best earlier one,
    the biggest drop first."""
    shares: dict[str, list[float | None]] = {}
    for index, assignment in enumerate(results):
        for s in assignment.submissions:
            row = shares.setdefault(s.student, [None] * len(results))
            row[index] = s.score / s.max_score if s.max_score else None
    behind = []
    for student, row in shares.items():
        done = [share for share in row if share is not None]
        if len(done) >= 2 and max(done[:-1]) - done[-1] >= drop:
            behind.append((max(done[:-1]) - done[-1], student, row))
    return [FallingBehind(student, row)
            for _, student, row in sorted(behind, key=lambda t: (-t[0], t[1]))]
