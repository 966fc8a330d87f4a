"""Where a notebook's grading time goes, stock nbgrader against the course's batch worker.

    .venv/bin/python scripts/profile_grading.py [--students 10] [ASSIGNMENT]

Grades `--students` submissions of one assignment (the catalog's entries in turn) two ways, in
fresh copies of the course, with timers around the steps of the grading process:
- stock: `nbgrader autograde ASSIGNMENT` with a minimal configuration, one command (run in a
  child process of this script, which installs the timers first);
- course: the batch's worker (gdcourse.grading.batch.worker.grade_submission), in this process,
  after one submission that warms it up (its fork server, scratch course and engine), as a
  long-lived worker grades.
It prints, per notebook, the wall time the grading process spends starting a kernel, running the
cells (mostly waiting for the kernel), judging the records (the course only), in nbgrader's other
steps, and in the rest (reading and writing files, the gradebook); and its CPU time per notebook.
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gdcourse.course.catalog import load_entries  # noqa: E402
from gdcourse.course.course_folder import copy_course  # noqa: E402
from gdcourse.course.nbgrader_commands import command_env, nbgrader  # noqa: E402
from gdcourse.course.submissions import submission_from_entry, write_submission  # noqa: E402

STOCK_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "gradient-descent-pytorch"\n'

TIMES: dict[str, float] = {}


def _add(phase: str, seconds: float) -> None:
    TIMES[phase] = TIMES.get(phase, 0.0) + seconds


def install_timers() -> None:
    """Time every preprocessor, kernel start and cell, in this process."""
    from nbclient.client import NotebookClient
    from nbconvert.preprocessors.base import Preprocessor

    def timed_call(self, nb, resources):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original_call(self, nb, resources)
        finally:
            _add(f"step {type(self).__name__}", time.perf_counter() - started)

    original_call = Preprocessor.__call__
    Preprocessor.__call__ = timed_call  # type: ignore[method-assign]

    def timed_async(name: str, phase: str) -> None:
        original = getattr(NotebookClient, name)

        async def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return await original(self, *args, **kwargs)
            finally:
                _add(phase, time.perf_counter() - started)
        setattr(NotebookClient, name, wrapper)

    def timed_sync(name: str, phase: str) -> None:
        original = getattr(NotebookClient, name)

        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                _add(phase, time.perf_counter() - started)
        setattr(NotebookClient, name, wrapper)

    # nbclient's sync methods wrap the async ones they were defined with: each is timed once.
    for name, phase in (("start_new_kernel", "kernel start"),
                        ("start_new_kernel_client", "kernel start"),
                        ("execute_cell", "running the cells")):
        timed_sync(name, phase)
        timed_async(f"async_{name}", phase)


def make_class(root: Path, assignment: str, students: int) -> list[str]:
    entries = load_entries(root, assignment)
    names = []
    for number in range(students):
        name = f"s{number + 1:03d}"
        write_submission(root, name, assignment,
                         submission_from_entry(root, entries[number % len(entries)]))
        names.append(name)
    return names


def stock_child(root: str, assignment: str) -> None:
    """In the child process: nbgrader autograde, timed, then the times as one JSON line."""
    import json
    import os

    from nbgrader.apps.nbgraderapp import NbGraderApp

    install_timers()
    os.chdir(root)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        NbGraderApp.launch_instance(argv=["autograde", assignment])
    except SystemExit:
        pass
    TIMES["all"], TIMES["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    print("TIMES " + json.dumps(TIMES))


def time_stock(folder: Path, assignment: str, students: int) -> dict[str, float]:
    import json

    root = folder / "stock"
    root.mkdir()
    copy_course(ROOT, root)
    (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
    nbgrader(root, "generate_assignment", assignment, "--force")
    make_class(root, assignment, students)
    done = subprocess.run([sys.executable, __file__, "--stock-child", str(root), assignment],
                          cwd=root, env=command_env(), check=True, capture_output=True, text=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("TIMES "))
    return json.loads(line[len("TIMES "):])


def time_course(folder: Path, assignment: str, students: int) -> dict[str, float]:
    from gdcourse.grading.batch.coordinator import course_settings
    from gdcourse.grading.batch.gradebook_rows import assignment_structure
    from gdcourse.grading.batch.worker import (AssignmentBundle, grade_submission,
                                               put_python_on_path, read_folder,
                                               solution_observations, write_folder)

    root = folder / "course"
    root.mkdir()
    copy_course(ROOT, root)
    put_python_on_path()
    nbgrader(root, "generate_assignment", assignment, "--force")
    names = make_class(root, assignment, students + 1)
    _, coursedir = course_settings(root)
    structure = assignment_structure(coursedir.db_url, assignment)
    assert structure is not None
    bundle = AssignmentBundle.from_course(root, coursedir.course_id, assignment, structure)
    write_folder(root, solution_observations(bundle).files)
    bundle = AssignmentBundle.from_course(root, coursedir.course_id, assignment, structure)
    files = {name: read_folder(root / "submitted" / name / assignment) for name in names}
    grade_submission(bundle, names[0], files[names[0]])   # warm up, as a long-lived worker is
    install_timers()
    TIMES.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    for name in names[1:]:
        graded = grade_submission(bundle, name, files[name])
        if not graded.ok:
            print(f"  {name}: {graded.error}", file=sys.stderr)
    TIMES["all"], TIMES["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    return dict(TIMES)


def show(label: str, times: dict[str, float], students: int) -> None:
    total = times["all"]
    print(f"{label}: {total / students:.3f} s per notebook (wall), "
          f"{times['cpu'] / students:.3f} s of the grading process's CPU")
    execute = sum(v for k, v in times.items() if k in ("step Execute", "step SafeExecute"))
    kernel, cells = times.get("kernel start", 0.0), times.get("running the cells", 0.0)
    judging = times.get("step JudgeObservations", 0.0)
    steps = sum(v for k, v in times.items() if k.startswith("step ")) - judging
    phases = {"kernel start": kernel, "running the cells": cells, "judging": judging,
              "nbgrader's other steps": steps - kernel - cells if execute else steps,
              "files and the gradebook": total - steps - judging}
    for phase, seconds in phases.items():
        print(f"  {phase:<26} {seconds / students:7.3f} s  {100 * seconds / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01-gradient-descent")
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--stock-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stock_child:
        stock_child(args.stock_child, args.assignment)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        stock = time_stock(folder, args.assignment, args.students)
        course = time_course(folder, args.assignment, args.students)
    print(f"{args.assignment}, {args.students} notebooks each way; kernels are other processes, "
          f"so their CPU is not counted here")
    show("stock nbgrader autograde", stock, args.students)
    show("course batch worker", course, args.students)


if __name__ == "__main__":
    main()
