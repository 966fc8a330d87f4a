"""Run first in every kernel that nbgrader starts to validate or autograde (nbgrader_config.py,
the course's and the student edition's, through gdcourse.checks.nbgrader_settings).

The stderr rule, the one place where grading differs from stock nbgrader on purpose: nbgrader
scores a test cell 0 when anything reaches stderr, even if every assertion passed, and torch,
numpy and matplotlib report harmless warnings there. With `warnings_on_stdout` (the course's
setting) Python warnings are shown on stdout instead: still visible in the feedback, never a
failure. Without it, warnings stay on stderr and fail the test cell, as in stock nbgrader.

Test cells are framed so that a failure is judged against the cell's later checks before it is
reported, as grading does (gdcourse.checks.runtime.install).

Nothing here defends the grading: verdicts are decided outside the kernel (docs/GRADING.md), so
nothing a kernel does to itself can change them. A fork server may import this module before any
kernel exists; what it does happens when a kernel calls start().
"""
import sys
import warnings
from typing import TextIO


def _show_warning_on_stdout(message: Warning | str, category: type[Warning], filename: str,
                            lineno: int, file: TextIO | None = None,
                            line: str | None = None) -> None:
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


def start(warnings_on_stdout: bool = True) -> None:
    """Called by the kernel's first line (IPython's exec_lines)."""
    if warnings_on_stdout:
        warnings.showwarning = _show_warning_on_stdout
    # In nbgrader validate, judge each test cell's failures against its later checks, from the
    # first test cell on.
    from gdcourse.checks.runtime import install

    install()
