"""One database engine per scratch gradebook, for a worker's whole life.

nbgrader opens a `Gradebook` about a dozen times for every submission it grades (the student,
the assignment, each cell's source, each grade), and each opening makes a new SQLAlchemy engine:
the schema is checked table by table again, and every statement is compiled again, since
SQLAlchemy keeps its compiled statements per engine. A worker's scratch gradebook
(gdcourse.grading.batch.worker) is used by that worker alone, so there a `Gradebook` reuses the
worker's one engine, with the schema checked once and the statements compiled once: the same SQL
and the same rows, for a fraction of the CPU.

`share_engines_for(db_url)` turns this on for one URL; every other gradebook (the course's own,
which the coordinator writes) is opened exactly as nbgrader opens it.
"""
import importlib
from typing import Any

from nbgrader.api import Gradebook
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session, sessionmaker

# The modules that call Gradebook during autograde, each holding its own name for the class.
_USERS = ("nbgrader.api", "nbgrader.converters.autograde", "nbgrader.preprocessors.getgrades",
          "nbgrader.preprocessors.overwritecells", "nbgrader.preprocessors.saveautogrades",
          "nbgrader.preprocessors.overwritekernelspec", "nbgrader.preprocessors.latesubmissions",
          "gdcourse.grading.steps.flags", "gdcourse.grading.batch.gradebook_rows")

_engines: dict[str, Engine | None] = {}   # shared URLs: their engine, once made


class SharedEngineGradebook(Gradebook):
    """nbgrader's Gradebook; on a shared URL it keeps its engine for the next opening."""
    engine: Engine

    def __init__(self, db_url: str, course_id: str = "default_course",
                 authenticator: Any = None) -> None:
        self._shared = db_url in _engines
        engine = _engines.get(db_url)
        if engine is None:
            super().__init__(db_url, course_id, authenticator)
            if db_url in _engines:
                _engines[db_url] = self.engine
            return
        self.engine = engine
        self.db = scoped_session(sessionmaker(autoflush=True, bind=engine, future=True))
        self.check_course(course_id=course_id)
        self.course_id = course_id
        self.authenticator = authenticator

    def close(self) -> None:
        if self._shared and self.engine in _engines.values():
            self.db.remove()   # the engine and its compiled statements stay
        else:
            super().close()


def share_engines_for(db_url: str) -> None:
    """From now on, in this process, Gradebooks opened on `db_url` share one engine."""
    _engines.setdefault(db_url, None)
    for name in _USERS:
        module = importlib.import_module(name)
        if getattr(module, "Gradebook", None) is Gradebook:
            setattr(module, "Gradebook", SharedEngineGradebook)


def forget(db_url: str) -> None:
    """The scratch gradebook is gone: close its engine."""
    engine = _engines.pop(db_url, None)
    if engine is not None:
        engine.dispose()
