"""The warm kernels' fork server: runs inside the bubblewrap sandbox, imports what kernels need
(ipykernel, torch, matplotlib, ...) once, then forks one kernel per notebook.

    python -m gdcourse.grading.kernels.fork_server CONTROL_SOCKET KERNELS_FOLDER [--keep PATH ...] [--preload MODULE ...]

A kernel starts in milliseconds instead of seconds, and is as isolated as a kernel started on its
own: between the fork and the student's first line, the new process gets a mount and pid
namespace of its own (gdcourse.grading.kernels.namespaces), in which
- it sees its own folder (connection file, sockets, the private copy of the notebook's folder),
  an empty /tmp and /dev/shm of its own, never another kernel's files, and the rest read-only;
- it is process 1 of its own processes: it cannot see or signal the fork server or another
  kernel, and everything it starts dies with it;
- its resource limits are set, and its privileges dropped for good (an unprivileged user of its
  own when the grader is root; no capability at all otherwise), before the kernel starts.

The grader talks to this server over a Unix socket, one connection per kernel, in JSON lines:
it asks {"start": {...}}, gets {"pid": N}, may send {"kill": true}, and gets {"exit": status}
when the kernel has ended. Closing the connection kills the kernel too. {"preload": [modules]}
asks the server to import more modules for the kernels to come (those the instructor's solution
used: torch.optim's first step alone imports some 800 modules, 1.6 s in every kernel otherwise).
Single-threaded, so that every fork copies a process in a known state.

A forked kernel keeps none of the server's descriptors (its control socket, the grader's
connections, its pipes): right after the fork it closes every one but stdin, stdout and stderr,
and the kernel's standard streams are then its own (/dev/null, a file in its folder), so that
student code cannot reach the server or the grader's log through them. Nor can it reach the
server's folder, wherever that is: an empty one covers it in the kernel's mounts. A connection that breaks or sends what
is not a request is dropped, never the server.
"""
import argparse
import importlib
import json
import os
import resource
import select
import signal
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from . import namespaces as ns
from . import sandbox_launcher
from .sandbox_launcher import MB

OLD_TMP = "/run/gdcourse/old-tmp"   # made by the server's bwrap: mount points for the set-up
OWN = "/run/gdcourse/kernel"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("control")
    parser.add_argument("kernels")
    parser.add_argument("--keep", action="append", default=[],
                        help="a read-only folder under /tmp that kernels need (a venv, a package)")
    parser.add_argument("--preload", action="append", default=[], help="a module to import once")
    return parser.parse_args(argv)


def preload(modules: Iterable[str], quiet: bool = False) -> int:
    """Import `modules` (those not imported yet); returns how many were new. A module that fails
    to import only costs speed."""
    new = [name for name in modules if name not in sys.modules]
    for name in new:
        try:
            importlib.import_module(name)
        except BaseException as error:
            if not quiet:
                print(f"zygote: could not preload {name}: {error}", file=sys.stderr)
    return len(new)


# --- In the new kernel, before any student code ----------------------------------------------

def open_descriptors() -> list[int] | range:
    """This process's open file descriptors (from /proc, else every number up to the limit)."""
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return range(os.sysconf("SC_OPEN_MAX"))


def close_inherited(*keep: int) -> None:
    """Close every descriptor the fork copied from the server (its control socket, the grader's
    connections for other kernels, its wake-up pipe...) but stdin, stdout, stderr and `keep`: what
    a student's code could find in its own process must be its own. Done by what is open, not by
    naming the server's sockets, so that one added later is closed too. The Python objects of the
    server's sockets stay in the server's frames, which this process never returns to, so no
    finalizer closes a number the kernel has reused meanwhile."""
    kept = {0, 1, 2, *keep}
    for fd in open_descriptors():
        if fd not in kept:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, closed already


