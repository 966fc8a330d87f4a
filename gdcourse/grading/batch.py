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
  (gdcourse.grading.batch_worker);
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
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .batch_worker import AssignmentBundle, grade_submission, read_folder, solution_observations
from .progress import Progress, duration
from .trusted import CACHE_FOLDER

JOURNAL_FOLDER = Path(CACHE_FOLDER) / "batch"


def course_settings(course_root):
    """The course's nbgrader configuration and CourseDirectory, as nbgrader commands load them."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    coursedir = CourseDirectory(config=config)
    if not config.CourseDirectory.get("root"):
        coursedir.root = str(course_root)
    return config, coursedir


class Journal:
    """Which submissions a --force batch has regraded: one JSON line each, appended as they land,
    so that the same command run again after an interruption carries on where it stopped."""

    def __init__(self, course_root, assignment):
        self.path = Path(course_root) / JOURNAL_FOLDER / f"{assignment}.jsonl"
        self.done = set()
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:
                    self.done.add(json.loads(line)["done"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by the interruption

    def add(self, student):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as journal:
            journal.write(json.dumps({"done": student}) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
        self.done.add(student)

    def finish(self):
        self.path.unlink(missing_ok=True)


def timestamp_in(folder):
    path = Path(folder) / "timestamp.txt"
    return path.read_text().strip() if path.is_file() else None


@dataclass
class Work:
    """One assignment's part of the batch."""
    assignment: str
    students: list                      # to grade
    skipped: int = 0                    # already graded
    journal: Journal = None
    structure: dict = None              # its gradebook rows (gradebook_rows.assignment_structure)
    needs_solution: bool = False        # the solution's observations are not cached yet
    bundle: object = None


@dataclass
class Summary:
    graded: int = 0
    skipped: int = 0
    notebooks: int = 0
    failed: list = field(default_factory=list)   # (assignment, student, why)
    seconds: float = 0.0
    workers: int = 0


def plan(coursedir, assignment, force, only_students, journal):
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


def install_autograded(coursedir, assignment, student, files):
    """Put a submission's autograded folder in place whole (a rename), replacing the old one."""
    from .batch_worker import write_folder

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


