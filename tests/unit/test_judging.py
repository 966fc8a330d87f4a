"""Judging in the small: one call (judge_record) and one test cell (judge_cell), from records
built in memory as chapter 1's checks make them. No kernel, no nbgrader."""
import pytest

from gdcourse.checks.judges import judge_record
from gdcourse.checks.plain import Unreadable, plain
from gdcourse.grading.steps.verdicts import judge_cell


def step_record(theta, rate, returned, *, hidden=False, seq=1):
    """A record of check_step(theta, rate): what single_step_gradient_descent returned."""
    return {"check": "gradient_descent.step", "role": "check",
            "call": f"single_step_gradient_descent({theta}, {rate})", "seq": seq,
            "case": {"theta": plain(theta), "learning_rate": plain(rate)},
            "outcome": {"returned": plain(returned)}, "hidden": hidden}


def gradient_probe(values, seq=1):
    """A record of gradient_works(): the upstream probe of get_gradient_square_function."""
    return {"check": "common.upstream", "role": "upstream", "seq": seq,
            "call": "get_gradient_square_function(θ) for θ = 3, −0.5 and 1.25",
            "case": {"function": plain("get_gradient_square_function"), "after": plain([])},
            "outcome": {"returned": plain(values)}, "hidden": False}


def raised(kind, message):
    return {"raised": {"type": kind, "message": message, "builtin": True, "warnings": []}}


def judged(reference, outcome):
    return judge_record(reference, outcome=outcome, expected=reference["outcome"], aux={})


def test_a_right_value_passes_within_tolerance():
    solution = step_record(1.0, 0.2, 0.6)
    assert judged(solution, {"returned": plain(0.6 + 1e-12)}) is None


def test_a_step_up_the_slope_is_named():
    solution = step_record(1.0, 0.2, 0.6)
    failure = judged(solution, {"returned": plain(1.4)})
    assert failure is not None and failure.mistake
    assert "1.4" in failure.what and "0.6" in failure.what
    assert "slope" in failure.why


def test_an_error_is_told_as_what_the_call_raised():
    failure = judged(step_record(1.0, 0.2, 0.6), raised("NameError", "name 'theta' is not defined"))
    assert failure is not None and "NameError" in failure.what


def test_a_record_of_no_known_judge_is_unreadable():
    with pytest.raises(Unreadable):
        judged({**step_record(1.0, 0.2, 0.6), "check": "gradient_descent.nothing"},
               {"returned": plain(0.6)})


SOLUTION = [step_record(1.0, 0.2, 0.6, seq=1), step_record(-2.0, 0.1, -1.6, seq=2),
            step_record(7.0, 0.3, 2.8, hidden=True, seq=3)]


def answers(*values):
    return [step_record(r["case"]["theta"]["float"], r["case"]["learning_rate"]["float"], value,
                        hidden=r["hidden"], seq=r["seq"])
            for r, value in zip(SOLUTION, values)]


def test_a_cell_whose_every_check_is_right_passes():
    assert judge_cell(SOLUTION, answers(0.6, -1.6, 2.8), errors=[], has_hidden=True) is None


def test_the_first_wrong_check_decides_and_a_hidden_one_keeps_its_values():
    verdict = judge_cell(SOLUTION, answers(0.6, -1.6, 11.2), errors=[], has_hidden=True)
    assert verdict is not None and verdict.hidden
    assert "11.2" not in verdict.for_student() and "7.0" not in verdict.for_student()
    assert "11.2" in verdict.for_instructor()


def test_a_visible_wrong_check_shows_what_came_back():
    verdict = judge_cell(SOLUTION, answers(1.4, 2.4, 11.2), errors=[], has_hidden=True)
    assert not verdict.hidden and "1.4" in verdict.for_student()


def test_missing_records_fail_at_the_first_check_without_one():
    verdict = judge_cell(SOLUTION, answers(0.6), errors=[], has_hidden=True)
    assert verdict is not None and verdict.call == SOLUTION[1]["call"]


def test_records_of_other_checks_or_extra_ones_fail_the_cell():
    forged = [gradient_probe([6.0, -1.0, 2.5])] + answers(0.6, -1.6, 2.8)[1:]
    assert judge_cell(SOLUTION, forged, errors=[], has_hidden=True) is not None
    extra = answers(0.6, -1.6, 2.8) + [step_record(1.0, 0.2, 0.6, seq=4)]
    assert "4 records for 3 checks" in judge_cell(SOLUTION, extra, errors=[]).what


def test_a_failing_function_it_builds_on_is_named_first():
    trusted = [gradient_probe([6.0, -1.0, 2.5], seq=1), step_record(1.0, 0.2, 0.6, seq=2)]
    # The gradient returns θ + 3 (right at θ = 3 only), so the step is wrong too.
    records = [gradient_probe([6.0, 2.5, 4.25], seq=1), step_record(1.0, 0.2, 0.2, seq=2)]
    verdict = judge_cell(trusted, records, errors=[])
    assert verdict is not None and verdict.builds_on == ("get_gradient_square_function",)
    assert judge_cell(trusted, [trusted[0], records[1]], errors=[]).builds_on == ()
