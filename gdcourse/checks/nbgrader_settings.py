"""The nbgrader settings that grading and a student's Validate share, so that a notebook runs the
same way in both: the course's nbgrader_config.py and the student edition's apply them. It lives
in checks/ because the student edition ships checks/ and not the grading package."""
from traitlets.config import Config


def kernel_start_arguments(warnings_fail_tests: bool = False) -> list[str]:
    """Execute.extra_arguments: every kernel runs gdcourse.checks.kernel_start first, which shows
    Python warnings on stdout unless `warnings_fail_tests` (stock nbgrader's stderr rule)."""
    call = f"start(warnings_on_stdout={not warnings_fail_tests})"
    return [f"--InteractiveShellApp.exec_lines=__import__('gdcourse.checks.kernel_start')"
            f".checks.kernel_start.{call}"]


def apply_common_settings(c: Config, warnings_fail_tests: bool = False) -> None:
    c.CourseDirectory.course_id = "gradient-descent-pytorch"
    # A cell may run for 60 s before it is stopped and marked as failed (the slowest reference
    # solution runs well under 2 s; an endless loop must not stall a whole batch).
    c.Execute.timeout = 60
    # The stderr rule (gdcourse.checks.kernel_start): a passing test cell never scores 0 because
    # torch or numpy warned, unless warnings_fail_tests asks for stock nbgrader's rule.
    c.Execute.extra_arguments = kernel_start_arguments(warnings_fail_tests)
