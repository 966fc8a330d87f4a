"""Gradient Descent with PyTorch: the course's Python package, one subpackage per concern.

  checks/   what test cells import: observe (in the kernel) + judge (pure functions) per check,
            one module per assignment; students have it (a student's own run judges in place)
  lecture/  figures and helpers the lectures import; students have it
  grading/  nbgrader extensions (instructors), one subpackage per concern: steps/ (what
            nbgrader_config.py adds to nbgrader's commands), kernels/ (the sandbox, warm kernels),
            solution/ (the solution's run and its cache), feedback/, batch/ (a class at once)
  course/   the course's own jobs (instructors): catalog, example class, submissions, releases,
            grade table, JupyterLab
"""
