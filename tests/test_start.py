"""START's times follow from the notebooks by the rule it states (gdcourse.course.study_time), and
its prerequisites name what the chapters use."""
import re

import nbformat

from course import ROOT
from gdcourse.course import study_time


def start_text():
    nb = nbformat.read(ROOT / "START.ipynb", as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_the_times_are_the_rules_and_the_rule_is_stated():
    text = start_text()
    assert study_time.table(ROOT) in text, "START's times are stale: run " \
        "`python -m gdcourse.course.study_time` and paste its table into START"
    flat = " ".join(text.split())
    for rate in (f"{study_time.WORDS_PER_MINUTE} words a minute", "a minute for each code cell",
                 "a minute and a half for each questionnaire question",
                 f"{study_time.MINUTES_PER_POINT} minutes for each point"):
        assert rate in flat, rate
    assert (study_time.MINUTES_PER_CODE_CELL, study_time.MINUTES_PER_QUESTION) == (1, 1.5)
    hours = round(sum(c.total for c in study_time.chapters(ROOT)) / 60)
    assert f"The whole course takes about {hours} hours" in flat


def test_the_longest_lecture_gets_the_longest_time():
    chapters = study_time.chapters(ROOT)
    words = {c.number: sum(len(cell.source.split()) for cell in nbformat.read(
        next((ROOT / "notebooks").glob(f"{c.number:02d}-*.ipynb")), as_version=4).cells
        if cell.cell_type == "markdown") for c in chapters}
    longest = max(words, key=words.get)
    assert max(chapters, key=lambda c: c.lecture).number == longest


def test_the_prerequisites_name_what_the_chapters_use():
    flat = " ".join(start_text().split())
    for needed in ("chain rule", "partial derivatives", "eˣ and sin x", "transpose",
                   "mean and variance", "`@`", "`lambda`", "`with`", "`try`"):
        assert needed in flat, needed
    used = " ".join(cell.source for path in sorted((ROOT / "notebooks").glob("0*.ipynb"))
                    for cell in nbformat.read(path, as_version=4).cells)
    for construct in (r"\blambda\b", r"\bwith torch\.no_grad\(\)", r"\btry:", r" @ ", r"\.T\b"):
        assert re.search(construct, used), construct
