"""nbgrader settings of a student's server: a submission is handed in under the student's hub name
(nbgrader would take the machine's user name, which on Kubernetes is everyone's `jovyan`)."""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
