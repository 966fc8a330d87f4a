"""The course's own jobs: the mistake catalog, the example class, submissions, releases, the grade
table and opening JupyterLab."""
