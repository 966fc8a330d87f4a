"""The student edition (make student-edition DEST=...): what students get holds no solution, no
hidden test and no catalog answer, and its START page, lectures and Validate work from it alone."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from course import ROOT, read_notebook
from gdcourse.course.catalog import assignment_names
from gdcourse.course.edition import write_edition
from gdcourse.grading.notebook_cells import is_answer_cell, is_test_cell, solution_text

pytestmark = pytest.mark.xdist_group("edition")
BIN = Path(sys.executable).parent
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return write_edition(ROOT, tmp_path_factory.mktemp("edition") / "course")


def text_files(folder):
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                yield path, path.read_text()
            except UnicodeDecodeError:
                continue


def pairs(text):
    """Every two consecutive non-blank lines of `text`, stripped: a solution that leaks brings
    several lines along, where a hint quotes one."""
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) >= 8]
    return set(zip(lines, lines[1:]))


def public_pairs():
    """What students see anyway: the release notebooks and the lectures."""
    seen = set()
    for path in [*ROOT.glob("release/*/*.ipynb"), *ROOT.glob("notebooks/*.ipynb"), ROOT / "START.ipynb"]:
        for cell in nbformat.read(path, as_version=4).cells:
            seen |= pairs(cell.source)
    return seen


def secret_pairs():
    """Lines of solutions, hidden tests and catalog answers that students must never get."""
    found = set()
    for assignment in assignment_names(ROOT):
        for cell in read_notebook(ROOT, "source", assignment).cells:
            parts = SOLUTION.findall(cell.source) if is_answer_cell(cell) else []
            if is_test_cell(cell):
                parts.append(cell.source.partition("### BEGIN HIDDEN TESTS")[2])
            for part in parts:
                found |= pairs(part)
    for path in (ROOT / "catalog").glob("*.yaml"):
        for item in yaml.safe_load(path.read_text()).get("mistakes", []):
            for answer in (item.get("answers") or {}).values():
                found |= pairs(answer or "")
    return found - public_pairs()


def test_only_what_students_need(edition):
    top = sorted(p.name for p in edition.iterdir())
    assert top == sorted([".gitignore", "LICENSE", "Makefile", "README.md", "START.ipynb", "gdcourse",
                          "lab-settings", "nbgrader_config.py", "notebooks", "pyproject.toml",
                          "release", "requirements.txt"]), top
    assert sorted(p.name for p in (edition / "gdcourse").iterdir()) == ["__init__.py", "checks", "lecture"]
    requirements = (edition / "requirements.txt").read_text()
    assert "torch==2.13.0" in requirements and "nbgrader==" in requirements
    for instructors_only in ("pytest", "playwright", "psycopg", "jupyterhub"):
        assert instructors_only not in requirements, instructors_only


def test_no_solution_no_hidden_test_no_catalog_answer(edition):
    secrets = secret_pairs()
    assert len(secrets) > 100, "the secrets to look for were not found: the test would prove nothing"
    for path, text in text_files(edition):
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        leaked = pairs(text) & secrets
        assert not leaked, f"{path.relative_to(edition)} holds {sorted(leaked)[:3]}"


def test_the_start_page_links_stay_inside(edition):
    start = nbformat.read(edition / "START.ipynb", as_version=4)
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", "\n".join(c.source for c in start.cells))
    assert len(links) == 2 * len(assignment_names(ROOT))   # a lecture and an assignment each
    for link in links:
        assert (edition / link).is_file(), link


def edition_env(edition):
    env = dict(os.environ, PYTHONPATH=str(edition))
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_package_is_the_editions_own(edition):
    """The lectures' and the tests' modules come from the edition, and the grading set-up is not
    there (-S: without site-packages, where the course's own package is installed)."""
    done = subprocess.run([sys.executable, "-c", "import gdcourse.checks.runtime as r, gdcourse.lecture.plots, "
                           "gdcourse.lecture.autograd_graph, gdcourse.lecture.regression_plots\n"
                           "print(r.__file__)"],
                          cwd=edition, env=edition_env(edition), capture_output=True, text=True)
    assert done.stdout.startswith(str(edition)), done.stdout + done.stderr
    alone = subprocess.run([sys.executable, "-S", "-c", "import gdcourse.checks.judges.common\n"
                            "import gdcourse.grading"],
                           cwd=edition, env=edition_env(edition), capture_output=True, text=True)
    assert "No module named 'gdcourse.grading'" in alone.stderr, alone.stderr


def test_a_lecture_runs_from_the_edition(edition):
    done = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                           "--output", "run.ipynb", "notebooks/01-gradient-descent.ipynb"],
                          cwd=edition, env=edition_env(edition), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def validate(edition, answers):
    """`nbgrader validate` of chapter 1's release with `answers` ({grade_id: code}) filled in."""
    path = edition / "release" / "01-gradient-descent" / "01-gradient-descent.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        key = cell.metadata.get("nbgrader", {}).get("grade_id")
        if key in answers:
            cell.source = answers[key]
    work = edition / "release" / "01-gradient-descent" / "work.ipynb"
    nbformat.write(nb, work)
    try:
        return subprocess.run([str(BIN / "nbgrader"), "validate", str(work)], cwd=edition,
                              env=edition_env(edition), capture_output=True, text=True).stdout
    finally:
        work.unlink()


def test_validate_works_from_the_edition(edition):
    source = read_notebook(ROOT, "source", "01-gradient-descent")
    solutions = {c.metadata.nbgrader["grade_id"]: solution_text(c.source)
                 for c in source.cells if is_answer_cell(c)}
    assert "Success! Your notebook passes all the tests." in validate(edition, solutions)
    uphill = dict(solutions)
    uphill["single-step-gradient-descent"] = (
        "def single_step_gradient_descent(theta, learning_rate):\n"
        "    return theta + learning_rate * get_gradient_square_function(theta)")
    said = validate(edition, uphill)
    assert "θ moved up the slope" in said, said[-2000:]
