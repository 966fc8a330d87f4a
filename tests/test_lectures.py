"""Every lecture notebook runs top to bottom in a real kernel, without errors or warnings; the
start page links to every lecture and assignment."""
import re

import nbformat
import pytest
from nbclient import NotebookClient

from course import ROOT
from gdcourse.course.lab import START_PAGE

LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_runs_clean(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # Run in a scratch folder, as a reader's restart-and-run-all would, so nothing lands in the repo.
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    problems = [
        f"cell {index}: {output.get('ename') or 'stderr'}: "
        f"{output.get('evalue') or output.get('text', '')[:300]}"
        for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr")
    ]
    assert not problems, "\n".join(problems)


def test_lectures_are_committed_without_outputs():
    for path in LECTURES:
        nb = nbformat.read(path, as_version=4)
        with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs]
        assert not with_outputs, f"{path.name}: cells {with_outputs} carry outputs; clear them"


def test_each_assignment_has_its_lecture():
    lectures = {p.stem for p in LECTURES}
    assignments = {p.name for p in (ROOT / "source").iterdir() if p.is_dir()}
    assert assignments <= lectures, f"assignments without a lecture: {assignments - lectures}"


def test_start_page_links_every_lecture_and_assignment():
    start = nbformat.read(ROOT / START_PAGE, as_version=4)
    links = [link for cell in start.cells if cell.cell_type == "markdown"
             for link in re.findall(r"\]\(([^)#]+)\)", cell.source)]
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"{START_PAGE} links to files that do not exist: {missing}"
    assignments = sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir())
    expected = [path for name in assignments
                for path in (f"notebooks/{name}.ipynb", f"release/{name}/{name}.ipynb")]
    assert sorted(links) == sorted(expected)
    assert not any(c.cell_type == "code" for c in start.cells), "the start page is text only"
