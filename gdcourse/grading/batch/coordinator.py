"""Grade a class fast: every core busy (or a cluster's), warm sandboxed kernels, one writer.

    python -m gdcourse.grading.batch ASSIGNMENT [ASSIGNMENT ...] [--force] [--student ID ...]
        [--workers N | --scheduler ADDRESS | --scheduler-file FILE] [--course FOLDER] [--log FILE]

What `nbgrader autograde ASSIGNMENT` does, for each submission in submitted/, with the same
scores, files and gradebook rows (nbgrader's own Autograde and the course's preprocessors do the
work), but:
- in parallel, on Dask distributed: by default a LocalCluster with one worker process per core of
  this machine; with --scheduler (or --scheduler-file) the workers of a running Dask cluster,
  which may be other machines (`dask scheduler`, `dask worker ADDRESS`, dask-jobqueue,
  dask-kubernetes; each worker needs the course's Python environment and bubblewrap);
- each worker keeps its warm kernels' fork server from one submission to the next, and gets each
  assignment once: configuration, source/ and release/, the solution's observations (run once per
  assignment, on a worker, then cached in the course folder) and the gradebook's rows
  (gdcourse.grading.batch.worker);
- this process alone writes the course's gradebook (SQLite, or PostgreSQL via GDCOURSE_DB_URL)
  and autograded/, one submission at a time as results come in: its rows in one commit, then its
  autograded folder moved into place whole;
- a progress line with the time left; a submission that fails is reported (with nbgrader's log)
  and the batch goes on;
- an interrupted batch resumes: run the same command again and it grades what is not done. A
  submission counts as done once its autograded folder is in place for the timestamp it was
  collected with; with --force (regrade everything), the journal in .gdcourse-cache/batch/ says
  which submissions this batch has already regraded.
"""
import argparse
import glob
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .worker import (AssignmentBundle, Files, GradedSubmission, SolutionRun, grade_submission,
                     put_python_on_path, read_folder, solution_observations, write_folder)
from .gradebook_rows import (AssignmentStructure, assignment_structure, extension_of,
                             merge_autograde_rows)
from .progress import Progress, duration
from ..solution.cache import CACHE_FOLDER, is_cached
from ..gradebook_guard import UnreadableGradebook, check_readable, keep_a_copy

if TYPE_CHECKING:  # distributed is imported when a batch starts: it takes a second
    from distributed import Client, LocalCluster, as_completed

JOURNAL_FOLDER = Path(CACHE_FOLDER) / "batch"


def course_settings(course_root: Path) -> tuple[Config, CourseDirectory]:
    """The course's nbgrader configuration and CourseDirectory, as nbgrader commands load them."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    coursedir = CourseDirectory(config=config)
    if not config.CourseDirectory.get("root"):
        coursedir.root = str(course_root)
    return config, coursedir


class Journal:
    """Which submissions a --force batch has regraded: one JSON line each, appended as they land,
    so that the same command run again after an interruption carries on where it stopped."""

    def __init__(self, course_root: Path, assignment: str):
        self.path = Path(course_root) / JOURNAL_FOLDER / f"{assignment}.jsonl"
        self.done: set[str] = set()
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:
                    self.done.add(json.loads(line)["done"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by the interruption

    def add(self, student: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as journal:
            journal.write(json.dumps({"done": student}) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
        self.done.add(student)

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def timestamp_in(folder: str | Path) -> str | None:
    path = Path(folder) / "timestamp.txt"
    return path.read_text().strip() if path.is_file() else None


@dataclass
class Work:
    """One assignment's part of the batch."""
    assignment: str
    students: list[str]                 # to grade
    journal: Journal
    structure: AssignmentStructure      # its gradebook rows
    needs_solution: bool                # the solution's observations are not cached yet


