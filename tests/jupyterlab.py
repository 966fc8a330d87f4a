"""A real JupyterLab for browser tests: started on a free loopback port, stopped afterwards.

It is started by the command behind `make lab` and `make formgrader` (gdcourse.course.lab: the venv's
`jupyter lab`, from the course folder, with the course's JupyterLab settings), with a token, no
browser of its own, and settings and workspaces of its own (not the user's: a test must
not depend on, or change, what someone's JupyterLab remembers).
"""
import json
import os
import secrets
import socket
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from server_process import server_process

VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterLab:
    def __init__(self, root, port, token, log):
        self.root, self.port, self.token, self.log = Path(root), port, token, Path(log)
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path):
        """A page of this server, the token included (as the link `jupyter lab` prints)."""
        separator = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path):
        request = urllib.request.Request(f"{self.base}/{path.lstrip('/')}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def log_text(self):
        return self.log.read_text(errors="replace")


def _own_settings(folder):
    """Settings and workspaces of the test's own (the course's defaults, lab-settings/, apply)."""
    return {"JUPYTERLAB_SETTINGS_DIR": str(folder / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces")}


@contextmanager
def running_jupyterlab(root, workdir, formgrader=False, timeout=60):
    """Start JupyterLab on the course folder `root` (its log, settings and workspaces in
    `workdir`); yields a JupyterLab; stops it, and the kernels it started, on exit."""
    root, workdir = Path(root), Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    lab = JupyterLab(root, free_port(), secrets.token_hex(16), workdir / "jupyterlab.log")
    # The venv's bin first: nbgrader runs helper commands (alembic) by name, as under `make`.
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
               **_own_settings(workdir))
    env.pop("NBGRADER_EXECUTION", None)
    command = [sys.executable, "-m", "gdcourse.course.lab", *(["--formgrader"] if formgrader else []),
               "--no-browser", "--ip=127.0.0.1", f"--port={lab.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={lab.token}"]
    with server_process("jupyter lab", command, root, env, lab.log,
                        answers=lambda: lab.api("api/status"), timeout=timeout):
        yield lab
