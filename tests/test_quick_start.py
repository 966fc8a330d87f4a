"""The README's two quick-start commands, run as a newcomer would on a fresh clone."""
import os
import re
import subprocess

import pytest
from PIL import Image

from browser import SCREENSHOT_NAMES, SCREENSHOTS, VIEWPORT
from course import ROOT, fresh_clone, quick_start_commands
from gdcourse.course.catalog import example_class
from gdcourse.course.grade_table import read_grades


def test_quick_start_is_two_commands():
    assert quick_start_commands() == ["make example", "make test"]


@pytest.mark.xdist_group("main-job")
def test_main_job_grades_the_example_class_on_a_fresh_clone(example_class_run):
    clone, done = example_class_run
    table = done.stdout.split("\n\n")[1].splitlines()
    students = example_class(clone)
    assignments = sorted({a for picks in students.values() for a in picks})
    assert table[0].split() == ["student", *assignments]
    rows = {line.split()[0]: line for line in table[1:]}
    assert set(rows) == set(students) | {"class"}, table
    grades, _ = read_grades(clone / "grades.csv")
    for student, picks in students.items():
        for assignment, entry in picks.items():
            score, _ = grades[(student, assignment)]
            assert score == entry.score, f"{student} {assignment}: {score} != catalog {entry.score}"
            assert f"{score:g} / " in rows[student]
            feedback = clone / "feedback" / student / assignment / f"{assignment}.html"
            assert feedback.is_file(), f"no feedback for {student} {assignment}"
    means = rows["class"].split("mean", 1)[1]
    for assignment in assignments:
        mean = sum(picks[assignment].score for picks in students.values()) / len(students)
        assert f"{mean:.1f} / " in means


def test_ci_runs_the_readme_test_command(tmp_path):
    clone = fresh_clone(tmp_path / "course")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "calls"
    # A stand-in for make records how CI called it (the real suite is what is running this test).
    (fake_bin / "make").write_text(f'#!/bin/sh\necho "make $*" >> {calls}\n')
    (fake_bin / "make").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}", CI="true")
    subprocess.run(["bash", ".ci/run"], cwd=clone, env=env, check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    assert calls.read_text().splitlines() == [quick_start_commands()[1]]


def test_readme_shows_the_screenshots_the_browser_tests_take():
    """Every screenshot the browser tests take (browser.SCREENSHOT_NAMES) is in docs/screenshots/
    and shown in the README, and the README shows no other."""
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"!\[[^\]]+\]\(docs/screenshots/([^)]+)\)", readme)
    assert sorted(shown) == sorted(SCREENSHOT_NAMES)
    for name in SCREENSHOT_NAMES:
        with Image.open(SCREENSHOTS / name) as picture:
            assert picture.format == "PNG" and picture.size == (VIEWPORT["width"], VIEWPORT["height"])
