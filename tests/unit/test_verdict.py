"""gdcourse.checks.judges.verdict: what each reader is told of a failed test, built from fields."""
from gdcourse.checks.judges.verdict import DETAILS, HIDDEN, Verdict

VISIBLE = Verdict(call="step(1.0, 0.1)", what="step(1.0, 0.1) returned 1.2, expected 0.8",
                  hint="The step goes up the slope: subtract λ times the gradient.",
                  mistake="steps-up-the-slope", idea="one step of gradient descent")
HIDDEN_ONE = Verdict(hidden=True, call="step(7.0, 0.3)", what="step(7.0, 0.3) returned 11.2",
                     hint="The step goes up the slope.", idea="one step of gradient descent")


def test_a_visible_check_tells_what_happened_then_the_hint():
    assert VISIBLE.for_student() == ("step(1.0, 0.1) returned 1.2, expected 0.8\n"
                                     "The step goes up the slope: subtract λ times the gradient.")
    assert VISIBLE.for_instructor() == VISIBLE.for_student()


def test_a_hidden_check_tells_the_student_its_hint_only():
    told = HIDDEN_ONE.for_student()
    assert told == f"{HIDDEN} The step goes up the slope."
    assert "7.0" not in told and "11.2" not in told


def test_the_instructor_reads_a_hidden_checks_values_on_a_line_of_its_own():
    assert HIDDEN_ONE.for_instructor().splitlines() == [
        f"{HIDDEN} The step goes up the slope.", f"{DETAILS} step(7.0, 0.3) returned 11.2"]


def test_a_hidden_check_without_a_hint_names_what_it_checks():
    assert Verdict(hidden=True, idea="many steps").for_student() == \
        f"{HIDDEN} A hidden test, with other inputs, failed: many steps"


def test_failing_functions_it_builds_on_come_first():
    verdict = Verdict(what="train(...) returned nan", hint="Check the loss.",
                      builds_on=("mse", "gradient"))
    assert verdict.for_student().splitlines() == [
        "train(...) returned nan",
        "Note: this builds on mse, which fails its own test above: fix that first.",
        "Note: this builds on gradient, which fails its own test above: fix that first.",
        "Check the loss."]


def test_after_hidden_code_ran_the_value_comes_from_the_replay_or_not_at_all():
    after = Verdict(call="loss(θ)", what="loss(θ) returned 'a hidden line'", what_shown=False)
    assert "a hidden line" not in after.for_student()
    assert after.for_student().startswith("loss(θ): not what the test expects.")
    replayed = Verdict(call="loss(θ)", what="loss(θ) returned 'a hidden line'", what_shown=False,
                       replayed="loss(θ) returned 3.0, expected 2.0")
    assert replayed.for_student() == "loss(θ) returned 3.0, expected 2.0"


def test_data_round_trips():
    for verdict in (VISIBLE, HIDDEN_ONE, Verdict(builds_on=("mse",))):
        assert Verdict.from_data(verdict.as_data()) == verdict


def test_data_a_submission_could_forge_is_read_as_plain_fields():
    assert Verdict.from_data("passed") is None
    assert Verdict.from_data(None) is None
    forged = Verdict.from_data({"hidden": "yes", "what_shown": 1, "builds_on": "mse",
                                "hint": ["a", "list"], "unknown": True})
    assert forged == Verdict(hidden=False, what_shown=False, builds_on=(), hint="['a', 'list']")
