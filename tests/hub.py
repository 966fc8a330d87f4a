"""The course's JupyterHub (hub/jupyterhub_config.py) for browser tests: started on a free loopback
port with stand-in users, stopped afterwards.

The course's configuration is loaded as it is; the test's own file only swaps what a test machine
cannot have: the machine's user accounts (PAM) become JupyterHub's dummy login with a password,
and each user's home a folder of the test (every server runs as the test's own user).
"""
import os
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from jupyterlab import free_port
from server_process import server_process

VENV_BIN = Path(sys.executable).parent
PASSWORD = "gradient-descent"

TEST_CONFIG = """\
c = get_config()
load_subconfig("jupyterhub_config.py", path={hub!r})
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.args = {args!r}
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
"""


class Hub:
    def __init__(self, port, homes, exchange, edition, log):
        self.base = f"http://127.0.0.1:{port}"
        self.homes, self.exchange, self.edition, self.log = homes, exchange, edition, log

    def url(self, path):
        return f"{self.base}/{path.lstrip('/')}"

    def home(self, user):
        return self.homes / user

    def log_text(self):
        return self.log.read_text(errors="replace")


@contextmanager
def running_hub(course, workdir, instructors, students, timeout=60):
    """Start the course's JupyterHub for the course folder `course` (its state, exchange, student
    edition and users' homes in `workdir`); yields a Hub; stops the hub and every user's server."""
    course, workdir = Path(course), Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    roster = workdir / "roster.toml"
    roster.write_text(f"instructors = {sorted(instructors)!r}\nstudents = {sorted(students)!r}\n")
    port = free_port()
    shared = workdir / "shared"
    hub = Hub(port, workdir / "homes", shared / "exchange", shared / "student-edition",
              workdir / "jupyterhub.log")
    config = workdir / "test_jupyterhub_config.py"
    config.write_text(TEST_CONFIG.format(
        hub=str(course / "hub"), password=PASSWORD, homes=str(hub.homes),
        args=["--allow-root"] if os.geteuid() == 0 else []))
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
               GDCOURSE_COURSE_FOLDER=str(course), GDCOURSE_ROSTER=str(roster),
               GDCOURSE_SHARED=str(shared),
               GDCOURSE_HUB_STATE=str(workdir / "state"),
               GDCOURSE_HUB_URL=f"http://127.0.0.1:{port}")
    env.pop("NBGRADER_EXECUTION", None)
    # On exit the hub stops the users' servers, then the proxy, then itself.
    answers = lambda: urllib.request.urlopen(hub.url("hub/api"), timeout=5).close()  # noqa: E731
    with server_process("jupyterhub", [str(VENV_BIN / "jupyterhub"), "-f", str(config)], workdir,
                        env, hub.log, answers, timeout=timeout, stop_timeout=30):
        yield hub


def log_in(page, hub, user):
    """Log in on the hub's login page; returns once the user's JupyterLab has loaded (the hub
    starts their server on the way)."""
    page.goto(hub.url("hub/login"))
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(PASSWORD)
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
