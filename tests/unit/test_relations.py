"""Diagnosis by relation (gdcourse.checks.judges.relations), on observations built by hand: each
relation is named when it explains the test's call and every probe, and only then."""
import pytest

from gdcourse.checks.judges.observation import Observation, Outcome, ProbePoint
from gdcourse.checks.judges.relations import explain
from gdcourse.checks.plain import Value, plain


def returned(value):
    return Outcome("returned", value=Value(plain(value)))


def probe(name, changes, got, expected, **extra):
    return ProbePoint(name=name, case={k: Value(plain(v)) for k, v in changes.items()},
                      got=returned(got), expected=returned(expected), **extra)


def observation(case, got, expected, probes=(), start="", part=()):
    full = {k: Value(plain(v)) for k, v in case.items()}
    for p in probes:
        p.case = {**full, **p.case}
    return Observation(call="f(...)", case=full, got=returned(got), expected=returned(expected),
                       aux={}, probes=list(probes), start=start, part=tuple(part))


def step(theta, rate):
    return theta - rate * 2 * theta


def test_an_ignored_argument_is_named():
    # θ − 0.2·2θ whatever λ is: the learning rate is fixed.
    obs = observation({"theta": 1.0, "learning_rate": 0.1}, step(1.0, 0.2), step(1.0, 0.1),
                      [probe("λ doubled", {"learning_rate": 0.2}, step(1.0, 0.2), step(1.0, 0.2),
                             varies="λ", scale=2)], start="theta")
    assert "does not change when λ changes" in explain(obs)


def test_a_divided_learning_rate_grows_the_other_way():
    def wrong(theta, rate):
        return theta - 2 * theta / rate
    obs = observation({"theta": 1.0, "learning_rate": 0.1}, wrong(1.0, 0.1), step(1.0, 0.1),
                      [probe("λ doubled", {"learning_rate": 0.2}, wrong(1.0, 0.2), step(1.0, 0.2),
                             varies="λ", scale=2),
                       probe("θ doubled", {"theta": 2.0}, wrong(2.0, 0.1), step(2.0, 0.1),
                             varies="θ", scale=2)], start="theta")
    said = explain(obs)
    assert "When λ is multiplied by 2, theta's move halves" in said
    assert "divides where it should multiply" in said


def test_an_uphill_step_is_named_and_a_coincidence_is_not():
    def uphill(theta, rate):
        return theta + rate * 2 * theta
    points = [probe("θ doubled", {"theta": 2.0}, uphill(2.0, 0.1), step(2.0, 0.1), varies="θ",
                    scale=2)]
    obs = observation({"theta": 1.0, "learning_rate": 0.1}, uphill(1.0, 0.1), step(1.0, 0.1),
                      points, start="theta")
    assert "the other way" in explain(obs)
    # The same answer on the test's input, but a probe it does not explain: nothing named.
    points = [probe("θ doubled", {"theta": 2.0}, 1.5, step(2.0, 0.1), varies="θ", scale=2)]
    obs = observation({"theta": 1.0, "learning_rate": 0.1}, uphill(1.0, 0.1), step(1.0, 0.1),
                      points, start="theta")
    assert explain(obs) == ""


def test_a_mean_divided_by_n_minus_one():
    y_hat, y = [1.0, 2.0, 4.0, 7.0, 0.0], [0.0, 0.0, 1.0, 1.0, 1.0]
    right = sum((a - b) ** 2 for a, b in zip(y_hat, y)) / 5
    doubled = [b + 2 * (a - b) for a, b in zip(y_hat, y)]
    obs = observation({"y_hat": y_hat, "y": y}, right * 5 / 4, right,
                      [probe("every error doubled", {"y_hat": doubled}, 4 * right * 5 / 4,
                             4 * right, varies="every error", scale=2)])
    assert "n − 1" in explain(obs)


def test_an_absolute_error_grows_like_the_errors():
    obs = observation({"y_hat": [3.0, 1.0], "y": [1.0, 2.0]}, 1.5, 2.5,
                      [probe("every error doubled", {"y_hat": [5.0, 0.0]}, 3.0, 10.0,
                             varies="every error", scale=2, means="squares")])
    said = explain(obs)
    assert "doubles" in said and "grows 4-fold" in said


def test_lists_cut_short_repeated_or_ahead():
    right = [5.0, 4.0, 3.0, 2.0]
    assert "only the last" in explain(observation({}, [2.0], right))
    assert "same value" in explain(observation({}, [2.0] * 4, right))
    assert "stops early" in explain(observation({}, right[:2], right))
    assert "one place later" in explain(observation({}, [4.0, 3.0, 2.0, 1.0], right))
    assert "another order" in explain(observation({}, [4.0, 5.0, 2.0, 3.0], right))
    assert "reverse order" in explain(observation({}, right[::-1], right))
    assert "and then more" in explain(observation({}, [*right, 1.0], right))


def test_a_path_where_the_end_was_asked_for():
    assert "every value along the way" in explain(observation({}, [1.0, 0.6, 0.36], 0.36))


