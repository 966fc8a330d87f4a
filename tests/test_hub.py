"""A class on the course's JupyterHub, as `make hub` runs it on one server, with real Linux
accounts: an instructor and two students log in with their passwords (PAM), and each user's
server runs as that user, from the course's environment built with the system's own Python
(Debian 12's 3.11.2, which every account can run).

The instructor releases chapter 6 in formgrader; Ada fetches it from the Assignments tab, answers
(a training loop without zero_grad), validates and submits; Ben fetches and submits his own (right)
answers in a terminal, then hands in an empty notebook in Ada's name. The instructor collects (the
submission in Ada's name is refused, and said so), autogrades as the instructor's own account (not
root), grades Ada's written answer, and releases the feedback; Ada reads hers, Ben fetches none of
hers. Then each student tries to reach the course's secrets, the other's work, and what everyone
shares; every attempt is refused. The instructor's batch command grades the class again, and root
grades a copy: the same grades.
"""
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from accounts import (PLACE, SYSTEM_PYTHON, accounts, can_make_accounts, closed_to_students,
                      home, open_to_everyone, remove, run_as, system_environment)
from browser import grade_by_hand, menu, new_context, open_in_jupyterlab, type_into_cell, validate
from course import ROOT, feedback_text, fresh_clone, results_table
from gdcourse.course.catalog import find_entry
from gdcourse.course.submissions import fill_answers
from hub import evidence_on_failure, log_in, running_hub

pytestmark = [pytest.mark.xdist_group("hub"),
              pytest.mark.skipif(can_make_accounts() is not None,
                                 reason=str(can_make_accounts()))]

COURSE_ID = "gradient-descent-pytorch"
ASSIGNMENT = "06-training"   # the last chapter: the whole course reaches the class
ADA_ENTRY = "forgets-zero-grad"
ADA_HINT = "The gradients piled up from batch to batch"
POINTS = 13
TEACHER, ADA, BEN = "gdc-teach", "gdc-ada", "gdc-ben"
WRITTEN_ANSWER = "first-try-question"  # chapter 6's written answer (2 points)
COMMENT = "Right: Adam first, then a sweep of λ on a log scale, watching the validation loss."


def formgrader_row(page, assignment):
    row = page.locator("table.dataTable tbody tr", has_text=assignment)
    row.wait_for()
    return row


def press_and_confirm(page, row, icon, message):
    """Press a formgrader button (its glyph's class) and close the success dialog it opens;
    returns what the dialog said."""
    row.locator(f".glyphicon-{icon}").click()
    dialog = page.locator("#success-modal")
    dialog.wait_for(timeout=180_000)
    said = dialog.inner_text()
    assert message in said, said
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="detached")
    return said


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


class _Server:
    """A user's server behind the hub, for open_in_jupyterlab (which asks for url(path))."""

    def __init__(self, hub, user):
        self.hub, self.user = hub, user

    def url(self, path):
        return self.hub.url(f"user/{self.user}/{path.lstrip('/')}")


def in_terminal(hub, user, role, *argv, cwd=None):
    """A command run as `user`, with the environment the hub gives their server (their terminal)."""
    done = run_as(user, argv, cwd=cwd, env=hub.server_environment(role))
    assert done.returncode == 0, f"{' '.join(map(str, argv))} as {user}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout + done.stderr


def answered(notebook_path, entry_id):
    """The notebook at `notebook_path` (a fetched release) with a catalog entry's answers."""
    return fill_answers(nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                        nbformat.read(notebook_path, as_version=4),
                        find_entry(ROOT, ASSIGNMENT, entry_id).answers)


def write_as_owner(nb, path):
    """Write a notebook where its owner's file is, keeping the file theirs."""
    owner = path.stat()
    nbformat.write(nb, path)
    shutil.chown(path, owner.st_uid, owner.st_gid)


@dataclass
class ClassRun:
    course: Path
    hub: object
    python_version: str
    collected: str                  # what formgrader's collect dialog said
    ada_submitted: str              # the timestamp of Ada's own submission
    ben_fetched_in_adas_name: list  # feedback pages not his own that Ben's fetch in Ada's name got
    ada_results: str                # the results table of Ada's feedback page
    ada_feedback: str
    reachable: list                 # what Ada's file browser reaches


