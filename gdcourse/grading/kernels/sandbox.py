"""A bubblewrap sandbox for the kernels that run students' code during `nbgrader autograde`.

The kernel sees a read-only system (/usr, /etc, the Python it runs on, the course's virtual
environment and this package), an empty private /tmp as its home and working folder, and nothing
else: not the course folder (source/, the gradebook, other students' work), not the grader's
home, no network (its own empty network namespace), no other processes (its own pid namespace),
none of the grader's environment variables. When the grader runs as root, the kernel runs as
an unprivileged user of its own. Resource limits (CPU time, memory, processes, file size, open files, scratch space) are
set by gdcourse.sandbox_launcher just before the kernel starts.

The kernel talks to the grader over Unix sockets (ZeroMQ's ipc transport) in a folder made for
this one kernel: TCP would need the host's network.
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer
from traitlets.config import Configurable

import gdcourse

from ...checks.runtime import MODE_VARIABLE, Mode
from . import sandbox_launcher

BWRAP = "bwrap"
# The judging half of the checks is hidden from every sandboxed kernel: no answer can read a
# tolerance or a known mistake while a test calls it (gdcourse.checks.judges).
HIDDEN_FROM_KERNELS = ["checks/judges"]
WORKING_COPY_MB = 64  # the notebook's folder copied into the sandbox, at most this much
SYSTEM_FOLDERS = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc"]
PACKAGE_DIR = Path(gdcourse.__file__).resolve().parent
PACKAGE_MOUNT = "/opt/gdcourse"  # where the sandbox sees this package


class SandboxLimits(Configurable):
    """What one submission's kernel may use. Set in nbgrader_config.py as c.SandboxLimits.*."""

    cpu_seconds = Integer(300, help="CPU time for the whole notebook, in seconds").tag(config=True)
    memory_mb = Integer(2048, help="Address space of the kernel, in MiB (torch needs ~0.9)").tag(config=True)
    processes = Integer(64, help="Processes and threads the kernel may add").tag(config=True)
    file_mb = Integer(16, help="Largest file the kernel may write, in MiB").tag(config=True)
    open_files = Integer(256, help="Open file descriptors").tag(config=True)
    scratch_mb = Integer(64, help="Size of the kernel's private /tmp, in MiB").tag(config=True)


