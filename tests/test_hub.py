"""A class on the course's JupyterHub, end to end, in Chromium: an instructor and a student, each
logged in on the hub (hub/jupyterhub_config.py, started on a free loopback port).

The instructor generates and releases chapter 1 in formgrader; the student fetches it from the
Assignments tab, answers (one step too few in the descent), validates and submits; the instructor
collects, autogrades, grades the written answer by hand, generates and releases the feedback; the
student fetches it and reads their results. The student's server has no formgrader and never
shows source/ or the catalog; their lectures are in ~/lectures.
"""
import nbformat
import pytest

from browser import grade_by_hand, menu, new_context, open_in_jupyterlab, type_into_cell, validate
from course import ROOT, feedback_text, fresh_clone, results_table
from gdcourse.course.catalog import find_entry
from gdcourse.course.submissions import fill_answers
from hub import evidence_on_failure, log_in, running_hub

pytestmark = pytest.mark.xdist_group("hub")

ASSIGNMENT = "01-gradient-descent"
INSTRUCTOR, STUDENT = "teacher", "ada"
WRITTEN_ANSWER = "observations"  # chapter 1's written answer (2 points)
COMMENT = "Right: with λ = 10 each step multiplies θ by −19."


def formgrader_row(page, assignment):
    row = page.locator("table.dataTable tbody tr", has_text=assignment)
    row.wait_for()
    return row


def press_and_confirm(page, row, icon, message):
    """Press a formgrader button (its glyph's class) and close the success dialog it opens."""
    row.locator(f".glyphicon-{icon}").click()
    dialog = page.locator("#success-modal")
    dialog.wait_for(timeout=180_000)
    assert message in dialog.inner_text(), dialog.inner_text()
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="detached")


def assignments_tab(page):
    """The Assignments tab in front (Nbgrader → Assignment List opens it the first time), with
    its lists refreshed from the exchange."""
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Assignments")
    if tab.count():
        tab.click()
    else:
        menu(page, "Nbgrader", "Assignment List")
    page.locator("#released_assignments_list").wait_for()
    with page.expect_response(lambda r: "/assignments" in r.url and r.ok):
        page.locator("#refresh_assignments_list").click()
    return page


def listed_files(page, hub, user):
    """Every path the user's file browser can reach (the contents API, walked)."""
    found, folders = [], [""]
    while folders:
        folder = folders.pop()
        listing = page.request.get(hub.url(f"user/{user}/api/contents/{folder}")).json()
        for item in listing["content"]:
            found.append(item["path"])
            if item["type"] == "directory":
                folders.append(item["path"])
    return found


