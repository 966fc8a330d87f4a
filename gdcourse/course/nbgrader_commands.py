"""Running plain nbgrader commands on a course folder, as an instructor would type them."""
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from gdcourse.python_env import BIN, with_this_python_first


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error; the message ends with the end of its log."""


def command_env() -> dict[str, str]:
    """The environment for nbgrader: it runs `alembic` and kernels by name, so the venv comes first."""
    return with_this_python_first(os.environ)


def run_command(course_root: str | os.PathLike[str], command: Sequence[str], shown: str,
                log_file: str | os.PathLike[str] | None = None) -> str:
    """Run `command` in `course_root`; its output goes to `log_file` (appended) if given, after
    `$ shown`. Returns the output. Raises NbgraderFailed when it exits with an error."""
    result = subprocess.run(command, cwd=course_root, env=command_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log_file is not None:
        with open(log_file, "a") as log:
            log.write(f"$ {shown}\n{result.stdout}\n")
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-25:])
        raise NbgraderFailed(f"`{shown}` failed (exit {result.returncode}):\n{tail}")
    return result.stdout


def nbgrader(course_root: str | os.PathLike[str], *args: str,
             log_file: str | os.PathLike[str] | None = None) -> str:
    """Run `nbgrader ARGS` in `course_root` (see run_command)."""
    return run_command(course_root, [str(BIN / "nbgrader"), *args],
                       f"nbgrader {' '.join(args)}", log_file)