@dataclass
class Task:
    """A task handed to the workers: `work`'s solution to run, or `student`'s submission of it
    to grade."""
    work: Work
    student: str | None = None          # None: the solution

    def key(self) -> str:
        """Its name for Dask, never one of an earlier task's (a task may be submitted again)."""
        kind = "solution" if self.student is None else "grade"
        return f"{kind}-{self.work.assignment}-{self.student}-{time.time_ns()}"

    def lost(self, why: str) -> SolutionRun | GradedSubmission:
        """The answer of a task that no worker answered (a worker lost, say)."""
        if self.student is None:
            return SolutionRun(error=why)
        return GradedSubmission(self.student, error=why)


@dataclass
class Summary:
    graded: int = 0
    skipped: int = 0
    notebooks: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)   # (assignment, student, why)
    seconds: float = 0.0
    workers: int = 0


def plan(coursedir: CourseDirectory, assignment: str, force: bool,
         only_students: list[str] | None, journal: Journal) -> tuple[list[str], int]:
    """The students of `assignment` to grade now, and how many are already graded."""
    # As nbgrader finds submissions: its directory structure with the student left open.
    pattern = re.compile(coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>[^/]+)",
                                               re.escape(assignment), escape=True) + "$")
    found = glob.glob(coursedir.format_path(coursedir.submitted_directory, "*", assignment))
    students = sorted({match["student_id"] for match in map(pattern.match, found)
                       if match and os.path.isdir(match.group(0))
                       and not match["student_id"].startswith(".")})
    if only_students:
        students = [s for s in students if s in only_students]
    todo = []
    for student in students:
        source = coursedir.format_path(coursedir.submitted_directory, student, assignment)
        graded = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        up_to_date = Path(graded).is_dir() and timestamp_in(graded) == timestamp_in(source)
        if not up_to_date or (force and student not in journal.done):
            todo.append(student)
    return todo, len(students) - len(todo)


def install_autograded(coursedir: CourseDirectory, assignment: str, student: str,
                       files: Files) -> None:
    """Put a submission's autograded folder in place whole (a rename), replacing the old one."""
    final = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    final.parent.mkdir(parents=True, exist_ok=True)
    incoming = final.parent / f".{assignment}.incoming"
    replaced = final.parent / f".{assignment}.replaced"
    for leftover in (incoming, replaced):
        shutil.rmtree(leftover, ignore_errors=True)
    write_folder(incoming, files, exact_modes=True)
    if final.exists():
        final.rename(replaced)
    incoming.rename(final)
    shutil.rmtree(replaced, ignore_errors=True)


def start_client(workers: int | None, scheduler: str | None,
                 scheduler_file: str | None) -> tuple["Client", "LocalCluster | None"]:
    """A Dask client: of a running cluster, or of a LocalCluster of `workers` processes."""
    from distributed import Client, LocalCluster

    if scheduler or scheduler_file:
        client = Client(scheduler, scheduler_file=scheduler_file)
        client.wait_for_workers(1, timeout=120)
        return client, None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit=0, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def default_workers() -> int | None:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


