"""JupyterHub for a class of "Gradient Descent with PyTorch" on one server (`make hub`).

Who is who comes from hub/roster.toml: instructors and students log in with their accounts on the
machine (PAM), and each user's server runs as that user, from the course's virtual environment.

- Instructors open the course folder (this repository) with formgrader: release, collect,
  autograde, grade by hand, feedback. Their nbgrader reads the course's nbgrader_config.py.
- Students open their home folder: the Assignments tab (fetch, submit, fetch feedback), the
  Validate button, and the lectures in ~/lectures. Their servers have no formgrader and no Create
  Assignment. Their kernels import the course's checks from the student edition, which the hub
  publishes when it starts, in a shared folder (GDCOURSE_SHARED) with nbgrader's exchange (mode
  1777, as nbgrader's documentation sets it up for one server) and the users' Jupyter settings.
- What keeps solutions from students is the machine's file permissions: the course folder must
  be closed to them (the hub warns when it is not), and the virtual environment must be outside
  it and open to them (docs/CLASS.md has the layout).

Each setting below can be changed with an environment variable, which the tests use to run this
same configuration on a free port with stand-in users. For Kubernetes, see hub/z2jh-values.yaml.
"""
import os
import pwd
import shutil
import sys
import tomllib
from pathlib import Path

from gdcourse.course.edition import write_edition

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

HUB = Path(__file__).resolve().parent
COURSE = Path(os.environ.get("GDCOURSE_COURSE_FOLDER", HUB.parent)).resolve()
ROSTER = Path(os.environ.get("GDCOURSE_ROSTER", HUB / "roster.toml"))
# What every user's server reads, students' included: it must not be inside the course folder.
SHARED = Path(os.environ.get("GDCOURSE_SHARED", "/srv/gradient-descent-pytorch"))
EXCHANGE = SHARED / "exchange"            # nbgrader's exchange
EDITION = SHARED / "student-edition"      # what students' kernels import the checks from
CONFIG = SHARED / "jupyter-config"        # hub/jupyter-config, published here
STATE = Path(os.environ.get("GDCOURSE_HUB_STATE", "/srv/jupyterhub"))  # the hub's own database
VENV_BIN = Path(sys.executable).parent  # the hub runs from the course's virtual environment

roster = tomllib.loads(ROSTER.read_text())
instructors, students = set(roster["instructors"]), set(roster["students"])
if instructors & students:
    raise SystemExit(f"{ROSTER}: {sorted(instructors & students)} are both instructors and students")

# --- The hub -------------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("GDCOURSE_HUB_URL", "http://:8000")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [  # installed by `make setup`, in the virtual environment
    str(VENV_BIN.parent / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.Authenticator.allowed_users = instructors | students
c.Authenticator.admin_users = instructors
c.JupyterHub.load_groups = {"instructors": {"users": sorted(instructors)},
                            "students": {"users": sorted(students)}}

# --- Each user's server --------------------------------------------------------------------------
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# Jupyter reads the config folders on JUPYTER_CONFIG_PATH first to last, before the environment's
# own, so that a student's folder can switch off what the environment switches on (formgrader).
ROLES = {
    # The course folder holds the course's nbgrader_config.py (autograde, feedback).
    "instructors": {"notebook_dir": str(COURSE),
                    "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, [COURSE, CONFIG / "common"]))},
    # The student edition holds the Validate button's nbgrader_config.py.
    "students": {"notebook_dir": "~",
                 "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, [CONFIG / "student", EDITION,
                                                                  CONFIG / "common"])),
                 # the checks and lecture figures that test cells and lectures import
                 "PYTHONPATH": str(EDITION)},
}


def role_of(spawner):
    return "instructors" if spawner.user.name in instructors else "students"


def close_home(student):
    """A student's home holds their work: no other account may read it. useradd makes homes
    every account can read (Debian's adduser does not): the hub closes each student's when it
    starts and before their server starts."""
    try:
        folder = Path(pwd.getpwnam(student).pw_dir)
        mode = folder.stat().st_mode
    except (KeyError, OSError):
        return  # no account (yet), or no home: nothing to close
    if mode & 0o077 and os.geteuid() == 0:
        folder.chmod(mode & ~0o077)
        print(f"Closed {folder} to other accounts (it was {mode & 0o777:o}).", file=sys.stderr)


def set_up_server(spawner):
    if role_of(spawner) == "students":
        close_home(spawner.user.name)
    settings = dict(ROLES[role_of(spawner)])
    spawner.notebook_dir = settings.pop("notebook_dir")
    spawner.environment.update(settings)
    spawner.environment.update({
        "GDCOURSE_EXCHANGE": str(EXCHANGE),
        "GDCOURSE_EDITION": str(EDITION),
        # nbgrader runs helper commands (alembic) by name: they come from the course's venv.
        "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "/usr/bin:/bin")]),
    })


c.Spawner.pre_spawn_hook = set_up_server

# --- Shared folders, made when the hub starts ----------------------------------------------------
STATE.mkdir(parents=True, exist_ok=True)
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)  # everyone writes, no one removes another's files (sticky bit)
# The student edition, from the course as it is now, and the users' Jupyter settings.
write_edition(COURSE, EDITION)
shutil.copytree(HUB / "jupyter-config", CONFIG, dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"))


def readable_by_every_user(folder):
    """Every user reads what the hub publishes, and none writes it: the copies keep the course
    folder's modes, which are closed to students (docs/CLASS.md)."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


for published in (EDITION, CONFIG):
    readable_by_every_user(published)
for student in sorted(students):
    close_home(student)
if VENV_BIN.is_relative_to(COURSE):
    print("Warning: the virtual environment is inside the course folder, which students must not "
          "open; their servers run from it. Set it up outside: "
          "`make hub VENV=/srv/gradient-descent-pytorch/venv`.", file=sys.stderr)
if COURSE.stat().st_mode & 0o007:
    print(f"Warning: every user of this machine can open {COURSE} (solutions, the catalog and the "
          f"gradebook): run `chmod o-rwx {COURSE}` (docs/CLASS.md).", file=sys.stderr)
