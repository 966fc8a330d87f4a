"""Every user's server on the course's JupyterHub: the course's JupyterLab defaults (the "defer"
windowing mode, so that chapter 5's animation shows; see gdcourse/course/lab.py)."""
import os

c = get_config()  # noqa: F821 -- provided by Jupyter Server when it loads this file

c.LabServerApp.app_settings_dir = os.path.join(os.environ["GDCOURSE_EDITION"], "lab-settings")
