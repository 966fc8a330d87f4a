"""The gradebook before grading writes to it: readable, and kept.

A grading run that writes into a damaged gradebook can lose every grade in it, and one that cannot
read it fails with a database's traceback. So before the first write of a run:

- `check_readable` opens the gradebook and says, in one line, when it cannot be read, what to
  do, and that nothing was written;
- `keep_a_copy` copies a SQLite gradebook with SQLite's online backup (a consistent copy even
  while another process reads it) into `gradebook-backups/` beside it, keeping the last few.
  A PostgreSQL gradebook is the database server's to back up (`pg_dump`); the run says so.

Both the batch command (gdcourse.grading.batch) and `nbgrader autograde` (through the course's
pre-convert hook, `before_autograde`) do this once per run.
"""
import datetime
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

BACKUPS = "gradebook-backups"
KEEP = 5   # backups kept per gradebook: the newest ones


class UnreadableGradebook(Exception):
    """The gradebook cannot be read; the message says which, why, and what to do."""


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite gradebook URL (sqlite:///path), or None for any other database."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix):
        return None
    return Path(db_url[len(prefix):].split("?", 1)[0])


def check_readable(db_url: str) -> None:
    """Raise UnreadableGradebook when the gradebook cannot be read. A SQLite file that does not
    exist yet is fine: nbgrader makes a new one."""
    path = sqlite_path(db_url)
    if path is None:
        _check_server(db_url)
        return
    if not path.exists():
        return
    what = f"The gradebook {path} cannot be read"
    advice = (f"Nothing was written. Restore it from a copy (grading keeps one in "
              f"{path.parent / BACKUPS} before each run), or move it aside to start an empty "
              f"gradebook (its grades are then lost).")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()
            tables = {name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        raise UnreadableGradebook(f"{what} ({error}). {advice}") from None
    if verdict != ("ok",):
        raise UnreadableGradebook(f"{what} (it is damaged: {verdict[0] if verdict else '?'}). "
                                  f"{advice}")
    if tables and not {"assignment", "student"} <= tables:
        raise UnreadableGradebook(f"{what} (it is a SQLite database, but not an nbgrader "
                                  f"gradebook). {advice}")


def _check_server(db_url: str) -> None:
    """A gradebook on a database server: can we connect and read?"""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(db_url)
        try:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UnreadableGradebook(
            f"The gradebook at {_hide_password(db_url)} cannot be reached ({first[:200]}). "
            f"Nothing was written. Check that the database server runs and that the URL, user "
            f"and password are right.") from None


def _hide_password(db_url: str) -> str:
    head, at, tail = db_url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return db_url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


def keep_a_copy(db_url: str, now: datetime.datetime | None = None) -> str:
    """Copy the gradebook before a run writes to it; returns a sentence saying where (or what to
    do instead, for a database server)."""
    path = sqlite_path(db_url)
    if path is None:
        return ("The gradebook is on a database server: back it up there before grading "
                "(pg_dump for PostgreSQL).")
    if not path.exists():
        return "The gradebook is new: there is nothing to keep a copy of."
    folder = path.parent / BACKUPS
    folder.mkdir(exist_ok=True)
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%d-%H%M%S-%f")
    copy = folder / f"{path.stem}-{stamp}.db"
    # sqlite3's own `with` commits but does not close: closing() does.
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    for old in sorted(folder.glob(f"{path.stem}-*.db"))[:-KEEP]:
        old.unlink()
    return f"A copy of the gradebook as it was before this run: {copy}"


_kept: dict[str, str] = {}   # db_url -> the sentence, once per process (one run)


def before_autograde() -> None:
    """For nbgrader's pre-convert hook (c.Autograde.pre_convert_hook), run before each
    submission: stop with one line when the gradebook cannot be read, and keep a copy before the
    run's first write. The gradebook's URL is the running nbgrader command's; where none runs
    (the batch's workers grade in scratch courses of their own) there is nothing to do."""
    db_url = _current_db_url()
    if db_url is None or db_url in _kept:
        return
    try:
        check_readable(db_url)
    except UnreadableGradebook as error:
        print(f"[nbgrader autograde] {error}", file=sys.stderr, flush=True)
        # SystemExit is not an Exception: nbgrader's hook runner lets it end the command.
        raise SystemExit(1) from None
    _kept[db_url] = keep_a_copy(db_url)
    print(f"[nbgrader autograde] {_kept[db_url]}", file=sys.stderr, flush=True)


def _current_db_url() -> str | None:
    """The gradebook URL of the running nbgrader application."""
    from nbgrader.apps.baseapp import NbGrader

    if not NbGrader.initialized():
        return None
    app = NbGrader.instance()
    return getattr(getattr(app, "coursedir", None), "db_url", None)