def test_a_class_on_jupyterhub(browser, tmp_path):
    course = fresh_clone(tmp_path / "course")
    entry = find_entry(ROOT, ASSIGNMENT, "one-step-too-few")
    with running_hub(course, tmp_path / "hub", [INSTRUCTOR], [STUDENT]) as hub, \
            new_context(browser) as teacher_context, new_context(browser) as student_context:
        teacher, student = teacher_context.new_page(), student_context.new_page()
        for page in (teacher, student):
            page.set_default_timeout(60_000)
        # On a failure: both pages' screenshots and the end of the hub's log.
        with evidence_on_failure(hub, {"teacher": teacher, "student": student}, tmp_path):

            # The instructor: formgrader on the course folder; generate, then release.
            log_in(teacher, hub, INSTRUCTOR)
            teacher.goto(hub.url(f"user/{INSTRUCTOR}/formgrader"))
            press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "education",
                              f"Successfully created the student version of '{ASSIGNMENT}'")
            press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "cloud-upload",
                              f"Successfully released '{ASSIGNMENT}'")

            # The student: no formgrader, lectures in ~/lectures; fetch from the Assignments tab.
            log_in(student, hub, STUDENT)
            assert student.goto(hub.url(f"user/{STUDENT}/formgrader")).status == 404
            student.goto(hub.url(f"user/{STUDENT}/lab"))
            student.locator(".jp-LabShell").wait_for()
            student.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
            items = student.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
            assert "Assignment List" in items and not any("Formgrader" in item for item in items), items
            student.keyboard.press("Escape")
            assignments_tab(student)
            released = student.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
            released.get_by_role("button", name="Fetch").click()
            fetched = student.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)
            fetched.first.wait_for()

            # The student answers (written into the fetched notebook), then Validate and Submit.
            notebook = hub.home(STUDENT) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            answered = fill_answers(nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                                    nbformat.read(notebook, as_version=4), entry.answers)
            nbformat.write(answered, notebook)
            open_in_jupyterlab(student, _Server(hub, STUDENT), f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
            shown = student.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").last
            shown.locator(".jp-Cell").first.wait_for()
            panel = student.locator(f"[id='{shown.get_attribute('id')}']")
            dialog = validate(student, panel)
            assert "One step too few" in dialog.inner_text(), dialog.inner_text()[:2000]
            dialog.locator(".jp-mod-accept").click()
            assignments_tab(student)
            fetched = student.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)
            fetched.get_by_role("button", name="Submit").click()
            student.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()

            # The student's kernels import the course's checks from the student edition the hub
            # publishes, never from the instructor's course folder (a new cell, after submitting).
            student.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=f"{ASSIGNMENT}.ipynb").click()
            cells = panel.locator(".jp-Cell")
            count = cells.count()
            cells.last.click()
            student.keyboard.press("Escape")
            student.keyboard.press("b")
            type_into_cell(student, cells.nth(count), "import gdcourse; print(gdcourse.__file__)")
            student.keyboard.press("Shift+Enter")
            output = cells.nth(count).locator(".jp-OutputArea-output")
            output.wait_for()
            assert output.inner_text().strip() == str(hub.edition / "gdcourse" / "__init__.py")

            # The instructor: collect, autograde, grade the written answer, feedback out.
            teacher.goto(hub.url(f"user/{INSTRUCTOR}/formgrader"))
            press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "cloud-download",
                              f"Successfully collected submissions of '{ASSIGNMENT}'")
            teacher.goto(hub.url(f"user/{INSTRUCTOR}/formgrader/manage_submissions/{ASSIGNMENT}"))
            submission = teacher.locator("table.dataTable tbody tr", has_text=STUDENT)
            submission.locator(".glyphicon-flash").click()
            done = teacher.locator("#success-modal")
            done.wait_for(timeout=180_000)
            done.get_by_role("button", name="OK").click()
            grade_by_hand(teacher, ASSIGNMENT, STUDENT, WRITTEN_ANSWER, 2, COMMENT)
            teacher.goto(hub.url(f"user/{INSTRUCTOR}/formgrader"))
            press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "comment",
                              f"Successfully generated feedback of '{ASSIGNMENT}'")
            press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "envelope",
                              f"Successfully released feedback of '{ASSIGNMENT}'")

            # The student fetches the feedback and opens it.
            assignments_tab(student)
            submitted = student.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
            submitted.get_by_role("button", name="Fetch Feedback").click()
            student.get_by_text("(view feedback)").first.click()
            pages = list((hub.home(STUDENT) / ASSIGNMENT / "feedback").rglob("*.html"))
            assert len(pages) == 1, pages
            page_path = pages[0].relative_to(hub.home(STUDENT))
            student.goto(hub.url(f"user/{STUDENT}/files/{page_path}"))
            results = " ".join(student.locator(".gdcourse-results").inner_text().split())
            assert results.startswith(f"Your results: {entry.score + 2:g} / 10"), results[:300]
            assert "One step too few: the loop must run number_steps times." in feedback_text(pages[0])
            assert COMMENT in " ".join(results_table(pages[0]).split())

            # What the student's server can reach: their work, their feedback, the lectures.
            reachable = listed_files(student, hub, STUDENT)
            assert any(path.startswith("lectures/") for path in reachable), reachable
            assert not any(part in {"source", "catalog", "gradebook.db", "autograded"}
                           for path in reachable for part in path.split("/")), reachable
            assert "source" in {path.name for path in course.iterdir()}  # the instructor's has it


class _Server:
    """A user's server behind the hub, for open_in_jupyterlab (which asks for url(path))."""

    def __init__(self, hub, user):
        self.hub, self.user = hub, user

    def url(self, path):
        return self.hub.url(f"user/{self.user}/{path.lstrip('/')}")
