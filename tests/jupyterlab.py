"""A real JupyterLab for browser tests: started on a free loopback port, stopped afterwards.

It is started as `make lab` and `make formgrader` start it (the venv's `jupyter lab`, from the
course folder, so that nbgrader's server extensions read the course's nbgrader_config.py), with a
token and no browser of its own.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

JUPYTER = Path(sys.executable).parent / "jupyter"


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


def _wait_until_up(lab, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{lab.log_text()[-3000:]}")
        try:
            lab.api("api/status")
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"jupyter lab did not answer in {timeout} s:\n{lab.log_text()[-3000:]}")


@contextmanager
def running_jupyterlab(root, log, timeout=60):
    """Start JupyterLab on the course folder `root`; yields a JupyterLab; stops it on exit."""
    root = Path(root)
    lab = JupyterLab(root, free_port(), secrets.token_hex(16), log)
    # The venv's bin first: nbgrader runs helper commands (alembic) by name, as under `make`.
    env = dict(os.environ, PATH=f"{JUPYTER.parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("NBGRADER_EXECUTION", None)
    command = [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={lab.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={lab.token}",
               f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # CI machines run as root; `make lab` does the same
    with open(lab.log, "w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_until_up(lab, process, timeout)
        yield lab
    finally:
        # The whole process group: the server and the kernels it started.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
