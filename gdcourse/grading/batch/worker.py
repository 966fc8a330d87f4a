"""What a grading worker does (gdcourse.grading.batch): grade one submission with nbgrader's own
Autograde, in a scratch course of its own, and send back what autograde made.

A worker may run on another machine: everything it needs travels with the task, as data.
- The assignment (`AssignmentBundle`, sent once to each worker): the course's nbgrader_config.py,
  the assignment's source/ and release/ folders, the cached observations of the solution's run
  (gdcourse.grading.solution.run) and the assignment's rows of the gradebook.
- The submission: the files of submitted/STUDENT/ASSIGNMENT/.
From those the worker builds a scratch course folder (once per assignment and process) with a
scratch SQLite gradebook, runs `Autograde` there exactly as `nbgrader autograde ASSIGNMENT
--student STUDENT --force` would (the course's preprocessors, sandbox and warm kernels; the
process keeps its fork server from one submission to the next), and returns the autograded files
and the submission's gradebook rows (`GradedSubmission`). The course's gradebook and autograded/
folder are written by the coordinator alone.

What travels either way is plain data (the dataclasses below and those of gradebook_rows), which
pickles to another machine.
"""
import atexit
import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from nbgrader.api import MissingEntry
from traitlets.config import Config

from .gradebook_rows import (AssignmentStructure, SubmissionRows, autograde_rows,
                             forget_submission, prepare_submission, seed_assignment)
from .shared_engine import forget, share_engines_for
from ...python_env import with_this_python_first
from ..gradebook_stamp import read_in_process
from ..solution.cache import cache_folder

# nbgrader's add_submission trips SQLAlchemy's autoflush warning (stock autograde prints it too);
# it says nothing about the grades.
warnings.filterwarnings("ignore", message=".*not in session.*")

Files = dict[str, tuple[bytes, int]]  # {path relative to a folder: (content, mode)}

# Scratch courses of this process, by their bundle's key.
_COURSES: dict[str, "ScratchCourse"] = {}


def read_folder(folder: str | Path) -> Files:
    """Every file under `folder` (nothing if it is missing)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mode & 0o777)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def write_folder(folder: str | Path, files: Files, exact_modes: bool = False) -> None:
    """Write what read_folder read; files stay writable unless `exact_modes` (nbgrader makes
    autograded files read-only, and a scratch course rewrites them)."""
    for relative, (data, mode) in files.items():
        path = Path(folder) / relative
        if not path.resolve().is_relative_to(Path(folder).resolve()):
            raise ValueError(f"a file outside its folder: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        path.write_bytes(data)
        os.chmod(path, mode if exact_modes else mode | 0o200)


@dataclass(frozen=True)
class AssignmentBundle:
    """One assignment, as a worker needs it to grade its submissions."""
    assignment: str
    course_id: str
    config_text: str
    files: Files                   # relative to the course folder
    structure: AssignmentStructure
    key: str                       # a digest of the rest: one scratch course per version

    @classmethod
    def from_course(cls, course_root: str | Path, course_id: str, assignment: str,
                    structure: AssignmentStructure) -> "AssignmentBundle":
        root = Path(course_root)
        files = {}
        for folder in (Path("source") / assignment, Path("release") / assignment,
                       cache_folder(assignment)):
            for relative, content in read_folder(root / folder).items():
                files[str(folder / relative)] = content
        config_text = (root / "nbgrader_config.py").read_text()
        digest = hashlib.sha256(config_text.encode())
        for relative, (data, mode) in sorted(files.items()):
            digest.update(relative.encode() + b"\0" + data)
        digest.update(repr(structure).encode())
        return cls(assignment, course_id, config_text, files, structure, digest.hexdigest()[:16])


@dataclass
class GradedSubmission:
    """A worker's answer for one submission: what autograde made of it, or why it failed."""
    student: str
    error: str | None = None                  # None when it was graded
    rows: SubmissionRows | None = None        # what autograde wrote, even before a failure
    autograded: Files = field(default_factory=dict)
    log: list[str] = field(default_factory=list)   # nbgrader's log lines, then its stderr
    seconds: float = 0.0
    worker: str = "?"                         # the Dask worker's address, or the machine's name
    root: str | None = None                   # its scratch course folder, which the log names

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class SolutionRun:
    """A worker's answer for an assignment's solution: the cache files of its observations, or
    why it could not run."""
    error: str | None = None                  # None when it ran
    files: Files = field(default_factory=dict)     # relative to the course folder
    problems: list[str] = field(default_factory=list)  # test cells the solution fails
    log: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class ScratchCourse:
    """A course folder of this worker process for one assignment: nbgrader_config.py, source/,
    release/, the trusted observations and a scratch gradebook with the assignment's rows."""

    def __init__(self, bundle: AssignmentBundle):
        from traitlets.config.loader import PyFileConfigLoader

        self.bundle = bundle
        self.root = Path(tempfile.mkdtemp(prefix=f"gdcourse-worker-{bundle.assignment}-"))
        (self.root / "nbgrader_config.py").write_text(bundle.config_text)
        write_folder(self.root, bundle.files)
        # The scratch gradebook is written after every cell's grade and nothing in it needs to
        # outlive the process: it lives in memory's file system where there is one.
        memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.db_folder = Path(tempfile.mkdtemp(prefix="gdcourse-gradebook-", dir=memory))
        (self.db_folder / "gradebook.db").write_bytes(empty_gradebook())
        self.db_url = f"sqlite:///{self.db_folder / 'gradebook.db'}"
        share_engines_for(self.db_url)
        self.config: Config = PyFileConfigLoader("nbgrader_config.py",
                                                 path=str(self.root)).load_config()
        self.config.CourseDirectory.root = str(self.root)
        self.config.CourseDirectory.db_url = self.db_url
        self.config.CourseDirectory.course_id = bundle.course_id
        seed_assignment(self.db_url, bundle.structure)
        atexit.register(self.remove)

    def remove(self) -> None:
        forget(self.db_url)
        for folder in (self.root, self.db_folder):
            shutil.rmtree(folder, ignore_errors=True)

    def folder(self, kind: str, student: str) -> Path:
        return self.root / kind / student / self.bundle.assignment


