"""A student in JupyterLab, in a real browser: answering, running and validating an assignment,
and running a lecture. JupyterLab runs on a fresh clone of the course, started as `make lab`
starts it; the Validate button is nbgrader's own extension, validating with the course's
configuration."""
import nbformat
import pytest

from browser import (menu, open_notebook, restart_and_run_all, screenshot_folder, type_into_cell,
                     validate)
from course import fresh_clone
from gdcourse.catalog import find_entry
from gdcourse.notebook_cells import is_answer_cell
from gdcourse.submissions import notebook_path, submission_from_entry
from jupyterlab import running_jupyterlab

pytestmark = pytest.mark.xdist_group("browser-student")

ASSIGNMENT = "01-gradient-descent"
LECTURE = "notebooks/05-fitting-a-line.ipynb"
ANIMATION_FRAMES = 81  # the lecture animates 80 updates from the starting a: frames 0 … 80
# Errors and anything else written to stderr (warnings): a finished, correct notebook has none.
STDERR = ".jp-NotebookPanel .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    course = fresh_clone(folder / "course")
    with running_jupyterlab(course, folder / "jupyterlab") as lab:
        yield lab


def answers(course, entry_id):
    """{cell index: (text, is Markdown)} of every answer cell, as the catalog entry answers."""
    submission = submission_from_entry(course, find_entry(course, ASSIGNMENT, entry_id))
    return {i: (cell.source, cell.cell_type == "markdown")
            for i, cell in enumerate(submission.cells) if is_answer_cell(cell)}


def test_student_answers_runs_all_and_validates(student_lab, page, tmp_path):
    course = student_lab.root
    path = notebook_path(course, "release", ASSIGNMENT).relative_to(course)
    release = nbformat.read(course / path, as_version=4)
    cells = open_notebook(page, student_lab, path, len(release.cells))

    # Every answer cell typed in, written answer included: Validate passes only a finished notebook.
    for index, (text, markdown) in answers(course, "correct").items():
        type_into_cell(page, cells.nth(index), text, markdown)
    restart_and_run_all(page)
    assert page.locator(STDERR).count() == 0, page.locator(STDERR).all_inner_texts()
    dialog = validate(page)
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    dialog.get_by_role("button", name="Ok").click()

    # A mistake from the catalog: the loop takes one step too few.
    wrong = find_entry(course, ASSIGNMENT, "one-step-too-few")
    hint = "One step too few: the loop must run number_steps times."
    assert hint in wrong.hints
    correct = answers(course, "correct")
    for index, (text, markdown) in answers(course, wrong.id).items():
        if text != correct[index][0]:
            type_into_cell(page, cells.nth(index), text, markdown)
    restart_and_run_all(page)
    # Run all stops at the failing test; its output tells what went wrong and why.
    error = page.locator(STDERR)
    assert error.count() == 1, error.all_inner_texts()
    assert hint in error.inner_text()
    dialog = validate(page)
    text = dialog.inner_text()
    assert "Success" not in text
    assert "gradient_descent(1.0, 0.2, 20) returned" in text and hint in text, text
    page.screenshot(path=screenshot_folder(tmp_path) / "assignment-validated.png")
    dialog.get_by_role("button", name="Ok").click()


def scroll_to(page, element, top=120):
    """Scroll the notebook with the mouse wheel, as a student would, until `element` is near the
    top of the window (JupyterLab draws only the cells in view)."""
    page.mouse.move(700, 400)
    for _ in range(200):
        box = element.evaluate("e => e.getBoundingClientRect().top")
        if abs(box - top) < 80:
            return
        page.mouse.wheel(0, max(-600, min(600, box - top)))
        page.wait_for_timeout(50)
    raise AssertionError("could not scroll to the element")


def test_student_runs_the_animation_lecture(student_lab, page, tmp_path):
    lecture = nbformat.read(student_lab.root / LECTURE, as_version=4)
    open_notebook(page, student_lab, LECTURE, len(lecture.cells))
    restart_and_run_all(page, timeout=300_000)
    errors = page.locator(STDERR)
    assert errors.count() == 0, errors.all_inner_texts()

    # matplotlib's jshtml player: an image, a slider over the frames, and buttons to step through.
    player = page.locator(".jp-NotebookPanel .animation")
    assert player.count() == 1
    slider = player.locator("input.anim-slider")
    image = player.locator("img")
    # The player's script sets the slider's range from its frames once it has started.
    page.wait_for_function("s => s.max !== '1'", arg=slider.element_handle())
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    scroll_to(page, player)
    page.wait_for_timeout(1000)
    print("DBG", image.evaluate("i => JSON.stringify(i.getBoundingClientRect()) + getComputedStyle(i).visibility + getComputedStyle(i).display + ' ' + i.checkVisibility()"))
    print("DBG", player.evaluate("p => [...p.closest('.jp-OutputArea-output').querySelectorAll('img')].map(i => i.id + ' ' + i.className + ' ' + i.parentElement.className + JSON.stringify(i.getBoundingClientRect())).join(' | ')"))
    print("DBG", image.evaluate("i => [...i.attributes].map(a => a.name + \"=\" + a.value.slice(0, 40)).join(\" \")"))
    page.screenshot(path="/tmp/explore/anim.png")
    image.click()
    page.wait_for_timeout(500)
    assert int(slider.evaluate("s => s.max")) == ANIMATION_FRAMES - 1
    first = image.evaluate("img => img.src")
    assert first.startswith("data:image/png;base64,")
    player.get_by_role("button", name="Next frame").click()
    assert slider.evaluate("s => s.value") == "1"
    second = image.evaluate("img => img.src")
    assert second.startswith("data:image/png;base64,") and second != first
    player.get_by_role("button", name="Last frame").click()
    assert slider.evaluate("s => s.value") == str(ANIMATION_FRAMES - 1)
    # Every frame is a picture the browser can draw.
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")

    figure = page.locator(".jp-NotebookPanel .jp-OutputArea-output img").last
    figure.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_folder(tmp_path) / "lecture-figure.png")
    menu(page, "Kernel", "Shut Down Kernel")
