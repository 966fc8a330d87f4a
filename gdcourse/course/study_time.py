"""How long a chapter takes, by a stated rule, so that START's times follow the notebooks as they
change: a lecture's prose is read at WORDS_PER_MINUTE, each code cell is run and its output read
in MINUTES_PER_CODE_CELL, each questionnaire question is answered in MINUTES_PER_QUESTION; an
assignment's prose is read at the same rate, and each point it grades takes MINUTES_PER_POINT
(writing, running the tests, fixing). tests/test_start.py checks that START states these rates and
holds the table `table` makes; `python -m gdcourse.course.study_time` prints it.
"""
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

WORDS_PER_MINUTE = 120      # technical prose with formulas, read with care
MINUTES_PER_CODE_CELL = 1
MINUTES_PER_QUESTION = 1.5
MINUTES_PER_POINT = 5

QUESTION = re.compile(r"(?m)^\*\*\d+\.\*\*")


@dataclass(frozen=True)
class Chapter:
    number: int
    lecture: float      # minutes
    assignment: float   # minutes

    @property
    def total(self) -> float:
        return self.lecture + self.assignment


def _words(nb: nbformat.NotebookNode) -> int:
    return sum(len(cell.source.split()) for cell in nb.cells if cell.cell_type == "markdown")


def lecture_minutes(nb: nbformat.NotebookNode) -> float:
    code = sum(1 for cell in nb.cells if cell.cell_type == "code")
    questions = sum(len(QUESTION.findall(cell.source)) for cell in nb.cells
                    if cell.cell_type == "markdown")
    return (_words(nb) / WORDS_PER_MINUTE + code * MINUTES_PER_CODE_CELL
            + questions * MINUTES_PER_QUESTION)


def assignment_minutes(nb: nbformat.NotebookNode) -> float:
    points = sum(float(cell.metadata.get("nbgrader", {}).get("points") or 0) for cell in nb.cells)
    return _words(nb) / WORDS_PER_MINUTE + points * MINUTES_PER_POINT


def chapters(root: Path) -> list[Chapter]:
    found = []
    for lecture in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        name = lecture.stem
        released = root / "release" / name / f"{name}.ipynb"
        found.append(Chapter(int(name[:2]),
                             lecture_minutes(nbformat.read(lecture, as_version=4)),
                             assignment_minutes(nbformat.read(released, as_version=4))))
    return found


def _minutes(value: float) -> str:
    """Minutes rounded to 5, as "50 min" or "1 h 35 min"."""
    rounded = int(5 * round(value / 5))
    hours, minutes = divmod(rounded, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" + (f" {minutes:02d} min" if minutes else "")


def table(root: Path) -> str:
    """START's table of times, one row per chapter and the whole course."""
    rows = ["| # | lecture | assignment | in all |", "|---|---|---|---|"]
    found = chapters(root)
    for chapter in found:
        rows.append(f"| {chapter.number} | {_minutes(chapter.lecture)} | "
                    f"{_minutes(chapter.assignment)} | {_minutes(chapter.total)} |")
    whole = sum(chapter.total for chapter in found)
    rows.append(f"| all | {_minutes(sum(c.lecture for c in found))} | "
                f"{_minutes(sum(c.assignment for c in found))} | {_minutes(whole)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()))
