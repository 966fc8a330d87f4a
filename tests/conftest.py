import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import chromium_browser, new_page  # noqa: E402
from course import (ROOT, VENV, course_copy, fresh_clone, grade, quick_start_commands,  # noqa: E402
                    read_notebook)
from gdcourse.course.catalog import load_entries  # noqa: E402
from gdcourse.course.submissions import submission_from_entry  # noqa: E402


@pytest.fixture(scope="session")
def graded_assignment(tmp_path_factory):
    """graded_assignment(name) -> {student: GradedSubmission}, graded once per test process.

    The class graded for an assignment: its source notebook handed in as a submission
    ("source-solution"), its release untouched ("untouched-release"), and one student per catalog
    entry ("catalog-<id>"). Tests of one assignment share an xdist group, so each assignment is
    graded by one nbgrader run.
    """
    cache = {}

    def graded(assignment):
        if assignment not in cache:
            root = course_copy(tmp_path_factory.mktemp(assignment))
            submissions = {
                "source-solution": read_notebook(root, "source", assignment),
                "untouched-release": read_notebook(root, "release", assignment),
            }
            for entry in load_entries(root, assignment):
                submissions[f"catalog-{entry.id}"] = submission_from_entry(root, entry)
            cache[assignment] = grade(root, assignment, submissions)
        return cache[assignment]

    return graded


@pytest.fixture(scope="session")
def example_class_run(tmp_path_factory):
    """The main job (`make example`, the README's first command) run once on a fresh clone:
    (the clone's folder, the finished process). The quick-start test checks what it printed;
    the formgrader test grades by hand in a copy of the course it graded."""
    clone = fresh_clone(tmp_path_factory.mktemp("example-class") / "course")
    # The venv is this test run's own (set up by the same Makefile); everything else is the clone's.
    # Its set-up must stay as it is: were the clone's requirements newer than the venv's stamp,
    # make would re-install the course package, editable, from the clone (a temporary folder).
    stamp = (VENV / ".installed").stat().st_mtime
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(clone / name, (stamp - 1, stamp - 1))
    done = subprocess.run(quick_start_commands()[0].split() + [f"VENV={VENV}"], cwd=clone,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # A new process, away from the working tree, imports the package as the kernels do.
    installed = subprocess.run([sys.executable, "-c", "import gdcourse; print(gdcourse.__file__)"],
                               cwd=clone.parent, capture_output=True, text=True, check=True)
    assert Path(installed.stdout.strip()).is_relative_to(ROOT), \
        f"the main job re-installed the course package from {installed.stdout}"
    return clone, done


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright (one per test process)."""
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    with new_page(browser) as fresh_page:
        yield fresh_page
