"""The student's notebook run again without its hidden tests, for what the feedback may show.

Once a notebook's first hidden test has run in the kernel, whatever the student's code prints,
draws or returns may carry what it saw there (the hidden inputs, the hidden code): nothing the
graded run produced from then on is shown to the student (gdcourse.grading.feedback.student_feedback).
To still show them their own cells' outputs (a figure, a printed table) and what a failing visible
check's call returned, the feedback runs the notebook a second time, as the student has it: their
cells and the test cells with their hidden tests taken out (as nbgrader's release makes them),
in a fresh sandboxed kernel, up to the last cell it needs. Nothing of this run is scored: autograde
is done. Only a submission with something to show after a hidden test pays for it, when its
feedback is generated.

A check's value is shown only if the same check fails there in the same way (the same call, the
same hint); otherwise the student reads where to see the value instead.
"""
import copy
import logging
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests
from traitlets.config import Config

from ...checks.judges.verdict import Verdict
from ...checks.runtime import Record, record_of
from ..notebook_cells import JUDGED, grade_id, is_test_cell
from ..solution.run import trusted_observations
from ..steps.execute import SafeExecute
from ..steps.verdicts import is_record, judge_cell

REPLAY_TIMEOUT = 15  # seconds a cell may run in the replay (the graded run has the course's limit)


def withheld_verdicts(nb: NotebookNode) -> dict[int, Verdict]:
    """{cell index: Verdict} of the failed visible checks whose value the student may not read
    from the graded run."""
    found: dict[int, Verdict] = {}
    for index, cell in enumerate(nb.cells):
        facts = cell.get("metadata", {}).get(JUDGED, {})
        verdict = Verdict.from_data(facts.get("verdict")) if isinstance(facts, dict) else None
        if verdict is not None and not verdict.hidden and not verdict.what_shown:
            found[index] = verdict
    return found


@dataclass
class Replay:
    """What the run without hidden tests gave: the withheld verdicts it confirmed (with their
    value), and the outputs of the cells asked for (records left out), by cell index."""
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    outputs: dict[int, list[NotebookNode]] = field(default_factory=dict)


def visible_notebook(nb: NotebookNode, last: int) -> NotebookNode:
    """A copy of `nb` up to cell `last`, as the student has it: test cells with their hidden
    tests taken out (as nbgrader's release makes them), outputs cleared. Cells keep their index."""
    clear = ClearHiddenTests()
    replay = copy.deepcopy(nb)
    replay.cells = replay.cells[:last + 1]
    for index, cell in enumerate(replay.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop(JUDGED, None)
        if is_test_cell(cell):
            clear.preprocess_cell(cell, {}, index)
    return replay


def _run(nb: NotebookNode, resources: dict[str, Any], config: Config,
         log: logging.Logger) -> NotebookNode | None:
    """`nb` run in a fresh sandboxed kernel; None when it could not run."""
    try:
        executor = SafeExecute(config=config, log=log)
        # Feedback only: a notebook that hangs must not cost a second full time limit per cell.
        executor.timeout = min(executor.timeout or REPLAY_TIMEOUT, REPLAY_TIMEOUT)
        ran, _ = executor.preprocess(nb, copy.deepcopy(resources))
        return ran
    except Exception as error:  # only the feedback's detail is at stake
        log.warning("The notebook could not be run again for the feedback: %s", error)
        return None


def replay(nb: NotebookNode, resources: dict[str, Any], config: Config, log: logging.Logger,
           outputs_of: set[int]) -> Replay:
    """Run the graded notebook `nb` again without hidden tests when a withheld verdict or one of
    the cells `outputs_of` (indices) needs it."""
    withheld = withheld_verdicts(nb)
    needed = set(withheld) | outputs_of
    if not needed:
        return Replay()
    info = resources["nbgrader"]
    log.info("%s: running the notebook again, without the hidden tests, for what %d cell(s) "
             "showed", info.get("student", ""), len(needed))
    ran = _run(visible_notebook(nb, max(needed)), resources, config, log)
    if ran is None:
        return Replay()
    result = Replay(outputs={index: [o for o in ran.cells[index].get("outputs", []) if not is_record(o)]
                             for index in outputs_of
                             if not ran.cells[index].get("metadata", {}).get(JUDGED, {}).get("stopped")})
    if not withheld:
        return result
    trusted = trusted_observations(config, info["assignment"], info["notebook"], log) or {}
    for index, verdict in withheld.items():
        outputs = ran.cells[index].get("outputs", [])
        records = [record_of(o) for o in outputs if is_record(o)]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        expected = trusted.get(grade_id(nb.cells[index]) or "") or []
        visible = expected[:next((i for i, r in enumerate(expected) if r.get("hidden") is True),
                                 len(expected))]
        again = judge_cell(visible, records, errors, idea=verdict.idea)
        if again is not None and again.call == verdict.call and again.hint == verdict.hint:
            result.verdicts[index] = Verdict(**{**verdict.as_data(), "builds_on": verdict.builds_on,
                                                "replayed": again.what})
    return result
