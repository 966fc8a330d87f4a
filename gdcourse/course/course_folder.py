"""A working copy of the course to grade in, away from the instructor's own folders."""
import os
import shutil
from pathlib import Path

GRADING_FILES = ("source", "release", "catalog")


def copy_course(course_root: str | os.PathLike[str], destination: str | os.PathLike[str],
                extra_config: str = "") -> Path:
    """Copy the configuration, source/, release/ and the catalog of `course_root` into
    `destination`; `extra_config` is appended to the copy's nbgrader_config.py."""
    course_root, destination = Path(course_root), Path(destination)
    shutil.copy2(course_root / "nbgrader_config.py", destination / "nbgrader_config.py")
    for folder in GRADING_FILES:
        shutil.copytree(course_root / folder, destination / folder)
    if extra_config:
        with open(destination / "nbgrader_config.py", "a") as config:
            config.write(f"\n{extra_config}\n")
    return destination


def gradebook_url(course_root: str | os.PathLike[str]) -> str:
    """Where nbgrader_config.py puts the gradebook."""
    return os.environ.get("GDCOURSE_DB_URL") or f"sqlite:///{Path(course_root) / 'gradebook.db'}"
