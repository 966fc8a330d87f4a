"""What a submission changed in the notebook's grading structure: reported, and put back.

The nbgrader metadata of a cell (which cell is a test, its points, its id) belongs to the
instructor. A submission may have deleted, duplicated, retyped or edited the cells the student
must not change, or edited their metadata. nbgrader itself puts most of that back (OverwriteCells
restores locked cells' source, cell types and points from the gradebook, DeduplicateIds keeps
one copy of a duplicated cell). This step, which runs before them, does the rest from the
released notebook: a deleted cell of the release is put back where it was, each known cell gets
its released nbgrader flags back, and a cell claiming an id the release does not have loses its
nbgrader metadata. Code is never changed: what students write, and cells they add, are graded as
they are.

What was changed is kept in the notebook's metadata ("gdcourse"), where RecordFlags
(gdcourse.grading.steps.flags) flags the submission for the instructor.
"""
import copy

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .flags import METADATA_KEY, add_tampering
from ..notebook_cells import JUDGED, assignment_notebook, grade_id, is_answer_cell, nbgrader_meta

CHECKED_FIELDS = ("grade", "solution", "locked", "points", "task")


def _cells_by_id(nb: NotebookNode) -> dict[str, list[NotebookNode]]:
    found: dict[str, list[NotebookNode]] = {}
    for cell in nb.cells:
        if grade_id(cell):
            found.setdefault(grade_id(cell), []).append(cell)  # type: ignore[arg-type]  # not None
    return found


def _kind(cell: NotebookNode) -> str:
    if is_answer_cell(cell):
        return "answer cell"
    return "test cell" if nbgrader_meta(cell).get("grade") else "read-only cell"


def structure_changes(template: NotebookNode, submission: NotebookNode) -> list[str]:
    """What the submission changed in the cells the student must not change (sentences)."""
    changes = []
    submitted = _cells_by_id(submission)
    for cell in template.cells:
        key = grade_id(cell)
        if not key:
            continue
        copies = submitted.get(key, [])
        kind = _kind(cell)
        if not copies:
            changes.append(f"the {kind} {key} was deleted")
            continue
        if len(copies) > 1:
            changes.append(f"the {kind} {key} appears {len(copies)} times")
        theirs = copies[0]
        if theirs.cell_type != cell.cell_type:
            changes.append(f"the {kind} {key} was turned from {cell.cell_type} into {theirs.cell_type}")
        ours_meta, their_meta = nbgrader_meta(cell), nbgrader_meta(theirs)
        changed = [f for f in CHECKED_FIELDS if ours_meta.get(f) != their_meta.get(f)]
        if changed:
            changes.append(f"the nbgrader metadata of {key} was edited ({', '.join(changed)})")
        if ours_meta.get("locked") and not is_answer_cell(cell) \
                and theirs.source.strip() != cell.source.strip():
            changes.append(f"the {kind} {key} was edited")
    known = {grade_id(c) for c in template.cells if grade_id(c)}
    for key in submitted:
        if key not in known:
            changes.append(f"a cell claims the unknown nbgrader id {key}")
    return changes


def restore_missing(template: NotebookNode, submission: NotebookNode) -> None:
    """Put back, in place, the cells of the release that the submission deleted, each after the
    cell that comes before it in the release."""
    present = {grade_id(c) for c in submission.cells if grade_id(c)}
    previous = None
    for cell in template.cells:
        key = grade_id(cell)
        if key is None:
            continue
        if key not in present:
            # A cell without id comes first; else after its predecessor in the release.
            after = -1 if previous is None else next(
                (i for i, c in enumerate(submission.cells) if grade_id(c) == previous), -1)
            submission.cells.insert(after + 1, copy.deepcopy(cell))
            present.add(key)
        previous = key


def restore_metadata(template: NotebookNode, submission: NotebookNode) -> None:
    """Give every known cell its released nbgrader flags; strip unknown ids and the copies of a
    duplicated cell but the first (in place)."""
    released = {grade_id(c): nbgrader_meta(c) for c in template.cells if grade_id(c)}
    seen: set[str] = set()
    for cell in submission.cells:
        key = grade_id(cell)
        if key is None:
            continue
        if key not in released or key in seen:
            del cell.metadata["nbgrader"]
            continue
        seen.add(key)
        for field in CHECKED_FIELDS:
            if field in released[key]:
                cell.metadata.nbgrader[field] = released[key][field]
            else:
                cell.metadata.nbgrader.pop(field, None)


class CheckStructure(NbGraderPreprocessor):
    """Sanitize step of `nbgrader autograde`, before nbgrader's OverwriteCells: see above."""

    def preprocess(self, nb: NotebookNode,
                   resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        # What grading notes of the notebook and of each cell is its own, never the submission's.
        nb.metadata.pop(METADATA_KEY, None)
        for cell in nb.cells:
            cell.get("metadata", {}).pop(JUDGED, None)
        unreadable = resources.get("gdcourse_unreadable")
        if unreadable:
            add_tampering(nb, unreadable)
            return nb, resources
        path = assignment_notebook(self.config, "release", info["assignment"], info["notebook"])
        if not path.is_file():
            return nb, resources
        template = nbformat.read(path, as_version=4)
        changes = structure_changes(template, nb)
        for sentence in changes:
            self.log.warning("%s/%s: %s", info["student"], info["notebook"], sentence)
        restore_missing(template, nb)
        restore_metadata(template, nb)
        add_tampering(nb, *changes)
        return nb, resources
