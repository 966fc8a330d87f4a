"""The student edition: what students get of the course, never the instructor's course folder.

    python -m gdcourse.course.edition DEST          (make student-edition DEST=...)

It holds the lectures, the released assignments (release/, made by nbgrader: no solutions, no
hidden tests), START.ipynb, lab-settings/, the LICENSE, a README, requirements and a Makefile for
students, an nbgrader_config.py for the Validate button, and the part of the course package that
lectures, test cells and that nbgrader_config.py import (gdcourse/checks and gdcourse/lecture).
Never source/, catalog/, tests/, the grading set-up (gdcourse/grading, gdcourse/course) or
nbgrader's working folders. The folder can be published as a git repository of its own for a
self-study course.
"""
import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
COPIED = ["START.ipynb", "notebooks", "release", "lab-settings", "LICENSE"]
PACKAGE_PARTS = ["checks", "lecture"]
# In requirements.txt, the pins after this line are for instructors only (tests, the catalog's
# YAML, PostgreSQL, JupyterHub).
INSTRUCTORS_ONLY = "# ---- instructors only"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
WORK = {"notebooks", "release"}  # where students write: kept when an edition is refreshed


def _copy_if_new(source: str, target: str) -> None:
    if not Path(target).exists():
        shutil.copy2(source, target)


def write_edition(course_root: str | Path, destination: str | Path,
                  keep_work: bool = False) -> Path:
    """Write the student edition of `course_root` into `destination` (made anew); returns it.
    With `keep_work`, notebooks already in the edition's notebooks/ and release/ are kept: a
    student's work survives a refresh."""
    course_root, destination = Path(course_root), Path(destination)
    if destination.exists():
        if any(destination.iterdir()) and not (destination / "START.ipynb").exists():
            raise SystemExit(f"{destination} is not empty and is not a student edition: "
                             f"choose an empty folder.")
        for child in destination.iterdir():
            if child.name == ".git" or (keep_work and child.name in WORK):
                continue  # a published edition keeps its history, a student their work
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    destination.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = course_root / name
        if source.is_dir():
            copy = _copy_if_new if keep_work and name in WORK else shutil.copy2
            shutil.copytree(source, destination / name, ignore=IGNORED, dirs_exist_ok=True,
                            copy_function=copy)
        else:
            shutil.copy2(source, destination / name)
    package = destination / "gdcourse"
    package.mkdir()
    for part in PACKAGE_PARTS:
        shutil.copytree(course_root / "gdcourse" / part, package / part, ignore=IGNORED)
    # edition/ holds the edition's own README, Makefile, pyproject.toml, nbgrader_config.py and
    # package docstring.
    shutil.copytree(course_root / "edition", destination, dirs_exist_ok=True, ignore=IGNORED)
    (destination / "requirements.txt").write_text(student_requirements(course_root))
    return destination


def student_requirements(course_root: str | Path) -> str:
    """The course's pinned requirements without what only instructors need."""
    lines = ["# Everything the lectures and the assignments need, pinned. torch 2.13.0 is the CPU build."]
    for line in (Path(course_root) / "requirements.txt").read_text().splitlines():
        if line.startswith(INSTRUCTORS_ONLY):
            break
        if "==" in line and not line.startswith("#"):
            lines.append(line.strip())
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("destination", help="the folder to write the student edition into")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    args = parser.parse_args()
    folder = write_edition(Path(args.course).resolve(), Path(args.destination).resolve())
    files = sum(1 for path in folder.rglob("*") if path.is_file() and ".git" not in path.parts)
    print(f"Student edition written to {folder} ({files} files). Students run: make lab")


if __name__ == "__main__":
    main()
