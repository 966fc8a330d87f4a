"""Gradient Descent with PyTorch: the course's Python package, one subpackage per concern.

  checks/   what test cells import: observe (in the kernel) + judge (pure functions) per check,
            one module per assignment; students have it (a student's own run judges in place)
  lecture/  figures and helpers the lectures import; students have it
  grading/  nbgrader extensions (instructors): sandbox, execution, the trusted run of the
            solution, verdicts, feedback, flags
  course/   the course's own jobs (instructors): catalog, example class, submissions, releases,
            grade table, JupyterLab
"""
