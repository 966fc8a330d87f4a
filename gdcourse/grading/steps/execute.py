"""nbgrader's Execute preprocessor for untrusted submissions (used by `nbgrader autograde`).

- Each notebook's kernel runs in the bubblewrap sandbox (gdcourse.sandbox). Where the sandbox
  cannot run, autograde refuses, unless nbgrader_config.py opts out with
  `c.SafeExecute.allow_unsandboxed = True`.
- A kernel that stops (killed by a limit, or by the student's own code) does not crash the
  submission: that cell gets an error saying why, later cells are marked as not run, and their
  tests score 0. A kernel lost because the warm kernels' fork server itself failed is not the
  submission's doing: the notebook is graded again, once, on a new fork server.
- A cell that hits a limit fails with a message naming the limit.
- Output is capped per cell, so a print loop cannot fill the grader's memory or the feedback.
- The kernel's checks only observe (Mode.OBSERVE): verdicts are decided after the run, in this
  process (gdcourse.grading.steps.verdicts). The instructor's solution runs with Mode.TRUSTED.
"""
import ast
import copy
import errno
import json
import signal
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
import os
from pathlib import Path

from traitlets import Bool, Integer, List, Unicode, UseEnum, default
from jupyter_client.manager import AsyncKernelManager

from ...checks.runtime import MIME, MODE_VARIABLE, Mode
from .flags import add_tampering
from ..notebook_cells import JUDGED, assignment_notebook
from ..kernels.sandbox import SandboxedKernelManager, SandboxLimits, unavailable_reason
from ..solution.cache import cached_modules
from ..kernels.warm import MODULES_USED, WarmKernelManager, fork_server_failed


class SandboxRefused(RuntimeError):
    """Autograde will not run students' code without the sandbox unless told to."""


def mark(cell: NotebookNode, **facts: Any) -> None:
    """Note facts about a cell's run for the steps after execution (verdicts, feedback): kept in
    the cell's metadata, which the kernel cannot write."""
    cell.metadata.setdefault(JUDGED, {}).update(facts)


def error_output(ename: str, message: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=message,
                      traceback=[f"\x1b[0;31m{ename}\x1b[0m: {message}"])


