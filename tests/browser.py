"""Driving Debian's chromium with Playwright, and what the browser tests do in JupyterLab.

Playwright cannot download its own browsers here (DESIGN.md §6): it drives /usr/bin/chromium,
which `make setup` installs. Pages may reach the test's own JupyterLab and local files only: any
other request (a CDN for fonts or MathJax) is refused at once, so that no test waits on, or
depends on, the network.
"""
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from course import ROOT

CHROMIUM = os.environ.get("GDCOURSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
LOCAL = re.compile(r"^(https?://127\.0\.0\.1[:/]|file:|data:|blob:|about:)")

# The README's screenshots, made by the browser tests: `make screenshots` writes them here.
SCREENSHOTS = ROOT / "docs" / "screenshots"
SCREENSHOT_NAMES = ("lecture-figure.png", "assignment-validated.png", "formgrader.png",
                    "feedback.png", "class-report.png", "formgrader-plot.png")


def save_screenshot(page, name, tmp_path):
    """Save the page as one of the README's screenshots: in docs/screenshots/ when
    GDCOURSE_SCREENSHOTS is set (`make screenshots`), else in the test's temporary folder."""
    assert name in SCREENSHOT_NAMES, f"{name} is not one of the README's screenshots"
    folder = SCREENSHOTS if os.environ.get("GDCOURSE_SCREENSHOTS") else Path(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / name)
    return folder / name


@contextmanager
def chromium_browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser):
    """A browser context (its own cookies: one user) whose pages reach local addresses only."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.route(lambda url: not LOCAL.match(url), lambda route: route.abort())
    return context


@contextmanager
def new_page(browser):
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


# --- JupyterLab --------------------------------------------------------------------------------

def open_in_jupyterlab(page, lab, path):
    """Open a file in JupyterLab, in a workspace of its own (reset: the only tab open)."""
    workspace = re.sub(r"\W+", "-", str(path))
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}?reset"))


def current_notebook(page, name, cell_count):
    """The notebook in the current tab, once that tab is the notebook file `name` and all its
    `cell_count` cells are on the page."""
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=name).wait_for()
    shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")  # other tabs' are hidden
    shown.last.wait_for()
    panel = page.locator(f"[id='{shown.last.get_attribute('id')}']")
    panel.locator(".jp-Cell").nth(cell_count - 1).wait_for()
    assert panel.locator(".jp-Cell").count() == cell_count
    return panel


def type_into_cell(page, cell, text, markdown=False):
    """Replace a cell's text as a student would: click into it, select all, type.

    insert_text types the text as one input event: CodeMirror would otherwise indent each new
    line on its own, on top of the indentation the text already has."""
    if markdown:
        cell.dblclick()  # a rendered Markdown cell opens its editor on double-click
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def menu(page, *path):
    """Choose a menu item from JupyterLab's menu bar, e.g. menu(page, "Edit", "Clear …")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=path[0]).click()
    for label in path[1:]:
        page.locator(".lm-Menu:visible .lm-Menu-itemLabel", has_text=label).first.click()


def restart_and_run_all(page, panel, timeout=180_000):
    """Edit → Clear Outputs of All Cells, then Kernel → Restart Kernel and Run All Cells (the
    toolbar's ⏩ button); waits until the kernel has run every cell it will run (it stops at the
    first error). Clearing first blanks the prompts, so that the finished run is the one seen."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    panel.locator("[data-command='notebook:restart-run-all']").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()  # "Restart", in the confirmation dialog
    page.wait_for_function(
        """panel => {
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent);
            const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
            return prompts.some(p => /\\d/.test(p)) && !prompts.some(p => p.includes('*'))
                && status.getAttribute('data-status') === 'idle';
        }""", arg=panel.element_handle(), timeout=timeout)


def validate(page, panel, timeout=180_000):
    """Press nbgrader's Validate button; returns the result dialog (a Locator)."""
    panel.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog").filter(has_text="Validation")
    dialog.wait_for(timeout=timeout)
    return dialog


def scroll_to(page, element, top=120):
    """Scroll the notebook under the mouse wheel, as a student would, until `element` is near
    the top of the window."""
    page.mouse.move(VIEWPORT["width"] * 0.6, VIEWPORT["height"] * 0.5)
    for _ in range(200):
        offset = element.evaluate("e => e.getBoundingClientRect().top") - top
        if abs(offset) < 80:
            return
        page.mouse.wheel(0, max(-600, min(600, offset)))
        page.wait_for_timeout(50)
    raise AssertionError("could not scroll to the element")


# --- formgrader --------------------------------------------------------------------------------

def grade_by_hand(page, assignment, student, grade_id, points, comment):
    """From any formgrader page: Manual Grading → the assignment → its notebook (named as the
    assignment) → the student's submission; give the cell `grade_id` its points and a comment,
    saved as the grader leaves each field."""
    page.get_by_role("link", name="Manual Grading").click()
    page.get_by_role("link", name=assignment).click()
    page.get_by_role("link", name=assignment).click()
    page.get_by_role("button", name="Show All Names").click()
    page.locator("tr", has_text=student).get_by_role("link").first.click()
    # formgrader binds its handlers once its scripts have loaded: a value typed before that is
    # never saved (seen on a loaded machine).
    page.wait_for_load_state("networkidle")
    score = page.locator(f"input.score#{grade_id}")
    score.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT"
                              and r.ok):
        score.fill(str(points))
        score.press("Tab")
    box = page.locator(f"textarea#{grade_id}-comment")
    with page.expect_response(lambda r: "/api/comment/" in r.url and r.request.method == "PUT"
                              and r.ok):
        box.fill(comment)
        box.press("Tab")
