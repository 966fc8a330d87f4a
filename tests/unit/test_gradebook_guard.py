"""The gradebook before a run writes to it (gdcourse.grading.gradebook_guard): a damaged one is
named in one line and left as it was; a sound one is copied with SQLite's backup, the newest few
copies kept."""
import datetime
import sqlite3

import pytest
from nbgrader.api import Gradebook

from gdcourse.grading.batch.worker import empty_gradebook
from gdcourse.grading.gradebook_guard import (BACKUPS, KEEP, UnreadableGradebook,
                                              check_readable, keep_a_copy)


@pytest.fixture
def gradebook(tmp_path):
    path = tmp_path / "gradebook.db"
    path.write_bytes(empty_gradebook())   # made once: nbgrader makes one with alembic, slowly
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_student("ada")
        gb.add_assignment("01-gradient-descent")
    return path


def test_a_sound_gradebook_and_a_missing_one_are_readable(gradebook, tmp_path):
    check_readable(f"sqlite:///{gradebook}")
    check_readable(f"sqlite:///{tmp_path / 'not-yet.db'}")


@pytest.mark.parametrize("damage", ["truncated", "zeros", "text", "other database"])
def test_a_damaged_gradebook_is_named_in_one_line_and_left_as_it_was(gradebook, damage):
    data = gradebook.read_bytes()
    if damage == "truncated":
        gradebook.write_bytes(data[:len(data) // 3])
    elif damage == "zeros":
        gradebook.write_bytes(data[:100] + bytes(len(data) - 100))
    elif damage == "text":
        gradebook.write_text("these are not the grades\n")
    else:
        gradebook.unlink()
        with sqlite3.connect(gradebook) as db:
            db.execute("CREATE TABLE notes (text)")
    before = gradebook.read_bytes()
    with pytest.raises(UnreadableGradebook) as raised:
        check_readable(f"sqlite:///{gradebook}")
    message = str(raised.value)
    assert "\n" not in message and str(gradebook) in message, message
    assert "Nothing was written" in message and BACKUPS in message, message
    assert gradebook.read_bytes() == before


def test_a_copy_holds_the_grades_and_only_the_newest_copies_stay(gradebook):
    said = keep_a_copy(f"sqlite:///{gradebook}")
    (copy,) = (gradebook.parent / BACKUPS).iterdir()
    assert str(copy) in said
    with Gradebook(f"sqlite:///{copy}") as gb:
        assert [s.id for s in gb.students] == ["ada"]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    for minute in range(KEEP + 3):
        keep_a_copy(f"sqlite:///{gradebook}", now=start + datetime.timedelta(minutes=minute))
    assert len(list((gradebook.parent / BACKUPS).iterdir())) == KEEP


def test_a_server_gradebook_that_cannot_be_reached_is_named_without_its_password():
    url = "postgresql+psycopg://grader:secret@127.0.0.1:1/gradebook"
    with pytest.raises(UnreadableGradebook) as raised:
        check_readable(url)
    message = str(raised.value)
    assert "secret" not in message and "grader:***@127.0.0.1:1" in message, message
    assert "Nothing was written" in message
    assert "pg_dump" in keep_a_copy(url)
