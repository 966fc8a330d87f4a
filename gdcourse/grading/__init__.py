"""nbgrader extensions wired in by nbgrader_config.py: the sandbox, execution, verdicts decided
outside the student's kernel, feedback and flags (docs/GRADING.md)."""
