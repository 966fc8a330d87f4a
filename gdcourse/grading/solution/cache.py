"""Where the solution's observations are kept: in the course folder, keyed by the source
notebook's content and the checks' code, so that an assignment's solution runs once however many
submissions are graded, and again only when the notebook or the checks change."""
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from ... import checks
from ..notebook_cells import assignment_notebook

CACHE_FOLDER = ".gdcourse-cache"
CHECKS_DIR = Path(checks.__file__).resolve().parent


def cache_folder(assignment: str) -> Path:
    """The folder, relative to the course's, of one assignment's cached runs."""
    return Path(CACHE_FOLDER) / "trusted" / assignment


def _checks_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(CHECKS_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(CHECKS_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(nb: NotebookNode, others: Sequence[Path] = ()) -> str:
    """What the trusted observations depend on: every cell's type, source and nbgrader metadata,
    the files of `others` (what else the solution's folder holds: data, other notebooks it may
    run) and the code of the checks."""
    digest = hashlib.sha256(_checks_fingerprint().encode())
    for cell in nb.cells:
        digest.update(json.dumps([cell.cell_type, cell.source,
                                  cell.get("metadata", {}).get("nbgrader", {})],
                                 sort_keys=True).encode())
    for path in sorted(others):
        stat = path.stat()
        digest.update(path.name.encode() + b"\0" + _file_digest(path, stat.st_mtime_ns, stat.st_size))
    return digest.hexdigest()[:24]


@cache
def _file_digest(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's SHA-256, read once per process while it is unchanged: grading asks for the
    solution's cache key of every notebook it grades, and a data file may be large."""
    return hashlib.sha256(path.read_bytes()).digest()


def solution_folder_files(notebook: Path) -> list[Path]:
    """The files beside the source notebook that its solution run gets a copy of."""
    return [path for path in notebook.parent.iterdir() if path.is_file() and path != notebook]


def cache_path(config: Config, assignment: str,
               notebook: str) -> tuple[Path, NotebookNode] | None:
    """Where the solution's observations are cached, and the source notebook (None when the
    assignment has no source notebook)."""
    path = assignment_notebook(config, "source", assignment, notebook)
    root = Path(CourseDirectory(config=config).root)
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    key = cache_key(nb, solution_folder_files(path))
    return root / cache_folder(assignment) / f"{notebook}.{key}.json", nb


def is_cached(config: Config, assignment: str, notebook: str) -> bool:
    """Whether the solution's observations of `notebook` are cached (or there is no solution)."""
    found = cache_path(config, assignment, notebook)
    return found is None or found[0].is_file()


def cached_modules(config: Config, assignment: str, notebook: str) -> list[str]:
    """The modules the solution's kernel imported, as its cached run recorded them ([] when the
    solution has not run yet): warm kernels import them before forking students' kernels."""
    try:
        found = cache_path(config, assignment, notebook)
        if found is not None and found[0].is_file():
            return read_cached(found[0]).get("modules", [])
    except (OSError, ValueError):
        pass
    return []


def read_cached(cache: Path) -> dict[str, Any]:
    """A cached run: {"cells": {grade_id: [records]}, "problems": [...], "modules": [...]}."""
    return json.loads(cache.read_text())


def write_cached(cache: Path, notebook: str, cells: dict[str, list[dict[str, Any]]],
                 problems: list[str], modules: list[str]) -> None:
    """Keep this run of `notebook`, in place of its older ones."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    for old in cache.parent.glob(f"{notebook}.*.json"):
        old.unlink()
    cache.write_text(json.dumps({"cells": cells, "problems": problems, "modules": modules}))
