"""Open JupyterLab on the course: `make lab` (students) and `make formgrader` (instructors).

    python -m gdcourse.lab [--formgrader] [--course FOLDER] [any `jupyter lab` option ...]

JupyterLab starts in the course folder (default: the current folder), so that nbgrader's Validate button and formgrader read the
course's nbgrader_config.py. Students land on START.ipynb, whose links open each lecture and
assignment; instructors land on formgrader.

lab-settings/overrides.json holds the course's JupyterLab defaults (users can still change them):
notebooks use the "defer" windowing mode, because with JupyterLab 4's default
("contentVisibility") Chromium-based browsers leave the picture of matplotlib's animation player
empty: its frame is set while the cell is skipped, and never laid out (chapter 5's player).
"""
import argparse
import os
import sys
from pathlib import Path

START_PAGE = "START.ipynb"


def lab_command(course, formgrader=False, extra=()):
    course = Path(course).resolve()
    jupyter = Path(sys.executable).parent / "jupyter"
    landing = "/formgrader" if formgrader else f"/lab/tree/{START_PAGE}"
    command = [str(jupyter), "lab", f"--ServerApp.root_dir={course}",
               f"--LabApp.app_settings_dir={course / 'lab-settings'}",
               f"--LabApp.default_url={landing}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    return [*command, *extra]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formgrader", action="store_true", help="open formgrader (instructors)")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    known, extra = parser.parse_known_args()
    command = lab_command(known.course, formgrader=known.formgrader, extra=extra)
    os.chdir(known.course)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
