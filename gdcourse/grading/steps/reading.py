"""Reading submitted notebooks that may be broken: the exporter `nbgrader autograde` uses.

A file that is too large, empty, not JSON, or not a notebook would make nbgrader give up on that
student with a traceback. Here it is graded as the released notebook, unanswered (0 autograded
points), and the reason goes into the report that gdcourse.grading.steps.flags shows to the instructor
and gdcourse.grading.feedback.student_feedback shows to the student. The batch and the gradebook carry on as for
any other submission. A notebook that can be read but breaks a rule of the format (cell ids in
an nbformat 4.0 file, as papermill and jupytext write them) is graded as it is, with a warning.
"""
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat import NotebookNode
from traitlets import Integer

from ..notebook_cells import assignment_notebook


def problem_with(path: str | os.PathLike[str], max_bytes: int) -> str | None:
    """Why `path` cannot be graded as a notebook, or None."""
    size = os.path.getsize(path)
    if size == 0:
        return "the submitted notebook file is empty"
    if size > max_bytes:
        return (f"the submitted notebook is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB "
                f"a notebook of this course may be (clear its outputs and submit again)")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except UnicodeDecodeError:
        return "the submitted notebook is not text (UTF-8)"
    except json.JSONDecodeError as error:
        return f"the submitted notebook is not valid JSON ({error.msg} at line {error.lineno})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return "the submitted file is JSON but not a notebook (no list of cells)"
    try:
        nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # nbformat raises several kinds for unreadable notebooks
        return f"the submitted file is not a notebook nbformat can read ({str(error).splitlines()[0][:200]})"
    return None


def format_warning(path: str | os.PathLike[str]) -> str | None:
    """What breaks nbformat's rules in a readable notebook, or None."""
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception as error:
        return str(error).splitlines()[0][:200]
    return None


class SafeNotebookExporter(NotebookExporter):

    max_notebook_bytes = Integer(
        20_000_000, help="Largest submitted notebook autograde reads, in bytes.").tag(config=True)

    def from_filename(self, filename: str, resources: dict[str, Any] | None = None,
                      **kw: Any) -> tuple[NotebookNode, dict[str, Any]]:
        problem = problem_with(filename, self.max_notebook_bytes)
        if problem is None:
            warning = format_warning(filename)
            if warning:
                info = resources["nbgrader"]  # type: ignore[index]  # nbgrader passes resources
                self.log.warning("%s/%s: the notebook breaks a rule of its format (%s); graded as "
                                 "it is", info["student"], info["notebook"], warning)
            return super().from_filename(filename, resources=resources, **kw)
        info = resources["nbgrader"]  # type: ignore[index]
        self.log.warning("%s/%s: %s; graded as unanswered", info["student"], info["notebook"], problem)
        nb = nbformat.read(assignment_notebook(self.config, "release", info["assignment"], info["notebook"]),
                           as_version=4)
        # Through resources, not the notebook's metadata: rebuilding trusts no submitted metadata.
        resources["gdcourse_unreadable"] = (  # type: ignore[index]
            f"{problem}: graded as the released notebook, unanswered")
        return self.from_notebook_node(nb, resources=resources, **kw)


def report_unexpected_notebooks(assignment: str, student: str, notebooks: Iterable[str]) -> None:
    """nbgrader's pre-convert hook: say plainly when a submission lacks a notebook of the release.

    nbgrader passes the notebooks it found for one student. When none of them is one the release
    has (renamed, say), nbgrader skips the student with "No notebooks found, did you forget to run
    'nbgrader generate_assignment'?", which misleads; this names the student and what was found.
    """
    found = [Path(path) for path in notebooks]
    if not found:
        return
    folder = found[0].parent
    assignment_id, student_id = folder.name, folder.parent.name
    release = folder.parent.parent.parent / "release" / assignment_id
    expected = {path.name for path in release.glob("*.ipynb")} or {f"{assignment_id}.ipynb"}
    missing = sorted(expected - {path.name for path in found})
    if missing:
        names = ", ".join(sorted(path.name for path in found))
        print(f"[gdcourse] student {student_id!r}: no {', '.join(missing)} in {folder} (found: "
              f"{names}). A notebook that is not under its released name cannot be graded.",
              file=sys.stderr, flush=True)
