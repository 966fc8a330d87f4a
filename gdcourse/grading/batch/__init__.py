"""Grading a whole class at once (`python -m gdcourse.grading.batch`): a coordinator hands each
submission to a worker (a process here, or a Dask cluster's), which grades it with nbgrader's own
Autograde in a scratch course; the coordinator alone writes the gradebook."""
