"""The nbgrader settings that grading and a student's Validate share, so that a notebook runs the
same way in both: the course's nbgrader_config.py and the student edition's apply them. It lives
in checks/ because the student edition ships checks/ and not the grading package."""
from traitlets.config import Config


def apply_common_settings(c: Config) -> None:
    c.CourseDirectory.course_id = "gradient-descent-pytorch"
    # A cell may run for 60 s before it is stopped and marked as failed (the slowest reference
    # solution runs well under 2 s; an endless loop must not stall a whole batch).
    c.Execute.timeout = 60
    # The stderr rule: every kernel imports gdcourse.checks.kernel_start first, which shows
    # warnings on stdout, so a passing test cell never scores 0 because torch or matplotlib warned.
    c.Execute.extra_arguments = [
        "--InteractiveShellApp.exec_lines=__import__('gdcourse.checks.kernel_start')",
    ]
