"""Seconds per notebook to autograde a class: stock nbgrader against this course, side by side.

    .venv/bin/python scripts/benchmark_grading.py [--students 34] [--assignments 01-gradient-descent ...]
        [--breakdown ASSIGNMENT] [--no-scaling]

The class: `--students` students per chapter, each handing in one of the chapter's catalog
entries in turn (right answers and known mistakes), in fresh copies of the course:
- stock: `nbgrader autograde ASSIGNMENT` with a minimal nbgrader_config.py (nbgrader's own
  preprocessors, no sandbox; the checks judge in the kernel, as in a student's own run);
- course: the course's configuration (sandbox, warm kernels, trusted verdicts), graded as the
  course grades a class: `python -m gdcourse.grading.batch` on every assignment at once (Dask,
  one worker per core), starting the workers and the solutions' runs included (no cache).
The course must give every student the score the catalog states for their entry (the scores the
test suite checks); the script says so, and how many of stock nbgrader's scores differ (stock
judges in the student's kernel, against the visible tests' stated values), then prints for each
the seconds per notebook, the core-seconds per notebook (the whole machine's busy time while it
graded, kernels and workers included: the script runs on a machine otherwise quiet) and the
ratios. Then, unless --no-scaling, the course again on one worker (a third fresh copy): how the
batch scales from one worker to two. Last, where a notebook's time goes, for one assignment
(scripts/profile_grading.py, 8 notebooks each way).
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

from gdcourse.course.catalog import assignment_names  # noqa: E402
from gdcourse.course.course_folder import copy_course  # noqa: E402
from gdcourse.course.nbgrader_commands import command_env, nbgrader  # noqa: E402
from gdcourse.course.release import generate_releases  # noqa: E402
from profile_grading import (STOCK_CONFIG, machine_busy, make_class, show,  # noqa: E402
                             time_course, time_stock)


def scores(root, assignments):
    """Each submission's points from tests (what the catalog states; written answers aside)."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {(assignment, submission.student_id): submission.code_score
                for assignment in assignments
                for submission in gradebook.assignment_submissions(assignment)}


def differences(found, expected):
    return {key: (found.get(key), score) for key, score in expected.items() if found.get(key) != score}


def measured(grade):
    """(wall seconds, the machine's busy core-seconds) of grade()."""
    started, busy = time.perf_counter(), machine_busy()
    grade()
    return time.perf_counter() - started, machine_busy() - busy


def grade_stock(root, assignments):
    def grade():
        for assignment in assignments:
            nbgrader(root, "autograde", assignment, "--force")
    return measured(grade)


def grade_course(root, assignments, workers=None):
    extra = ["--workers", str(workers)] if workers else []
    return measured(lambda: subprocess.run(
        [sys.executable, "-m", "gdcourse.grading.batch", *assignments, *extra], cwd=root,
        env=command_env(), check=True, stdout=subprocess.DEVNULL))


def fresh_course(folder, name, stock=False):
    root = Path(folder) / name
    root.mkdir()
    copy_course(ROOT, root)
    if stock:
        (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
    generate_releases(root)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=34, help="students per chapter")
    parser.add_argument("--assignments", nargs="*", help="default: every chapter")
    parser.add_argument("--breakdown", default="01-gradient-descent",
                        help="the assignment whose notebooks' time is broken down ('' for none)")
    parser.add_argument("--no-scaling", action="store_true",
                        help="skip the course's run on one worker")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    runs = {"stock": None, "course": None} | ({} if args.no_scaling else {"course, 1 worker": 1})
    with tempfile.TemporaryDirectory() as folder:
        roots = {name: fresh_course(folder, name.replace(", ", "-").replace(" ", "-"),
                                    stock=name == "stock") for name in runs}
        assignments = args.assignments or assignment_names(roots["course"])
        expected = {name: make_class(root, assignments, args.students)
                    for name, root in roots.items()}["course"]
        measures = {name: grade_stock(root, assignments) if name == "stock"
                    else grade_course(root, assignments, runs[name]) for name, root in roots.items()}
        wrong = {name: differences(scores(root, assignments), expected)
                 for name, root in roots.items() if name != "stock"}
        stock_differ = differences(scores(roots["stock"], assignments), expected)
    n = len(expected)
    print(f"{n} notebooks ({args.students} students x {len(assignments)} assignments), one run "
          f"each, {cores} cores")
    for name, differ in wrong.items():
        print(f"  {name} scores as the catalog states: "
              f"{'all' if not differ else f'NO, {len(differ)} differ: {sorted(differ.items())[:5]}'}")
    print(f"  stock scores that differ from the catalog: {len(stock_differ)}")
    print(f"  {'':<26} {'wall per notebook':>18} {'core-s per notebook':>20}")
    for name, (wall, busy) in measures.items():
        label = "stock nbgrader autograde" if name == "stock" else name
        print(f"  {label:<26} {wall / n:>16.3f} s {busy / n:>18.3f}   ({wall:.1f} s, {busy:.1f} core-s)")
    (stock_wall, stock_busy), (wall, busy) = measures["stock"], measures["course"]
    print(f"  ratio, wall               {stock_wall / wall:.1f}x")
    print(f"  ratio, core-seconds       {stock_busy / busy:.1f}x")
    if "course, 1 worker" in measures:
        one = measures["course, 1 worker"][0]
        print(f"  scaling, 1 -> {cores} workers  {one / wall:.2f}x faster (wall)")
    if args.breakdown:
        with tempfile.TemporaryDirectory() as folder:
            stock = time_stock(Path(folder), args.breakdown, 8)
            course = time_course(Path(folder), args.breakdown, 8)
        print(f"\nWhere a notebook's time goes: {args.breakdown}, 8 notebooks each way, one at a "
              f"time (scripts/profile_grading.py)")
        show("stock nbgrader autograde", stock, 8)
        show("course batch worker", course, 8)
    return 1 if any(wrong.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