def start_client(workers, scheduler, scheduler_file):
    """A Dask client: of a running cluster, or of a LocalCluster of `workers` processes."""
    from distributed import Client, LocalCluster

    if scheduler or scheduler_file:
        client = Client(scheduler, scheduler_file=scheduler_file) if scheduler else \
            Client(scheduler_file=scheduler_file)
        client.wait_for_workers(1, timeout=120)
        return client, None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit=0, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def default_workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def run_batch(course_root, assignments, force=False, students=None, workers=None,
              scheduler=None, scheduler_file=None, log_file=None, stream=None):
    """Grade the submissions of `assignments`; returns a Summary."""
    from distributed import as_completed
    from nbgrader.api import Gradebook

    from .gradebook_rows import assignment_structure, extension_of, merge_autograde_rows
    from .trusted import is_cached

    stream = stream or sys.stderr
    warnings.filterwarnings("ignore", message=".*not in session.*")  # see batch_worker
    started = time.monotonic()
    course_root = Path(course_root).resolve()
    # nbgrader runs helper commands (alembic) by name, in this process and in local workers.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    config, coursedir = course_settings(course_root)
    summary = Summary()
    works = []
    for assignment in assignments:
        structure = assignment_structure(coursedir.db_url, assignment)
        if structure is None:
            raise SystemExit(f"No assignment {assignment!r} in the gradebook: run "
                             f"`nbgrader generate_assignment {assignment}` first.")
        journal = Journal(course_root, assignment)
        todo, skipped = plan(coursedir, assignment, force, students, journal)
        summary.skipped += skipped
        work = Work(assignment, todo, skipped, journal, structure, needs_solution=not all(
            is_cached(config, assignment, nb["name"]) for nb in structure["notebooks"]))
        works.append(work)
    total = sum(len(work.students) for work in works)
    for work in works:
        if work.skipped:
            print(f"{work.assignment}: {work.skipped} submissions already graded (--force "
                  f"regrades them)" if not force else
                  f"{work.assignment}: resuming, {work.skipped} submissions already regraded",
                  file=stream)
    if total == 0:
        print("Nothing to grade.", file=stream)
        return summary

    client, cluster = start_client(workers or default_workers(), scheduler, scheduler_file)
    log = open(log_file, "a") if log_file else None
    progress = Progress(total, stream=stream)
    try:
        summary.workers = len(client.scheduler_info()["workers"])
        print(f"Grading {total} submissions of {len(works)} assignment(s) on {summary.workers} "
              f"workers ({'cluster at ' + client.scheduler.address if cluster is None else 'this machine'})",
              file=stream, flush=True)
        gradebook = Gradebook(coursedir.db_url, coursedir.course_id)
        pending = as_completed()
        tasks = {}

        def submit_students(work):
            work.bundle = AssignmentBundle.from_course(course_root, coursedir.course_id,
                                                       work.assignment, work.structure)
            shared = client.scatter(work.bundle, broadcast=True, hash=False)
            for student in work.students:
                folder = coursedir.format_path(coursedir.submitted_directory, student, work.assignment)
                extension = extension_of(gradebook, work.assignment, student)
                future = client.submit(grade_submission, shared, student, read_folder(folder),
                                       extension, pure=False, retries=0,
                                       key=f"grade-{work.assignment}-{student}-{time.time_ns()}")
                tasks[future.key] = ("grade", work, student)
                pending.add(future)

        for work in works:
            if not work.students:
                continue
            if work.needs_solution:
                bundle = AssignmentBundle.from_course(course_root, coursedir.course_id,
                                                      work.assignment, work.structure)
                future = client.submit(solution_observations, bundle, pure=False,
                                       key=f"solution-{work.assignment}-{time.time_ns()}")
                tasks[future.key] = ("solution", work, None)
                pending.add(future)
            else:
                submit_students(work)

        for future in pending:
            kind, work, student = tasks.pop(future.key)
            try:
                result = future.result()
            except Exception as error:  # a worker lost, say
                result = {"ok": False, "error": f"{type(error).__name__}: {error}", "log": []}
            finally:
                future.release()
            if kind == "solution":
                if not result["ok"]:
                    progress.note(f"{work.assignment}: the solution could not run: {result['error']}")
                    for student in work.students:
                        summary.failed.append((work.assignment, student, "the solution could not run"))
                        progress.done(ok=False)
                    continue
                for relative, (data, mode) in result["files"].items():
                    path = course_root / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                for line in result["problems"]:
                    progress.note(f"{work.assignment}: {line}")
                submit_students(work)
                continue
            result["log"] = [line.replace("<course>", str(course_root)) for line in result["log"]]
            if result["error"]:
                result["error"] = result["error"].replace("<course>", str(course_root))
            if log is not None:
                log.write(f"== autograde {work.assignment} {student} ({result.get('worker', '?')}, "
                          f"{result.get('seconds', 0):.2f} s)\n" + "\n".join(result["log"]) + "\n")
            if result.get("rows") is not None:
                merge_autograde_rows(gradebook, work.assignment, student, result["rows"])
            if result["ok"]:
                install_autograded(coursedir, work.assignment, student, result["autograded"])
                if force:
                    work.journal.add(student)
                summary.graded += 1
                summary.notebooks += sum(1 for n in result["rows"]["notebooks"].values() if n["submitted"])
            else:
                # As nbgrader does with a failed submission: no autograded folder, so that the
                # next batch grades it again.
                shutil.rmtree(coursedir.format_path(coursedir.autograded_directory, student,
                                                    work.assignment), ignore_errors=True)
                summary.failed.append((work.assignment, student, result["error"]))
                tail = "\n    ".join(result["log"][-8:])
                progress.note(f"FAILED {work.assignment}/{student}: {result['error']}"
                              + (f"\n    {tail}" if tail else ""))
            progress.done(ok=result["ok"])
        for work in works:
            if force and not any(a == work.assignment for a, _, _ in summary.failed):
                work.journal.finish()
        gradebook.close()
    finally:
        if log is not None:
            log.close()
        client.close()
        if cluster is not None:
            cluster.close()
    summary.seconds = time.monotonic() - started
    return summary


def report(summary, stream=sys.stdout):
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


def main(argv=None):
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


if __name__ == "__main__":
    sys.exit(main())
