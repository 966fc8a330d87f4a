"""Warm sandboxed kernels: each grading process starts one fork server in the bubblewrap sandbox
(gdcourse.grading.kernels.fork_server), which has imported ipykernel, torch and matplotlib once; every
notebook's kernel is forked from it, in namespaces of its own, instead of starting Python and
importing torch again (seconds per notebook).

WarmKernelManager is the kernel manager SafeExecute uses; it falls back to a kernel started on
its own (SandboxedKernelManager) for a kernel that is not this Python's ipykernel.

A fork server that fails (it exits, breaks a connection or answers nonsense) is never an error
here: the kernel it served ends as killed, a kernel it cannot start raises ForkServerFailed, and
the next kernel is forked from a new server (zygote_for). SafeExecute grades the notebook that was
running again, once (fork_server_failed).
"""
import asyncio
import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from collections.abc import Iterable
from queue import Empty
from typing import Any

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, List, Unicode
from traitlets.config import Configurable

from ...checks.runtime import MODE_VARIABLE, Mode
from .sandbox import (BWRAP, PACKAGE_MOUNT, ROOT_NAMESPACES, SandboxedKernelManager, environment,
                      filesystem, python_folders)


class WarmKernels(Configurable):
    """Set in nbgrader_config.py as c.WarmKernels.*."""

    enabled = Bool(True, help="Fork each kernel from a warm fork server (False: start each kernel "
                              "on its own, seconds slower per notebook).").tag(config=True)
    preload = List(Unicode(), [
        "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
        "IPython.core.completer", "matplotlib_inline.backend_inline", "numpy", "torch",
        "matplotlib.pyplot", "gdcourse.checks.kernel_start", "gdcourse.checks.runtime",
    ], help="Modules the fork server imports once, for every kernel it forks.").tag(config=True)


class ForkServerFailed(RuntimeError):
    """The fork server could not start a kernel: it is gone, or answered nonsense."""


class Zygote:
    """The fork server of this grading process, in its own bubblewrap sandbox."""

    lost = False  # a connection found the server gone: replaced at the next kernel

    def __init__(self, python, preload, scratch_mb, start_timeout=120):
        self.python = python
        self.folder = tempfile.mkdtemp(prefix="gdcourse-zygote-")
        self.kernels = os.path.join(self.folder, "kernels")
        self.control = os.path.join(self.folder, "control.sock")
        self.asked = set(preload)  # modules the server has been asked to import
        os.mkdir(self.kernels)
        for folder in (self.folder, self.kernels):
            os.chmod(folder, 0o755)  # kernels of another user pass through to their own folder
        homes = python_folders(python)
        if os.getuid() == 0:
            # Forking a kernel into namespaces of its own takes CAP_SYS_ADMIN; the kernel drops it,
            # with root, before any student code runs.
            namespaces = [*ROOT_NAMESPACES, "--cap-add", "CAP_SYS_ADMIN"]
        else:
            namespaces = ["--unshare-all", "--cap-add", "ALL"]  # capabilities in its user namespace
        keep = [home for home in [*homes, PACKAGE_MOUNT] if home.startswith("/tmp/")]
        command = [
            BWRAP, *namespaces, "--die-with-parent", "--new-session",
            *filesystem(homes, self.folder, scratch_mb),
            "--dir", "/run/gdcourse/old-tmp", "--dir", "/run/gdcourse/kernel",
            "--chdir", "/tmp", *environment(python, Mode.OBSERVE),
            "--", python, "-m", "gdcourse.grading.kernels.fork_server", self.control, self.kernels,
            *[arg for path in keep for arg in ("--keep", path)],
            *[arg for module in preload for arg in ("--preload", module)],
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"the warm kernels' fork server exited ({self.process.returncode})")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the warm kernels' fork server did not start in {start_timeout} s")
            time.sleep(0.05)

    def _answers(self):
        if not os.path.exists(self.control):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(self.control)
                return True
            except OSError:
                return False

    def alive(self) -> bool:
        """Running and not found failing: a server whose process is still ending (its sandbox
        tears down after it) is not alive any more once a connection found it gone."""
        return not self.lost and self.process.poll() is None

    def fail(self) -> None:
        """A connection found the server gone or broken: the next kernel gets a new one."""
        self.lost = True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def preload(self, modules: Iterable[str]) -> int:
        """Have the fork server import `modules` for the kernels it forks from now on; how many
        were new to it. Only speed is at stake: 0 when the server is slow (it goes on importing),
        and a server that fails here is replaced at the next kernel."""
        modules = set(modules) - self.asked
        if not modules:
            return 0
        self.asked |= modules  # asked once, whatever comes of it: a slow import is not asked again
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(120)
                connection.connect(self.control)
                connection.sendall((json.dumps({"preload": sorted(modules)}) + "\n").encode())
                return json.loads(connection.makefile().readline())["preloaded"]
        except TimeoutError:
            return 0
        except (OSError, ValueError, KeyError, TypeError):  # gone, or no answer a server gives
            self.fail()
            return 0

    def new_kernel_folder(self) -> str:
        try:
            return tempfile.mkdtemp(prefix="k", dir=self.kernels)
        except OSError as error:  # the server's folder is gone with it
            self.fail()
            raise ForkServerFailed(f"no folder for a kernel: {error}") from error


