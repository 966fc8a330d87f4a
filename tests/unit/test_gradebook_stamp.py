"""A gradebook stamped in-process is the gradebook nbgrader makes by running `alembic heads`."""
import sqlite3
import subprocess
import sys

import nbgrader.api
from nbgrader.api import Gradebook

from gdcourse.course.nbgrader_commands import command_env
from gdcourse.grading.gradebook_stamp import alembic_head, read_in_process


def dump(path):
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def test_the_stamp_read_in_process_makes_the_same_gradebook(tmp_path, monkeypatch):
    # nbgrader's own way, in a Python that never imported the course: it runs `alembic heads`.
    subprocess.run([sys.executable, "-c", "import sys; from nbgrader.api import Gradebook; "
                    "Gradebook(sys.argv[1]).close()", f"sqlite:///{tmp_path / 'by-command.db'}"],
                   env=command_env(), check=True)
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", nbgrader.api.get_alembic_version)
    read_in_process()
    assert nbgrader.api.get_alembic_version is alembic_head
    Gradebook(f"sqlite:///{tmp_path / 'in-process.db'}").close()
    by_command = dump(tmp_path / "by-command.db")
    assert "INSERT INTO \"alembic_version\" VALUES('" + alembic_head() + "');" in by_command
    assert dump(tmp_path / "in-process.db") == by_command
