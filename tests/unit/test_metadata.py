"""gdcourse.grading.steps.metadata: nbgrader's metadata check with its schema compiled once gives
nbgrader's own verdicts, on good metadata and on broken metadata of every kind."""
import copy

import pytest
from nbgrader.nbgraderformat import MetadataValidator

from gdcourse.grading.steps.metadata import CompiledMetadataValidator
from notebooks import released

BREAKS = {
    "points not a number": lambda meta: meta.update(points="x"),
    "grade not a bool": lambda meta: meta.update(grade="yes"),
    "no grade_id": lambda meta: meta.pop("grade_id"),
    "schema too old": lambda meta: meta.update(schema_version=1),
    "schema too new": lambda meta: meta.update(schema_version=9),
    "negative points": lambda meta: meta.update(points=-1),
    "grade cell without points": lambda meta: meta.pop("points"),
    "duplicate grade id": None,
}


def outcome(validator, nb):
    try:
        validator().validate_nb(copy.deepcopy(nb))
    except Exception as error:  # nbgrader raises several types: compare them
        return type(error).__name__, str(error).splitlines()[0]
    return None


@pytest.mark.parametrize("name", BREAKS)
def test_broken_metadata_fails_as_nbgrader_says(name):
    nb = released()
    test = nb.cells[-1]
    if BREAKS[name] is None:
        nb.cells[1].metadata.nbgrader["grade_id"] = test.metadata.nbgrader["grade_id"]
    else:
        BREAKS[name](test.metadata.nbgrader)
    stock = outcome(MetadataValidator, nb)
    assert stock is not None, f"{name}: nbgrader accepts it, the test proves nothing"
    assert outcome(CompiledMetadataValidator, nb) == stock


def test_good_metadata_passes():
    assert outcome(MetadataValidator, released()) is None
    assert outcome(CompiledMetadataValidator, released()) is None
