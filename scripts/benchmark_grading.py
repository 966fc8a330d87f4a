"""Seconds per notebook to autograde a class: stock nbgrader against this course, side by side.

    .venv/bin/python scripts/benchmark_grading.py [--students 40] [--assignments 01-gradient-descent ...]

The class: `--students` students per chapter, each handing in one of the chapter's catalog
entries in turn (right answers and known mistakes), in two fresh copies of the course:
- stock: `nbgrader autograde ASSIGNMENT` with a minimal nbgrader_config.py (nbgrader's own
  preprocessors, no sandbox; the checks judge in the kernel, as in a student's own run);
- course: the course's configuration (sandbox, warm kernels, trusted verdicts), graded as the
  course grades a class: `python -m gdcourse.grading.batch` on every assignment at once (Dask,
  one worker per core), starting the workers and the solutions' runs included (no cache).
The course must give every student the score the catalog states for their entry (the scores the
test suite checks); the script says so, and how many of stock nbgrader's scores differ (stock
judges in the student's kernel, against the visible tests' stated values), then prints the
seconds per notebook and the ratio.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nbgrader.api import Gradebook  # noqa: E402

from gdcourse.course.catalog import assignment_names, load_entries  # noqa: E402
from gdcourse.course.course_folder import copy_course  # noqa: E402
from gdcourse.course.nbgrader_commands import command_env, nbgrader  # noqa: E402
from gdcourse.course.release import generate_releases  # noqa: E402
from gdcourse.course.submissions import submission_from_entry, write_submission  # noqa: E402

STOCK_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "gradient-descent-pytorch"\n'


def make_class(root, assignments, students):
    """`students` submissions of each assignment, cycling through its catalog entries; returns
    {(assignment, student): the score the catalog states}."""
    expected = {}
    for assignment in assignments:
        entries = load_entries(root, assignment)
        for number in range(students):
            entry, student = entries[number % len(entries)], f"s{number + 1:03d}"
            write_submission(root, student, assignment, submission_from_entry(root, entry))
            expected[(assignment, student)] = entry.score
    return expected


def scores(root, assignments):
    """Each submission's points from tests (what the catalog states; written answers aside)."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {(assignment, submission.student_id): submission.code_score
                for assignment in assignments
                for submission in gradebook.assignment_submissions(assignment)}


def differences(found, expected):
    return {key: (found.get(key), score) for key, score in expected.items() if found.get(key) != score}


def grade_stock(root, assignments):
    started = time.perf_counter()
    for assignment in assignments:
        nbgrader(root, "autograde", assignment, "--force")
    return time.perf_counter() - started


def grade_course(root, assignments):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdcourse.grading.batch", *assignments], cwd=root,
                   env=command_env(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40, help="students per chapter")
    parser.add_argument("--assignments", nargs="*", help="default: every chapter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        roots = {}
        for name in ("stock", "course"):
            root = Path(folder) / name
            root.mkdir()
            copy_course(ROOT, root)
            if name == "stock":
                (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
            generate_releases(root)
            roots[name] = root
        assignments = args.assignments or assignment_names(roots["course"])
        expected = {name: make_class(root, assignments, args.students) for name, root in roots.items()}["course"]
        seconds = {"stock": grade_stock(roots["stock"], assignments),
                   "course": grade_course(roots["course"], assignments)}
        wrong = differences(scores(roots["course"], assignments), expected)
        stock_differ = differences(scores(roots["stock"], assignments), expected)
    n = len(expected)
    print(f"{n} notebooks ({args.students} students x {len(assignments)} assignments), one run each")
    print(f"  course scores as the catalog states: "
          f"{'all' if not wrong else f'NO, {len(wrong)} differ: {sorted(wrong.items())[:5]}'}")
    print(f"  stock scores that differ from the catalog: {len(stock_differ)}")
    stock, course = seconds["stock"] / n, seconds["course"] / n
    print(f"  stock nbgrader autograde  {stock:.3f} s per notebook ({seconds['stock']:.1f} s)")
    print(f"  course                    {course:.3f} s per notebook ({seconds['course']:.1f} s)")
    print(f"  ratio                     {stock / course:.1f}x  ({len(os.sched_getaffinity(0))} cores)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
