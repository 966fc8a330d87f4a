"""A server the browser tests start (JupyterLab, JupyterHub): its own process group, its output
in a log, waited for until it answers, stopped with everything it started."""
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path


def log_tail(log, characters=3000):
    return Path(log).read_text(errors="replace")[-characters:]


@contextmanager
def server_process(name, command, cwd, env, log, answers, timeout=60, stop_timeout=15):
    """Run `command`; returns once `answers()` stops raising OSError. On exit, SIGTERM to its
    process group (a server stops what it started: kernels, users' servers, a proxy), then
    SIGKILL if it hangs."""
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log_tail(log)}")
            try:
                answers()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer in {timeout} s:\n{log_tail(log)}")
                time.sleep(0.25)
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
