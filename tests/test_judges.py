"""The judges' hints are the course's own sentences: no text or number of a student's answer gets
into one. A hint reaches the student even from a hidden check, after hidden test code has run in
the kernel, where what the answer returns may carry what it saw of the hidden tests
(gdcourse.checks.judges.verdict). So every check of every assignment (its records from the
solution's run) is judged here against answers made of markers, in every place a record can hold
them, and no hint may repeat a marker. And whatever outputs a kernel adds to a judged test
cell, nbgrader scores the verdict alone."""
import copy
import json
import random
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade

from course import ROOT
from gdcourse.checks.judges import judge_record
from gdcourse.checks.runtime import MIME
from gdcourse.grading.steps import verdicts
from gdcourse.checks.plain import Unreadable
from gdcourse.course.catalog import assignment_names

ASSIGNMENTS = assignment_names(ROOT)
WORD = "zqxj"                 # a marker text
NUMBER = 8642.97531           # a marker number, and how it may be written
NUMBER_TEXTS = ("8642", "8643", "8.64e+03", "8.643e+03")
COUNT = 7919                  # a marker length or size
MOST_VARIANTS = 60            # answers made from one record's value, at most


def marked_values():
    """Values of every kind, each carrying the markers where a kernel could put them."""
    tensor = {"shape": [COUNT], "dtype": f"torch.{WORD}", "values": [NUMBER] * COUNT,
              "requires_grad": True, "is_leaf": False, "grad_fn": f"{WORD}Backward0",
              "parameter": False}
    return [
        {"float": NUMBER}, {"int": COUNT}, {"str": WORD}, {"bool": True}, {"none": True},
        {"list": [{"float": NUMBER}] * 3}, {"list": [{"str": WORD}]}, {"tuple": [{"float": NUMBER}]},
        {"dict": {WORD: {"float": NUMBER}}}, {"tensor": tensor},
        {"tensor": {**tensor, "shape": [1, COUNT], "values": [NUMBER] * COUNT}},
        {"object": {"type": WORD, "repr": f"<{WORD} {NUMBER}>"}}, {"too_big": WORD},
    ]


def marked_outcomes():
    return ([{"returned": value} for value in marked_values()] +
            [{"raised": {"type": f"{WORD}Error", "message": f"{WORD} {NUMBER}",
                         "builtin": False, "warnings": [f"{WORD} warning"]}},
             {"raised": {"type": "ValueError", "message": f"{WORD} {NUMBER}", "builtin": True,
                         "warnings": []}},
             {"missing": WORD}])


def with_markers(data):
    """Copies of a record's outcome with markers in place of its leaves, one leaf at a time, so
    that judges reading a structure (a film of frames, a dict of facts) meet them deep inside."""
    if isinstance(data, dict):
        for key, value in data.items():
            for changed in with_markers(value):
                yield {**data, key: changed}
        if data and all(isinstance(k, str) for k in data) and len(data) == 1:
            (kind, _), = data.items()
            if kind in ("float", "int", "str", "bool", "none", "list", "tuple", "dict", "tensor"):
                yield from marked_values()
    elif isinstance(data, list):
        for index, value in enumerate(data[:3]):
            for changed in with_markers(value):
                yield [*data[:index], changed, *data[index + 1:]]
        yield data[:1]
        yield []
    elif isinstance(data, bool):
        yield not data
    elif isinstance(data, (int, float)):
        yield NUMBER if isinstance(data, float) else COUNT
    elif isinstance(data, str):
        yield WORD


def trusted_records(graded_assignment, assignment):
    """The records of the solution's run, as the grading cached them."""
    root = Path(graded_assignment(assignment)["source-solution"].autograded).parents[3]
    found = []
    for cache in sorted((root / ".gdcourse-cache" / "trusted" / assignment).glob("*.json")):
        for records in json.loads(cache.read_text())["cells"].values():
            found += records
    assert found, f"no trusted records cached for {assignment}"
    return found


def said_markers(text):
    return [m for m in (WORD, str(COUNT), *NUMBER_TEXTS) if m in text.lower()]


@pytest.mark.parametrize("assignment", [pytest.param(a, marks=pytest.mark.xdist_group(a))
                                        for a in ASSIGNMENTS])
