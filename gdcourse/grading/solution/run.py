"""The trusted run: the instructor's source notebook, run with its tests in a sandboxed kernel of
its own, gives every check its expected side (gdcourse.checks.runtime, Mode.TRUSTED).

What each test cell observed there (the solution's values, the auxiliary values of known
mistakes, which checks are hidden) is kept per test cell (gdcourse.grading.solution.cache). A check whose visible test states a value the solution does
not give, or a test cell the solution fails, is reported: the instructor's test is wrong.
"""
import copy
import logging
import shutil
import tempfile
from pathlib import Path

from nbformat import NotebookNode
from traitlets.config import Config

from ...checks.judges import judge_record
from ...checks.runtime import MIME, Mode, Record, record_of
from ..notebook_cells import (BEGIN_HIDDEN, assignment_notebook, grade_id, has_hidden_tests,
                              is_test_cell)
from ..steps.execute import SafeExecute
from .cache import cache_path, read_cached, write_cached

HIDDEN_MARKER = "__import__('gdcourse.checks.runtime').checks.runtime.hidden_tests_begin()"


def mark_hidden_tests(nb: NotebookNode) -> NotebookNode:
    """A copy of the notebook whose test cells announce where their hidden tests begin."""
    marked = copy.deepcopy(nb)
    for cell in marked.cells:
        if has_hidden_tests(cell):
            lines = cell.source.split("\n")
            for i, line in enumerate(lines):
                if BEGIN_HIDDEN in line:
                    indent = line[:len(line) - len(line.lstrip())]
                    lines.insert(i + 1, indent + HIDDEN_MARKER)
                    break
            cell.source = "\n".join(lines)
    return marked


def observations_of(nb: NotebookNode) -> tuple[dict[str, list[Record]], dict[str, list[str]]]:
    """{grade_id: [records]} of the test cells, and the errors they raised, from a run notebook."""
    cells: dict[str, list[Record]] = {}
    errors: dict[str, list[str]] = {}
    for cell in nb.cells:
        key = grade_id(cell)
        if not is_test_cell(cell) or key is None:
            continue
        records: list[Record] = []
        raised: list[str] = []
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") \
                    and MIME in output.get("data", {}):
                records.append(record_of(output))
            elif output.get("output_type") == "error":
                raised.append(f"{output.get('ename')}: {output.get('evalue')}")
        cells[key] = records
        if raised:
            errors[key] = raised
    return cells, errors


def self_check(cells: dict[str, list[Record]]) -> list[str]:
    """Visible checks whose stated value the solution does not give: sentences for the log."""
    problems = []
    for key, records in cells.items():
        for record in records:
            if "stated" in record:
                failure = judge_record(record, expected=record["stated"], aux={})
                if failure is not None:
                    problems.append(f"test cell {key}: the solution fails its own visible check: "
                                    f"{failure.what}")
    return problems


def run_solution(nb: NotebookNode, folder: Path, config: Config,
                 log: logging.Logger) -> tuple[NotebookNode, list[str]]:
    """Run the marked source notebook in a sandboxed kernel, in a copy of its folder: its files,
    the assignment's other source notebooks among them (one may `%run` another)."""
    with tempfile.TemporaryDirectory(prefix="gdcourse-trusted-") as work:
        for path in Path(folder).iterdir():
            if path.is_file():
                shutil.copy2(path, Path(work) / path.name)
        executor = SafeExecute(config=config, log=log)
        executor.checks_mode = Mode.TRUSTED
        ran, _ = executor.preprocess(mark_hidden_tests(nb), {"metadata": {"path": work}})
    return ran, list(executor.modules_used)


def trusted_observations(config: Config, assignment: str, notebook: str,
                         log: logging.Logger) -> dict[str, list[Record]] | None:
    """{grade_id: [records]} of the solution's run of `notebook` in `assignment` (cached), or
    None when the assignment has no source notebook to run (then every test is scored as stock
    nbgrader scores it)."""
    found = cache_path(config, assignment, notebook)
    if found is None:
        log.warning("No source notebook for %s/%s: tests are scored from their errors alone.",
                    assignment, notebook)
        return None
    cache, nb = found
    if cache.is_file():
        return read_cached(cache)["cells"]
    log.info("Running the solution of %s/%s once, for the expected side of its checks",
             assignment, notebook)
    path = assignment_notebook(config, "source", assignment, notebook)
    ran, modules = run_solution(nb, path.parent, config, log)
    cells, errors = observations_of(ran)
    problems = [f"test cell {key} fails on the solution: {'; '.join(raised)}"
                for key, raised in errors.items()] + self_check(cells)
    for problem in problems:
        log.error("%s/%s: %s", assignment, notebook, problem)
    write_cached(cache, notebook, cells, problems, modules)
    return cells
