"""Gradient Descent with PyTorch: helpers for the lectures and the course's grading set-up.

One concern a module.

Used by test cells and lectures (students have these installed; no solutions in them):
  checks            what test cells call: comparisons whose failures teach
  animation_checks  reads a FuncAnimation's frames as data for chapter 5's tests (never renders)
  plots             figures of the chapter 1 lecture (the notebook computes, these only draw)
  autograd_graph    walks and draws a tensor's grad_fn graph (chapter 3 lecture)
  regression_plots  figures of the chapter 4 and 5 lectures (lines over data, curves, snapshots)

Grading set-up, wired into nbgrader by nbgrader_config.py (docs/GRADING.md):
  grading_kernel    imported into every grading kernel: warnings on stdout; snapshot and restore
  safe_reading      the exporter that reads broken submissions; names renamed notebooks
  rebuild           grades the release notebook with the submission's answers
  answer_screening  an answer cell reduced to its definitions, tampering removed and reported
  safe_execute      runs the notebook in the sandbox; limits and dead kernels become cell errors
  sandbox           the bubblewrap kernel manager and its limits
  sandbox_launcher  runs inside the sandbox: sets limits, drops root, starts the kernel
  flags             writes what grading ignored to the gradebook (flag and comment)
  feedback          hidden tests marked for grading and kept out of students' feedback
  feedback_summary  the results table opening each feedback page: points, passes, failures, hints

The course's own jobs:
  notebook_cells    finding and filling nbgrader cells in a notebook
  course_folder     a working copy of the course to grade in (tests, benchmark)
  catalog           the mistake catalog: answers per exercise, expected scores and hints
  submissions       writes catalog answers into release notebooks as student submissions
  hostile           hostile and broken submissions made from the catalog (catalog/hostile.yaml)
  nbgrader_commands runs plain nbgrader commands on a course folder
  grade_table       reads grades.csv and prints the student x assignment table
  example_class     the main job: grade the bundled example class end to end
  release           regenerates release/ from source/ with nbgrader
"""
