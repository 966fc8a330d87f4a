"""This Python's own commands first on PATH: nbgrader runs `alembic` and kernels by name, and
they must be those of the environment the course runs in."""
import os
import sys
from collections.abc import Mapping
from pathlib import Path

BIN = Path(sys.executable).parent


def with_this_python_first(env: Mapping[str, str]) -> dict[str, str]:
    """A copy of the environment `env` whose PATH starts with this Python's bin/."""
    env = dict(env)
    path = env.get("PATH", "")
    if str(BIN) not in path.split(os.pathsep):
        env["PATH"] = f"{BIN}{os.pathsep}{path}"
    return env
