"""A student in JupyterLab, in a real browser: from the start page to an assignment, answered,
run and validated; and a lecture run to its animation. JupyterLab runs on the student edition of
a fresh clone of the course, started by the command behind `make lab`; Validate is nbgrader's own
button, validating with the edition's configuration."""
from pathlib import Path

import nbformat
import pytest

from browser import (current_notebook, menu, open_in_jupyterlab, restart_and_run_all,
                     save_screenshot, scroll_to, type_into_cell, validate)
from course import fresh_clone
from gdcourse.course.catalog import find_entry
from gdcourse.course.lab import START_PAGE
from gdcourse.grading.notebook_cells import is_answer_cell
from gdcourse.course.submissions import submission_from_entry
from gdcourse.grading.notebook_cells import course_notebook
from jupyterlab import running_jupyterlab

pytestmark = pytest.mark.xdist_group("browser-student")

ASSIGNMENT = "01-gradient-descent"
LECTURE = "notebooks/05-fitting-a-line.ipynb"
ANIMATION_FRAMES = 81  # the lecture animates 80 updates from the starting a: frames 0 … 80
# Errors and anything else written to stderr (warnings): a finished, correct notebook has none.
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    course = fresh_clone(folder / "course")
    with running_jupyterlab(course, folder / "jupyterlab") as lab:
        yield lab


def test_the_student_sees_the_student_edition_only(student_lab):
    """`make lab` serves the student edition: no source/, no catalog, no grading set-up."""
    top = {item["name"] for item in student_lab.api("api/contents")["content"]}
    assert {"START.ipynb", "notebooks", "release"} <= top, top
    assert not top & {"source", "catalog", "tests", "autograded"}, top
    package = {item["name"] for item in student_lab.api("api/contents/gdcourse")["content"]}
    assert "grading" not in package and "course" not in package, package


def answers(course, entry_id):
    """{cell index: (text, is Markdown)} of the answer cells, as the catalog entry answers them."""
    submission = submission_from_entry(course, find_entry(course, ASSIGNMENT, entry_id))
    return {i: (cell.source, cell.cell_type == "markdown")
            for i, cell in enumerate(submission.cells) if is_answer_cell(cell)}


def test_student_answers_runs_all_and_validates(student_lab, page, tmp_path):
    course = student_lab.root
    release = course_notebook(course, "release", ASSIGNMENT)
    cell_count = len(nbformat.read(release, as_version=4).cells)

    # The start page links to every lecture and assignment: one click opens the assignment.
    open_in_jupyterlab(page, student_lab, START_PAGE)
    chapter = page.locator(".jp-RenderedMarkdown tr", has_text="Gradient descent by hand")
    chapter.get_by_role("link", name="assignment").click()
    notebook = current_notebook(page, release.name, cell_count)
    cells = notebook.locator(".jp-Cell")

    # Every answer cell typed in, the written answer too: Validate passes only a finished notebook.
    correct = answers(course, "correct")
    for index, (text, markdown) in correct.items():
        type_into_cell(page, cells.nth(index), text, markdown)
    restart_and_run_all(page, notebook)
    stderr = notebook.locator(STDERR)
    assert stderr.count() == 0, stderr.all_inner_texts()
    dialog = validate(page, notebook)
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    dialog.get_by_role("button", name="Ok").click()

    # A mistake from the catalog: the loop takes one step too few.
    wrong = find_entry(course, ASSIGNMENT, "one-step-too-few")
    hint = "One step too few: the loop must run number_steps times."
    assert hint in wrong.hints
    for index, (text, markdown) in answers(course, wrong.id).items():
        if text != correct[index][0]:
            type_into_cell(page, cells.nth(index), text, markdown)
    restart_and_run_all(page, notebook)
    # Run all stops at the failing test; its output says what came back, and why it is wrong.
    assert stderr.count() == 1, stderr.all_inner_texts()
    assert hint in stderr.inner_text()
    dialog = validate(page, notebook)
    text = dialog.inner_text()
    assert "Success" not in text
    assert "gradient_descent(1.0, 0.2, 20) returned 6.0936e-05, expected 3.65616e-05." in text, text
    assert hint in text, text
    # The dialog shows the failing cell, then its error: scroll down to the error for the picture.
    dialog.evaluate("""d => d.querySelectorAll('*').forEach(e => {
        if (e.scrollHeight > e.clientHeight) e.scrollTop = e.scrollHeight; })""")
    save_screenshot(page, "assignment-validated.png", tmp_path)
    dialog.get_by_role("button", name="Ok").click()


def test_student_runs_the_animation_lecture(student_lab, page, tmp_path):
    cell_count = len(nbformat.read(student_lab.root / LECTURE, as_version=4).cells)
    open_in_jupyterlab(page, student_lab, LECTURE)
    notebook = current_notebook(page, Path(LECTURE).name, cell_count)
    restart_and_run_all(page, notebook, timeout=300_000)
    stderr = notebook.locator(STDERR)
    assert stderr.count() == 0, stderr.all_inner_texts()

    # matplotlib's jshtml player: a picture of the current frame, a slider and step buttons.
    player = notebook.locator(".animation")
    assert player.count() == 1
    slider, picture = player.locator("input.anim-slider"), player.locator("img")
    # The player's script sets the slider's range from its frames once it has started.
    page.wait_for_function("slider => slider.max !== '1'", arg=slider.element_handle())
    assert int(slider.evaluate("slider => slider.max")) == ANIMATION_FRAMES - 1
    scroll_to(page, player)
    picture.click()  # selects the cell: JupyterLab scrolls to it, and the buttons stay put after
    page.wait_for_timeout(300)
    box = picture.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200, f"the frame is not drawn: {box}"
    frames = [picture.evaluate("img => img.src")]
    player.get_by_role("button", name="Next frame").click()
    assert slider.evaluate("slider => slider.value") == "1"
    frames.append(picture.evaluate("img => img.src"))
    player.get_by_role("button", name="Last frame").click()
    assert slider.evaluate("slider => slider.value") == str(ANIMATION_FRAMES - 1)
    frames.append(picture.evaluate("img => img.src"))
    assert all(frame.startswith("data:image/png;base64,") for frame in frames)
    assert len(set(frames)) == 3, "stepping through the player must change the picture"
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")

    save_screenshot(page, "lecture-figure.png", tmp_path)
    menu(page, "Kernel", "Shut Down Kernel")
