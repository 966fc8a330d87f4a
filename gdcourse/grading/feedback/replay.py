"""What a visible check's call returned, observed in a kernel that never held hidden test code.

Once a notebook's first hidden test has run in the kernel, what the student's code returns may
carry what it saw there (the hidden inputs, the hidden code): a later visible check's value is
not shown to the student (gdcourse.checks.judges.verdict). To still tell the student what their
code returned, the feedback runs the notebook a second time, as the student has it: their cells,
and the test cells whose value it needs without their hidden tests, in a fresh sandboxed kernel,
up to the last of those. Nothing of this run is scored: autograde is done. Only a submission with
such a failure pays for it, when its feedback is generated.

The same check must fail there in the same way (the same call, the same hint); otherwise the
student reads where to see the value instead.
"""
import copy
import logging
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


def visible_notebook(nb: NotebookNode, needed: set[int]) -> NotebookNode:
    """A copy of `nb` up to the last cell of `needed` (indices of test cells): the cells that are
    not tests, and the tests of `needed` with their hidden tests taken out (as nbgrader's release
    makes them), outputs cleared."""
    clear = ClearHiddenTests()
    replay = copy.deepcopy(nb)
    kept = []
    for index, cell in enumerate(replay.cells[:max(needed) + 1]):
        if is_test_cell(cell) and index not in needed:
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop(JUDGED, None)
        if is_test_cell(cell):
            clear.preprocess_cell(cell, {}, index)
        kept.append(cell)
    replay.cells = kept
    return replay


def _run(nb: NotebookNode, resources: dict[str, Any], config: Config,
         log: logging.Logger) -> dict[str, tuple[list[Record], list[NotebookNode]]]:
    """{grade_id: (records, error outputs)} of the test cells of `nb` run in a fresh sandboxed
    kernel; {} when it could not run."""
    try:
        executor = SafeExecute(config=config, log=log)
        # Feedback only: a notebook that hangs must not cost a second full time limit per cell.
        executor.timeout = min(executor.timeout or REPLAY_TIMEOUT, REPLAY_TIMEOUT)
        ran, _ = executor.preprocess(nb, copy.deepcopy(resources))
    except Exception as error:  # only the feedback's detail is at stake
        log.warning("The visible tests could not be run again for the feedback: %s", error)
        return {}
    found: dict[str, tuple[list[Record], list[NotebookNode]]] = {}
    for cell in ran.cells:
        key = grade_id(cell)
        if is_test_cell(cell) and key is not None:
            outputs = cell.get("outputs", [])
            found[key] = ([record_of(o) for o in outputs if is_record(o)],
                                     [o for o in outputs if o.get("output_type") == "error"])
    return found


def replayed_values(nb: NotebookNode, resources: dict[str, Any], config: Config,
                    log: logging.Logger) -> dict[int, Verdict]:
    """{cell index: Verdict with `replayed`} for the withheld verdicts of the graded notebook
    `nb` whose check fails the same way in a run without hidden tests."""
    withheld = withheld_verdicts(nb)
    if not withheld:
        return {}
    info = resources["nbgrader"]
    trusted = trusted_observations(config, info["assignment"], info["notebook"], log) or {}
    log.info("%s: running the visible tests again, without the hidden ones, for what %d failing "
             "check(s) returned", info.get("student", ""), len(withheld))
    replayed = _run(visible_notebook(nb, set(withheld)), resources, config, log)
    found: dict[int, Verdict] = {}
    for index, verdict in withheld.items():
        key = grade_id(nb.cells[index])
        if key not in replayed:
            continue
        expected = trusted.get(key) or []
        visible = expected[:next((i for i, r in enumerate(expected) if r.get("hidden") is True),
                                 len(expected))]
        again = judge_cell(visible, *replayed[key], idea=verdict.idea)
        if again is not None and again.call == verdict.call and again.hint == verdict.hint:
            found[index] = Verdict(**{**verdict.as_data(), "builds_on": verdict.builds_on,
                                      "replayed": again.what})
    return found
