"""Open JupyterLab on the course: `make lab` (students) and `make formgrader` (instructors).

    python -m gdcourse.course.lab [--formgrader] [--course FOLDER] [any `jupyter lab` option ...]

Students get the student edition (gdcourse.course.edition), written to .student-edition/ in the
course folder and refreshed each time (the notebooks they worked on are kept): JupyterLab starts
there, on START.ipynb, whose links open each lecture and assignment, and the Validate button
reads the edition's nbgrader_config.py; source/ and the catalog are not in sight. Instructors land
on formgrader, in the course folder, with the course's nbgrader_config.py.

lab-settings/overrides.json holds the course's JupyterLab defaults (users can still change them):
notebooks use the "defer" windowing mode, because with JupyterLab 4's default
("contentVisibility") Chromium-based browsers leave the picture of matplotlib's animation player
empty: its frame is set while the cell is skipped, and never laid out (chapter 5's player).
"""
import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from .edition import write_edition

START_PAGE = "START.ipynb"
EDITION = ".student-edition"  # where `make lab` writes the student edition it opens


def lab_command(course: str | os.PathLike[str], formgrader: bool = False,
                extra: Iterable[str] = ()) -> list[str]:
    course = Path(course).resolve()
    jupyter = Path(sys.executable).parent / "jupyter"
    landing = "/formgrader" if formgrader else f"/lab/tree/{START_PAGE}"
    command = [str(jupyter), "lab", f"--ServerApp.root_dir={course}",
               f"--LabApp.app_settings_dir={course / 'lab-settings'}",
               f"--LabApp.default_url={landing}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    return [*command, *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formgrader", action="store_true", help="open formgrader (instructors)")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    known, extra = parser.parse_known_args()
    folder = Path(known.course).resolve()
    if not known.formgrader:
        # Students see the student edition, never source/ or the catalog: refreshed from the
        # course each time, keeping the notebooks they worked on.
        folder = write_edition(folder, folder / EDITION, keep_work=True)
    command = lab_command(folder, formgrader=known.formgrader, extra=extra)
    os.chdir(folder)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
