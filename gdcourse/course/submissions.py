"""Student submissions made from the catalog: a release notebook with its answer cells filled.

Written where `nbgrader collect` would put them: submitted/<student>/<assignment>/, with the
notebook and a timestamp.txt.
"""
import os
from collections.abc import Mapping
from pathlib import Path

import nbformat

from gdcourse.grading.notebook_cells import cells_by_grade_id, course_notebook, find_answer_cell, grade_id, is_answer_cell, solution_text
from .catalog import Entry

SUBMITTED_AT = "2026-09-15 12:00:00.000000 UTC"


def fill_answers(source_nb: nbformat.NotebookNode, release_nb: nbformat.NotebookNode,
                 answers: Mapping[str, str | None]) -> nbformat.NotebookNode:
    """A copy of the release notebook as a student would hand it in.

    Answer cells named in `answers` get that text (None keeps the released stub); all other answer
    cells get the source notebook's solution.
    """
    submission = nbformat.from_dict(release_nb)
    by_id = cells_by_grade_id(submission)
    for key, text in answers.items():
        source_cell = find_answer_cell(source_nb, key)
        if text is not None:
            by_id[grade_id(source_cell)].source = text.rstrip("\n")  # type: ignore[index]  # answer cells have one
    named = {grade_id(find_answer_cell(source_nb, key)) for key in answers}
    for cell in source_nb.cells:
        if is_answer_cell(cell) and grade_id(cell) not in named:
            by_id[grade_id(cell)].source = solution_text(cell.source).rstrip("\n")  # type: ignore[index]
    return submission


def submission_from_entry(course_root: str | os.PathLike[str], entry: Entry) -> nbformat.NotebookNode:
    source_nb = nbformat.read(course_notebook(course_root, "source", entry.assignment), as_version=4)
    release_nb = nbformat.read(course_notebook(course_root, "release", entry.assignment), as_version=4)
    return fill_answers(source_nb, release_nb, entry.answers)


def write_submission(course_root: str | os.PathLike[str], student: str, assignment: str,
                     nb: nbformat.NotebookNode, submitted_at: str = SUBMITTED_AT) -> Path:
    """Put `nb` in place as `student`'s submission of `assignment`; returns its folder."""
    folder = Path(course_root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text(submitted_at)
    return folder
