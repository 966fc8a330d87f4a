"""Code run directly in the grading sandbox (gdcourse.grading.execute.SafeExecute): what the
sandbox itself allows. The notebook runs in `tmp_path/notebook`, as a submission runs in its
folder of autograded/."""
import os
import socket
import sys
import threading
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from course import ROOT
from gdcourse.grading.execute import SafeExecute

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
