"""The instructor's solution, run once per assignment in a sandboxed kernel: the expected side of
every check, cached in the course folder."""
