"""Imported into every kernel that nbgrader starts to validate or autograde (nbgrader_config.py,
the course's and the student edition's).

Warnings never fail a test. nbgrader scores a test cell 0 when it writes anything to stderr, even
if every assertion passed; torch and matplotlib report harmless warnings on stderr. Here Python
warnings are shown on stdout instead: still visible in the feedback, never a failure.

Test cells are framed so that a failure is judged against the cell's later checks before it is
reported, as grading does (gdcourse.checks.runtime.install).

Nothing here defends the grading: verdicts are decided outside the kernel (docs/GRADING.md), so
nothing a kernel does to itself can change them.
"""
import sys
import warnings
from typing import TextIO


def _show_warning_on_stdout(message: Warning | str, category: type[Warning], filename: str,
                            lineno: int, file: TextIO | None = None,
                            line: str | None = None) -> None:
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


warnings.showwarning = _show_warning_on_stdout

# In nbgrader validate, judge each test cell's failures against its later checks, from the first
# test cell on (gdcourse.checks.runtime.install).
from gdcourse.checks.runtime import install  # noqa: E402

install()