@pytest.fixture(scope="module")
def a_class(browser, tmp_path_factory):
    evidence = tmp_path_factory.mktemp("hub-evidence")
    open_to_everyone(PLACE)
    for item in PLACE.iterdir():  # the environment is kept from one run to the next
        if item.name != "venv":
            remove(item)
    course = fresh_clone(PLACE / "course")
    venv = PLACE / "venv"
    version = system_environment(course, venv)
    with accounts([TEACHER], [ADA, BEN]), closed_to_students(course), \
            running_hub(course, venv, PLACE, [TEACHER], [ADA, BEN]) as hub, \
            new_context(browser) as teacher_context, new_context(browser) as ada_context:
        teacher, ada = teacher_context.new_page(), ada_context.new_page()
        for page in (teacher, ada):
            page.set_default_timeout(60_000)
        with evidence_on_failure(hub, {"teacher": teacher, "ada": ada}, evidence):
            yield run_the_class(course, hub, teacher, ada, version)


def run_the_class(course, hub, teacher, ada, version):
    # The instructor: formgrader on the course folder; generate, then release.
    log_in(teacher, hub, TEACHER)
    teacher.goto(hub.url(f"user/{TEACHER}/formgrader"))
    press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "education",
                      f"Successfully created the student version of '{ASSIGNMENT}'")
    press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "cloud-upload",
                      f"Successfully released '{ASSIGNMENT}'")

    # Ada: no formgrader; fetch from the Assignments tab, answer, validate, submit.
    log_in(ada, hub, ADA)
    assert ada.goto(hub.url(f"user/{ADA}/formgrader")).status == 404
    ada.goto(hub.url(f"user/{ADA}/lab"))
    ada.locator(".jp-LabShell").wait_for()
    ada.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    items = ada.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
    assert "Assignment List" in items and not any("Formgrader" in item for item in items), items
    ada.keyboard.press("Escape")
    assignments_tab(ada)
    released = ada.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    released.get_by_role("button", name="Fetch").click()
    ada.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()
    notebook = home(ADA) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    write_as_owner(answered(notebook, ADA_ENTRY), notebook)
    open_in_jupyterlab(ada, _Server(hub, ADA), f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    shown = ada.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").last
    shown.locator(".jp-Cell").first.wait_for()
    panel = ada.locator(f"[id='{shown.get_attribute('id')}']")
    dialog = validate(ada, panel)
    assert ADA_HINT in dialog.inner_text(), dialog.inner_text()[:2000]
    dialog.locator(".jp-mod-accept").click()
    assignments_tab(ada)
    fetched = ada.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)
    fetched.get_by_role("button", name="Submit").click()
    ada.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()
    cache = home(ADA) / ".local/share/jupyter/nbgrader_cache" / COURSE_ID
    (ada_own,) = cache.glob(f"{ADA}+{ASSIGNMENT}+*")
    ada_submitted = (ada_own / "timestamp.txt").read_text()

    # Ada's kernels import the checks from the student edition, never from the course folder.
    ada.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=f"{ASSIGNMENT}.ipynb").click()
    cells = panel.locator(".jp-Cell")
    count = cells.count()
    cells.last.click()
    ada.keyboard.press("Escape")
    ada.keyboard.press("b")
    type_into_cell(ada, cells.nth(count), "import gdcourse, os; print(gdcourse.__file__, os.getuid())")
    ada.keyboard.press("Shift+Enter")
    output = cells.nth(count).locator(".jp-OutputArea-output")
    output.wait_for()
    module, uid = output.inner_text().split()
    assert module == str(hub.edition / "gdcourse" / "__init__.py")
    assert int(uid) == home(ADA).stat().st_uid, "Ada's kernel does not run as Ada"

    # Ben, in a terminal: his own answers, then an empty notebook handed in in Ada's name (later
    # than hers: stock nbgrader would collect it in place of hers).
    in_terminal(hub, BEN, "students", "nbgrader", "fetch_assignment", ASSIGNMENT)
    his = home(BEN) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    write_as_owner(answered(his, "correct"), his)
    in_terminal(hub, BEN, "students", "nbgrader", "submit", ASSIGNMENT)
    spoof = home(BEN) / "spoof"
    in_terminal(hub, BEN, "students", "mkdir", "-p", spoof / ASSIGNMENT)
    in_terminal(hub, BEN, "students", "cp",
                hub.exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                spoof / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    in_terminal(hub, BEN, "students", "nbgrader", "submit", ASSIGNMENT, f"--student={ADA}",
                cwd=spoof)

    # The instructor: collect (the submission in Ada's name by Ben is refused), autograde both
    # students as the instructor's own account, grade the written answer, feedback out.
    teacher.goto(hub.url(f"user/{TEACHER}/formgrader"))
    collected = press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "cloud-download",
                                  f"Successfully collected submissions of '{ASSIGNMENT}'")
    for student in (ADA, BEN):
        teacher.goto(hub.url(f"user/{TEACHER}/formgrader/manage_submissions/{ASSIGNMENT}"))
        submission = teacher.locator("table.dataTable tbody tr", has_text=student)
        submission.locator(".glyphicon-flash").click()
        done = teacher.locator("#success-modal")
        done.wait_for(timeout=180_000)
        done.get_by_role("button", name="OK").click()
        done.wait_for(state="detached")
    grade_by_hand(teacher, ASSIGNMENT, ADA, WRITTEN_ANSWER, 2, COMMENT)
    teacher.goto(hub.url(f"user/{TEACHER}/formgrader"))
    press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "comment",
                      f"Successfully generated feedback of '{ASSIGNMENT}'")
    press_and_confirm(teacher, formgrader_row(teacher, ASSIGNMENT), "envelope",
                      f"Successfully released feedback of '{ASSIGNMENT}'")

    # Ada fetches her feedback and opens it; Ben fetching feedback in her name gets none.
    assignments_tab(ada)
    submitted = ada.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    ada.get_by_text("(view feedback)").first.click()
    pages = list((home(ADA) / ASSIGNMENT / "feedback").rglob("*.html"))
    assert len(pages) == 1, pages
    ada.goto(hub.url(f"user/{ADA}/files/{pages[0].relative_to(home(ADA))}"))
    ada_results = " ".join(ada.locator(".gdcourse-results").inner_text().split())
    in_terminal(hub, BEN, "students", "nbgrader", "fetch_feedback", ASSIGNMENT, f"--student={ADA}",
                cwd=spoof)
    ben_cache = home(BEN) / ".local/share/jupyter/nbgrader_cache" / COURSE_ID
    (ben_own,) = ben_cache.glob(f"{BEN}+{ASSIGNMENT}+*")
    ben_submitted = (ben_own / "timestamp.txt").read_text()
    # nbgrader fetches the feedback of every submission in the account's own cache: Ben's own
    # feedback is his to fetch; any other would be someone else's.
    fetched = [page for page in spoof.rglob("*.html") if page.parent.name != ben_submitted]
    return ClassRun(course=course, hub=hub, python_version=version, collected=collected,
                    ada_submitted=ada_submitted,
                    ben_fetched_in_adas_name=[str(p) for p in fetched],
                    ada_results=ada_results, ada_feedback=feedback_text(pages[0]),
                    reachable=listed_files(ada, hub, ADA))