def test_no_hint_repeats_what_the_answer_gave(assignment, graded_assignment):
    leaks, crashes, judged = [], [], 0
    for reference in trusted_records(graded_assignment, assignment):
        outcomes = marked_outcomes()
        if "returned" in reference["outcome"]:
            variants = list(with_markers(reference["outcome"]["returned"]))
            # A film of frames has thousands of leaves: a fixed sample of them is enough.
            if len(variants) > MOST_VARIANTS:
                variants = random.Random(len(variants)).sample(variants, MOST_VARIANTS)
            outcomes += [{"returned": v} for v in variants]
        for outcome in outcomes:
            try:
                # The probes (gdcourse.checks.judges.relations) carry the same answer.
                failure = judge_record(reference, outcome=outcome, expected=reference["outcome"],
                                       aux=reference.get("aux"),
                                       probes=[outcome] * len(reference.get("probes") or []))
            except (Unreadable, KeyError, TypeError, ValueError):
                continue  # an unreadable record fails its check with the course's own words
            except Exception as error:
                crashes.append(f"{reference['check']} given {json.dumps(outcome)[:160]}: "
                               f"{type(error).__name__}: {error}")
                continue
            judged += 1
            for text in (failure.why, failure.generic, failure.relation) if failure else ():
                if said_markers(text):
                    leaks.append(f"{reference['check']} given {json.dumps(outcome)[:160]}:\n  {text}")
    assert not crashes, f"{len(crashes)} answers crashed a judge:\n" + "\n".join(crashes[:10])
    assert judged > 100, f"only {judged} answers were judged: the test proves little"
    assert not leaks, f"{len(leaks)} hints repeat the answer's own text or numbers:\n" + \
        "\n".join(dict.fromkeys(leaks[:15]))


# --- what nbgrader scores in a judged test cell is the verdict alone --------------------------------
INJECTED = [
    lambda: new_output("execute_result", data={"text/plain": "1.0"}, execution_count=1),
    lambda: new_output("execute_result", data={"text/plain": "'full marks'"}, execution_count=1),
    lambda: new_output("display_data", data={"text/plain": "0.5"}),
    lambda: new_output("stream", name="stderr", text="a warning\n"),
    lambda: new_output("stream", name="stdout", text="printed\n"),
    lambda: new_output("error", ename="ValueError", evalue="injected", traceback=[]),
]


def judged_cell(grade_id, references, right, seq):
    """A test cell as the kernel left it: one record per check (the solution's outcome when
    `right`, else a wrong one), numbered from `seq`."""
    records = []
    for offset, reference in enumerate(references):
        outcome = reference["outcome"] if right else {"returned": {"str": WORD}}
        record = {**reference, "outcome": outcome, "seq": seq + offset}
        record.pop("aux", None)
        records.append(new_output("display_data", data={MIME: json.dumps(record)}))
    cell = new_code_cell('"""A test."""\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS')
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": grade_id, "schema_version": 3}
    cell.outputs = records
    return cell


def scores(nb, trusted, monkeypatch):
    monkeypatch.setattr(verdicts, "trusted_observations", lambda *args: trusted)
    judged, _ = verdicts.JudgeObservations().preprocess(
        copy.deepcopy(nb), {"nbgrader": {"assignment": "a", "notebook": "n"}})
    return [determine_grade(cell)[0] for cell in judged.cells]


@pytest.mark.parametrize("assignment", [pytest.param(a, marks=pytest.mark.xdist_group(a))
                                        for a in ASSIGNMENTS])
def test_outputs_injected_into_judged_cells_change_no_score(assignment, graded_assignment,
                                                            monkeypatch):
    """Any outputs, anywhere among a judged test cell's records: results with a number or text,
    displays, stderr, errors. Scores stay what the records alone give: full points when every
    record is right, none when one is wrong."""
    root = Path(graded_assignment(assignment)["source-solution"].autograded).parents[3]
    cache = next((root / ".gdcourse-cache" / "trusted" / assignment).glob("*.json"))
    trusted = json.loads(cache.read_text())["cells"]
    chance = random.Random(21)
    for trial in range(40):
        rights = {key: chance.random() < 0.5 for key in trusted}
        nb, seq = new_notebook(), 1
        for key, references in trusted.items():
            nb.cells.append(judged_cell(key, references, rights[key], seq))
            seq += len(references)
        clean = scores(nb, trusted, monkeypatch)
        assert clean == [2.0 if rights[key] else 0 for key in trusted], \
            f"{assignment}: the records alone did not give the scores expected"
        for cell in nb.cells:
            for _ in range(chance.randint(1, 4)):
                cell.outputs.insert(chance.randint(0, len(cell.outputs)), chance.choice(INJECTED)())
        assert scores(nb, trusted, monkeypatch) == clean, \
            f"{assignment}, trial {trial}: an injected output changed a score"