def test_the_neighbouring_input_and_its_mirror():
    # gradient_descent(θ₀ = 1, λ = 0.1, k) = 0.8^k; the answer runs k + 1 steps.
    def right(k):
        return 0.8 ** k
    probes = [probe("number_steps + 1", {"number_steps": 4}, right(5), right(4),
                    shift=("number_steps", 1), means="one step too many", varies="number_steps"),
              probe("number_steps − 1", {"number_steps": 2}, right(3), right(2),
                    shift=("number_steps", -1), means="one step too few", varies="number_steps")]
    obs = observation({"number_steps": 3}, right(4), right(3), probes)
    assert explain(obs) == "What came back is the right answer for number_steps + 1: one step too many."
    probes[1].got = returned(0.5)   # the mirror does not bear it out
    assert "number_steps + 1" not in explain(obs)


def test_a_returned_input_and_an_answer_that_changes_where_it_must_not():
    obs = observation({"theta_0": [1.0, 2.0]}, [1.0, 2.0], [2.0, 4.0],
                      [probe("θ₀ + 1", {"theta_0": [2.0, 3.0]}, [2.0, 3.0], [4.0, 6.0])])
    assert "the input theta_0 itself" in explain(obs)
    obs = observation({"y_hat": [1.0], "y": [0.0]}, 2.0, 1.0,
                      [probe("y_hat and y both move up by 1", {"y_hat": [2.0], "y": [1.0]}, 5.0,
                             1.0, same=True, means="the loss must depend on the errors alone")])
    assert "the errors alone" in explain(obs)


@pytest.mark.parametrize("got", [[9.0, 1.0], "text", None])
def test_nothing_is_named_without_a_relation(got):
    obs = observation({"theta": 1.0}, got, [2.0, 4.0],
                      [probe("θ doubled", {"theta": 2.0}, [3.0, 3.0], [4.0, 8.0], varies="θ",
                             scale=2)])
    assert explain(obs) == ""


def test_the_judged_part_of_a_pair():
    obs = observation({}, [[1.0], [3.0, 3.0, 3.0]], [[1.0], [3.0, 2.0, 1.0]], part=(1,))
    assert "same value" in explain(obs)


def test_a_step_that_never_recomputes_the_gradient():
    # θ_k = θ₀ − k·λ·2θ₀: the gradient at the start, every step.
    def wrong(k):
        return 1.0 - k * 0.1 * 2.0
    probes = [probe("number_steps + 1", {"number_steps": 4}, wrong(4), 0.8 ** 4,
                    shift=("number_steps", 1), means="one step too many", varies="number_steps"),
              probe("number_steps − 1", {"number_steps": 2}, wrong(2), 0.8 ** 2,
                    shift=("number_steps", -1), means="one step too few", varies="number_steps")]
    obs = observation({"initial_theta": 1.0, "number_steps": 3}, wrong(3), 0.8 ** 3, probes,
                      start="initial_theta")
    assert "by the same amount" in explain(obs)


def test_a_count_that_grows_where_the_right_one_shrinks():
    # batch_size taken as the number of batches: 3 epochs of b batches, against ceil(5 / b).
    obs = observation({"batch_size": 2}, [9.0 - i for i in range(6)], [float(i) for i in range(9)],
                      [probe("batch_size doubled", {"batch_size": 4}, [20.0 - i for i in range(12)],
                             [float(i) for i in range(6)], varies="batch_size", scale=2,
                             means="batch_size is the number of points in a batch")])
    said = explain(obs)
    assert "the number of entries doubles; in the right answer it shrinks" in said, said


def test_an_answer_that_no_input_moves():
    probes = [probe("λ halved", {"learning_rate": 0.05}, 0.0, 0.7, varies="λ"),
              probe("θ₀ doubled", {"initial_theta": 2.0}, 0.0, 1.0, varies="θ₀")]
    obs = observation({"learning_rate": 0.1, "initial_theta": 1.0}, 0.0, 0.5, probes)
    assert "the same whatever the inputs (λ, θ₀)" in explain(obs)


def test_an_input_equal_to_the_answer_by_chance_is_not_returned():
    # |1 − 2λ| at λ = 1 is 1 = λ; and at λ = 0 every step is 0 = λ: one value, no relation.
    assert explain(observation({"learning_rate": 1.0}, 1.0, True)) == ""
    probes = [probe("θ₀ doubled", {"initial_theta": 2.0}, 0.0, 2.0, varies="θ₀")]
    obs = observation({"initial_theta": 1.0, "learning_rate": 0.0}, 0.0, 1.0, probes)
    assert "learning_rate itself" not in explain(obs)


def test_a_reversed_list_is_said_reversed():
    assert explain(observation({}, ["b", "a"], ["a", "b"])) == \
        "The list has the right entries in reverse order."


def test_parts_of_another_kind_are_not_compared():
    # train returned (losses, w): the part judged as the losses is a tensor.
    obs = observation({}, [[3.0, 2.0, 1.0], [2.0]], [[2.0], [3.0, 2.0, 1.0]], part=(1,))
    assert explain(obs) == ""


def test_a_simple_factor_is_not_read_as_the_mean_of_two():
    theta = [[1.0, 2.0], [3.0, 4.0]]
    obs = observation({"theta": theta}, [4.0, 8.0, 12.0, 16.0], [2.0, 4.0, 6.0, 8.0])
    assert explain(obs).startswith("What came back is twice the right answer")