_zygotes: dict[str, "Zygote"] = {}


def zygote_for(python: str, settings: WarmKernels, scratch_mb: int) -> Zygote:
    """This process's fork server for `python`, started on first use and stopped at exit; one
    that failed is stopped (with whatever it still runs) and replaced."""
    zygote = _zygotes.get(python)
    if zygote is None or not zygote.alive():
        if zygote is not None:
            zygote.stop()
        zygote = _zygotes[python] = Zygote(python, settings.preload, scratch_mb)
        atexit.register(zygote.stop)
    return zygote


def fork_server_failed(python: str = sys.executable) -> bool:
    """Whether this process's current fork server for `python` is found failed (the next kernel
    gets a new one): the kernels it forked ended with it, whatever their code did."""
    zygote = _zygotes.get(python)
    return zygote is not None and not zygote.alive()


# Asked of the instructor's solution's kernel at the end of its run (trusted code): the modules it
# imported from the Python installation or this package, not from the notebook's folder.
MODULES_USED = (
    "__import__('json').dumps(sorted(name for name, module in list(__import__('sys').modules.items())"
    " if (getattr(module, '__file__', None) or '').startswith((__import__('sys').base_prefix,"
    " __import__('sys').prefix, '" + PACKAGE_MOUNT + "'))))"
)


class ZygoteProcess:
    """The Popen-like handle of a forked kernel: the fork server reports its end on the
    connection; killing it is asking the server. A server that is gone or answers nonsense ends
    the kernel as killed (server_lost), and is marked failed, never an error here."""

    stdin = stdout = stderr = None
    returncode = None

    def __init__(self, zygote, request):
        self._zygote = zygote
        self._buffer = b""
        self.server_lost = False
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.connect(zygote.control)
            self._socket.sendall((json.dumps({"start": request}) + "\n").encode())
        except OSError as error:
            self._lose_server()
            raise ForkServerFailed(f"the warm kernels' fork server did not answer: {error}") from error
        answer = self._read(timeout=60)
        if not isinstance((answer or {}).get("pid"), int):
            self._lose_server()
            raise ForkServerFailed(f"the warm kernels' fork server did not start the kernel "
                                   f"(it answered {answer!r})")
        self.pid = answer["pid"]

    def _lose_server(self):
        """The server is gone or broken: the kernel ended with it, killed."""
        self.server_lost = True
        self._zygote.fail()
        self._socket.close()
        return {"exit": 128 + signal.SIGKILL}

    def _read(self, timeout):
        """The server's next message (a dict), or None when none came within `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while b"\n" not in self._buffer:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([self._socket], [], [], left)
                if not ready:
                    return None
                data = self._socket.recv(65536)
                if not data:
                    return self._lose_server()  # the server closed without an exit status
                self._buffer += data
            line, self._buffer = self._buffer.split(b"\n", 1)
            message = json.loads(line)
        except (OSError, ValueError, RecursionError):  # reset, closed, or not JSON: not trusted
            return self._lose_server()
        return message if isinstance(message, dict) else self._lose_server()

    def poll(self, timeout: float | None = 0) -> int | None:
        if self.returncode is None:
            message = self._read(timeout)
            if message is not None:
                exit_status = message.get("exit")
                if not isinstance(exit_status, int):
                    message = self._lose_server()  # a message that is no exit status
                self.returncode = message["exit"]
                self._socket.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        returncode = self.poll(timeout)
        if returncode is None:
            raise subprocess.TimeoutExpired("warm kernel", timeout or 0)
        return returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                self._socket.sendall(b'{"kill": true}\n')
            except OSError:
                pass

    terminate = kill

    def send_signal(self, signum: int) -> None:
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.kill()
        # other signals (SIGINT) do not reach a sandboxed kernel: interrupts go by message


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner for a forked kernel: its end is noticed within milliseconds (the stock one
    looks every 100 ms)."""

    async def wait(self) -> int:
        if self.process is not None:
            while self.process.poll() is None:
                await asyncio.sleep(0.005)
            self.process = None
        return 0


