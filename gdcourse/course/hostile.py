"""Hostile and broken submissions, generated like the example class (catalog/hostile.yaml).

Each entry starts from a mistake-catalog entry (its answers, and the score they earn), adds a
trick (answer code that reaches for the grading machinery, or an edit of the notebook file) and
states what grading must make of it: the same score as without the trick, whether the
instructor sees a flag, and a message that must reach the gradebook's comment.
"""
import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml  # type: ignore[import-untyped, unused-ignore]  # no stubs installed

from .catalog import catalog_dir, find_entry
from gdcourse.grading.notebook_cells import cells_by_grade_id, find_answer_cell, grade_id
from .submissions import SUBMITTED_AT, submission_from_entry, write_submission


@dataclass(frozen=True)
class Hostile:
    id: str
    assignment: str
    about: str
    base: str                       # the catalog entry the submission starts from
    score: float                    # what it must get: the base's score, the trick earning nothing
    flagged: bool
    message: str = ""               # text the instructor must see (gradebook comment)
    answers: dict[str, str | None] = field(default_factory=dict)
    edit: str = ""                  # one of EDITS
    cell: str = ""                  # the grade_id an edit works on


def load_hostile(course_root: str | os.PathLike[str]) -> list[Hostile]:
    data = yaml.safe_load((catalog_dir(course_root) / "hostile.yaml").read_text())
    return [Hostile(answers=dict(item.pop("answers", None) or {}), **item)
            for item in data["submissions"]]


def _cell(nb: nbformat.NotebookNode, key: str) -> nbformat.NotebookNode:
    return cells_by_grade_id(nb)[key]


def _edit_cell(nb: nbformat.NotebookNode, key: str) -> None:
    _cell(nb, key).source = "pass  # nothing to test here"


def _delete_cell(nb: nbformat.NotebookNode, key: str) -> None:
    nb.cells.remove(_cell(nb, key))


def _duplicate_cell(nb: nbformat.NotebookNode, key: str) -> None:
    cell = _cell(nb, key)
    nb.cells.insert(nb.cells.index(cell) + 1, copy.deepcopy(cell))


def _retype_cell(nb: nbformat.NotebookNode, key: str) -> None:
    cell = _cell(nb, key)
    nb.cells[nb.cells.index(cell)] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)


def _raise_points(nb: nbformat.NotebookNode, key: str) -> None:
    _cell(nb, key).metadata.nbgrader["points"] = 100


def _test_to_answer(nb: nbformat.NotebookNode, key: str) -> None:
    meta = _cell(nb, key).metadata.nbgrader
    meta.update(grade=False, solution=True, locked=False)
    meta.pop("points", None)
    _cell(nb, key).source = "pass"


def _add_graded_cell(nb: nbformat.NotebookNode, key: str) -> None:
    cell = nbformat.v4.new_code_cell("print('bonus')")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus-points", "locked": True,
                                 "points": 50, "schema_version": 3, "solution": False, "task": False}
    nb.cells.append(cell)


def _answer_to_markdown(nb: nbformat.NotebookNode, key: str) -> None:
    _retype_cell(nb, grade_id(find_answer_cell(nb, key)))  # type: ignore[arg-type]  # answer cells have one


def _tag_cells(nb: nbformat.NotebookNode, key: str) -> None:
    for cell in nb.cells:
        cell.metadata.setdefault("tags", []).append("raises-exception")


def _other_kernel(nb: nbformat.NotebookNode, key: str) -> None:
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia 1.9", "language": "julia"}


def _forge_grading_metadata(nb: nbformat.NotebookNode, key: str) -> None:
    """Grading's own notes on every test cell, as if it had judged them passed."""
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.metadata["gdcourse"] = {
                "judged": True, "passed": True, "checks": 1, "hidden_checks": 1, "verdict": None,
                "stopped": "the grader's note: <b>full marks</b>", "output_cut": 1,
                "rewritten": ["nothing"]}


NOTEBOOK_EDITS = {
    "edit-cell": _edit_cell, "delete-cell": _delete_cell, "duplicate-cell": _duplicate_cell,
    "retype-cell": _retype_cell, "raise-points": _raise_points, "test-to-answer": _test_to_answer,
    "add-graded-cell": _add_graded_cell, "answer-to-markdown": _answer_to_markdown,
    "tag-cells": _tag_cells, "other-kernel": _other_kernel,
    "forge-grading-metadata": _forge_grading_metadata,
}


def _write_bytes(folder: Path, assignment: str, data: bytes) -> None:
    (folder / f"{assignment}.ipynb").write_bytes(data)


FILE_EDITS = {
    "invalid-json": lambda folder, a, nb: _write_bytes(folder, a, nbformat.writes(nb)[:-200].encode()),
    "empty-file": lambda folder, a, nb: _write_bytes(folder, a, b""),
    "not-a-notebook": lambda folder, a, nb: _write_bytes(folder, a, json.dumps({"hello": 1}).encode()),
    "binary-file": lambda folder, a, nb: _write_bytes(folder, a, bytes(range(256)) * 64),
    "huge-notebook": lambda folder, a, nb: _write_bytes(folder, a, _huge(nb)),
    "extra-files": lambda folder, a, nb: _extra_files(folder),
}

EDITS = {*NOTEBOOK_EDITS, *FILE_EDITS}


def _huge(nb: nbformat.NotebookNode) -> bytes:
    """A notebook of about 50 MB: one output holding a long text."""
    nb = copy.deepcopy(nb)
    nb.cells[0].outputs = [] if nb.cells[0].cell_type == "code" else None
    cell = nbformat.v4.new_code_cell("print('x' * 50_000_000)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 50_000_000)]
    nb.cells.append(cell)
    return nbformat.writes(nb).encode()


def _extra_files(folder: Path) -> None:
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "helper.py").write_text("def f():\n    return 1\n")
    (folder / "data.bin").write_bytes(b"\0" * 5_000_000)


def write_hostile(course_root: str | os.PathLike[str], hostile: Hostile,
                  student: str | None = None) -> str:
    """Put the hostile submission in place under submitted/; returns its student id."""
    student = student or f"hostile-{hostile.id}"
    base = find_entry(course_root, hostile.assignment, hostile.base)
    entry = type(base)(**{**base.__dict__, "answers": {**base.answers, **hostile.answers}})
    nb = submission_from_entry(course_root, entry)
    if hostile.edit in NOTEBOOK_EDITS:
        NOTEBOOK_EDITS[hostile.edit](nb, hostile.cell)
    folder = write_submission(course_root, student, hostile.assignment, nb, SUBMITTED_AT)
    if hostile.edit in FILE_EDITS:
        FILE_EDITS[hostile.edit](Path(folder), hostile.assignment, nb)
    return student