class Coordinator:
    """The one process that writes: plans the batch, hands work to the Dask workers, and writes
    each result into the gradebook and autograded/ as it comes in."""

    def __init__(self, course_root: str | Path, force: bool, stream: TextIO, log: TextIO | None):
        self.root = Path(course_root).resolve()
        self.force, self.stream, self.log = force, stream, log
        self.config, self.coursedir = course_settings(self.root)
        try:
            check_readable(self.coursedir.db_url)
        except UnreadableGradebook as error:
            raise SystemExit(str(error)) from None
        self.gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        self.summary = Summary()
        self.tasks: dict[str, Task] = {}   # by Dask key

    def plan(self, assignments: list[str], students: list[str] | None) -> list[Work]:
        works = []
        for assignment in assignments:
            structure = assignment_structure(self.coursedir.db_url, assignment)
            if structure is None:
                raise SystemExit(f"No assignment {assignment!r} in the gradebook: run "
                                 f"`nbgrader generate_assignment {assignment}` first.")
            journal = Journal(self.root, assignment)
            todo, skipped = plan(self.coursedir, assignment, self.force, students, journal)
            self.summary.skipped += skipped
            works.append(Work(assignment, todo, journal, structure, needs_solution=not all(
                is_cached(self.config, assignment, name) for name in structure.notebook_names)))
            if skipped:
                print(f"{assignment}: resuming, {skipped} submissions already regraded" if self.force
                      else f"{assignment}: {skipped} submissions already graded (--force regrades "
                           f"them)", file=self.stream)
        return works

    def bundle(self, work: Work) -> AssignmentBundle:
        return AssignmentBundle.from_course(self.root, self.coursedir.course_id, work.assignment,
                                            work.structure)

    def start(self, client: "Client", pending: "as_completed", works: list[Work]) -> None:
        """Submit the solutions that have not run yet, and the submissions of the others."""
        for work in works:
            if not work.students:
                continue
            if work.needs_solution:
                self.submit(client, pending, Task(work), solution_observations, self.bundle(work))
            else:
                self.submit_students(client, pending, work)

    def submit(self, client: "Client", pending: "as_completed", task: Task,
               function: Callable[..., SolutionRun | GradedSubmission], *args: object) -> None:
        future = client.submit(function, *args, pure=False, retries=0, key=task.key())
        self.tasks[future.key] = task
        pending.add(future)

    def submit_students(self, client: "Client", pending: "as_completed", work: Work) -> None:
        shared = client.scatter(self.bundle(work), broadcast=True, hash=False)
        for student in work.students:
            folder = self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                                work.assignment)
            self.submit(client, pending, Task(work, student), grade_submission, shared,
                        student, read_folder(folder),
                        extension_of(self.gradebook, work.assignment, student))

    def solution_ran(self, client: "Client", pending: "as_completed", work: Work,
                     run: SolutionRun, progress: Progress) -> None:
        """Keep the solution's observations in the course's cache, then grade the submissions."""
        if not run.ok:
            progress.note(f"{work.assignment}: the solution could not run: {run.error}")
            for student in work.students:
                self.summary.failed.append((work.assignment, student, "the solution could not run"))
                progress.done(ok=False)
            return
        for relative, (data, _) in run.files.items():
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for line in run.problems:
            progress.note(f"{work.assignment}: {line}")
        self.submit_students(client, pending, work)

    def graded(self, work: Work, result: GradedSubmission, progress: Progress) -> None:
        """Write one submission's result: its rows in one commit, then its folder, then the
        journal line; a result that cannot be written is a failure of that submission alone."""
        student = result.student
        # The worker's scratch folder, in what the instructor reads, is the course folder here.
        if result.root:
            result.log = [line.replace(result.root, str(self.root)) for line in result.log]
            result.error = result.error and result.error.replace(result.root, str(self.root))
        if self.log is not None:
            self.log.write(f"== autograde {work.assignment} {student} ({result.worker}, "
                           f"{result.seconds:.2f} s)\n" + "\n".join(result.log) + "\n")
        try:
            if result.rows is not None:
                merge_autograde_rows(self.gradebook, work.assignment, student, result.rows)
            if result.ok:
                install_autograded(self.coursedir, work.assignment, student, result.autograded)
        except Exception as error:
            self.gradebook.db.rollback()
            result.error = f"could not write the result: {type(error).__name__}: {error}"
        if result.error is None:
            if self.force:
                work.journal.add(student)
            self.summary.graded += 1
            assert result.rows is not None  # autograde that ran to its end wrote them
            self.summary.notebooks += sum(n.submitted for n in result.rows.notebooks.values())
        else:
            # As nbgrader does with a failed submission: no autograded folder, so that the next
            # batch grades it again.
            shutil.rmtree(self.coursedir.format_path(self.coursedir.autograded_directory, student,
                                                     work.assignment), ignore_errors=True)
            self.summary.failed.append((work.assignment, student, result.error))
            tail = "\n    ".join(result.log[-8:])
            progress.note(f"FAILED {work.assignment}/{student}: {result.error}"
                          + (f"\n    {tail}" if tail else ""))
        progress.done(ok=result.ok)

    def run(self, client: "Client", works: list[Work], total: int) -> None:
        from distributed import as_completed

        progress = Progress(total, stream=self.stream)
        pending = as_completed()
        self.start(client, pending, works)
        for future in pending:
            task = self.tasks.pop(future.key)
            try:
                answer = future.result()
            except Exception as error:  # a worker lost, say
                answer = task.lost(f"{type(error).__name__}: {error}")
            finally:
                future.release()
            if isinstance(answer, SolutionRun):
                self.solution_ran(client, pending, task.work, answer, progress)
            else:
                self.graded(task.work, answer, progress)
        for work in works:
            if self.force and not any(a == work.assignment for a, _, _ in self.summary.failed):
                work.journal.finish()


