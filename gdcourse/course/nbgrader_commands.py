"""Running plain nbgrader commands on a course folder, as an instructor would type them."""
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error; the message ends with the end of its log."""


def command_env():
    """The environment for nbgrader: it runs `alembic` and kernels by name, so the venv comes first."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(course_root, *args, log_file=None):
    """Run `nbgrader ARGS` in `course_root`; its output goes to `log_file` (appended) if given.

    Returns nbgrader's output. Raises NbgraderFailed when it exits with an error.
    """
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course_root, env=command_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log_file is not None:
        with open(log_file, "a") as log:
            log.write(f"$ nbgrader {' '.join(args)}\n{result.stdout}\n")
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-25:])
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n{tail}")
    return result.stdout