def isolate(request: dict[str, Any], kernels: str, keep: Iterable[str]) -> None:
    """Runs as process 1 of a new pid namespace, in a new mount namespace: make the file system
    this kernel sees."""
    kernel_dir, work, working_dir = request["kernel_dir"], request["work"], request.get("cwd")
    ns.mount(None, "/", None, ns.MS_REC | ns.MS_PRIVATE)
    ns.mount("/tmp", OLD_TMP, None, ns.MS_BIND | ns.MS_REC)
    ns.mount(kernel_dir, OWN, None, ns.MS_BIND | ns.MS_REC)
    # A /tmp of its own, with the read-only folders that lived under the server's /tmp.
    ns.mount("tmpfs", "/tmp", "tmpfs", ns.MS_NOSUID | ns.MS_NODEV,
             f"size={request['limits']['scratch_mb'] * MB},mode=1777")
    for path in keep:
        if path.startswith("/tmp/"):
            os.makedirs(path, exist_ok=True)
            ns.mount(OLD_TMP + path[len("/tmp"):], path, None, ns.MS_BIND | ns.MS_REC)
    ns.unmount(OLD_TMP)
    # Nothing of the server's folder, wherever it is (its control socket, the other kernels'
    # folders): an empty folder over all of it, this kernel's own folder put back.
    server_folder = os.path.dirname(os.path.abspath(kernels))
    os.makedirs(server_folder, exist_ok=True)
    ns.mount("tmpfs", server_folder, "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "mode=0755")
    os.makedirs(kernel_dir)
    ns.mount(OWN, kernel_dir, None, ns.MS_MOVE)
    if working_dir:
        os.makedirs(working_dir, exist_ok=True)
        ns.mount(work, working_dir, None, ns.MS_BIND)
    if os.path.isdir("/dev/shm"):
        ns.mount("tmpfs", "/dev/shm", "tmpfs", ns.MS_NOSUID | ns.MS_NODEV, "size=1m,mode=1777")
    ns.mount("proc", "/proc", "proc", ns.MS_NOSUID | ns.MS_NODEV | ns.MS_NOEXEC)
    # Everything else read-only for this kernel (the server's root and /dev are shared by all).
    for path in ("/", "/dev"):
        ns.remount_read_only(path)


def drop_privileges(request: dict[str, Any]) -> None:
    """The limits and privileges gdcourse.grading.kernels.sandbox_launcher gives a kernel started on its
    own; without root, every capability (the server's user namespace gave it all) goes too."""
    limits = argparse.Namespace(**request["limits"], uid=request.get("uid"))
    sandbox_launcher.set_limits(limits)
    if limits.uid is not None:
        sandbox_launcher.drop_root(limits)
    else:
        ns.drop_all_capabilities()
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def own_standard_streams(kernel_dir: str) -> None:
    """stdin from /dev/null, stdout and stderr into a file of the kernel's own folder: what the
    fork copied are the server's, which write into the grader's own log."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    log = os.open(os.path.join(kernel_dir, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                  0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def run_kernel(request: dict[str, Any]) -> None:
    own_standard_streams(request["kernel_dir"])
    drop_privileges(request)
    os.environ.update(request["env"])
    os.chdir(request.get("cwd") or "/tmp")
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(request["argv"])
    enable_inline_figures()
    app.start()


def enable_inline_figures() -> None:
    """Figures shown as images, as in a kernel started on its own. matplotlib's inline backend
    hooks itself into IPython's shell when it is imported, if a shell exists: the server imported
    it before there was one, so the hook (figures drawn at the end of a cell, a Figure's image
    as its display) is made here, now that the kernel's shell exists."""
    backend = sys.modules.get("matplotlib_inline.backend_inline")
    enable = getattr(backend, "_enable_matplotlib_integration", None)
    if enable is not None:
        enable()


def exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by signal N: 128 + N, as a shell says


def init(request: dict[str, Any], kernels: str, keep: Iterable[str]) -> int:
    """Process 1 of the kernel's pid namespace: makes the kernel's file system, starts the kernel
    as process 2 (process 1 ignores signals it has no handler for, SIGXCPU among them), reaps
    what the kernel leaves behind, and ends with it: then every process in it is killed.
    Returns the kernel's exit code."""
    isolate(request, kernels, keep)
    kernel = os.fork()
    if kernel == 0:
        end_child(lambda: run_kernel(request) or 0,  # type: ignore[func-returns-value]
                  "the kernel ended with an error")
    while True:
        pid, status = os.wait()
        if pid == kernel:
            return exit_code(status)


def start_kernel(request: dict[str, Any], kernels: str, keep: Iterable[str],
                 report: int) -> int:
    """In the forked child: a new mount and pid namespace, its process 1 (init above) and the
    kernel in it. This process stays outside, waits and returns the kernel's exit code; the pid of
    the namespace's process 1, as the server sees it, goes to `report` (a pipe) so that the server
    can end the namespace."""
    os.setsid()
    ns.unshare(ns.CLONE_NEWNS | ns.CLONE_NEWPID | ns.CLONE_NEWIPC)
    first = os.fork()
    if first == 0:
        os.close(report)
        end_child(lambda: init(request, kernels, keep), "the kernel's sandbox could not be made")
    os.write(report, f"{first}\n".encode())
    os.close(report)
    _, status = os.waitpid(first, 0)
    return exit_code(status)


# The forked processes' own references: what a kernel changes in its copy of os or of the
# builtins cannot stop it from ending where it should.
_exit, _write = os._exit, os.write
FAILED = 70


def end_child(body: Callable[[], int], failure: str) -> NoReturn:
    """Run `body` in a forked child, then end the child with the code it returns (FAILED, and
    `failure` on stderr, when it raises). A forked process holds copies of its parent's frames: an
    exception that escaped here would carry a kernel back into the fork server's code. Nothing
    below calls what a kernel can have broken (print, repr, traceback all use the builtins)."""
    code = FAILED
    try:
        code = body()
    except BaseException:
        try:
            _write(2, f"zygote: {failure}.\n".encode())
        except BaseException:
            pass
    finally:
        _exit(code)


# --- The server ----------------------------------------------------------------------------------

class Kernel:
    def __init__(self, connection: socket.socket, pid: int, kernel_pid: int | None) -> None:
        self.connection, self.pid, self.kernel_pid = connection, pid, kernel_pid

    def kill(self) -> None:
        for pid in (self.kernel_pid, self.pid):
            try:
                os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]  # None: TypeError below
            except (ProcessLookupError, TypeError):
                pass


