"""nbgrader settings for the Validate button (students): run the notebook as the grader will."""
c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "gradient-descent-pytorch"
c.Execute.timeout = 60
# Python warnings on stdout: nbgrader counts a test cell that writes to stderr as failed.
c.Execute.extra_arguments = [
    "--InteractiveShellApp.exec_lines=__import__('gdcourse.checks.kernel_start')",
]
