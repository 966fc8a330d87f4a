"""nbgrader settings for the Validate button (students): run the notebook as the grader will."""
from gdcourse.checks.nbgrader_settings import apply_common_settings

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file
apply_common_settings(c)
