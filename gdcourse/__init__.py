"""Gradient Descent with PyTorch: helpers for the lectures and the course's grading set-up.

One concern a module:
  checks          what test cells call: comparisons whose failures teach
  plots           figures of the chapter 1 lecture (the notebook computes, these only draw)
  autograd_graph  walks and draws a tensor's grad_fn graph (chapter 3 lecture)
  regression_plots  figures of the chapter 4 and 5 lectures (lines over data, curves, snapshots)
  animation_checks  reads a FuncAnimation's frames as data for chapter 5's tests (never renders)
  grading_kernel  imported into every grading kernel (warnings must not fail a test)
  notebook_cells  finding and filling nbgrader cells in a notebook
  catalog         the mistake catalog: answers per exercise, expected scores and hints
  nbgrader_commands  runs plain nbgrader commands on a course folder
  submissions     writes catalog answers into release notebooks as student submissions
  grade_table     reads grades.csv and prints the student x assignment table
  example_class   the main job: grade the bundled example class end to end
  release         regenerates release/ from source/ with nbgrader
"""