class SafeExecute(Execute):

    # Declared configurable, as nbgrader's GetGrades does: in generate_feedback (the replay) the
    # HTML exporter configures every NbConvertBase's display_data_priority, and traitlets warns
    # of a setting a class ignores.
    display_data_priority = List(Execute.display_data_priority.default_value, config=True)

    allow_unsandboxed = Bool(
        False, help="Run students' code without the sandbox where bubblewrap is unavailable. "
                    "Only for code you trust: it runs with all of the grader's rights.",
    ).tag(config=True)

    use_sandbox = Bool(
        True, help="Run each kernel in the sandbox. False is for benchmarks and trusted code only.",
    ).tag(config=True)

    max_output_bytes = Integer(
        200_000, help="Text a cell may print before the rest is dropped (per cell).",
    ).tag(config=True)

    max_record_bytes = Integer(
        20_000_000, help="Size of the test records a cell may make (per cell): what the checks "
                         "observed, judged after the run (gdcourse.grading.steps.verdicts).",
    ).tag(config=True)

    # The modules the solution's kernel used (gdcourse.grading.solution.run caches them): the fork
    # server imports them before it forks this notebook's kernel.
    preload_modules = List(Unicode()).tag(config=False)
    # What the trusted run's kernel reported (set after a run with checks_mode Mode.TRUSTED).
    modules_used = List(Unicode()).tag(config=False)

    checks_mode = UseEnum(
        Mode, default_value=Mode.OBSERVE,
        help="How the kernel's checks behave: Mode.OBSERVE (a submission) or Mode.TRUSTED (the "
             "instructor's solution).",
    ).tag(config=False)

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute.__init__ sets its own default kernel manager: ours must come first.
        kwargs.setdefault("kernel_manager_class", WarmKernelManager)
        # A graded kernel's state is thrown away: kill it at the end instead of asking it to stop.
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)

    @default("error_on_timeout")
    def _timeout_message(self):
        message = f"this cell ran longer than the {self.timeout} s time limit for one cell and was stopped."
        return {"ename": "TimeLimitExceeded", "evalue": message,
                "traceback": [f"\x1b[0;31mTimeLimitExceeded\x1b[0m: {message}"]}

    def preprocess(self, nb: NotebookNode, resources: Any = None,
                   km: AsyncKernelManager | None = None) -> tuple[NotebookNode, Any]:
        reason = unavailable_reason() if self.use_sandbox else "use_sandbox is False"
        if reason is not None:
            if self.use_sandbox and not self.allow_unsandboxed:
                raise SandboxRefused(
                    f"Refusing to run students' code without a sandbox: {reason}. Install "
                    f"bubblewrap, or grade trusted code only with "
                    f"c.SafeExecute.allow_unsandboxed = True in nbgrader_config.py.")
            self.log.warning("Grading WITHOUT a sandbox: %s.", reason)
            self.kernel_manager_class = AsyncKernelManager
        info = (resources or {}).get("nbgrader", {})
        if self.checks_mode is Mode.OBSERVE and "assignment" in info:
            self.preload_modules = cached_modules(self.config, info["assignment"], info["notebook"])
        # Without the sandbox the kernel inherits this process's environment.
        previous = os.environ.get(MODE_VARIABLE)
        os.environ[MODE_VARIABLE] = self.checks_mode
        try:
            return self._run_on_a_working_fork_server(nb, resources, km)
        finally:
            if previous is None:
                os.environ.pop(MODE_VARIABLE, None)
            else:
                os.environ[MODE_VARIABLE] = previous

    def _run_on_a_working_fork_server(self, nb, resources, km):
        """Run the notebook. A crash of the warm kernels' fork server ends every kernel it forked,
        whatever their code: when this notebook's kernel stopped, or could not start, and the
        server is found failed, the notebook runs once more, as it came, on a new server. If that
        one fails too, the stopped kernel stays as it is, flagged."""
        as_it_came = copy.deepcopy(nb)
        for last_try in (False, True):
            self._stopped_in_cell = None
            self._output_bytes = {}
            try:
                result = super().preprocess(nb, resources, km=km)
            except Exception as error:  # the kernel's start (each cell's errors are caught)
                if not fork_server_failed():
                    raise
                if self._stopped_in_cell is None:
                    self._kernel_did_not_start(nb, error)
                result = nb, resources
            if self._stopped_in_cell is None or not fork_server_failed():
                return result
            if not last_try:
                self.log.warning("The grading's fork server failed while this notebook ran: "
                                 "grading it again on a new one.")
                nb.clear()
                nb.update(copy.deepcopy(as_it_came))
        add_tampering(nb, "the grading's fork server failed while this notebook ran, and again on "
                          "a new server: the kernel's stop may be the server's, not the submission's.")
        return result

    def _kernel_did_not_start(self, nb, error):
        """The fork server failed before the kernel ran a cell: every code cell fails with why."""
        self.log.warning("The kernel did not start: %s: %s", type(error).__name__, error)
        reason = "the grading's fork server failed before the kernel started."
        self._stopped_in_cell = "the kernel's start"
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [error_output("KernelStopped", reason)]
                mark(cell, stopped=reason)
        add_tampering(nb, f"{reason} No cell was run.")

    def create_kernel_manager(self) -> AsyncKernelManager:
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.checks_mode = self.checks_mode
            km.replaced = self._replaced_in_working_copy()
        if isinstance(km, WarmKernelManager) and self.preload_modules:
            try:
                km.learn_preload(self.preload_modules)
            except Exception as error:  # only speed is at stake
                self.log.warning("Warm kernels: could not preload the solution's modules: %s", error)
        return km

    def _replaced_in_working_copy(self):
        """{path in the notebook's folder: what the kernel's copy of it holds there instead (None:
        nothing)}. In autograde the folder is nbgrader's autograded one, which holds the notebook
        nbgrader wrote with the hidden tests put back (and, with several notebooks, those already
        graded); the kernel must not hold hidden code before grading runs it. So each notebook of
        the assignment is the one the student handed in (none when not handed in): a student's
        own notebooks hold no hidden code, and one of them may run another (`%run
        answers.ipynb`), as under stock nbgrader. nbgrader copies a submission's other files
        into the folder following links, which could name the instructor's files: what was a
        link in the submission is left out."""
        info = (self.resources or {}).get("nbgrader", {})
        if self.checks_mode is not Mode.OBSERVE or not {"assignment", "student"} <= info.keys():
            return {}
        released = assignment_notebook(self.config, "release", info["assignment"], info["notebook"]).parent
        names = {f"{info['notebook']}.ipynb", *(path.name for path in released.glob("*.ipynb"))}
        source = assignment_notebook(self.config, "source", info["assignment"], info["notebook"])
        names |= {path.name for path in source.parent.glob("*.ipynb")}
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"],
                                               info["assignment"]))
        replaced: dict[str, Path | None] = {
            name: submitted / name if (submitted / name).is_file() else None for name in sorted(names)}
        for folder, _, files in os.walk(submitted):  # links last: they override the above
            for name in files:
                path = Path(folder, name)
                if path.is_symlink():
                    replaced[str(path.relative_to(submitted))] = None
        return replaced

    async def _async_cleanup_kernel(self):
        """After the instructor's solution has run (trusted code), its kernel tells which modules
        it used, and the warm kernels' fork server imports them for the students' kernels."""
        if self.checks_mode is Mode.TRUSTED and isinstance(self.km, WarmKernelManager) and self.kc:
            try:
                msg_id = self.kc.execute("", silent=True, store_history=False,
                                         user_expressions={"modules": MODULES_USED})
                reply = await self.async_wait_for_reply(msg_id)
                text = reply["content"]["user_expressions"]["modules"]["data"]["text/plain"]
                self.modules_used = json.loads(ast.literal_eval(text))
                added = self.km.learn_preload(self.modules_used)
                self.log.info("Warm kernels: %d more modules preloaded", added)
            except Exception as error:  # only speed is at stake
                self.log.warning("Warm kernels: could not learn the solution's modules: %s", error)
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)  # nbclient binds the sync one to its own

    def preprocess_cell(self, cell: NotebookNode, resources: Any,
                        index: int) -> tuple[NotebookNode, Any]:
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._stopped_in_cell is not None:
            message = f"not run: the kernel stopped in an earlier cell ({self._stopped_in_cell})."
            cell.outputs = [error_output("NotRun", message)]
            mark(cell, stopped=message)
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except Exception as error:  # whatever the kernel does must not stop the grading
            # A dead kernel, one that stopped answering, or one that broke the messaging protocol
            # (code that reached into the kernel itself): this cell fails with the reason, and
            # later cells are not run.
            self._stopped_in_cell = self._cell_name(cell, index)
            if isinstance(error, DeadKernelError):
                reason = self._why_kernel_stopped()
            elif isinstance(error, CellTimeoutError):
                reason = "the kernel stopped answering while running this cell."
            else:
                reason = "the kernel broke the messaging protocol while running this cell."
                self.log.warning("%s: %s: %s", self._stopped_in_cell, type(error).__name__, error)
            cell.outputs.append(error_output("KernelStopped", reason))
            mark(cell, stopped=reason)
            add_tampering(self.nb, f"in {self._stopped_in_cell}, {reason} Later cells were not run.")
        explain_limit_errors(cell, self.km.limits if hasattr(self.km, "limits") else SandboxLimits())
        return cell, resources

    @staticmethod
    def _cell_name(cell, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        return f"cell {index}" + (f", {grade_id}" if grade_id else "")

    def _why_kernel_stopped(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        limits = getattr(self.km, "limits", SandboxLimits())
        if getattr(process, "server_lost", False):
            return "the grading's fork server failed while this cell ran, and the kernel with it."
        if code is not None and code > 128:  # bwrap reports a child killed by signal N as 128 + N
            code = -(code - 128)
        if code == -signal.SIGXCPU:
            return (f"the kernel was stopped: it used up the CPU time limit of "
                    f"{limits.cpu_seconds} s for the whole notebook.")
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            return f"the kernel was stopped by signal {name} while running this cell."
        if code is not None:
            return f"the kernel exited (exit code {code}) while running this cell."
        return "the kernel stopped while running this cell."

    def process_message(self, msg: dict[str, Any], cell: NotebookNode,
                        cell_index: int) -> NotebookNode | None:
        """A message the kernel sends that nbclient cannot process (a malformed comm message, say)
        is dropped and noted: the kernel is the student's, and must not stop the grading."""
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            raise
        except Exception as error:
            kind = msg.get("msg_type", "?") if isinstance(msg, dict) else "?"
            self.log.warning("Dropped a malformed %s message from the kernel: %s", kind, error)
            mark(cell, dropped_messages=cell.metadata.get(JUDGED, {}).get("dropped_messages", 0) + 1)
            return None

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None:
            mark(cell, stopped=self.error_on_timeout["evalue"])
        return await super()._async_handle_timeout(timeout, cell)

    def _note_rewritten(self, cell_index, sentence):
        cell = self.nb.cells[cell_index]
        said = cell.metadata.get(JUDGED, {}).get("rewritten", [])
        if sentence not in said:
            mark(cell, rewritten=[*said, sentence])

    def _update_display_id(self, display_id, msg):
        """An update of an earlier display may not touch a test record, nor make one: a record is
        what a check made at the moment it ran (the update is dropped and flagged)."""
        targets = self._display_id_map.get(display_id, {})
        touched = MIME in msg.get("content", {}).get("data", {}) or any(
            MIME in self.nb.cells[index].outputs[i].get("data", {})
            for index, places in targets.items() for i in places
            if i < len(self.nb.cells[index].outputs))
        if touched:
            for index in targets:
                self._note_rewritten(index, "a display was rewritten into or over a test record "
                                            "after it was made; the update was ignored")
            return None
        return super()._update_display_id(display_id, msg)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """Keep a cell's output under max_output_bytes, and its test records under
        max_record_bytes; one notice replaces the rest of the output. A record that could be
        rewritten later (it carries a display id, which the checks never give) is no record."""
        content = msg.get("content", {})
        if display_id and MIME in content.get("data", {}):
            self._note_rewritten(cell_index, "a test record carried a display id, so that it "
                                             "could be rewritten later; it was ignored")
            return None
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
        key: tuple[str, int] | int
        if MIME in content.get("data", {}):
            budget, key = self.max_record_bytes, ("records", cell_index)
        else:
            budget, key = self.max_output_bytes, cell_index
        used = self._output_bytes.get(key, 0)
        if used > budget:
            return None
        self._output_bytes[key] = used + size
        if used + size > budget:
            if key != cell_index:
                return None  # a test record past the budget is dropped: the test then fails
            notice = new_output("stream", name="stdout", text=(
                f"\n[output limit: this cell printed more than {self.max_output_bytes} characters; "
                f"the rest was dropped]\n"))
            outs.append(notice)
            mark(self.nb.cells[cell_index], output_cut=self.max_output_bytes)
            return notice
        return super().output(outs, msg, display_id, cell_index)


def explain_limit_errors(cell: NotebookNode, limits: SandboxLimits) -> None:
    """Add a line naming the limit to errors that a sandbox limit caused."""
    for output in list(cell.get("outputs", [])):
        if output.output_type != "error":
            continue
        ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
        if ename == "MemoryError":
            note = f"the memory limit of the grading sandbox ({limits.memory_mb} MiB) was reached."
        elif f"[Errno {errno.EFBIG}]" in evalue:
            note = f"the file size limit of the grading sandbox ({limits.file_mb} MiB) was reached."
        elif "can't start new thread" in evalue or f"[Errno {errno.EAGAIN}]" in evalue:
            note = (f"the limit on processes and threads of the grading sandbox "
                    f"({limits.processes}) was reached.")
        elif f"[Errno {errno.EMFILE}]" in evalue:
            note = f"the limit on open files of the grading sandbox ({limits.open_files}) was reached."
        elif f"[Errno {errno.ENOSPC}]" in evalue:
            note = f"the scratch space of the grading sandbox ({limits.scratch_mb} MiB) is full."
        else:
            continue
        output.evalue = f"{evalue}\nLimit: {note}".lstrip()
        output.traceback = list(output.get("traceback", [])) + [f"Limit: {note}"]