def put_python_on_path() -> None:
    """nbgrader runs helper commands (alembic) by name: this Python's bin/ comes first."""
    os.environ.update(with_this_python_first(os.environ))


_EMPTY_GRADEBOOK: list[bytes] = []


def empty_gradebook() -> bytes:
    """The bytes of an empty SQLite gradebook, made once per process."""
    if not _EMPTY_GRADEBOOK:
        from nbgrader.api import Gradebook

        read_in_process()
        with tempfile.TemporaryDirectory() as folder:
            with Gradebook(f"sqlite:///{folder}/gradebook.db"):
                pass
            _EMPTY_GRADEBOOK.append(Path(folder, "gradebook.db").read_bytes())
    return _EMPTY_GRADEBOOK[0]


def scratch_course(bundle: AssignmentBundle) -> ScratchCourse:
    course = _COURSES.get(bundle.key)
    if course is None:
        for old in list(_COURSES.values()):
            if old.bundle.assignment == bundle.assignment:  # an older version of the assignment
                old.remove()
                del _COURSES[old.bundle.key]
        course = _COURSES[bundle.key] = ScratchCourse(bundle)
    return course


def worker_name() -> str:
    """The Dask worker's address (host:port), or this machine's name outside a worker."""
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return os.uname().nodename


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def task_log(handler: logging.Handler) -> logging.Logger:
    """The logger nbgrader logs to during one task, with only `handler` (removed after it)."""
    log = logging.getLogger("gdcourse.batch.task")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    return log


def grade_submission(bundle: AssignmentBundle, student: str, files: Files,
                     extension: timedelta | None = None) -> GradedSubmission:
    """Autograde one student's submission of `bundle`'s assignment."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    started = time.perf_counter()
    course = scratch_course(bundle)
    assignment = bundle.assignment
    submitted, autograded = course.folder("submitted", student), course.folder("autograded", student)
    shutil.rmtree(submitted.parent, ignore_errors=True)
    shutil.rmtree(autograded.parent, ignore_errors=True)
    write_folder(submitted, files)
    lines = _Lines()
    log = task_log(lines)
    result = GradedSubmission(student, worker=worker_name(), root=str(course.root))
    stderr = io.StringIO()
    try:
        prepare_submission(course.db_url, assignment, student, extension)
        coursedir = CourseDirectory(config=course.config)
        coursedir.assignment_id, coursedir.student_id = assignment, student
        app = Autograde(coursedir=coursedir, config=course.config, log=log)
        app.force = True
        try:
            with contextlib.redirect_stderr(stderr):  # the course's hooks speak on stderr
                app.start()
        finally:
            # What autograde wrote before a failure stays in the gradebook, as with nbgrader.
            names = set(bundle.structure.notebook_names)
            handed_in = {path.stem for path in submitted.glob("*.ipynb")} & names
            with contextlib.suppress(MissingEntry):
                result.rows = autograde_rows(course.db_url, assignment, student, handed_in)
        result.autograded = read_folder(autograded)
    except Exception as error:  # reported for this submission; the batch carries on
        # nbgrader's exception says "see the log above": its first error line says what failed.
        errors = [line for line in lines.lines if line.startswith("[ERROR]")]
        result.error = errors[0][len("[ERROR] "):] if errors else f"{type(error).__name__}: {error}"
    finally:
        log.removeHandler(lines)
        result.log = lines.lines + [f"[stderr] {line}" for line in stderr.getvalue().splitlines()]
        with contextlib.suppress(Exception):
            forget_submission(course.db_url, assignment, student)
        shutil.rmtree(submitted.parent, ignore_errors=True)
        shutil.rmtree(autograded.parent, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


def solution_observations(bundle: AssignmentBundle) -> SolutionRun:
    """Run the assignment's solution once (gdcourse.grading.solution.run), here."""
    from ..solution.run import trusted_observations

    course = scratch_course(bundle)
    lines = _Lines()
    log = task_log(lines)
    try:
        for notebook in bundle.structure.notebook_names:
            trusted_observations(course.config, bundle.assignment, notebook, log)
        cache = cache_folder(bundle.assignment)
        files = {str(cache / relative): content
                 for relative, content in read_folder(course.root / cache).items()}
        problems = [json.loads(data).get("problems", []) for data, _ in files.values()]
        return SolutionRun(files=files, problems=[p for found in problems for p in found],
                           log=lines.lines)
    except Exception as error:
        return SolutionRun(error=f"{type(error).__name__}: {error}", log=lines.lines)
    finally:
        log.removeHandler(lines)
