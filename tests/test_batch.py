"""The fast path, `python -m gdcourse.grading.batch`: the same grades as `nbgrader autograde`, on
a Dask cluster of separate worker processes; an interrupted batch resumes without losing or
double-counting a grade."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course import course_copy
from server_process import log_tail, server_process
from gdcourse.course.catalog import load_entries
from gdcourse.course.nbgrader_commands import command_env, nbgrader
from gdcourse.course.submissions import submission_from_entry, write_submission

pytestmark = pytest.mark.xdist_group("batch")

ASSIGNMENT = "01-gradient-descent"
BIN = Path(sys.executable).parent


def make_class(root, students=None):
    """One student per catalog entry of ASSIGNMENT (or the first `students` of them, cycling);
    returns {student: the score the catalog states}."""
    entries = load_entries(root, ASSIGNMENT)
    count = students or len(entries)
    expected = {}
    for number in range(count):
        entry = entries[number % len(entries)]
        student = f"s{number + 1:02d}"
        write_submission(root, student, ASSIGNMENT, submission_from_entry(root, entry))
        expected[student] = entry.score
    return expected


def batch(root, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "gdcourse.grading.batch", ASSIGNMENT,
                           "--course", str(root), *args], env=command_env(), cwd=root,
                          capture_output=True, text=True, timeout=600, **kwargs)


def gradebook_rows(root):
    """Everything autograde writes, per student: comparable across two gradebooks."""
    rows = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            rows[submission.student_id] = {
                "timestamp": submission.timestamp,
                "notebooks": {n.name: {
                    "flagged": n.flagged, "late": n.late_submission_penalty,
                    "grades": sorted((g.name, g.auto_score, g.manual_score, g.needs_manual_grade)
                                     for g in n.grades),
                    "comments": sorted((c.name, c.auto_comment) for c in n.comments),
                } for n in submission.notebooks}}
    return rows


def autograded_notebooks(root):
    """{student: the autograded notebook}, without the times its cells ran, the folders it ran
    in written as <folder>."""
    found = {}
    for path in sorted((root / "autograded").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")):
        text = path.read_text().replace(str(root), "<folder>")
        text = re.sub(r"/tmp/gdcourse-worker-[^/\"]+", "<folder>", text)
        nb = nbformat.reads(text, as_version=4)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)  # when each cell ran
        found[path.parent.parent.name] = nb
    return found


def code_scores(root):
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {s.student_id: s.code_score for s in gradebook.assignment_submissions(ASSIGNMENT)}


def _scheduler_address(scheduler_file):
    """The address the scheduler wrote, or OSError while the file is missing or half written
    (the scheduler creates it, then writes it: a read can fall between the two)."""
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (ValueError, KeyError) as error:
        raise OSError(f"{scheduler_file} is not written yet") from error


def start_dask_cluster(stack, folder, workers=2):
    """A Dask scheduler and `workers` worker processes, started as an instructor would on the
    machines of a cluster (here all on this one); returns the scheduler file."""
    scheduler_file = folder / "scheduler.json"
    env = command_env()
    stack.enter_context(server_process(
        "dask scheduler", [str(BIN / "dask"), "scheduler", "--scheduler-file", str(scheduler_file),
                           "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
        cwd=folder, env=env, log=folder / "scheduler.log",
        answers=lambda: _scheduler_address(scheduler_file)))
    for number in range(workers):
        # Each worker starts in a folder of its own: it reads nothing of the course's folder.
        home = folder / f"worker-{number}"
        home.mkdir()
        stack.enter_context(server_process(
            f"dask worker {number}", [str(BIN / "dask"), "worker", "--scheduler-file",
                                      str(scheduler_file), "--nthreads", "1", "--nworkers", "1",
                                      "--no-dashboard", "--host", "127.0.0.1"],
            cwd=home, env=env, log=home / "worker.log", answers=lambda: None))
    return scheduler_file


def test_a_dask_cluster_grades_as_nbgrader_autograde_does(tmp_path):
    """Two copies of one class: `nbgrader autograde` in one, the batch on a scheduler with two
    separate worker processes in the other: the same gradebook rows and autograded notebooks,
    the catalog's scores, and a submission that cannot be graded is reported, not fatal."""
    roots = {}
    for name in ("stock", "batch"):
        (tmp_path / name).mkdir()
        root = course_copy(tmp_path / name)
        nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
        expected = make_class(root)
        # A notebook under another name: nbgrader cannot grade this submission.
        renamed = write_submission(root, "renamed", ASSIGNMENT,
                                   nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))
        (renamed / f"{ASSIGNMENT}.ipynb").rename(renamed / "my-answers.ipynb")
        roots[name] = root

    stock = subprocess.run([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], cwd=roots["stock"],
                           env=command_env(), capture_output=True, text=True, timeout=900)
    assert stock.returncode != 0 and "renamed" in stock.stdout + stock.stderr

    with ExitStack() as stack:
        scheduler_file = start_dask_cluster(stack, tmp_path)
        log = tmp_path / "batch.log"
        done = batch(roots["batch"], "--scheduler-file", str(scheduler_file), "--log", str(log))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"Graded {len(expected)} submissions" in output, output
    assert re.search(rf"{ASSIGNMENT}/renamed: .*No notebooks found", output), output
    assert "my-answers.ipynb" in log.read_text()
    # Both workers graded, each a separate process of the cluster.
    workers = set(re.findall(r"^== autograde \S+ \S+ \((tcp://[^,]+),", log.read_text(), re.M))
    assert len(workers) == 2, workers

    assert gradebook_rows(roots["batch"]) == gradebook_rows(roots["stock"])
    assert {s: score for s, score in code_scores(roots["batch"]).items() if s != "renamed"} == expected
    batch_notebooks, stock_notebooks = autograded_notebooks(roots["batch"]), autograded_notebooks(roots["stock"])
    assert batch_notebooks.keys() == stock_notebooks.keys() == expected.keys()
    for student in expected:
        differ = [(i, a, b) for i, (a, b) in enumerate(zip(batch_notebooks[student].cells,
                                                           stock_notebooks[student].cells)) if a != b]
        assert not differ, (student, differ[:1])
        assert batch_notebooks[student] == stock_notebooks[student], student
    # What comes after autograde works on the batch's results as on nbgrader's.
    nbgrader(roots["batch"], "generate_feedback", ASSIGNMENT)
    assert len(list((roots["batch"] / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))) == len(expected)

    # A grader scores a test cell by hand, then the submission is autograded again: both ways
    # keep the manual score and mark the grade for review (nbgrader's SaveAutoGrades rule).
    student = sorted(expected)[0]
    for root in roots.values():
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
            grade = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades[0]
            grade.manual_score, grade.needs_manual_grade = 0.5, False
            gradebook.db.commit()
    nbgrader(roots["stock"], "autograde", ASSIGNMENT, "--student", student, "--force")
    done = batch(roots["batch"], "--student", student, "--force", "--workers", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    regraded = gradebook_rows(roots["batch"])
    assert regraded == gradebook_rows(roots["stock"])
    assert any(name and manual == 0.5 and needs for name, _, manual, needs
               in regraded[student]["notebooks"][ASSIGNMENT]["grades"])


def run_until_killed(root, enough, *args):
    """Start the batch and SIGKILL it, with every process it started, once `enough()` holds."""
    process = subprocess.Popen([sys.executable, "-m", "gdcourse.grading.batch", ASSIGNMENT,
                                "--course", str(root), "--workers", "2", *args],
                               env=command_env(), cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while not enough():
        assert process.poll() is None, process.stdout.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()


def graded_folders(root):
    return {p.parent.parent.name: p.stat().st_mtime_ns
            for p in (root / "autograded").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")}


def test_an_interrupted_batch_resumes_where_it_stopped(tmp_path):
    """Killed mid-way (SIGKILL, workers and all), the same command grades only what is missing;
    then a --force batch killed mid-way regrades only what it had not regraded. No grade is lost
    or counted twice, and every score is the catalog's."""
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    expected = make_class(root, students=6)

    run_until_killed(root, lambda: len(graded_folders(root)) >= 2)
    first = graded_folders(root)
    assert 2 <= len(first) < len(expected)
    done = batch(root, "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(first)} submissions were already graded" in done.stdout, done.stdout
    assert f"Graded {len(expected) - len(first)} submissions" in done.stdout, done.stdout
    second = graded_folders(root)
    assert {s: second[s] for s in first} == first, "an already graded submission was regraded"
    assert code_scores(root) == expected

    journal = root / ".gdcourse-cache" / "batch" / f"{ASSIGNMENT}.jsonl"
    run_until_killed(root, lambda: journal.is_file() and len(journal.read_text().splitlines()) >= 2,
                     "--force")
    regraded = {json.loads(line)["done"] for line in journal.read_text().splitlines()}
    third = graded_folders(root)
    assert 2 <= len(regraded) < len(expected)
    assert all(third[s] != second[s] for s in regraded)
    done = batch(root, "--workers", "2", "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"resuming, {len(regraded)} submissions already regraded" in done.stderr, done.stderr
    assert f"Graded {len(expected) - len(regraded)} submissions" in done.stdout, done.stdout
    fourth = graded_folders(root)
    assert {s: fourth[s] for s in regraded} == {s: third[s] for s in regraded}
    assert all(fourth[s] != second[s] for s in expected), "a submission was not regraded"
    assert not journal.exists(), "a finished batch leaves no journal"
    assert code_scores(root) == expected
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submissions = gradebook.assignment_submissions(ASSIGNMENT)
        assert len(submissions) == len(expected)
        cells = len(gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells)
        assert all(len(s.notebooks[0].grades) == cells for s in submissions)
    assert not list((root / "autograded").glob("*/.*")), "a half-installed folder was left behind"


def test_nothing_to_grade_is_said_plainly(tmp_path):
    root = course_copy(tmp_path)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    done = batch(root)
    assert done.returncode == 0 and "Nothing to grade." in done.stderr, done.stdout + done.stderr
