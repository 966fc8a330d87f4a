"""Moving one assignment's rows between gradebooks, for grading on workers (gdcourse.grading.batch).

A worker grades a submission with nbgrader's own `Autograde` against a scratch gradebook of its
own, seeded with the assignment's structure (`assignment_structure` → `seed_assignment`). What
autograde wrote for that submission (`autograde_rows`) travels back as plain data, and the
coordinator writes it into the course's gradebook (`merge_autograde_rows`), the only writer there.

Only what `nbgrader autograde` itself writes is copied: the submission's timestamp; per notebook
`flagged` and `late_submission_penalty`; per grade `auto_score` and `needs_manual_grade`; per
comment `auto_comment`. Manual scores, extra credit, manual comments and extensions belong to the
instructors and stay as they are.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class ScoredCell:
    """A grade cell or a task cell, as generate_assignment recorded it."""
    name: str
    max_score: float
    cell_type: str


@dataclass(frozen=True)
class CellSource:
    """A cell whose source generate_assignment recorded (to restore it, or to see it changed)."""
    name: str
    cell_type: str
    locked: bool
    source: str | None
    checksum: str | None


@dataclass(frozen=True)
class NotebookStructure:
    name: str
    grade_cells: list[ScoredCell]
    solution_cells: list[str]
    task_cells: list[ScoredCell]
    source_cells: list[CellSource]


@dataclass(frozen=True)
class AssignmentStructure:
    """An assignment's rows in the gradebook, as generate_assignment recorded them."""
    name: str
    duedate: datetime | None
    notebooks: list[NotebookStructure]

    @property
    def notebook_names(self) -> list[str]:
        return [notebook.name for notebook in self.notebooks]


@dataclass(frozen=True)
class NotebookRows:
    """What autograde wrote for one notebook of a submission."""
    submitted: bool                              # handed in (autograde scores a missing one 0)
    flagged: bool | None
    late_submission_penalty: float | None
    grades: dict[str, tuple[float | None, bool]]  # grade cell -> (auto_score, needs_manual_grade)
    comments: dict[str, str | None]               # grade cell -> auto_comment


@dataclass(frozen=True)
class SubmissionRows:
    """What autograde wrote for one submission."""
    timestamp: datetime | None
    notebooks: dict[str, NotebookRows]


def assignment_structure(db_url: str, assignment: str) -> AssignmentStructure | None:
    """The assignment as generate_assignment recorded it, or None if it has no row."""
    with Gradebook(db_url) as gradebook:
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            return None
        return AssignmentStructure(found.name, found.duedate, [NotebookStructure(
            notebook.name,
            [ScoredCell(c.name, c.max_score, c.cell_type) for c in notebook.grade_cells],
            [c.name for c in notebook.solution_cells],
            [ScoredCell(c.name, c.max_score, c.cell_type) for c in notebook.task_cells],
            [CellSource(c.name, c.cell_type, c.locked, c.source, c.checksum)
             for c in notebook.source_cells],
        ) for notebook in found.notebooks])


def seed_assignment(db_url: str, structure: AssignmentStructure) -> None:
    """Create the assignment of `structure` in an empty gradebook."""
    name = structure.name
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(name, duedate=structure.duedate)
        for notebook in structure.notebooks:
            gradebook.update_or_create_notebook(notebook.name, name)
            for cell in notebook.grade_cells:
                gradebook.update_or_create_grade_cell(
                    cell.name, notebook.name, name,
                    max_score=cell.max_score, cell_type=cell.cell_type)
            for solution_cell in notebook.solution_cells:
                gradebook.update_or_create_solution_cell(solution_cell, notebook.name, name)
            for cell in notebook.task_cells:
                gradebook.update_or_create_task_cell(
                    cell.name, notebook.name, name,
                    max_score=cell.max_score, cell_type=cell.cell_type)
            for source in notebook.source_cells:
                gradebook.update_or_create_source_cell(
                    source.name, notebook.name, name, cell_type=source.cell_type,
                    locked=source.locked, source=source.source, checksum=source.checksum)


def extension_of(gradebook: Gradebook, assignment: str, student: str) -> timedelta | None:
    """The extension the instructors gave `student` for `assignment`, or None; `gradebook` is an
    open Gradebook."""
    try:
        return gradebook.find_submission(assignment, student).extension
    except MissingEntry:
        return None


def prepare_submission(db_url: str, assignment: str, student: str,
                       extension: timedelta | None) -> None:
    """Before autograde on a worker: the student, and their extension (late penalties use it)."""
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_student(student)
        if extension is not None:
            gradebook.update_or_create_submission(assignment, student, extension=extension)


def autograde_rows(db_url: str, assignment: str, student: str,
                   submitted_notebooks: set[str]) -> SubmissionRows:
    """What autograde wrote for one submission; `submitted_notebooks` are the names of the
    notebooks the student handed in (autograde scores the others 0 as missing)."""
    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return SubmissionRows(submission.timestamp, {notebook.name: NotebookRows(
            submitted=notebook.name in submitted_notebooks,
            flagged=notebook.flagged,
            late_submission_penalty=notebook.late_submission_penalty,
            grades={grade.name: (grade.auto_score, grade.needs_manual_grade)
                    for grade in notebook.grades},
            comments={comment.name: comment.auto_comment for comment in notebook.comments},
        ) for notebook in submission.notebooks})


def forget_submission(db_url: str, assignment: str, student: str) -> None:
    """Remove a graded submission from a worker's scratch gradebook."""
    with Gradebook(db_url) as gradebook:
        gradebook.remove_submission(assignment, student)


def merge_autograde_rows(gradebook: Gradebook, assignment: str, student: str,
                         rows: SubmissionRows) -> None:
    """Write one submission's autograde rows into the course's gradebook (an open Gradebook),
    committed once at the end.

    As nbgrader's SaveAutoGrades does, a grade a grader has scored by hand (manual_score set)
    needs review again after autograde; a notebook that was not handed in scores 0 and needs
    nothing (autograde's rule for missing notebooks).
    """
    gradebook.update_or_create_student(student)
    submission = gradebook.update_or_create_submission(assignment, student,
                                                       timestamp=rows.timestamp)
    if rows.timestamp is None:
        submission.timestamp = None
    for notebook in submission.notebooks:
        found = rows.notebooks.get(notebook.name)
        if found is None:
            continue
        notebook.flagged = found.flagged
        notebook.late_submission_penalty = found.late_submission_penalty
        for grade in notebook.grades:
            auto_score, needs_manual_grade = found.grades.get(grade.name, (None, True))
            grade.auto_score = auto_score
            if found.submitted:
                needs_manual_grade = grade.manual_score is not None or auto_score is None
            grade.needs_manual_grade = needs_manual_grade
        for comment in notebook.comments:
            comment.auto_comment = found.comments.get(comment.name)
    gradebook.db.commit()
