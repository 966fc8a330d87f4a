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
from nbgrader.api import Gradebook, MissingEntry


def assignment_structure(db_url, assignment):
    """The assignment as generate_assignment recorded it (plain data), or None if it has no row."""
    with Gradebook(db_url) as gradebook:
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            return None
        return {
            "name": found.name,
            "duedate": found.duedate,
            "notebooks": [{
                "name": notebook.name,
                "grade_cells": [{"name": c.name, "max_score": c.max_score, "cell_type": c.cell_type}
                                for c in notebook.grade_cells],
                "solution_cells": [c.name for c in notebook.solution_cells],
                "task_cells": [{"name": c.name, "max_score": c.max_score, "cell_type": c.cell_type}
                               for c in notebook.task_cells],
                "source_cells": [{"name": c.name, "cell_type": c.cell_type, "locked": c.locked,
                                  "source": c.source, "checksum": c.checksum}
                                 for c in notebook.source_cells],
            } for notebook in found.notebooks],
        }


def seed_assignment(db_url, structure):
    """Create the assignment of `structure` in an empty gradebook."""
    name = structure["name"]
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(name, duedate=structure["duedate"])
        for notebook in structure["notebooks"]:
            gradebook.update_or_create_notebook(notebook["name"], name)
            for cell in notebook["grade_cells"]:
                gradebook.update_or_create_grade_cell(
                    cell["name"], notebook["name"], name,
                    max_score=cell["max_score"], cell_type=cell["cell_type"])
            for cell in notebook["solution_cells"]:
                gradebook.update_or_create_solution_cell(cell, notebook["name"], name)
            for cell in notebook["task_cells"]:
                gradebook.update_or_create_task_cell(
                    cell["name"], notebook["name"], name,
                    max_score=cell["max_score"], cell_type=cell["cell_type"])
            for cell in notebook["source_cells"]:
                gradebook.update_or_create_source_cell(
                    cell["name"], notebook["name"], name, cell_type=cell["cell_type"],
                    locked=cell["locked"], source=cell["source"], checksum=cell["checksum"])


def extension_of(gradebook, assignment, student):
    """The extension the instructors gave `student` for `assignment` (a timedelta), or None;
    `gradebook` is an open Gradebook."""
    try:
        return gradebook.find_submission(assignment, student).extension
    except MissingEntry:
        return None


def prepare_submission(db_url, assignment, student, extension):
    """Before autograde on a worker: the student, and their extension (late penalties use it)."""
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_student(student)
        if extension is not None:
            gradebook.update_or_create_submission(assignment, student, extension=extension)


def autograde_rows(db_url, assignment, student, submitted_notebooks):
    """What autograde wrote for one submission, as plain data; `submitted_notebooks` are the
    names of the notebooks the student handed in (autograde scores the others 0 as missing)."""
    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {
            "timestamp": submission.timestamp,
            "notebooks": {notebook.name: {
                "submitted": notebook.name in submitted_notebooks,
                "flagged": notebook.flagged,
                "late_submission_penalty": notebook.late_submission_penalty,
                "grades": {grade.name: [grade.auto_score, grade.needs_manual_grade]
                           for grade in notebook.grades},
                "comments": {comment.name: comment.auto_comment for comment in notebook.comments},
            } for notebook in submission.notebooks},
        }


def forget_submission(db_url, assignment, student):
    """Remove a graded submission from a worker's scratch gradebook."""
    with Gradebook(db_url) as gradebook:
        gradebook.remove_submission(assignment, student)


def merge_autograde_rows(gradebook, assignment, student, rows):
    """Write one submission's autograde rows into the course's gradebook (an open Gradebook),
    committed once at the end.

    As nbgrader's SaveAutoGrades does, a grade a grader has scored by hand (manual_score set)
    needs review again after autograde; a notebook that was not handed in scores 0 and needs
    nothing (autograde's rule for missing notebooks).
    """
    gradebook.update_or_create_student(student)
    submission = gradebook.update_or_create_submission(assignment, student,
                                                       timestamp=rows["timestamp"])
    if rows["timestamp"] is None:
        submission.timestamp = None
    for notebook in submission.notebooks:
        found = rows["notebooks"].get(notebook.name)
        if found is None:
            continue
        notebook.flagged = found["flagged"]
        notebook.late_submission_penalty = found["late_submission_penalty"]
        for grade in notebook.grades:
            auto_score, needs_manual_grade = found["grades"].get(grade.name, [None, True])
            grade.auto_score = auto_score
            if found["submitted"]:
                needs_manual_grade = grade.manual_score is not None or auto_score is None
            grade.needs_manual_grade = needs_manual_grade
        for comment in notebook.comments:
            comment.auto_comment = found["comments"].get(comment.name)
    gradebook.db.commit()