def test_the_class_runs_on_the_systems_own_python(a_class):
    said = run_as(ADA, [SYSTEM_PYTHON, "-c", "import sys; print(sys.version.split()[0])"]).stdout
    assert a_class.python_version == said.strip(), (a_class.python_version, said)


def test_ada_reads_her_feedback(a_class):
    entry = find_entry(ROOT, ASSIGNMENT, ADA_ENTRY)
    assert a_class.ada_results.startswith(f"Your results: {entry.score + 2:g} / {POINTS}"), \
        a_class.ada_results[:300]
    assert ADA_HINT in " ".join(a_class.ada_feedback.split())
    assert COMMENT in " ".join(a_class.ada_results.split())


def test_a_submission_in_anothers_name_is_refused_and_hers_is_graded(a_class):
    assert f"handed in under the name {ADA} by the account {BEN}" in a_class.collected, a_class.collected
    collected = a_class.course / "submitted" / ADA / ASSIGNMENT / "timestamp.txt"
    assert collected.read_text() == a_class.ada_submitted, "the submission collected is not Ada's own"
    scores = code_scores(a_class.course)
    assert scores[ADA] == find_entry(ROOT, ASSIGNMENT, ADA_ENTRY).score, scores
    assert scores[BEN] == find_entry(ROOT, ASSIGNMENT, "correct").score, scores
    assert not a_class.ben_fetched_in_adas_name, \
        f"Ben fetched feedback in Ada's name: {a_class.ben_fetched_in_adas_name}"


