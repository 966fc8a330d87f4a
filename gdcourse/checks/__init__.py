"""What test cells import: each check in two halves, observe (gdcourse.checks.runtime, in the
kernel) and judge (gdcourse.checks.judges, a pure function of plain data); one module per
assignment with the checks its test cells call."""
