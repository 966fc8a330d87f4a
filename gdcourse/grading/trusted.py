"""The trusted run: the instructor's source notebook, run with its tests in a sandboxed kernel of
its own, gives every check its expected side (gdcourse.checks.runtime, mode "trusted").

What each test cell observed there (the solution's values, the auxiliary values of known
mistakes, which checks are hidden) is kept per test cell, and cached in the course folder keyed by
the source notebook's content and the checks' code, so that one assignment's solution runs once
however many submissions are graded. A check whose visible test states a value the solution does
not give, or a test cell the solution fails, is reported: the instructor's test is wrong.
"""
import copy
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory

from ..checks.runtime import MIME, record_of
from .notebook_cells import grade_id, is_test_cell

CACHE_FOLDER = ".gdcourse-cache"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
HIDDEN_MARKER = "__import__('gdcourse.checks.runtime').checks.runtime.hidden_tests_begin()"
CHECKS_DIR = Path(__file__).resolve().parent.parent / "checks"


def source_notebook(config, assignment, notebook):
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    return folder / f"{notebook}.ipynb", Path(coursedir.root)


def _checks_fingerprint():
    digest = hashlib.sha256()
    for path in sorted(CHECKS_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(CHECKS_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(nb):
    """What the trusted observations depend on: every cell's type, source and nbgrader metadata,
    and the code of the checks."""
    digest = hashlib.sha256(_checks_fingerprint().encode())
    for cell in nb.cells:
        digest.update(json.dumps([cell.cell_type, cell.source,
                                  cell.get("metadata", {}).get("nbgrader", {})],
                                 sort_keys=True).encode())
    return digest.hexdigest()[:24]


def mark_hidden_tests(nb):
    """A copy of the notebook whose test cells announce where their hidden tests begin."""
    marked = copy.deepcopy(nb)
    for cell in marked.cells:
        if is_test_cell(cell) and BEGIN_HIDDEN in cell.source:
            lines = cell.source.split("\n")
            for i, line in enumerate(lines):
                if line.strip() == BEGIN_HIDDEN:
                    indent = line[:len(line) - len(line.lstrip())]
                    lines.insert(i + 1, indent + HIDDEN_MARKER)
                    break
            cell.source = "\n".join(lines)
    return marked


def observations_of(nb):
    """{grade_id: [records]} of the test cells, and the errors they raised, from a run notebook."""
    cells, errors = {}, {}
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        records, raised = [], []
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") \
                    and MIME in output.get("data", {}):
                records.append(record_of(output))
            elif output.get("output_type") == "error":
                raised.append(f"{output.get('ename')}: {output.get('evalue')}")
        cells[grade_id(cell)] = records
        if raised:
            errors[grade_id(cell)] = raised
    return cells, errors


def self_check(cells):
    """Visible checks whose stated value the solution does not give: sentences for the log."""
    from ..checks.judges import judge_record

    problems = []
    for key, records in cells.items():
        for record in records:
            if "stated" in record:
                failure = judge_record(record, expected=record["stated"], aux={})
                if failure is not None:
                    problems.append(f"test cell {key}: the solution fails its own visible check: "
                                    f"{failure.what}")
    return problems


def run_solution(nb, folder, config, log):
    """Run the marked source notebook in a sandboxed kernel, in a copy of its folder."""
    from .execute import SafeExecute

    with tempfile.TemporaryDirectory(prefix="gdcourse-trusted-") as work:
        for path in Path(folder).iterdir():
            if path.is_file() and path.suffix != ".ipynb":
                shutil.copy2(path, Path(work) / path.name)
        executor = SafeExecute(config=config, log=log)
        executor.checks_mode = "trusted"
        ran, _ = executor.preprocess(mark_hidden_tests(nb), {"metadata": {"path": work}})
    return ran, list(executor.modules_used)


def _cache_path(config, assignment, notebook):
    """Where the solution's observations are cached, and the source notebook (None when the
    assignment has no source notebook)."""
    path, root = source_notebook(config, assignment, notebook)
    if not path.is_file():
        return None, None
    nb = nbformat.read(path, as_version=4)
    return root / CACHE_FOLDER / "trusted" / assignment / f"{notebook}.{cache_key(nb)}.json", nb


def is_cached(config, assignment, notebook):
    """Whether the solution's observations of `notebook` are cached (or there is no solution)."""
    cache, _ = _cache_path(config, assignment, notebook)
    return cache is None or cache.is_file()


def cached_modules(config, assignment, notebook):
    """The modules the solution's kernel imported, as its cached run recorded them ([] when the
    solution has not run yet): warm kernels import them before forking students' kernels."""
    try:
        cache, _ = _cache_path(config, assignment, notebook)
        if cache is not None and cache.is_file():
            return json.loads(cache.read_text()).get("modules", [])
    except (OSError, ValueError):
        pass
    return []


def trusted_observations(config, assignment, notebook, log):
    """{grade_id: [records]} of the solution's run of `notebook` in `assignment` (cached), or
    None when the assignment has no source notebook to run (then every test is scored as stock
    nbgrader scores it)."""
    cache, nb = _cache_path(config, assignment, notebook)
    if cache is None:
        log.warning("No source notebook for %s/%s: tests are scored from their errors alone.",
                    assignment, notebook)
        return None
    if cache.is_file():
        return json.loads(cache.read_text())["cells"]
    log.info("Running the solution of %s/%s once, for the expected side of its checks",
             assignment, notebook)
    path, _ = source_notebook(config, assignment, notebook)
    ran, modules = run_solution(nb, path.parent, config, log)
    cells, errors = observations_of(ran)
    problems = [f"test cell {key} fails on the solution: {'; '.join(raised)}"
                for key, raised in errors.items()] + self_check(cells)
    for problem in problems:
        log.error("%s/%s: %s", assignment, notebook, problem)
    cache.parent.mkdir(parents=True, exist_ok=True)
    for old in cache.parent.glob(f"{notebook}.*.json"):
        old.unlink()
    cache.write_text(json.dumps({"cells": cells, "problems": problems, "modules": modules}))
    return cells
