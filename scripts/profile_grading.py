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
cells (mostly waiting for the kernel), shutting the kernel down, judging the records (the course
only), in nbgrader's other steps, and in the rest (reading and writing files, the gradebook); and
beside each, the core-seconds the whole machine was busy meanwhile (the kernel's work included:
the notebooks are graded one at a time, on a machine otherwise quiet).
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

from gdcourse.course.catalog import load_entries  # noqa: E402
from gdcourse.course.course_folder import copy_course  # noqa: E402
from gdcourse.course.nbgrader_commands import command_env, nbgrader  # noqa: E402
from gdcourse.course.submissions import submission_from_entry, write_submission  # noqa: E402

STOCK_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "gradient-descent-pytorch"\n'

TIMES: dict[str, float] = {}
CORES: dict[str, float] = {}   # the machine's busy core-seconds in each phase (kernels included)


def machine_busy() -> float:
    """Core-seconds this machine has been busy since boot (every process: kernels too)."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class timed:
    """Adds a block's wall time to TIMES[phase] and the machine's busy time to CORES[phase]."""

    def __init__(self, phase: str) -> None:
        self.phase = phase

    def __enter__(self) -> None:
        self.wall, self.busy = time.perf_counter(), machine_busy()

    def __exit__(self, *_: object) -> None:
        TIMES[self.phase] = TIMES.get(self.phase, 0.0) + time.perf_counter() - self.wall
        CORES[self.phase] = CORES.get(self.phase, 0.0) + machine_busy() - self.busy


def install_timers() -> None:
    """Time every preprocessor, kernel start and cell, in this process."""
    from nbclient.client import NotebookClient
    from nbconvert.preprocessors.base import Preprocessor

    def timed_call(self, nb, resources):  # type: ignore[no-untyped-def]
        with timed(f"step {type(self).__name__}"):
            return original_call(self, nb, resources)

    original_call = Preprocessor.__call__
    Preprocessor.__call__ = timed_call  # type: ignore[method-assign]

    def timed_async(name: str, phase: str) -> None:
        original = getattr(NotebookClient, name)

        async def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            with timed(phase):
                return await original(self, *args, **kwargs)
        setattr(NotebookClient, name, wrapper)

    def timed_sync(name: str, phase: str) -> None:
        original = getattr(NotebookClient, name)

        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            with timed(phase):
                return original(self, *args, **kwargs)
        setattr(NotebookClient, name, wrapper)

    # nbclient's sync methods wrap the async ones they were defined with: each is timed once.
    for name, phase in (("start_new_kernel", "kernel start"),
                        ("start_new_kernel_client", "kernel start"),
                        ("execute_cell", "running the cells")):
        timed_sync(name, phase)
        timed_async(f"async_{name}", phase)
    # Stock's Execute shuts its kernel down through nbclient's sync _cleanup_kernel, bound to the
    # async one before it could be timed; the course's SafeExecute calls the async one.
    timed_sync("_cleanup_kernel", "kernel shutdown")
    timed_async("_async_cleanup_kernel", "kernel shutdown")


def make_class(root: Path, assignments: list[str],
               students: int) -> dict[tuple[str, str], float]:
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


def stock_child(root: str, assignment: str) -> None:
    """In the child process: nbgrader autograde, timed, then the times as one JSON line."""
    import json
    import os

    from nbgrader.apps.nbgraderapp import NbGraderApp

    install_timers()
    os.chdir(root)
    cpu = time.process_time()
    with timed("all"):
        try:
            NbGraderApp.launch_instance(argv=["autograde", assignment])
        except SystemExit:
            pass
    TIMES["cpu"] = time.process_time() - cpu
    print("TIMES " + json.dumps([TIMES, CORES]))


Times = tuple[dict[str, float], dict[str, float]]   # (wall seconds, machine core-seconds) by phase


def time_stock(folder: Path, assignment: str, students: int) -> Times:
    import json

    root = folder / "stock"
    root.mkdir()
    copy_course(ROOT, root)
    (root / "nbgrader_config.py").write_text(STOCK_CONFIG)
    nbgrader(root, "generate_assignment", assignment, "--force")
    make_class(root, [assignment], students)
    done = subprocess.run([sys.executable, __file__, "--stock-child", str(root), assignment],
                          cwd=root, env=command_env(), check=True, capture_output=True, text=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("TIMES "))
    wall, cores = json.loads(line[len("TIMES "):])
    return wall, cores


def time_course(folder: Path, assignment: str, students: int) -> Times:
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
    names = [student for _, student in make_class(root, [assignment], students + 1)]
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
    CORES.clear()
    cpu = time.process_time()
    with timed("all"):
        for name in names[1:]:
            graded = grade_submission(bundle, name, files[name])
            if not graded.ok:
                print(f"  {name}: {graded.error}", file=sys.stderr)
    TIMES["cpu"] = time.process_time() - cpu
    return dict(TIMES), dict(CORES)


def phases(times: dict[str, float]) -> dict[str, float]:
    """The wall (or core) seconds of each phase, from the timers' totals."""
    execute = sum(v for k, v in times.items() if k in ("step Execute", "step SafeExecute"))
    kernel, cells = times.get("kernel start", 0.0), times.get("running the cells", 0.0)
    shutdown, judging = times.get("kernel shutdown", 0.0), times.get("step JudgeObservations", 0.0)
    steps = sum(v for k, v in times.items() if k.startswith("step ")) - judging
    return {"kernel start": kernel, "running the cells": cells, "kernel shutdown": shutdown,
            "judging": judging,
            "nbgrader's other steps": steps - kernel - cells - shutdown if execute else steps,
            "files and the gradebook": times["all"] - steps - judging}


def show(label: str, times: Times, students: int) -> None:
    wall, cores = times
    print(f"{label}: {wall['all'] / students:.3f} s per notebook (wall), "
          f"{cores['all'] / students:.3f} core-seconds of the machine (kernels included), "
          f"{wall['cpu'] / students:.3f} s of the grading process's CPU")
    print(f"  {'':<26} {'wall':>8}  {'core-s':>8}")
    core_phases = phases(cores | {"all": cores["all"]})
    for phase, seconds in phases(wall).items():
        print(f"  {phase:<26} {seconds / students:7.3f} s {core_phases[phase] / students:7.3f}"
              f"  {100 * core_phases[phase] / cores['all']:5.1f} %")


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
    print(f"{args.assignment}, {args.students} notebooks each way, one at a time; core-seconds "
          f"are the whole machine's, kernels included")
    show("stock nbgrader autograde", stock, args.students)
    show("course batch worker", course, args.students)


if __name__ == "__main__":
    main()
