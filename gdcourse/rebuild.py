"""Rebuild each submission from the released notebook before autograde runs it.

nbgrader trusts the submitted file's structure: a student can delete, duplicate, retype or edit
test cells, or edit the nbgrader metadata that says which cell is what. Here the notebook that is
graded is the course's own release notebook, cell for cell; the submission contributes only the
text of its answer cells (matched by grade_id), each screened by gdcourse.answer_screening.
nbgrader's OverwriteCells then puts the hidden tests back into the test cells, as usual.

What the submission changed outside its answers is reported, not graded: the list goes into the
notebook's metadata ("gdcourse"), where RecordFlags (gdcourse.flags) picks it up after grading.
"""
import copy
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .answer_screening import screen_answer
from .notebook_cells import grade_id, is_answer_cell, nbgrader_meta

METADATA_KEY = "gdcourse"
CHECKED_FIELDS = ("grade", "solution", "locked", "points", "task")


def release_notebook_path(config, assignment, notebook):
    coursedir = CourseDirectory(config=config)
    folder = coursedir.format_path(coursedir.release_directory, ".", assignment)
    return Path(folder) / f"{notebook}.ipynb"


def _cells_by_id(nb):
    found = {}
    for index, cell in enumerate(nb.cells):
        if grade_id(cell):
            found.setdefault(grade_id(cell), []).append((index, cell))
    return found


def structure_changes(template, submission):
    """What the submission changed in the cells the student must not change (sentences)."""
    changes = []
    submitted = _cells_by_id(submission)
    for cell in template.cells:
        key = grade_id(cell)
        if not key:
            continue
        copies = submitted.get(key, [])
        kind = "answer cell" if is_answer_cell(cell) else (
            "test cell" if nbgrader_meta(cell).get("grade") else "read-only cell")
        if not copies:
            changes.append(f"the {kind} {key} was deleted")
            continue
        if len(copies) > 1:
            changes.append(f"the {kind} {key} appears {len(copies)} times")
        _, theirs = copies[0]
        if theirs.cell_type != cell.cell_type:
            changes.append(f"the {kind} {key} was turned from {cell.cell_type} into {theirs.cell_type}")
        ours_meta, their_meta = nbgrader_meta(cell), nbgrader_meta(theirs)
        changed = [f for f in CHECKED_FIELDS if ours_meta.get(f) != their_meta.get(f)]
        if changed:
            changes.append(f"the nbgrader metadata of {key} was edited ({', '.join(changed)})")
        if not is_answer_cell(cell) and theirs.source.strip() != cell.source.strip():
            changes.append(f"the {kind} {key} was edited")
    known = {grade_id(c) for c in template.cells if grade_id(c)}
    for key in submitted:
        if key not in known:
            changes.append(f"a cell claims the unknown nbgrader id {key}")
    for cell in submission.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if tags:
            changes.append(f"cell tags were added: {', '.join(map(str, tags))}")
            break
    return changes


def rebuild(template, submission, unreadable=None):
    """The notebook to grade, and what was screened out of it.

    Returns (notebook, report), report = {"tampering": [...], "left_out": [...]}: tampering are
    sentences for the instructor; left_out are (grade_id, line, statement) not graded.
    """
    if unreadable:
        report = {"tampering": [unreadable], "left_out": []}
        graded = copy.deepcopy(template)
        graded.metadata[METADATA_KEY] = report
        return graded, report
    report = {"tampering": structure_changes(template, submission), "left_out": []}
    submitted = _cells_by_id(submission)
    graded = copy.deepcopy(template)
    for cell in graded.cells:
        if not is_answer_cell(cell):
            continue
        key = grade_id(cell)
        theirs = next((c for _, c in submitted.get(key, []) if c.cell_type == cell.cell_type), None)
        if theirs is None:
            continue  # graded as released: unanswered
        if cell.cell_type != "code":
            cell.source = theirs.source
            continue
        screened = screen_answer(theirs.source)
        cell.source = screened.code
        for line, statement, reason in screened.removed:
            report["tampering"].append(f"{key}, line {line}: `{statement}` {reason}; removed")
        for line, statement in screened.left_out:
            report["left_out"].append((key, line, statement))
    graded.metadata[METADATA_KEY] = report
    return graded, report


class RebuildFromRelease(NbGraderPreprocessor):
    """Sanitize step of `nbgrader autograde`: grade the release notebook with the student's answers."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = release_notebook_path(self.config, info["assignment"], info["notebook"])
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: autograde grades submissions against the released notebook. "
                f"Run `nbgrader generate_assignment {info['assignment']}` first.")
        template = nbformat.read(path, as_version=4)
        graded, report = rebuild(template, nb, unreadable=resources.get("gdcourse_unreadable"))
        for sentence in report["tampering"]:
            self.log.warning("%s/%s: %s", info["student"], info["notebook"], sentence)
        return graded, resources
