"""Regenerate release/ from source/ with `nbgrader generate_assignment`, every chapter."""
import argparse
import os
from pathlib import Path

from .catalog import assignment_names
from .nbgrader_commands import nbgrader


def generate_releases(course_root: str | os.PathLike[str],
                      log_file: str | os.PathLike[str] | None = None) -> None:
    # nbgrader reads the assignment's name as a file pattern: "*" is every assignment in source/,
    # in one run (one start of nbgrader instead of one per assignment).
    if assignment_names(course_root):
        nbgrader(course_root, "generate_assignment", "*", "--force", log_file=log_file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    course_root = Path(parser.parse_args().course).resolve()
    generate_releases(course_root)
    print(f"release/ regenerated for: {', '.join(assignment_names(course_root))}")


if __name__ == "__main__":
    main()
