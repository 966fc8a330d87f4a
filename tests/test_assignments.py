"""Every assignment through real nbgrader: the source gets full marks, the untouched release gets
nothing, and every catalog entry gets its expected score with its hints in the feedback."""
import nbformat
import pytest

from course import ROOT
from gdcourse.grading.notebook_cells import JUDGED, grade_id, is_test_cell
from gdcourse.course.catalog import assignment_names, example_class, load_entries

ASSIGNMENTS = assignment_names(ROOT)


def by_assignment(values):
    """Parameters grouped so that one worker grades each assignment once."""
    return [pytest.param(*v, marks=pytest.mark.xdist_group(v[0]), id="/".join(map(str, v)))
            for v in values]


@pytest.mark.parametrize("assignment", by_assignment([(a,) for a in ASSIGNMENTS]))
def test_source_notebook_gets_full_marks(assignment, graded_assignment):
    result = graded_assignment(assignment)["source-solution"]
    failed = [cell for cell, score in result.cell_scores.items() if not score]
    assert not failed, f"test cells that failed on the source solution: {failed}"
    assert result.autograded_score == result.autograded_max > 0


@pytest.mark.parametrize("assignment", by_assignment([(a,) for a in ASSIGNMENTS]))
def test_untouched_release_gets_no_points(assignment, graded_assignment):
    result = graded_assignment(assignment)["untouched-release"]
    passed = [cell for cell, score in result.cell_scores.items() if score]
    assert not passed, f"test cells that give points to an empty notebook: {passed}"


@pytest.mark.parametrize("assignment", by_assignment([(a,) for a in ASSIGNMENTS]))
def test_every_judged_test_has_a_hidden_check(assignment, graded_assignment):
    """A test cell with visible checks alone could be passed by an answer that returns the
    values the notebook shows: each judged cell also checks inputs nobody has seen."""
    graded = nbformat.read(graded_assignment(assignment)["source-solution"].autograded, as_version=4)
    judged = {grade_id(cell): cell.metadata[JUDGED] for cell in graded.cells
              if is_test_cell(cell) and cell.metadata.get(JUDGED, {}).get("judged")}
    assert judged, f"{assignment}: no test cell was judged"
    visible_only = [key for key, facts in judged.items() if not facts.get("hidden_checks")]
    assert not visible_only, f"{assignment}: judged test cells without a hidden check: {visible_only}"


ENTRIES = [(a, entry.id) for a in ASSIGNMENTS for entry in load_entries(ROOT, a)]


@pytest.mark.parametrize("assignment, entry_id", by_assignment(ENTRIES))
def test_catalog_entry_gets_its_score_and_hints(assignment, entry_id, graded_assignment):
    entry = next(e for e in load_entries(ROOT, assignment) if e.id == entry_id)
    result = graded_assignment(assignment)[f"catalog-{entry_id}"]
    assert result.autograded_score == entry.score, (
        f"{entry.about}: scored {result.autograded_score}, catalog expects {entry.score}; "
        f"per test cell: {result.cell_scores}")
    not_raised = [hint for hint in entry.hints if hint not in result.failures]
    assert not not_raised, (f"{entry.about}: no failing test said {not_raised}; the tests said:\n"
                            f"{result.failures}")
    not_shown = [hint for hint in entry.hints if hint not in result.feedback]
    assert not not_shown, f"{entry.about}: hints missing from the feedback: {not_shown}"


@pytest.mark.parametrize("assignment, entry_id", by_assignment(ENTRIES))
def test_feedback_opens_with_the_results_of_each_question(assignment, entry_id, graded_assignment):
    """The results table alone tells the score, which tests failed, and every hint."""
    entry = next(e for e in load_entries(ROOT, assignment) if e.id == entry_id)
    result = graded_assignment(assignment)[f"catalog-{entry_id}"]
    table = " ".join(result.results.split())
    assert table.startswith(f"Your results: {entry.score:g} / "), table[:200]
    failed = sum(1 for score in result.cell_scores.values() if not score)
    assert table.count("✗ failed") == failed, table
    assert table.count("✓ passed") == len(result.cell_scores) - failed, table
    # The written answer: waiting for a grader, or 0 at once when left blank.
    assert "✎ not graded yet" in table or "✎ 0 / 2 — Your written answer, graded by hand grader's comment: No response." in table
    not_shown = [hint for hint in entry.hints if " ".join(hint.split()) not in table]
    assert not not_shown, f"{entry.about}: hints missing from the results table: {not_shown}"