def run_batch(course_root: str | Path, assignments: list[str], force: bool = False,
              students: list[str] | None = None, workers: int | None = None,
              scheduler: str | None = None, scheduler_file: str | None = None,
              log_file: str | None = None, stream: TextIO | None = None) -> Summary:
    """Grade the submissions of `assignments`."""
    stream = stream or sys.stderr
    started = time.monotonic()
    put_python_on_path()  # for this process and the local workers it starts
    log = open(log_file, "a") if log_file else None
    coordinator = Coordinator(course_root, force, stream, log)
    try:
        works = coordinator.plan(assignments, students)
        total = sum(len(work.students) for work in works)
        if total == 0:
            print("Nothing to grade.", file=stream)
            return coordinator.summary
        # Before the batch's first write: a copy of the gradebook as it was.
        print(keep_a_copy(coordinator.coursedir.db_url), file=stream, flush=True)
        client, cluster = start_client(workers or default_workers(), scheduler, scheduler_file)
        try:
            coordinator.summary.workers = len(client.scheduler_info()["workers"])
            where = "this machine" if cluster is not None else f"cluster at {client.scheduler.address}"
            print(f"Grading {total} submissions of {len(works)} assignment(s) on "
                  f"{coordinator.summary.workers} workers ({where})", file=stream, flush=True)
            coordinator.run(client, works, total)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    finally:
        coordinator.gradebook.close()
        if log is not None:
            log.close()
    coordinator.summary.seconds = time.monotonic() - started
    return coordinator.summary


def report(summary: Summary, stream: TextIO = sys.stdout) -> None:
    if summary.graded:
        print(f"Graded {summary.graded} submissions ({summary.notebooks} notebooks) in "
              f"{duration(summary.seconds)} on {summary.workers} workers: "
              f"{summary.seconds / max(summary.notebooks, 1):.2f} s per notebook.", file=stream)
    if summary.skipped:
        print(f"{summary.skipped} submissions were already graded.", file=stream)
    if summary.failed:
        print(f"{len(summary.failed)} submissions failed (run the same command again to retry "
              f"them):", file=stream)
        for assignment, student, why in summary.failed:
            print(f"  {assignment}/{student}: {why}", file=stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gdcourse.grading.batch",
        description="Autograde the submissions of one or more assignments in parallel (what "
                    "`nbgrader autograde` does, on every core or a Dask cluster).")
    parser.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--force", action="store_true",
                        help="regrade submissions that are already graded")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    parser.add_argument("--workers", type=int, help="worker processes on this machine "
                                                    "(default: one per core)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler "
                                            "(tcp://host:8786) whose workers grade")
    parser.add_argument("--scheduler-file", help="a Dask scheduler file, instead of --scheduler")
    parser.add_argument("--log", help="append nbgrader's log of every submission to this file")
    args = parser.parse_args(argv)
    summary = run_batch(args.course, args.assignments, force=args.force, students=args.student,
                        workers=args.workers, scheduler=args.scheduler,
                        scheduler_file=args.scheduler_file, log_file=args.log)
    report(summary)
    return 1 if summary.failed else 0

