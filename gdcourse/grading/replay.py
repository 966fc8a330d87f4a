"""What a visible check's call returned, observed in a kernel that never held hidden test code.

Once a notebook's first hidden test has run in the kernel, what the student's code returns may
carry what it saw there (the hidden inputs, the hidden code): a later visible check's value is
not shown to the student (gdcourse.checks.judges.verdict). To still tell the student what their
code returned, the grader runs the notebook a second time, as the student has it: the test cells
without their hidden tests, in a fresh sandboxed kernel, up to the last cell whose failure needs
it. Nothing of this run is scored; it only says what the student's code gives where no hidden
code has run. Only submissions with such a failure pay for it.
"""
import copy

from nbgrader.preprocessors import ClearHiddenTests

from ..checks.runtime import record_of
from .notebook_cells import JUDGED, grade_id, is_test_cell

REPLAY_TIMEOUT = 15  # seconds a cell may run in the replay (the graded run has the course's limit)


def visible_notebook(nb, last_cell):
    """A copy of `nb` up to the cell `last_cell` (an index) with its outputs cleared and the
    hidden tests taken out of its test cells, as nbgrader's release makes them."""
    replay = copy.deepcopy(nb)
    replay.cells = replay.cells[:last_cell + 1]
    clear = ClearHiddenTests()
    for cell in replay.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop(JUDGED, None)
        if is_test_cell(cell):
            clear.preprocess_cell(cell, {}, 0)
    return replay


def replay_records(nb, resources, last_cell, config, log):
    """{grade_id: (records, error outputs)} of the test cells of a run of `nb` without its hidden
    tests, up to cell `last_cell`; {} when the run could not be made."""
    from .execute import SafeExecute
    from .verdicts import is_record

    try:
        executor = SafeExecute(config=config, log=log)
        # Feedback only: a notebook that hangs must not cost a second full time limit per cell.
        executor.timeout = min(executor.timeout or REPLAY_TIMEOUT, REPLAY_TIMEOUT)
        ran, _ = executor.preprocess(visible_notebook(nb, last_cell), copy.deepcopy(resources))
    except Exception as error:  # only the feedback's detail is at stake
        log.warning("The visible tests could not be run again for the feedback: %s", error)
        return {}
    found = {}
    for cell in ran.cells:
        if grade_id(cell) and cell.cell_type == "code":
            outputs = cell.get("outputs", [])
            found[grade_id(cell)] = ([record_of(o) for o in outputs if is_record(o)],
                                     [o for o in outputs if o.get("output_type") == "error"])
    return found
