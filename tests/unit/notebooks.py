"""Notebooks built in memory, cell by cell, as nbgrader's own preprocessor tests build theirs."""
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def nbgrader_cell(source, grade_id, *, grade=False, solution=False, locked=False, points=None,
                  markdown=False):
    cell = new_markdown_cell(source) if markdown else new_code_cell(source)
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def answer(grade_id, source="# YOUR CODE HERE\nraise NotImplementedError()"):
    return nbgrader_cell(source, grade_id, solution=True)


def test_cell(grade_id, source="assert True", points=1):
    return nbgrader_cell(source, grade_id, grade=True, locked=True, points=points)


test_cell.__test__ = False  # a cell maker, not a test


def read_only(grade_id, source="Read me."):
    return nbgrader_cell(source, grade_id, locked=True, markdown=True)


def notebook(*cells):
    return new_notebook(cells=list(cells))


def released():
    """A release: a read-only introduction, an answer, its test, a free cell in between."""
    return notebook(read_only("intro"), answer("answer-step"), new_code_cell("# scratch"),
                    test_cell("test-step", "assert step(1) == 2", points=2))
