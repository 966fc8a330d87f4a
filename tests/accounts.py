"""Ordinary Linux accounts for the tests of a class on one server: an instructors' group, accounts
with passwords (PAM logs them in), commands run as them, and the course's environment built with
the system's own Python, where every account can run it. Needs root (the test machine runs as
root); everything made is removed afterwards.
"""
import os
import pwd
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3")   # Debian 12's own: 3.11.2
PLACE = Path("/srv/gdcourse-test")          # everything the class uses, open to every account
INSTRUCTORS = "gdc-instructors"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def can_make_accounts():
    """Why accounts cannot be made here, or None."""
    if os.geteuid() != 0:
        return "making Linux accounts takes root (CI runs as root)"
    if not SYSTEM_PYTHON.exists():
        return f"the system's Python ({SYSTEM_PYTHON}) is not installed"
    return None


def _run(*argv, check=True):
    return subprocess.run(list(map(str, argv)), capture_output=True, text=True, check=check)


def password_of(user):
    return f"{user}-pw-7Qx!"


def _drop(user):
    _run("pkill", "-KILL", "-u", user, check=False)
    _run("userdel", "--remove", user, check=False)


@contextmanager
def accounts(instructors, students):
    """Make the accounts (each with its home and the password `password_of` gives) and the
    instructors' group; yields; then ends their processes and removes them."""
    everyone = [*instructors, *students]
    for user in everyone:  # what an interrupted run left behind
        _drop(user)
    _run("groupdel", INSTRUCTORS, check=False)
    _run("groupadd", INSTRUCTORS)
    try:
        for user in everyone:
            _run("useradd", "--create-home", "--shell", "/bin/bash", user)
            subprocess.run(["chpasswd"], input=f"{user}:{password_of(user)}\n", text=True,
                           check=True)
        for user in instructors:
            _run("usermod", "--append", "--groups", INSTRUCTORS, user)
        yield
    finally:
        for user in everyone:
            _drop(user)
        _run("groupdel", INSTRUCTORS, check=False)


def home(user):
    return Path(pwd.getpwnam(user).pw_dir)


def run_as(user, argv, cwd=None, env=None):
    """`argv` run as `user` (their uid, groups and home), from `cwd`: the finished process."""
    environment = {"HOME": str(home(user)), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                   "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})}
    return subprocess.run([RUNUSER, "-u", user, "--", *map(str, argv)], cwd=cwd or home(user),
                          env=environment, capture_output=True, text=True, timeout=600)


def system_environment(course, venv):
    """The course's virtual environment at `venv`, set up by the course's Makefile with the
    system's Python, as on an instructor's server (`make setup VENV=... PYTHON=/usr/bin/python3`).
    Quick when it is already there: pip finds every pin installed."""
    done = subprocess.run(["make", "setup", f"VENV={venv}", f"PYTHON={SYSTEM_PYTHON}"],
                          cwd=course, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
    assert done.returncode == 0, f"make setup with {SYSTEM_PYTHON}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    version = _run(Path(venv) / "bin" / "python", "-c", "import sys; print(sys.version.split()[0])")
    return version.stdout.strip()


def open_to_everyone(path):
    """Make `path` and its parents passable by every account (0755), as /srv is."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for folder in [path, *path.parents]:
        if folder == Path("/"):
            break
        folder.chmod(folder.stat().st_mode | 0o755)


@contextmanager
def closed_to_students(course):
    """The course folder closed to everyone but the instructors' group, as docs/CLASS.md says:
    group-owned, group-writable, new files keep the group (setgid folders), nothing for others.
    Root's again afterwards."""
    _run("chgrp", "-R", INSTRUCTORS, course)
    _run("chmod", "-R", "g+rwX,o-rwx", course)
    _run("find", course, "-type", "d", "-exec", "chmod", "g+s", "{}", "+")
    try:
        yield
    finally:
        _run("chgrp", "-R", "root", course, check=False)


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


