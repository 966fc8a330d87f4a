"""Code run directly in the grading sandbox (gdcourse.grading.steps.execute.SafeExecute): what the
sandbox itself allows. The notebook runs in `tmp_path/notebook`, as a submission runs in its
folder of autograded/."""
import glob
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from course import ROOT
from gdcourse.grading.steps.execute import SafeExecute
from gdcourse.grading.kernels import warm as warm_kernels
from gdcourse.grading.steps.flags import report_of

pytestmark = pytest.mark.xdist_group("sandbox")


def run(cells, tmp_path, **settings):
    """Execute `cells` as a notebook in the sandbox; returns the executed cells."""
    config = Config()
    config.Execute.timeout = settings.pop("timeout", 20)
    for name, value in settings.items():
        section, trait = name.split("__")
        setattr(config[section], trait, value)
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "notebook"
    folder.mkdir(parents=True, exist_ok=True)
    SafeExecute(config=config).preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb.cells


def text(cell):
    return "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) + "".join(o.get("traceback", []))
                     for o in cell.outputs)


def test_no_network_even_on_loopback(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.settimeout(8)
    accepted = []

    def accept():
        try:
            accepted.append(listener.accept())
        except OSError:
            pass

    waiter = threading.Thread(target=accept)
    waiter.start()
    cells = run([f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)"], tmp_path)
    waiter.join()
    listener.close()
    assert not accepted, "the sandboxed kernel reached a listener on the grader's loopback"
    assert any(o.output_type == "error" for o in cells[0].outputs)


def test_course_files_and_home_are_out_of_sight(tmp_path):
    secret = tmp_path / "other-student" / "answer.ipynb"
    secret.parent.mkdir()
    secret.write_text("secret")
    paths = [ROOT / "source", ROOT / "gradebook.db", secret, ROOT / "catalog", ROOT / "README.md"]
    cells = run([f"import os\nprint([os.path.exists({str(p)!r}) for p in [0]])" for p in paths], tmp_path)
    for path, cell in zip(paths, cells):
        assert "[False]" in text(cell), f"the sandbox sees {path}: {text(cell)}"


def test_the_notebooks_folder_is_a_private_copy(tmp_path):
    """Files shipped with the assignment are readable where the notebook runs; writes stay inside."""
    folder = tmp_path / "notebook"
    folder.mkdir()
    (folder / "data.csv").write_text("1,2,3\n")
    cells = run(["print(open('data.csv').read().strip())",
                 "open('data.csv', 'w').write('changed'); open('new.txt', 'w').write('x')"], tmp_path)
    assert "1,2,3" in text(cells[0])
    assert (folder / "data.csv").read_text() == "1,2,3\n" and not (folder / "new.txt").exists()


def test_the_judges_are_out_of_reach(tmp_path):
    """A submission's kernel cannot read a judge: no tolerance, no known mistake, no reference."""
    cells = run(["import os\nprint(os.listdir('/opt/gdcourse/gdcourse/checks/judges'))",
                 "import gdcourse.checks.judges.gradient_descent"], tmp_path)
    assert "[]" in text(cells[0]), text(cells[0])
    assert any(o.output_type == "error" and o.ename in ("ModuleNotFoundError", "ImportError")
               for o in cells[1].outputs), text(cells[1])


def test_the_graders_home_shows_nothing_but_the_way_to_python(tmp_path):
    home = os.path.expanduser("~")
    cells = run([f"import os\nprint(sorted(os.listdir({home!r})) if os.path.isdir({home!r}) else [])"],
                tmp_path)
    seen = eval(text(cells[0]).strip())
    on_the_way = set(Path(sys.base_prefix).relative_to("/").parts) | set(Path(sys.prefix).parts)
    assert set(seen) <= on_the_way, f"the sandbox sees the grader's home: {seen}"


def test_writes_stay_in_the_private_scratch_space(tmp_path):
    target = tmp_path / "written-by-student.txt"
    cells = run([f"open({str(target)!r}, 'w').write('x')",
                 f"open({str(ROOT / 'README.md')!r}, 'a').write('x')",
                 "open('/tmp/scratch.txt', 'w').write('fine'); print(open('/tmp/scratch.txt').read())"],
                tmp_path)
    assert not target.exists()
    assert any(o.output_type == "error" for o in cells[1].outputs)
    assert "fine" in text(cells[2])


def test_the_graders_environment_is_not_passed_on(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_DB_URL", "postgresql://grader:secret-password@db/course")
    cells = run(["import os\nprint(sorted(k for k in os.environ if 'DB' in k or 'SECRET' in k))"], tmp_path)
    assert "[]" in text(cells[0])


def test_the_kernel_imports_the_graders_copy_of_the_course_package(tmp_path):
    cells = run(["import gdcourse.checks\nprint(gdcourse.checks.__file__)"], tmp_path)
    assert "/opt/gdcourse/gdcourse/checks/__init__.py" in text(cells[0]), text(cells[0])


def test_no_other_processes_in_sight_and_not_root(tmp_path):
    cells = run(["import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit())[:3], "
                 "os.getuid() != 0)"], tmp_path)
    assert "True" in text(cells[0])
    assert str(os.getpid()) not in text(cells[0]).split("]")[0]


@pytest.mark.parametrize("code, limit", [
    ("x = bytearray(4 * 1024 ** 3)", "memory limit"),
    ("open('/tmp/big', 'wb').write(b'x' * 40 * 1024 * 1024)", "file size limit"),
    ("import threading, time\n"
     "threads = [threading.Thread(target=time.sleep, args=(3,)) for _ in range(200)]\n"
     "[t.start() for t in threads]", "limit on processes and threads"),
    ("files = [open('/dev/null') for _ in range(1000)]", "limit on open files"),
    ("while True:\n    pass", "time limit"),
])
def test_a_cell_that_hits_a_limit_says_which(code, limit, tmp_path):
    cells = run([code, "print('the next cell still runs')"], tmp_path, timeout=5)
    assert limit in text(cells[0]), text(cells[0])
    assert "the next cell still runs" in text(cells[1])


def test_cpu_time_limit_stops_the_kernel(tmp_path):
    cells = run(["while True:\n    pass", "print('never')"], tmp_path, timeout=30,
                SandboxLimits__cpu_seconds=3)
    assert "CPU time limit" in text(cells[0]), text(cells[0])
    assert "not run" in text(cells[1])


def test_a_kernel_that_exits_stops_the_rest_of_the_notebook(tmp_path):
    cells = run(["print('before')", "import os\nos._exit(3)", "print('after')"], tmp_path)
    assert "before" in text(cells[0])
    assert "exit code 3" in text(cells[1])
    assert "not run" in text(cells[2])


def test_output_is_capped(tmp_path):
    cells = run(["for i in range(200_000):\n    print(i)"], tmp_path)
    assert "output limit" in text(cells[0])
    assert sum(len(str(o.get("text", ""))) for o in cells[0].outputs) < 300_000


def test_a_course_and_venv_under_tmp_stay_visible(tmp_path, monkeypatch):
    """The sandbox's private /tmp must not hide a venv that lives under /tmp (a fresh clone's)."""
    venv = tmp_path / "venv"
    venv.symlink_to(sys.prefix)
    monkeypatch.setattr(sys, "executable", str(venv / "bin" / "python"))
    monkeypatch.setattr(sys, "prefix", str(venv))
    cells = run(["import sys\nprint(sys.executable)"], tmp_path)
    assert str(venv) in text(cells[0]), text(cells[0])


# --- Warm kernels: forked from one fork server, each isolated from the others -------------------

def test_kernels_are_forked_warm_from_one_server(tmp_path):
    first = run(["import sys, os\nprint('torch' in sys.modules, os.getpid())"], tmp_path)
    second = run(["import sys, os\nprint('torch' in sys.modules, os.getpid())"], tmp_path)
    # torch was imported before the student's first line; each kernel is process 2 of its own
    # namespace (process 1 makes its sandbox and ends it).
    assert text(first[0]).split() == ["True", "2"] and text(second[0]).split() == ["True", "2"]


def test_a_kernel_leaves_nothing_for_the_next(tmp_path):
    """One student's kernel writes everywhere it can and leaves a process running; the next
    kernel, forked from the same server, finds none of it."""
    leave = ("import os, subprocess\n"
             "for path in ('/tmp/left', '/dev/shm/left', 'left-in-folder'):\n"
             "    open(path, 'w').write('secret')\n"
             "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
             "print('left')")
    assert text(run([leave], tmp_path / "a")[0]).strip() == "left"
    look = ("import os\n"
            "print(sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
            "print([p for p in ('/tmp/left', '/dev/shm/left', 'left-in-folder') if os.path.exists(p)])")
    seen = text(run([look], tmp_path / "b")[0]).splitlines()
    assert seen == ["['1', '2']", "[]"], seen  # its own process 1 and itself, nothing left over


def test_a_kernel_cannot_write_outside_its_folder_and_tmp(tmp_path):
    cells = run(["import os\n"
                 "for path in ('/run/gdcourse/x', '/opt/gdcourse/x', '/x'):\n"
                 "    try:\n"
                 "        open(path, 'w')\n"
                 "        print('wrote', path)\n"
                 "    except OSError as error:\n"
                 "        print('refused', path)"], tmp_path)
    assert "wrote" not in text(cells[0]), text(cells[0])


# --- Warm kernels: a kernel holds only its own descriptors; a failed fork server is replaced ------

def fork_server():
    """This process's fork server (the one the next notebook's kernel is forked from)."""
    return warm_kernels._zygotes[sys.executable]


def fork_server_pid(zygote):
    """The pid of the fork server's Python under its bubblewrap, as this process sees it (the
    kernels it forked run the same command line: the server is the one whose parent does not)."""
    def command(pid):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return []

    def parent(pid):
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return None

    is_server = lambda pid: command(pid)[1:3] == [b"-m", b"gdcourse.grading.kernels.fork_server"]  # noqa: E731
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    descendants, frontier = set(), {zygote.process.pid}
    while frontier:
        frontier = {pid for pid in pids if parent(pid) in frontier} - descendants
        descendants |= frontier
    servers = [pid for pid in descendants if is_server(pid) and not is_server(parent(pid))]
    assert len(servers) == 1, f"expected one fork server under bwrap {zygote.process.pid}, found {servers}"
    return servers[0]


def kill_fork_server(zygote):
    os.kill(fork_server_pid(zygote), signal.SIGKILL)


LIST_DESCRIPTORS = (
    "import json, os, socket\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "seen = {}\n"
    "for fd in sorted(int(n) for n in os.listdir('/proc/self/fd')):\n"
    "    try:\n"
    "        seen[fd] = {'link': os.readlink(f'/proc/self/fd/{fd}')}\n"
    "    except OSError:\n"
    "        continue  # the listing's own descriptor\n"
    "    if seen[fd]['link'].startswith('socket:'):\n"
    "        with socket.socket(fileno=os.dup(fd)) as s:\n"
    "            seen[fd]['listening'] = bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))\n"
    "            seen[fd]['name'] = str(s.getsockname())\n"
    "own = os.path.dirname(IPKernelApp.instance().abs_connection_file)\n"
    "print(json.dumps({'own': own, 'fds': seen}))")


def test_a_kernel_holds_only_its_own_descriptors(tmp_path):
    """Nothing the fork server has open reaches a kernel: not its control socket, not its
    connections to the grader (its own kernel's or another's), not its pipes."""
    cells = run([LIST_DESCRIPTORS], tmp_path)
    assert cells[0].outputs and cells[0].outputs[0].get("name") == "stdout", \
        f"the kernel could not list its descriptors: {text(cells[0])}"
    listing = json.loads(text(cells[0]))
    own, fds = listing["own"], listing["fds"]
    for fd, seen in fds.items():
        assert "control.sock" not in seen.get("name", ""), \
            f"the kernel holds the fork server's control socket, or a connection to it, as fd {fd}: {seen}"
        if seen.get("listening") and not seen["name"].startswith("("):  # a Unix socket's
            # (ipykernel itself listens on loopback TCP too, in the sandbox's empty network)
            assert seen["name"].startswith(own + "/"), \
                f"fd {fd} of the kernel listens at {seen['name']}, outside its own folder {own}: inherited"
    # What the server itself holds (but the stdin, stdout and stderr it gives every kernel).
    server = fork_server_pid(fork_server())
    server_objects = {os.readlink(f"/proc/{server}/fd/{fd}")
                      for fd in os.listdir(f"/proc/{server}/fd") if int(fd) > 2}
    server_objects -= {os.readlink(f"/proc/{server}/fd/{fd}") for fd in (0, 1, 2)}
    shared = {fd: seen["link"] for fd, seen in fds.items() if seen["link"] in server_objects}
    assert not shared, f"the kernel holds descriptors of the fork server: {shared}"


ATTACKS = {
    "reach the server": (
        "import glob, os, socket\n"
        "hit = []\n"
        "for fd in range(3, 1024):\n"
        "    try:\n"
        "        copy = os.dup(fd)\n"
        "    except OSError:\n"
        "        continue\n"
        "    try:\n"
        "        s = socket.socket(fileno=copy)\n"
        "    except OSError:\n"
        "        os.close(copy)\n"
        "        continue\n"
        "    name = str(s.getsockname())\n"
        "    listening = s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)\n"
        "    not_zmq = s.family == socket.AF_UNIX and '/ipc-' not in name  # not the kernel's own\n"
        "    if 'control.sock' in name or (listening and not_zmq):\n"
        "        try:\n"
        "            s.sendall(b'{not json\\n')\n"
        "        except OSError:\n"
        "            pass\n"
        "        s.shutdown(socket.SHUT_RDWR)\n"
        "        hit.append(fd)\n"
        "for path in glob.glob('/tmp/gdcourse-zygote-*/control.sock') + glob.glob('/run/gdcourse/*'):\n"
        "    try:\n"
        "        c = socket.socket(socket.AF_UNIX)\n"
        "        c.settimeout(1)\n"
        "        c.connect(path)\n"
        "        c.sendall(b'{not json\\n')\n"
        "        hit.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "print('hit', hit)"),
    "shut down every socket": (
        "import os, socket\n"
        "for fd in range(3, 1024):\n"
        "    try:\n"
        "        socket.socket(fileno=os.dup(fd)).shutdown(socket.SHUT_RDWR)\n"
        "    except OSError:\n"
        "        pass"),
    "close every descriptor": "import os\nos.closerange(3, 1024)",
    "write garbage everywhere": (
        "import os\n"
        "for fd in range(3, 1024):\n"
        "    try:\n"
        "        os.write(fd, b'\\xff' * 64 + b'{not json\\n')\n"
        "    except OSError:\n"
        "        pass"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_kernel_cannot_break_the_fork_server(attack, tmp_path):
    """A student's kernel does what it can with the descriptors it holds: it gets a result (its
    own kernel may die), the fork server lives on, and the next notebook gets a working kernel."""
    run(["print('warm')"], tmp_path / "before")
    server = fork_server()
    cells = run([ATTACKS[attack], "print('after the attack')"], tmp_path / "attack", timeout=5)
    assert cells[0].outputs or cells[1].outputs, f"{attack}: grading the attack left no result"
    if attack == "reach the server":
        assert "hit []" in text(cells[0]), f"the kernel reached the fork server: {text(cells[0])}"
    assert fork_server() is server and server.alive(), f"{attack}: the fork server did not survive"
    after = run(["print('next notebook')"], tmp_path / "after")
    assert text(after[0]).strip() == "next notebook", \
        f"after {attack!r}, the next notebook got no working kernel: {text(after[0])}"


@pytest.mark.parametrize("noticed", [True, False], ids=["its end noticed", "its end not noticed yet"])
def test_a_fork_server_killed_between_notebooks_is_replaced(noticed, tmp_path, monkeypatch):
    """The next notebook is graded on a new fork server: found dead before its kernel starts, or
    (its sandbox still ending) when the kernel's start fails, and the notebook is run again."""
    run(["print('warm')"], tmp_path / "before")
    killed = fork_server()
    kill_fork_server(killed)
    if not noticed:
        monkeypatch.setattr(killed.process, "poll", lambda: None)
    cells = run(["print('graded')"], tmp_path / "after")
    assert text(cells[0]).strip() == "graded", f"the notebook after the fork server died: {text(cells[0])}"
    assert fork_server() is not killed and fork_server().alive(), "the dead fork server was not replaced"
    assert not killed.alive(), "the killed fork server still counts as alive"


@pytest.mark.parametrize("kills", [1, 2])
def test_a_notebook_whose_fork_server_dies_is_graded_again_or_flagged(kills, tmp_path):
    """The fork server dies while a notebook runs (`kills` times: on the first try, or on the
    retry's new server too): the notebook is graded again on a new server, or, when that one
    dies too, ends with its kernel stopped and flagged; never with an error."""
    run(["print('warm')"], tmp_path / "before")
    killed = []

    def kill_while_running():
        deadline = time.monotonic() + 60
        while len(killed) < kills and time.monotonic() < deadline:
            server = fork_server()
            if server not in killed and glob.glob(os.path.join(server.kernels, "*", "work", "running")):
                kill_fork_server(server)
                killed.append(server)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_while_running)
    killer.start()
    nb_cells = ["open('running', 'w').close()\nimport time\ntime.sleep(2)\nprint('finished')",
                "print('the next cell')"]
    nb = new_notebook(cells=[new_code_cell(source) for source in nb_cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "notebook"
    folder.mkdir()
    try:
        SafeExecute(config=Config()).preprocess(nb, {"metadata": {"path": str(folder)}})
    finally:
        killer.join()
    assert len(killed) == kills, f"the test killed {len(killed)} fork servers, not {kills}"
    flags = report_of(nb).get("tampering", [])
    if kills == 1:
        assert text(nb.cells[0]).strip() == "finished" and text(nb.cells[1]).strip() == "the next cell", \
            f"the notebook was not graded again on a new fork server: {[text(c) for c in nb.cells]}"
        assert not flags, f"a notebook graded again in full is flagged: {flags}"
    else:
        assert "fork server failed" in text(nb.cells[0]), \
            f"the stopped cell does not say the fork server failed: {text(nb.cells[0])}"
        assert "not run" in text(nb.cells[1]), f"the cell after the stop ran: {text(nb.cells[1])}"
        assert any("fork server failed" in flag for flag in flags), f"not flagged as it should: {flags}"
    after = run(["print('next notebook')"], tmp_path / "after")
    assert text(after[0]).strip() == "next notebook", f"the next notebook: {text(after[0])}"
    assert fork_server() not in killed and fork_server().alive(), "no new fork server for the next notebook"


# --- The grader's side of a fork server that fails: never an error, always "the server is gone" --

class FakeZygote:
    """What ZygoteProcess needs of a Zygote: its control socket, and being told it failed."""
    lost = False

    def __init__(self, control):
        self.control = control

    def fail(self):
        self.lost = True


def fake_fork_server(folder, script):
    """A stand-in fork server at `folder`/control.sock for one connection: each step of `script`
    is bytes to send, "read" (the request), or "wait"; then it closes the connection. Closing
    without having read what the grader sent makes the grader's next recv a ConnectionResetError."""
    control = os.path.join(folder, "control.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(control)
    listener.listen(1)

    def serve():
        connection, _ = listener.accept()
        for step in script:
            if step == "read":
                connection.recv(65536)
            elif step == "wait":
                time.sleep(0.3)
            else:
                connection.sendall(step)
        connection.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return FakeZygote(control)


@pytest.mark.parametrize("script", [
    ["read"],                           # closes without an answer
    [],                                 # resets the connection (the request unread)
    ["read", b"{not json\n"],
    ["read", b"[1, 2]\n"],
    ["read", b'{"exit": 0}\n'],         # no pid
], ids=["closed", "reset", "garbage", "not an object", "no pid"])
def test_a_kernel_the_fork_server_fails_to_start_raises_ForkServerFailed(script):
    with tempfile.TemporaryDirectory(prefix="z") as folder:
        zygote = fake_fork_server(folder, script)
        with pytest.raises(warm_kernels.ForkServerFailed):
            warm_kernels.ZygoteProcess(zygote, {"argv": []})
        assert zygote.lost, f"a server that failed a start ({script}) is not marked failed"


def test_a_fork_server_that_is_not_there_fails_the_start_and_its_requests():
    with tempfile.TemporaryDirectory(prefix="z") as folder:
        gone = FakeZygote(os.path.join(folder, "control.sock"))
        with pytest.raises(warm_kernels.ForkServerFailed):
            warm_kernels.ZygoteProcess(gone, {"argv": []})
        assert gone.lost, "a server whose socket is gone is not marked failed"
        zygote = warm_kernels.Zygote.__new__(warm_kernels.Zygote)  # its requests, without its process
        zygote.control, zygote.kernels, zygote.asked = gone.control, os.path.join(folder, "gone"), set()
        assert zygote.preload(["json"]) == 0 and zygote.lost, "preloading on a dead server"
        with pytest.raises(warm_kernels.ForkServerFailed):
            zygote.new_kernel_folder()


@pytest.mark.parametrize("script", [
    ["read", b'{"pid": 7}\n', "wait"],
    [b'{"pid": 7}\n', "wait"],          # the request unread: a reset
    ["read", b'{"pid": 7}\n{not json\n', "wait"],
    ["read", b'{"pid": 7}\n"exit"\n', "wait"],
    ["read", b'{"pid": 7}\n{"exit": "soon"}\n', "wait"],
], ids=["closed", "reset", "garbage", "not an object", "not a status"])
def test_a_fork_server_that_fails_a_running_kernel_ends_it_as_killed(script):
    with tempfile.TemporaryDirectory(prefix="z") as folder:
        zygote = fake_fork_server(folder, script)
        process = warm_kernels.ZygoteProcess(zygote, {"argv": []})
        assert process.pid == 7, f"the pid the server gave: {process.pid}"
        process.kill()
        assert process.wait(timeout=10) == 128 + signal.SIGKILL, \
            f"a kernel whose server failed ({script}) ended with {process.returncode}, not as killed"
        assert process.server_lost and zygote.lost, f"the server's failure went unnoticed: {script}"
        process.kill()  # no error: there is no one left to ask
        assert process.poll() == 128 + signal.SIGKILL, "the status changed after the end"


def test_a_kernel_sees_nothing_of_its_fork_servers_folder_wherever_it_is(tmp_path, monkeypatch):
    """The server's folder (its control socket, the other kernels' folders) is hidden from a
    kernel even when it lies outside /tmp (a grader whose TMPDIR points elsewhere), and a kernel's
    standard streams are its own, not the grader's log."""
    elsewhere = tempfile.mkdtemp(prefix="gdcourse-test-", dir="/var/tmp")
    old = warm_kernels._zygotes.pop(sys.executable, None)
    if old is not None:
        old.stop()
    monkeypatch.setattr(tempfile, "tempdir", elsewhere)
    try:
        cells = run(["import os, socket\n"
                     "print(sorted(os.listdir(" + repr(elsewhere) + ")))\n"
                     "for name in os.listdir(" + repr(elsewhere) + "):\n"
                     "    print(name, sorted(os.listdir(os.path.join(" + repr(elsewhere) + ", name))))\n"
                     "print('stdout is', os.readlink('/proc/self/fd/1') if os.path.islink('/proc/self/fd/1') else '?')"],
                    tmp_path)
        server = fork_server()
        assert server.folder.startswith(elsewhere), f"the test's server is at {server.folder}"
        said = text(cells[0])
        assert "control.sock" not in said, f"the kernel sees the fork server's control socket: {said}"
        assert "stdout is" in said, f"the kernel could not look: {said}"
    finally:
        server = warm_kernels._zygotes.pop(sys.executable, None)
        if server is not None:
            server.stop()
        shutil.rmtree(elsewhere, ignore_errors=True)


def test_a_kernels_standard_streams_are_its_own(tmp_path):
    """What a kernel writes to its descriptors 1 and 2 (C code, os.write) never reaches the
    grader's terminal or log: the fork server's streams stay with the server."""
    # ipykernel captures descriptors 1 and 2 in pipes of its own, and keeps a copy of each
    # original: those copies are what the kernel was given.
    cells = run(["import os, sys\n"
                 "given = [0, sys.stdout._original_stdstream_copy, sys.stderr._original_stdstream_copy]\n"
                 "print({fd: os.readlink(f'/proc/self/fd/{fd}') for fd in given})"], tmp_path)
    server = fork_server_pid(fork_server())
    graders = {os.readlink(f"/proc/{server}/fd/{fd}") for fd in (1, 2)}
    shown = text(cells[0])
    assert shown.startswith("{"), f"the kernel could not look: {shown}"
    leaked = [link for link in graders if f"'{link}'" in shown and link != "/dev/null"]
    assert not leaked, f"the kernel writes into the grader's streams: {shown}"