class FastKernelClient(AsyncKernelClient):
    """jupyter_client's client, without the 0.2 s it waits after a kernel is ready for IOPub
    messages nobody reads (nbclient reads only the replies to its own requests), and without the
    heartbeat channel nobody asks."""

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (60 if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub connected too: the kernel's status messages arrive
                    await self.iopub_channel.get_msg(timeout=0.02)
                except Empty:
                    continue
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} s")

    wait_for_ready = _async_wait_for_ready

    def start_channels(self, shell: bool = True, iopub: bool = True, stdin: bool = True,
                       hb: bool = True, control: bool = True) -> None:
        # No heartbeat: whether the kernel lives is its kernel manager's to say (from its process).
        # The heartbeat's thread can wait forever on a kernel that broke its own sockets, and
        # stop_channels, at the end of every notebook, waits for that thread.
        super().start_channels(shell, iopub, stdin, False, control)


class WarmKernelManager(SandboxedKernelManager):
    """A sandboxed kernel forked from this process's warm fork server."""

    def __init__(self, **kwargs):
        kwargs.setdefault("client_class", "gdcourse.grading.kernels.warm.FastKernelClient")
        super().__init__(**kwargs)
        self.warm = WarmKernels(parent=self)
        self._cold = None
        self._server = None  # the fork server this kernel is forked from

    def _zygote(self):
        return zygote_for(sys.executable, self.warm, self.limits.scratch_mb)

    def learn_preload(self, modules: Iterable[str]) -> int:
        """Give the fork server the modules a trusted kernel used (see MODULES_USED)."""
        return self._zygote().preload(modules) if self.warm.enabled and not self._cold else 0

    def _connect_control_socket(self):
        super()._connect_control_socket()
        # nbclient interrupts a kernel whose cell ran out of time through this socket; a kernel
        # that used up its descriptors or broke its own sockets never takes the message, and zmq
        # would wait for it forever. A message not taken in 5 s fails instead.
        self._control_socket.sndtimeo = 5000

    async def _async_interrupt_kernel(self):
        """Interrupt the kernel; one that cannot even take the message is killed (nbclient then
        finds it dead at the next cell, which fails with the reason; later cells are not run)."""
        try:
            await super()._async_interrupt_kernel()
        except zmq.Again:
            self.log.warning("The kernel does not take an interrupt any more: killing it.")
            await self._async_kill_kernel()

    interrupt_kernel = _async_interrupt_kernel  # AsyncKernelManager binds its own under this name

    def _warm_argv(self, kernel_cmd):
        """The kernel's arguments when kernel_cmd is this Python's ipykernel, else None."""
        if (len(kernel_cmd) > 3 and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]
                and os.path.realpath(kernel_cmd[0]) == os.path.realpath(sys.executable)):
            return kernel_cmd[3:]
        return None

    async def _async_pre_start_kernel(self, **kw):
        if self.warm.enabled:
            # The kernel's folder must be where the fork server can see it: under its own folder.
            os.rmdir(self.sandbox_dir)
            self._server = self._zygote()  # the kernel is forked by the server that sees its folder
            self.sandbox_dir = self._server.new_kernel_folder()
            os.chmod(self.sandbox_dir, 0o755)
            self.ip = os.path.join(self.sandbox_dir, "ipc")
            self.connection_file = os.path.join(self.sandbox_dir, "connection.json")
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        plain = super(SandboxedKernelManager, self).format_kernel_cmd(extra_arguments)
        self._cold = not (self.warm.enabled and self._warm_argv(plain) is not None)
        if self._cold:
            return super().format_kernel_cmd(extra_arguments)
        self.kernel_spec.interrupt_mode = "message"  # type: ignore[union-attr]  # set by now
        return plain

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self._cold:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        uid, processes = self.kernel_user()
        limits = self.limits
        request = {
            "argv": self._warm_argv(kernel_cmd),
            "kernel_dir": self.sandbox_dir,
            "work": os.path.join(self.sandbox_dir, "work"),
            "cwd": self.working_dir,
            "uid": uid,
            "env": {"NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
                    MODE_VARIABLE: self.checks_mode},
            "limits": {"cpu_seconds": limits.cpu_seconds, "memory_mb": limits.memory_mb,
                       "file_mb": limits.file_mb, "open_files": limits.open_files,
                       "scratch_mb": limits.scratch_mb, "processes": processes},
        }
        provisioner = ZygoteProvisioner(kernel_id=self.provisioner.kernel_id,
                                        kernel_spec=self.provisioner.kernel_spec, parent=self)
        provisioner.connection_info = self.provisioner.connection_info
        self.provisioner = provisioner
        provisioner.process = ZygoteProcess(self._server, request)
        provisioner.pid = provisioner.process.pid
        provisioner.pgid = None
        self._reconcile_connection_info(provisioner.connection_info)