def send(connection: socket.socket, message: dict[str, Any]) -> None:
    try:
        connection.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass  # the grader went away; the kernel is killed below


def serve(args: argparse.Namespace) -> NoReturn:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(args.control)
    listener.listen(16)
    pending: dict[socket.socket, bytes] = {}   # connection -> bytes received before a full request
    kernels: dict[socket.socket, Kernel] = {}   # connection -> Kernel
    # A kernel's end wakes the loop at once: SIGCHLD writes to this pipe.
    wake_up, wake_up_writer = os.pipe()
    os.set_blocking(wake_up_writer, False)
    signal.set_wakeup_fd(wake_up_writer)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        readable, _, _ = select.select([listener, wake_up, *pending, *kernels], [], [], 1.0)
        for connection in readable:
            if connection == wake_up:
                os.read(wake_up, 4096)
            elif connection is listener:
                accepted, _ = listener.accept()
                pending[accepted] = b""
            elif connection in pending:
                receive_request(connection, pending, kernels, args)
            else:
                data = receive(connection)
                if not data or b"kill" in data:
                    kernels[connection].kill()
        reap(kernels)


def receive(connection: socket.socket) -> bytes:
    """What the grader sent on `connection`: b"" when it closed it, or when the connection broke."""
    try:
        return connection.recv(65536)
    except OSError:
        return b""


def receive_request(connection: socket.socket, pending: dict[socket.socket, bytes],
                    kernels: dict[socket.socket, Kernel], args: argparse.Namespace) -> None:
    """Read a new connection's request and, once it is whole, answer it. What is not a request,
    or a kernel that cannot be forked, closes that connection only: the grader learns that this
    server failed it, and the server goes on serving the other connections."""
    data = receive(connection)
    if not data:
        del pending[connection]
        connection.close()
        return
    pending[connection] += data
    if b"\n" not in pending[connection]:
        return
    line = pending.pop(connection).split(b"\n", 1)[0]
    try:
        request = json.loads(line)
        if "preload" in request:
            # Modules the solution's kernel used: imported here once, for the next kernels.
            send(connection, {"preloaded": preload(request["preload"], quiet=True)})
            connection.close()
        else:
            kernels[connection] = launch(connection, request["start"], args)
    except Exception as error:
        print(f"zygote: dropped a request: {error!r}", file=sys.stderr, flush=True)
        connection.close()


def launch(connection: socket.socket, request: dict[str, Any],
           args: argparse.Namespace) -> Kernel:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        end_child(lambda: forked_kernel(request, args, write_end), "the kernel could not be forked")
    os.close(write_end)
    with os.fdopen(read_end) as report:
        line = report.readline().strip()
    kernel = Kernel(connection, pid, int(line) if line else None)
    send(connection, {"pid": pid})
    return kernel


def forked_kernel(request: dict[str, Any], args: argparse.Namespace, report: int) -> int:
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    close_inherited(report)  # before anything else: the report pipe is all it needs
    return start_kernel(request, args.kernels, args.keep, report)


def reap(kernels: dict[socket.socket, Kernel]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        for connection, kernel in list(kernels.items()):
            if kernel.pid == pid:
                send(connection, {"exit": os.waitstatus_to_exitcode(status)})
                connection.close()
                del kernels[connection]


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = parse(sys.argv[1:] if argv is None else argv)
    preload(args.preload)
    serve(args)


if __name__ == "__main__":
    main()
