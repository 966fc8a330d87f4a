import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course import course_copy, grade, read_notebook  # noqa: E402
from gdcourse.catalog import load_entries  # noqa: E402
from gdcourse.submissions import submission_from_entry  # noqa: E402


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
