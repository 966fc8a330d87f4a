"""The class report the main job writes after grading the example class: its numbers are those the
mistake catalog implies, and it reads in a real browser (Chromium)."""
import html
import re
from collections import Counter

import pytest

from browser import save_screenshot
from gdcourse.course.catalog import example_class, load_entries
from gdcourse.course.class_report import assignment_page, write_reports
from gdcourse.course.class_results import FailedTest, read_results
from gdcourse.course.course_folder import gradebook_url

# The main job runs once per test process, shared with the quick-start test (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("main-job")


def _rows(page_html, heading):
    """The text of each row of the table after `heading`, tags removed, spaces collapsed."""
    section = page_html.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows[1:]]


def test_main_job_writes_the_class_report(example_class_run):
    clone, done = example_class_run
    index = clone / "reports" / "index.html"
    assert f"Class report: {index}" in done.stdout
    students = example_class(clone)
    for assignment in sorted({a for picks in students.values() for a in picks}):
        assert (clone / "reports" / f"{assignment}.html").is_file()


def test_report_counts_what_the_catalog_says_the_students_did(example_class_run):
    clone, _ = example_class_run
    students = example_class(clone)
    count = len(students)
    # Chapter 1: one student (chen) submitted a gradient_descent that takes one step too few.
    picks = Counter(picks["01-gradient-descent"].id for picks in students.values())
    one_less = picks["one-step-too-few"]
    assert one_less == 1
    page = (clone / "reports" / "01-gradient-descent.html").read_text()
    rows = _rows(page, "Mistakes the grading recognised")
    row = next(r for r in rows if "One step too few: the loop must run number_steps times." in r)
    assert row.startswith(f"{one_less} ({100 * one_less / count:.0f} %)"), row
    assert "Exercise 3 — many steps" in row and "run_descent" in row

    # Every test's pass share is the share of the class whose catalog entry scores its points.
    results = read_results(clone, "01-gradient-descent", gradebook_url(clone))
    entries = {e.id: e for e in load_entries(clone, "01-gradient-descent")}
    scores = [entries[picks["01-gradient-descent"].id].score for picks in students.values()]
    assert sorted(s.score for s in results.submissions) == sorted(scores)
    tests = _rows(page, "Tests")
    for rate in results.pass_rates():
        row = next(r for r in tests if r.startswith(rate.test.grade_id))
        assert f"{100 * rate.passed:.0f} %" in row
        assert rate.passed + rate.visible + rate.hidden == pytest.approx(1.0)
    # Every student's written answer waits for a grader, with a link to formgrader.
    attention = _rows(page, "To look at in formgrader")
    assert len([r for r in attention if "to grade by hand observations" in r]) == count
    assert page.count('href="/formgrader/submissions/') == count


def test_report_escapes_what_students_wrote(example_class_run):
    """A hint quotes values a student's code returned: a returned string with markup must reach
    the page as text."""
    clone, _ = example_class_run
    results = read_results(clone, "01-gradient-descent", gradebook_url(clone))
    hostile = "<script>alert(1)</script>"
    results.submissions[0].failures["test-gradient"] = FailedTest(hint=hostile, hidden=False)
    page = assignment_page(results, "/formgrader")
    assert hostile not in page and html.escape(hostile) in page


def test_instructor_reads_the_report_in_a_browser(example_class_run, page, tmp_path):
    clone, _ = example_class_run
    index = write_reports(clone, out=tmp_path / "reports")
    page.goto(index.as_uri())
    page.get_by_role("heading", name="The class, assignment by assignment").wait_for()
    page.get_by_role("link", name="01-gradient-descent").click()
    page.get_by_role("heading", name="01-gradient-descent: what the class missed").wait_for()
    assert page.locator(".figure svg").count() == 3   # scores, questions, tests
    assert "One step too few" in page.inner_text("body")
    page.get_by_role("heading", name="Mistakes the grading recognised").evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    save_screenshot(page, "class-report.png", tmp_path)