@functools.lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """None when bubblewrap can start a sandbox here; otherwise why it cannot."""
    if sys.platform != "linux":
        return f"the sandbox needs Linux (bubblewrap); this is {sys.platform}"
    if shutil.which(BWRAP) is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = subprocess.run([BWRAP, "--unshare-all", "--die-with-parent", *_read_only_system(),
                            "--proc", "/proc", "--dev", "/dev", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()}"
    return None


def _read_only_system():
    args = []
    for folder in SYSTEM_FOLDERS:
        if os.path.exists(folder):
            args += ["--ro-bind", folder, folder]
    return args


def _tasks_of_user(uid):
    """How many processes and threads belong to `uid` now (RLIMIT_NPROC counts them all)."""
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass  # the process ended while we looked
    return count


def copy_folder(source: str | os.PathLike[str], destination: str | os.PathLike[str],
                limit_mb: int = WORKING_COPY_MB) -> None:
    """Copy the regular files of `source` into `destination`, at most `limit_mb` MiB in all.
    Symbolic links are left out: inside the sandbox they would point into the grader's files."""
    budget = limit_mb * 1024 * 1024
    os.makedirs(destination, exist_ok=True)
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = [d for d in subfolders if not os.path.islink(os.path.join(folder, d))]
        target = os.path.join(destination, os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            size = os.path.getsize(path)
            if size > budget:
                continue
            budget -= size
            shutil.copyfile(path, os.path.join(target, name))


def replace_files(folder: str | os.PathLike[str], files: Mapping[str, Path | None]) -> None:
    """Put in `folder`, under each path of `files` (relative), the file it names instead of what
    the copy holds (nothing, for None)."""
    for name, replacement in files.items():
        target = os.path.join(folder, name)
        if os.path.lexists(target):
            os.remove(target)
        if replacement is not None:
            shutil.copyfile(replacement, target)


# When the grader is root: no user namespace (one would map uid 0 alone, leaving no other user to
# become), and just what it takes to drop root; setuid() then clears every capability. bwrap
# always sets no_new_privs: setuid programs cannot regain root.
ROOT_NAMESPACES = ["--unshare-ipc", "--unshare-net", "--unshare-pid", "--unshare-uts",
                   "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]


def give_to_kernel_user(sandbox_dir: str, connection_file: str, uid: int) -> None:
    """The kernel will run as `uid`: it must read its connection file, make its sockets, and
    write in the private copy of the notebook's folder."""
    for path in (sandbox_dir, connection_file):
        os.chown(path, uid, uid)
    for folder, _, files in os.walk(os.path.join(sandbox_dir, "work")):
        for path in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(path, uid, uid)


def python_folders(python: str) -> list[str]:
    """The folders a kernel's Python needs: its installation, the venv, the interpreter's own."""
    return sorted({sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(python))})


def filesystem(python_homes: list[str], sandbox_dir: str, scratch_mb: int,
               working_dir: str | None = None) -> list[str]:
    """bwrap's arguments for what a sandbox sees: the system and `python_homes` read-only, this
    package at PACKAGE_MOUNT with the judges hidden, a private /tmp of `scratch_mb` MiB,
    `sandbox_dir` read-write, and the private copy of the notebook's folder (`sandbox_dir`/work)
    at `working_dir`."""
    mounts = _read_only_system()
    made = set()
    work = [working_dir] if working_dir else []
    # The working copy first: a venv or package below it (a course under /tmp) goes on top.
    for folder in [*work, *python_homes, f"{PACKAGE_MOUNT}/gdcourse", sandbox_dir]:
        if any(folder.startswith(system + "/") for system in SYSTEM_FOLDERS):
            continue
        # bwrap would make the empty parent folders 0700, which the kernel's user cannot pass.
        for parent in reversed(Path(folder).parents[:-1]):
            if parent not in made and str(parent) != "/tmp":  # /tmp is the tmpfs, mode 1777
                made.add(parent)
                mounts += ["--perms", "0755", "--dir", str(parent)]
        if folder == f"{PACKAGE_MOUNT}/gdcourse":
            # The package this grader loaded, wherever the venv would find another copy: the
            # kernel imports the same code (PYTHONPATH below comes before site-packages).
            mounts += ["--ro-bind", str(PACKAGE_DIR), folder]
            for hidden in HIDDEN_FROM_KERNELS:
                mounts += ["--perms", "0555", "--tmpfs", f"{folder}/{hidden}"]
        elif folder == working_dir:
            mounts += ["--bind", os.path.join(sandbox_dir, "work"), folder]
        elif folder != sandbox_dir:
            mounts += ["--ro-bind", folder, folder]
    return [
        # The private /tmp first: mounts below it (a course or venv under /tmp) go on top of it.
        "--perms", "1777", "--size", str(scratch_mb * 1024 * 1024), "--tmpfs", "/tmp",
        *mounts,
        "--proc", "/proc", "--dev", "/dev",
        "--bind", sandbox_dir, sandbox_dir,
    ]


def environment(python: str, checks_mode: Mode) -> list[str]:
    """bwrap's arguments for a sandbox's environment: none of the grader's variables."""
    return [
        "--clearenv",
        "--setenv", "HOME", "/tmp",
        "--setenv", "PATH", f"{os.path.dirname(python)}:/usr/bin:/bin",
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "PYTHONPATH", PACKAGE_MOUNT,
        # The grader's pid means nothing in the kernel's pid namespace; 1 tells ipykernel not
        # to watch its parent (bwrap --die-with-parent does that) nor print a console banner.
        "--setenv", "JPY_PARENT_PID", "1",
        "--setenv", "MPLBACKEND", "module://matplotlib_inline.backend_inline",
        "--setenv", "MPLCONFIGDIR", "/tmp/.matplotlib",
        # ipykernel's debugger (debugpy) otherwise warns on stderr about frozen modules.
        "--setenv", "PYDEVD_DISABLE_FILE_VALIDATION", "1",
        "--setenv", "NBGRADER_EXECUTION", os.environ.get("NBGRADER_EXECUTION", "autograde"),
        "--setenv", MODE_VARIABLE, checks_mode,
    ]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs inside bubblewrap, with resource limits."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.limits = SandboxLimits(parent=self)
        self.sandbox_dir = tempfile.mkdtemp(prefix="gdcourse-kernel-")
        self.transport = "ipc"
        self.ip = os.path.join(self.sandbox_dir, "ipc")
        self.connection_file = os.path.join(self.sandbox_dir, "connection.json")
        self.checks_mode = Mode.OBSERVE   # Mode.TRUSTED for the run of the instructor's solution
        self.working_dir = None        # where the kernel believes it runs: the notebook's folder
        # {path in the notebook's folder: the file the working copy holds instead (None: none)}
        self.replaced = {}

    async def _async_pre_start_kernel(self, **kw):
        # nbclient starts the kernel in the notebook's folder (as stock nbgrader does): the kernel
        # gets a private copy of that folder there, with the files shipped with the assignment.
        cwd = kw.get("cwd")
        if cwd and os.path.isdir(cwd):
            self.working_dir = os.path.abspath(cwd)
            work = os.path.join(self.sandbox_dir, "work")
            copy_folder(self.working_dir, work)
            replace_files(work, self.replaced)
        return await super()._async_pre_start_kernel(**kw)

    def kernel_user(self) -> tuple[int | None, int]:
        """(uid, processes): when the grader is root, the kernel's own unprivileged user, given
        its folder, and its budget of processes; otherwise (None, a budget that allows for the
        grader's user's other processes, since RLIMIT_NPROC counts them all)."""
        if os.getuid() == 0:
            uid = sandbox_launcher.sandbox_uid(os.getpid())
            give_to_kernel_user(self.sandbox_dir, self.connection_file, uid)
            return uid, self.limits.processes
        return None, _tasks_of_user(os.getuid()) + self.limits.processes

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel_cmd = super().format_kernel_cmd(extra_arguments)
        # The kernel runs in a session of its own (--new-session), where a SIGINT sent to bwrap's
        # process group cannot reach it: interrupt it with a message, and it signals itself.
        self.kernel_spec.interrupt_mode = "message"  # type: ignore[union-attr]  # set by now
        uid, processes = self.kernel_user()
        namespaces = ROOT_NAMESPACES if uid is not None else ["--unshare-all"]
        python_homes = python_folders(kernel_cmd[0])
        limits = self.limits
        return [
            BWRAP, *namespaces, "--die-with-parent", "--new-session",
            *filesystem(python_homes, self.sandbox_dir, limits.scratch_mb, self.working_dir),
            "--chdir", self.working_dir or "/tmp",
            *environment(kernel_cmd[0], self.checks_mode),
            "--",
            sys.executable, "-m", "gdcourse.grading.kernels.sandbox_launcher",
            "--cpu-seconds", str(limits.cpu_seconds), "--memory-mb", str(limits.memory_mb),
            "--processes", str(processes), "--file-mb", str(limits.file_mb),
            "--open-files", str(limits.open_files),
            "--uid", str(uid if uid is not None else os.getuid()),
            "--", *kernel_cmd,
        ]

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.sandbox_dir, ignore_errors=True)