def test_every_chapter_has_a_catalog_with_a_correct_entry():
    """The chapters of the example class; any other nbgrader assignment may come without one."""
    chapters = {a for picks in example_class(ROOT).values() for a in picks}
    assert len(chapters) == 6
    for assignment in sorted(chapters):
        entries = {e.id: e for e in load_entries(ROOT, assignment)}
        assert "correct" in entries and not entries["correct"].answers, assignment
        assert len(entries) >= 6, f"{assignment}: the catalog lists only {len(entries)} entries"


def _declares(entry, mistake):
    """Whether the entry's catalog hints include (a piece of) this known mistake's hint."""
    said = " ".join(mistake.split())
    return any(" ".join(hint.split()) in said for hint in entry.hints)


def confusion(assignment, graded):
    """The catalog as a confusion matrix: for each entry, the known mistakes its feedback named
    ({entry id: {mistake hint: [test cells]}}), and the off-diagonal ones: named for an entry
    whose catalog hints do not declare them (another entry's mistake, or none at all)."""
    matrix, off = {}, []
    for entry in load_entries(ROOT, assignment):
        named = {}
        for cell, mistake in graded[f"catalog-{entry.id}"].mistakes.items():
            named.setdefault(mistake, []).append(cell)
        matrix[entry.id] = named
        off += [(entry.id, mistake, cells) for mistake, cells in named.items()
                if not _declares(entry, mistake)]
    return matrix, off


@pytest.mark.parametrize("assignment", by_assignment([(a,) for a in ASSIGNMENTS]))
def test_no_entry_is_told_another_entrys_mistake(assignment, graded_assignment):
    """Every known mistake a feedback names is one its catalog entry declares: a right answer
    never hears of a mistake, and a wrong one never hears of a mistake it did not make."""
    matrix, off = confusion(assignment, graded_assignment(assignment))
    assert any(matrix.values()), f"{assignment}: no entry had a known mistake named"
    assert not off, "\n".join(f"{entry}: named {mistake!r} in {cells}" for entry, mistake, cells in off)


@pytest.mark.parametrize("assignment", by_assignment([(a,) for a in ASSIGNMENTS]))
def test_relations_are_said_where_declared_and_only_there(assignment, graded_assignment):
    """An entry the catalog marks `diagnosed: by relation` has its failure told by a relation
    its hints declare; every other entry hears only relations its hints declare (a right answer
    none). A relation is named only when it explains every probe, so a relation said to an entry
    that did not declare it is a false diagnosis, or a catalog that has not caught up."""
    graded = graded_assignment(assignment)
    entries = load_entries(ROOT, assignment)
    assert any(entry.by_relation for entry in entries), f"{assignment}: no entry by relation"
    undeclared = []
    for entry in entries:
        said = graded[f"catalog-{entry.id}"].relations
        if entry.by_relation:
            assert said, f"{entry.id}: no relation was said"
        undeclared += [(entry.id, relation) for relation in set(said.values())
                       if not _declares(entry, relation)]
    assert not undeclared, "\n".join(f"{entry}: {relation}" for entry, relation in undeclared)


@pytest.mark.xdist_group("05-fitting-a-line")
def test_a_figure_a_students_code_leaves_open_reaches_formgrader(graded_assignment):
    """Warm kernels keep matplotlib's inline figures: the figure of an animation a student made
    in their own cell is an image in the autograded notebook (what formgrader shows), as under
    stock nbgrader, not the text `<Figure size 600x400 with 1 Axes>`."""
    graded = graded_assignment("05-fitting-a-line")["catalog-shows-its-own-animation"]
    nb = nbformat.read(graded.autograded, as_version=4)
    cell = next(c for c in nb.cells if grade_id(c) == "animate-fit")
    images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, cell.outputs
    assert graded.autograded_score == 10
