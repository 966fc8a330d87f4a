"""Flags for the instructor: what a submission tried that grading ignored or contained.

RecordFlags runs at the end of `nbgrader autograde` (after SaveAutoGrades). It reads the report
that CheckStructure, SafeExecute and JudgeObservations left in the notebook's metadata and writes
it where instructors look: the submission is flagged in the gradebook (formgrader shows the flag)
and the sentences become the automatic comment of the notebook's first answer cell (formgrader
shows comments beside the cell). `flagged_submissions` reads them back for the grade table.
"""
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from ..notebook_cells import grade_id, is_answer_cell

METADATA_KEY = "gdcourse"  # the notebook metadata where grading keeps its report

FLAG = "⚑"


def report_of(nb: NotebookNode) -> dict[str, Any]:
    return nb.metadata.get(METADATA_KEY, {})


def add_tampering(nb: NotebookNode, *sentences: str) -> None:
    """Add sentences to the notebook's report, which RecordFlags turns into a flag."""
    report = dict(nb.metadata.get(METADATA_KEY, {}))
    report["tampering"] = [*report.get("tampering", []), *sentences]
    nb.metadata[METADATA_KEY] = report


class RecordFlags(NbGraderPreprocessor):

    def preprocess(self, nb: NotebookNode,
                   resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        sentences = report_of(nb).get("tampering", [])
        first_answer = next((grade_id(c) for c in nb.cells if is_answer_cell(c)), None)
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"])
            notebook.flagged = bool(sentences)
            if sentences and first_answer:
                comment = gradebook.find_comment(
                    first_answer, info["notebook"], info["assignment"], info["student"])
                comment.auto_comment = (f"{FLAG} Flagged for review: grading ignored or contained "
                                        f"what this submission did outside its answers.\n- "
                                        + "\n- ".join(sentences))
            gradebook.db.commit()
        return nb, resources


def flagged_submissions(db_url: str) -> set[tuple[str, str]]:
    """{(student, assignment)} of the submissions with a flagged notebook."""
    with Gradebook(db_url) as gradebook:
        return {(n.student.id, n.assignment.name)
                for assignment in gradebook.assignments
                for submission in assignment.submissions
                for n in submission.notebooks if n.flagged}
