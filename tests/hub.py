"""The course's JupyterHub (hub/jupyterhub_config.py) for browser tests, as `make hub` runs it:
PAM logins of real Linux accounts (tests/accounts.py), each user's server spawned as that user,
from the course's virtual environment. Started on a free loopback port, stopped afterwards.

The test's own configuration file loads the course's and only gives a loaded test machine more
time to start a user's server.
"""
import os
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from accounts import password_of
from jupyterlab import free_port
from server_process import server_process

TEST_CONFIG = """\
c = get_config()
load_subconfig("jupyterhub_config.py", path={hub!r})
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
"""


class Hub:
    def __init__(self, port, shared, log):
        self.base = f"http://127.0.0.1:{port}"
        self.shared, self.log = shared, log
        self.exchange, self.edition = shared / "exchange", shared / "student-edition"

    def url(self, path):
        return f"{self.base}/{path.lstrip('/')}"

    def log_text(self):
        return self.log.read_text(errors="replace")

    def server_environment(self, role):
        """The variables the hub gives a user's server of `role` (hub/jupyterhub_config.py's
        ROLES), for commands run as that user outside the browser (their terminal)."""
        config = self.shared / "jupyter-config"
        paths = {"instructors": [self.course, config / "common"],
                 "students": [config / "student", self.edition, config / "common"]}[role]
        environment = {"JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, paths)),
                       "GDCOURSE_EXCHANGE": str(self.exchange),
                       "GDCOURSE_EDITION": str(self.edition),
                       "PATH": f"{self.venv / 'bin'}{os.pathsep}/usr/bin:/bin"}
        if role == "students":
            environment["PYTHONPATH"] = str(self.edition)
        return environment


@contextmanager
def running_hub(course, venv, place, instructors, students, timeout=90):
    """Start the course's JupyterHub, from `venv`, for the course folder `course`; its roster,
    state and shared folders (exchange, student edition) in `place`. Yields a Hub; stops the hub,
    which stops every user's server."""
    course, venv, place = Path(course), Path(venv), Path(place)
    roster = place / "roster.toml"
    roster.write_text(f"instructors = {sorted(instructors)!r}\nstudents = {sorted(students)!r}\n")
    port = free_port()
    hub = Hub(port, place / "shared", place / "jupyterhub.log")
    hub.course, hub.venv = course, venv
    config = place / "test_jupyterhub_config.py"
    config.write_text(TEST_CONFIG.format(hub=str(course / "hub")))
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin:/usr/sbin:/sbin",
               GDCOURSE_COURSE_FOLDER=str(course), GDCOURSE_ROSTER=str(roster),
               GDCOURSE_SHARED=str(hub.shared), GDCOURSE_HUB_STATE=str(place / "state"),
               GDCOURSE_HUB_URL=f"http://127.0.0.1:{port}")
    for variable in ("NBGRADER_EXECUTION", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(variable, None)
    answers = lambda: urllib.request.urlopen(hub.url("hub/api"), timeout=5).close()  # noqa: E731
    with server_process("jupyterhub", [str(venv / "bin" / "jupyterhub"), "-f", str(config)],
                        place, env, hub.log, answers, timeout=timeout, stop_timeout=30):
        yield hub


def log_in(page, hub, user):
    """Log in on the hub's login page with the account's password; returns once the user's
    JupyterLab has loaded (the hub starts their server on the way)."""
    page.goto(hub.url("hub/login"))
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password_of(user))
    page.locator("#login_submit").click()
    page.wait_for_url(f"**/user/{user}/lab**", timeout=120_000)
    page.locator(".jp-LabShell").wait_for(timeout=120_000)


@contextmanager
def evidence_on_failure(hub, pages, folder):
    """On a failure inside, save each page's screenshot in `folder` and add the end of the hub's
    log (the users' servers log there too) to the error."""
    try:
        yield
    except Exception as error:
        for name, page in pages.items():
            try:
                page.screenshot(path=Path(folder) / f"{name}.png")
            except Exception:  # a page that cannot be shot must not hide the real error
                pass
        raise AssertionError(f"{error}\n\nScreenshots: {folder}. The hub's log ends:\n"
                             f"{hub.log_text()[-4000:]}") from error