def code_scores(course):
    """{student: autograded points} from the course's gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s.student.id: sum(g.auto_score or 0 for n in s.notebooks for g in n.grades
                                  if g.cell_type == "code")
                for s in gradebook.find_assignment(ASSIGNMENT).submissions}


# Each attempt: what, the path, and how ("read" a file, "list" a folder, "write" a file).
def attempts(course, hub, student, other):
    exchange = hub.exchange / COURSE_ID
    cache = next((course / ".gdcourse-cache" / "trusted" / ASSIGNMENT).glob("*.json"))
    return [
        ("the solutions", course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "read"),
        ("the course folder", course, "list"),
        ("the mistake catalog", course / "catalog" / f"{ASSIGNMENT}.yaml", "read"),
        ("the gradebook", course / "gradebook.db", "read"),
        ("the autograded notebooks", course / "autograded", "list"),
        ("another's autograded notebook", course / "autograded" / other / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "read"),
        ("the solution's cached run", cache, "read"),
        ("the course's configuration", course / "nbgrader_config.py", "write"),
        ("a file in the course folder", course / "planted.txt", "write"),
        ("the other student's home", home(other), "list"),
        ("the other student's notebook", home(other) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "read"),
        ("the exchange's submissions", exchange / "inbound", "list"),
        ("the exchange's feedback", exchange / "feedback", "list"),
        ("the released assignment", exchange / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", "write"),
        ("the student edition's checks", hub.edition / "gdcourse" / "checks" / "runtime.py", "write"),
        ("a file in the student edition", hub.edition / "planted.py", "write"),
        ("the users' Jupyter settings", hub.shared / "jupyter-config" / "common" / "nbgrader_config.py", "write"),
        ("the course's Python environment", hub.venv / "lib" / "python3.11" / "site-packages" / "planted.pth", "write"),
    ]


TRY = """\
import json, os, sys
said = {}
for path, how in json.loads(sys.argv[1]):
    try:
        if how == "read":
            open(path, "rb").read(1)
        elif how == "list":
            os.listdir(path)
        else:
            open(path, "ab").close()
        said[path] = "allowed"
    except OSError as error:
        said[path] = f"refused: {type(error).__name__}: {error.strerror}"
print(json.dumps(said))
"""


@pytest.mark.parametrize("student, other", [(ADA, BEN), (BEN, ADA)])
def test_a_student_reaches_nothing_of_the_course_or_of_the_other(a_class, student, other):
    tried = attempts(a_class.course, a_class.hub, student, other)
    for what, path, how in tried:
        if how != "write" or path.exists():
            assert path.exists(), f"the test's path for {what} does not exist: {path}"
    done = run_as(student, [a_class.hub.venv / "bin" / "python", "-c", TRY,
                            json.dumps([(str(path), how) for _, path, how in tried])])
    said = json.loads(done.stdout)
    report = "\n".join(f"{student} {how}s {what} ({path}): {said[str(path)]}" for what, path, how in tried)
    print(report)
    allowed = [line for line in report.splitlines() if line.endswith(": allowed")]
    assert not allowed, "attempts that were not refused:\n" + "\n".join(allowed)
    assert not (a_class.course / "planted.txt").exists()
    # Through her own server: her work, her feedback, the lectures; nothing of the course.
    if student == ADA:
        assert any(path.startswith("lectures/") for path in a_class.reachable), a_class.reachable
        assert not any(part in {"source", "catalog", "gradebook.db", "autograded"}
                       for path in a_class.reachable for part in path.split("/")), a_class.reachable


def test_the_instructors_batch_and_root_grade_as_formgrader_did(a_class, tmp_path):
    """The batch command run by the instructor's account (sandbox on, not root) regrades the class
    with the same scores as formgrader's autograde; so does root's nbgrader autograde of a copy."""
    course, hub = a_class.course, a_class.hub
    before = code_scores(course)
    in_terminal(hub, TEACHER, "instructors", hub.venv / "bin" / "python", "-m",
                "gdcourse.grading.batch", ASSIGNMENT, "--force", cwd=course)
    assert code_scores(course) == before
    copy = PLACE / "graded-by-root"
    shutil.copytree(course, copy, symlinks=True)
    done = run_as("root", [hub.venv / "bin" / "nbgrader", "autograde", ASSIGNMENT, "--force"],
                  cwd=copy, env={"PATH": f"{hub.venv / 'bin'}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert code_scores(copy) == before
