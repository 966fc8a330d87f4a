"""Imported into every kernel that nbgrader starts to validate or autograde (see nbgrader_config.py).

Warnings never fail a test. nbgrader scores a test cell 0 when it writes anything to stderr, even
if every assertion passed; torch and matplotlib report harmless warnings on stderr. Here Python
warnings are shown on stdout instead: still visible in the feedback, never a failure.

Nothing here defends the grading: verdicts are decided outside the kernel
(gdcourse.grading.verdicts), so nothing a kernel does to itself can change them.
"""
import sys
import warnings


def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None):
    sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))


warnings.showwarning = _show_warning_on_stdout
