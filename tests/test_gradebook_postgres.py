"""The gradebook on a real PostgreSQL server: a class graded into a throwaway PostgreSQL (Debian's
postgresql, started by the test on a free loopback port) gets the grades the catalog states.
"""
import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from course import ROOT
from gdcourse.course.catalog import find_entry
from gdcourse.course.course_folder import copy_course
from gdcourse.course.example_class import run

pytestmark = pytest.mark.xdist_group("postgres")
ASSIGNMENT = "01-gradient-descent"
CLASS = """students:
  ada:
    01-gradient-descent: correct
  chen:
    01-gradient-descent: one-step-too-few
  dara:
    01-gradient-descent: steps-up-the-slope
  emil:
    01-gradient-descent: gradient-is-constant-two
"""


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL is not installed (make setup installs Debian's postgresql)"
    return Path(initdb).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server():
    """A PostgreSQL server of its own in a temporary folder; yields the URL of a new database.
    PostgreSQL refuses to run as root: as root, the server runs as Debian's `postgres` user."""
    binaries = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="gdcourse-postgres-"))
    as_user = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_user, binaries / "initdb", "-D", data, "-U", "grader", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*as_user, binaries / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w",
                    "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*as_user, binaries / "createdb", "-h", "127.0.0.1", "-p", str(port),
                        "-U", "grader", "gradebook"], check=True, capture_output=True)
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_user, binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def graded_class(folder, monkeypatch, db_url=None):
    """The main job on a small class; {(student, assignment): score} from its grades.csv."""
    folder.mkdir()
    root = copy_course(ROOT, folder)
    (root / "catalog" / "example_class.yaml").write_text(CLASS)
    # The class has chapter 1 only: the other chapters' release would cost time and test nothing.
    for other in (*(root / "source").iterdir(), *(root / "release").iterdir()):
        if other.name != ASSIGNMENT:
            shutil.rmtree(other)
    if db_url:
        monkeypatch.setenv("GDCOURSE_DB_URL", db_url)
    else:
        monkeypatch.delenv("GDCOURSE_DB_URL", raising=False)
    run(root)
    with open(root / "grades.csv", newline="") as grades:
        return {(row["student_id"], row["assignment"]): float(row["score"])
                for row in csv.DictReader(grades) if row["timestamp"]}, root


def test_postgresql_gradebook_gets_the_grades_the_catalog_states(tmp_path, monkeypatch):
    """The class graded into PostgreSQL gets every student the score the mistake catalog states
    for their answers, the scores the SQLite runs of the suite check (tests/test_assignments.py)."""
    with postgres_server() as url:
        postgres, root = graded_class(tmp_path / "postgres", monkeypatch, url)
        assert not (root / "gradebook.db").exists(), "the grades went to SQLite, not PostgreSQL"
    # grades.csv: the autograded points (the written answer is not graded yet).
    expected = {(student, ASSIGNMENT): find_entry(ROOT, ASSIGNMENT, entry).score
                for student, chapters in yaml.safe_load(CLASS)["students"].items()
                for entry in [chapters[ASSIGNMENT]]}
    assert len(set(expected.values())) == 4, "the class should tell four scores apart"
    assert postgres == expected, f"PostgreSQL's grades {postgres}, the catalog's {expected}"
