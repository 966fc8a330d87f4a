"""Seconds per notebook to autograde the example class, with and without the sandbox.

    .venv/bin/python scripts/benchmark_sandbox.py [--rounds 1]

Each round grades the whole example class (every student, every chapter) with `nbgrader autograde`
in a fresh copy of the course, once as configured (sandboxed) and once with
c.SafeExecute.use_sandbox = False, and prints the time per notebook.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdcourse.course.catalog import assignment_names, example_class  # noqa: E402
from gdcourse.course.course_folder import copy_course  # noqa: E402
from gdcourse.course.example_class import put_submissions_in_place  # noqa: E402
from gdcourse.course.nbgrader_commands import nbgrader  # noqa: E402
from gdcourse.course.release import generate_releases  # noqa: E402


def seconds_per_notebook(sandboxed):
    with tempfile.TemporaryDirectory() as folder:
        root = copy_course(ROOT, folder, "" if sandboxed else "c.SafeExecute.use_sandbox = False")
        generate_releases(root)
        students = example_class(root)
        put_submissions_in_place(root, students)
        notebooks = sum(len(picks) for picks in students.values())
        started = time.perf_counter()
        for assignment in assignment_names(root):
            nbgrader(root, "autograde", assignment, "--force")
        return (time.perf_counter() - started) / notebooks, notebooks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    rounds = parser.parse_args().rounds
    results = {True: [], False: []}
    for _ in range(rounds):
        for sandboxed in (False, True):
            per_notebook, notebooks = seconds_per_notebook(sandboxed)
            results[sandboxed].append(per_notebook)
    print(f"example class: {notebooks} notebooks, {rounds} round(s), "
          f"`nbgrader autograde` per assignment")
    for sandboxed, label in ((False, "without sandbox"), (True, "with sandbox")):
        print(f"  {label:16s} {statistics.median(results[sandboxed]):.2f} s per notebook "
              f"(runs: {', '.join(f'{s:.2f}' for s in results[sandboxed])})")
    overhead = statistics.median(results[True]) - statistics.median(results[False])
    print(f"  sandbox overhead {overhead:+.2f} s per notebook")


if __name__ == "__main__":
    main()
