"""Diagnosis by relation: what a wrong answer's values say about the code that made them.

A known mistake is recognised: the judge computes what it gives and finds the answer equal. A
relation is read off the answer itself. A check records the student's function on the test's
input and on a few related ones (its probes, gdcourse.checks.runtime.Probe: an argument changed,
one more step, every error doubled), and the trusted run records the solution on the same inputs.
A relation is named only when it alone explains the answer on the test's input and on every
probe: what came back is an input unchanged, does not move when an argument moves, is the right
answer for a neighbouring input, is the right answer times a constant or plus one, holds the right
entries cut short or repeated, or grows with an argument as the right answer does not. When no
relation explains everything, none is named: the judge's own hint stands alone.

A relation's sentence holds names (of arguments, of the change a probe makes) and simple constants
(2, ½, n/(n − 1)), never a value of the answer or of the test: a hidden test's hint may carry it.
"""
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..plain import Value
from .observation import Observation, ProbePoint
from .verdict import Failure

REL, ABS = 1e-5, 1e-7


@dataclass
class Point:
    """One call the relation must explain: its inputs, the student's value, the solution's."""
    case: dict[str, Value]
    got: Value
    expected: Value
    probe: ProbePoint | None = None   # None: the test's own call


# --- numbers ----------------------------------------------------------------------------------------
def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def _all_close(a: Sequence[float] | None, b: Sequence[float] | None) -> bool:
    return a is not None and b is not None and len(a) == len(b) \
        and all(_close(x, y) for x, y in zip(a, b))


def _numbers(value: Value) -> list[float] | None:
    found = value.numbers()
    return found if found is None or all(math.isfinite(x) or math.isnan(x) for x in found) else None


def _entries(value: Value) -> list[object] | None:
    """A list's entries, comparable one by one: numbers or texts. A tensor's entries are not a
    list built step by step (a gradient, a parameter), so they are not read as one."""
    if value.is_sequence:
        numbers = value.numbers()
        if numbers is not None and len(numbers) == len(value.items):
            return list[object](numbers)
        if all(item.kind == "str" for item in value.items):
            return [item.python for item in value.items]
    return None


def _same_entry(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return _close(a, b)
    return a == b


def _same_entries(a: Sequence[object], b: Sequence[object]) -> bool:
    return len(a) == len(b) and all(_same_entry(x, y) for x, y in zip(a, b))


def _fraction(x: float) -> str:
    """A simple constant as a hint writes it, or "" when it is not one."""
    for whole in (2, 3, 4, 10):
        if _close(x, whole):
            return {2: "twice", 3: "3 times", 4: "4 times", 10: "10 times"}[whole]
        if _close(x, 1 / whole):
            return {2: "half", 3: "a third of", 4: "a quarter of", 10: "a tenth of"}[whole]
    return ""


def _counts(case: dict[str, Value]) -> list[int]:
    """The sizes of the case's data (a tensor's first dimension, a list's length): the n of a
    mean, which a constant factor may be made of."""
    found = []
    for value in case.values():
        if value.kind == "tensor" and value.shape and value.shape[0] >= 2:
            found.append(value.shape[0])
        elif value.is_sequence and len(value.items) >= 2:
            found.append(len(value.items))
    return list(dict.fromkeys(found))


# --- the relations, each a sentence or None -----------------------------------------------------------
Relation = Callable[[list[Point], Observation], "str | None"]


def returns_input(points: list[Point], obs: Observation) -> str | None:
    """What came back is one of the inputs, unchanged, at every point, and that input took more
    than one value among them (one value may equal an answer by chance: λ = 0, θ = 1). The
    input a step moves away from (`start`) counts with one value: it must not come back."""
    for name in points[0].case:
        values = [_numbers(p.case[name]) for p in points if name in p.case]
        single = all(_all_close(v, values[0]) for v in values[1:])
        if any(v is None for v in values) or (single and (name != obs.start or len(points) < 2)):
            continue
        if all(name in p.case and _all_close(_numbers(p.got), _numbers(p.case[name]))
               for p in points) and \
                not all(_all_close(_numbers(p.expected), _numbers(p.case[name])) for p in points):
            if name == obs.start:
                return (f"What came back is {name} as it was given, on every input tried: it "
                        f"never moved. Each step must compute a new value from the gradient and "
                        f"keep it (a step with a gradient of zero, or a result not assigned, "
                        f"leaves it where it was).")
            return (f"What came back is the input {name} itself, unchanged, on every input "
                    f"tried: the function hands back what it was given instead of what it "
                    f"computes from it.")
    return None


def whole_path(points: list[Point], obs: Observation) -> str | None:
    """What came back holds more values than asked for, and its last ones are the right answer."""
    def last_is_answer(p: Point) -> bool:
        got, expected = _numbers(p.got), _numbers(p.expected)
        return (got is not None and expected is not None and len(got) >= 2 * len(expected)
                and len(got) % len(expected) == 0 and _all_close(got[-len(expected):], expected))
    if all(last_is_answer(p) for p in points):
        return ("The last value of what came back is the right answer: the function returns "
                "every value along the way, where only the final one is asked for.")
    return None


def _sequence_relation(test: Callable[[list[object], list[object]], bool],
                       points: list[Point]) -> bool:
    pairs = [(_entries(p.got), _entries(p.expected)) for p in points]
    return all(got is not None and expected is not None and test(got, expected)
               for got, expected in pairs)


def _varied(entries: Sequence[object]) -> bool:
    return any(not _same_entry(entries[0], e) for e in entries[1:])


def repeated(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return len(got) >= 2 and not _varied(got) and _varied(expected)
    if _sequence_relation(test, points):
        return ("Every entry of the list is the same value, where the right entries differ: "
                "one value was repeated ([value] * n, or the same variable added each time) "
                "instead of a new one made at each step.")
    return None


def only_last(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return 1 <= len(got) < len(expected) and _same_entries(got, expected[-len(got):])
    if _sequence_relation(test, points):
        return ("The list holds only the last of the right entries: the earlier ones were lost. "
                "A list made inside the loop starts afresh at every pass; make it once, before "
                "the loop, and add to it inside.")
    return None


def stops_early(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return 1 <= len(got) < len(expected) and _same_entries(got, expected[:len(got)])
    if _sequence_relation(test, points):
        return ("The first entries of the list are right, but it stops early: the last ones "
                "the right answer has are missing.")
    return None


def goes_on(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return len(got) > len(expected) >= 1 and _same_entries(got[:len(expected)], expected)
    if _sequence_relation(test, points):
        return ("The list has all the right entries, in order, and then more: it goes on past "
                "where the right answer ends.")
    return None


def reversed_order(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return len(got) == len(expected) >= 2 and _same_entries(got, expected[::-1]) and \
            not _same_entries(got, expected)
    if _sequence_relation(test, points):
        return "The list has the right entries in reverse order."
    return None


def shifted(points: list[Point], obs: Observation) -> str | None:
    def ahead(got: list[object], expected: list[object]) -> bool:
        return len(got) == len(expected) >= 2 and _same_entries(got[:-1], expected[1:])

    def behind(got: list[object], expected: list[object]) -> bool:
        return len(got) == len(expected) >= 2 and _same_entries(got[1:], expected[:-1])
    if _sequence_relation(ahead, points):
        return ("Each entry is the one the right list has one place later: the values are one "
                "step ahead (recorded after the update they should come before).")
    if _sequence_relation(behind, points):
        return ("Each entry is the one the right list has one place earlier: the values are one "
                "step behind (recorded before the update they should come after, or one step "
                "late).")
    return None


def _order(entry: object) -> tuple[float, str]:
    """A sort key for a list's entries, numbers by value and texts by text."""
    return (entry, "") if isinstance(entry, float) else (math.inf, str(entry))


def reordered(points: list[Point], obs: Observation) -> str | None:
    def test(got: list[object], expected: list[object]) -> bool:
        return len(got) == len(expected) >= 2 and not _same_entries(got, expected) and \
            _same_entries(sorted(got, key=_order), sorted(expected, key=_order))
    if _sequence_relation(test, points):
        return "The list has the right entries, in another order."
    return None


def not_a_number(points: list[Point], obs: Observation) -> str | None:
    main = points[0]
    got, expected = _numbers(main.got), _numbers(main.expected)
    if got is None or expected is None or not any(math.isnan(x) for x in got) \
            or any(math.isnan(x) for x in expected):
        return None
    return ("Some values are nan (not a number) where the right answer has numbers: a mean of "
            "an empty tensor is nan (an empty slice or batch: check where each one ends), and "
            "so is 0/0 or inf − inf.")


def ignores(points: list[Point], obs: Observation) -> str | None:
    """An input changes, the right answer changes, and what came back does not."""
    main = points[0]
    by_input: dict[str, list[Point]] = {}
    for p in points[1:]:
        if p.probe is not None and p.probe.varies and not p.probe.same:
            by_input.setdefault(p.probe.varies, []).append(p)
    unmoved = [varies for varies, probes in by_input.items()
               if (moved := [p for p in probes
                             if not _all_close(_numbers(p.expected), _numbers(main.expected))])
               and all(_all_close(_numbers(p.got), _numbers(main.got)) for p in moved)]
    if len(unmoved) >= 2 and len(unmoved) == len(by_input):
        return (f"What came back is the same whatever the inputs ({', '.join(unmoved)}), where "
                f"the right answer changes with each: the result is not computed from them.")
    for varies in unmoved:
        return (f"What came back does not change when {varies} changes, but the right answer "
                f"does: {varies} is not used (a fixed number in its place, or a name from "
                f"outside the function).")
    return None


def neighbour(points: list[Point], obs: Observation) -> str | None:
    """What came back is the right answer for a neighbouring input, and, where the probes can
    tell, the same holds one input further on."""
    main = points[0]
    got = _numbers(main.got)
    if got is None:
        return None
    for p in points[1:]:
        probe = p.probe
        if probe is None or not probe.means or probe.same \
                or not _all_close(got, _numbers(p.expected)):
            continue
        if probe.shift is not None:
            name, delta = probe.shift
            mirror = next((q for q in points[1:] if q.probe is not None
                           and q.probe.shift == (name, -delta)), None)
            if mirror is not None and not _all_close(_numbers(mirror.got), _numbers(main.expected)):
                continue
        return f"What came back is the right answer for {probe.name}: {probe.means}."
    return None


def not_invariant(points: list[Point], obs: Observation) -> str | None:
    """A change that leaves the right answer as it is changes what came back."""
    main = points[0]
    for p in points[1:]:
        if p.probe is not None and p.probe.same and \
                _all_close(_numbers(p.expected), _numbers(main.expected)) and \
                not _all_close(_numbers(p.got), _numbers(main.got)):
            return (f"What came back changes when {p.probe.name}, though the right answer does "
                    f"not: {p.probe.means}.")
    return None


def _moves(p: Point, start: str, of: Callable[[Point], Value]) -> list[float] | None:
    """How far a value moved from the input `start`, entry by entry."""
    begin, end = _numbers(p.case[start]) if start in p.case else None, _numbers(of(p))
    if begin is None or end is None or len(begin) != len(end):
        return None
    return [e - b for b, e in zip(begin, end)]


def _factor(pairs: list[tuple[list[float] | None, list[float] | None]]) -> float | None:
    """The one constant c with got = c · expected in every pair, when the expected values vary
    enough to show it (two different non-zero numbers at least)."""
    ratio, seen = None, set()
    for got, expected in pairs:
        if got is None or expected is None or len(got) != len(expected):
            return None
        for g, e in zip(got, expected):
            if math.isnan(g) or math.isnan(e):
                return None
            if abs(e) < 1e-9:
                if abs(g) > 1e-7:
                    return None
                continue
            seen.add(round(e, 9))
            if ratio is None:
                ratio = g / e
            elif not _close(g, ratio * e):
                return None
    return ratio if len(seen) >= 2 and ratio is not None and not _close(ratio, 1) else None


def step_scaled(points: list[Point], obs: Observation) -> str | None:
    """A step that moves by a constant times the right move (the other way: uphill). Where the
    check has probes of a single step, those are the points; otherwise every call is one step."""
    if not obs.start:
        return None
    single = [p for p in points if p.probe is not None and p.probe.one_step]
    c = _factor([(_moves(p, obs.start, lambda q: q.got), _moves(p, obs.start, lambda q: q.expected))
                 for p in single or points])
    if c is None or _close(c, 0):
        return None
    where = "In a single step" if single else "On every input tried"
    if _close(c, -1):
        return (f"{where}, {obs.start} moved as far as it should, but the other way: the step "
                f"goes up the slope. A step subtracts λ times the gradient.")
    word = _fraction(abs(c))
    size = f"{word} as far as it should" if word else "the right distance times a constant"
    way = "the other way" if c < 0 else "the right way"
    return f"{where}, {obs.start} moved {size}, {way}."


def same_move_each_step(points: list[Point], obs: Observation) -> str | None:
    """One step more and one fewer move what came back by the same amount, where the right
    answer's steps shrink as θ nears the minimum: the step is not computed again where θ is."""
    main = points[0]
    near = {p.probe.shift: p for p in points[1:] if p.probe is not None and p.probe.shift}
    more = next((p for (name, delta), p in near.items() if delta == 1), None)
    fewer = next((p for (name, delta), p in near.items() if delta == -1), None)
    if not obs.start or more is None or fewer is None:
        return None

    def differences(side: str) -> tuple[list[float], list[float]] | None:
        before, now, after = (_numbers(getattr(p, side)) for p in (fewer, main, more))
        if before is None or now is None or after is None or \
                not len(before) == len(now) == len(after):
            return None
        return ([b - a for a, b in zip(before, now)], [b - a for a, b in zip(now, after)])
    got, right = differences("got"), differences("expected")
    if got is None or right is None or not _all_close(*got) or _all_close(*right) \
            or all(abs(d) < 1e-9 for d in got[0]):
        return None
    return (f"Every step moves {obs.start} by the same amount, where the right steps shrink as "
            f"{obs.start} nears the minimum: the gradient is not computed again at the value "
            f"each step reached (it stays the gradient at the start).")


def _power(ratio: float, scale: float) -> float | None:
    """k with ratio = scale ** k, for k a whole or half number from −2 to 2."""
    for k in (0, 1, -1, 2, -2, 0.5, -0.5):
        if _close(ratio, scale ** k):
            return k
    return None


def _grows(k: float, scale: float) -> str:
    factor = scale ** k
    if k == 0:
        return "stays the same"
    if _close(factor, 2):
        return "doubles"
    if _close(factor, 0.5):
        return "halves"
    return f"grows {factor:g}-fold" if factor > 1 else f"shrinks {1 / factor:g}-fold"


def _ratio(p: Point, main: Point, of: Callable[[Point], list[float] | None]) -> float | None:
    now, then = of(p), of(main)
    if now is None or then is None or len(now) != len(then):
        return None
    ratios = [a / b for a, b in zip(now, then) if abs(b) > 1e-9]
    if not ratios or any(abs(b) <= 1e-9 and abs(a) > 1e-7 for a, b in zip(now, then)):
        return None
    return ratios[0] if all(_close(r, ratios[0]) for r in ratios) else None


def grows_differently(points: list[Point], obs: Observation) -> str | None:
    """Scaling an input scales the right answer (or its step) by one power of the factor and
    what came back by another."""
    main = points[0]
    start = obs.start

    def measure(side: str) -> Callable[[Point], list[float] | None]:
        if start:
            return lambda p: _moves(p, start, lambda q: getattr(q, side))
        return lambda p: _numbers(getattr(p, side))

    def length(side: str) -> Callable[[Point], list[float] | None]:
        def count(p: Point) -> list[float] | None:
            entries = _entries(getattr(p, side))
            return None if entries is None else [float(len(entries))]
        return count

    for p in points[1:]:
        probe = p.probe
        if probe is None or probe.scale is None or not probe.varies:
            continue
        for of, what in ((measure, f"{start}'s move" if start else "what came back"),
                         (length, "the number of entries")):
            got_ratio, right_ratio = _ratio(p, main, of("got")), _ratio(p, main, of("expected"))
            if got_ratio is None or right_ratio is None:
                continue
            k_got, k_right = _power(got_ratio, probe.scale), _power(right_ratio, probe.scale)
            if k_got is None or k_got == 0 or k_got == k_right:
                continue
            if k_right is None:
                # A right answer that moves by no power of the factor (a count of batches rounds
                # up) is said by its direction, when that differs from the answer's.
                if (got_ratio > 1) == (right_ratio > 1) or _close(right_ratio, 1):
                    continue
                right = "grows" if right_ratio > 1 else "shrinks"
            else:
                right = _grows(k_right, probe.scale)
            said = (f"When {probe.varies} is multiplied by {probe.scale:g}, {what} "
                    f"{_grows(k_got, probe.scale)}; in the right answer it {right}")
            if k_right is not None and k_got == -k_right:
                said += f": {probe.varies} divides where it should multiply, or the reverse"
            elif probe.means:
                said += f": {probe.means}"
            return said + "."
    return None


def constant_factor(points: list[Point], obs: Observation) -> str | None:
    c = _factor([(_numbers(p.got), _numbers(p.expected)) for p in points])
    if c is None:
        return None
    if _close(c, -1):
        return ("What came back is the right answer with the opposite sign, on every input "
                "tried: a minus sign is missing, or one too many.")
    word = _fraction(abs(c))
    # A factor made of the data's size n names the mean's divisor, when no simpler constant
    # (2, ½, …) is the same number: for n = 2, n/(n − 1) is 2.
    for n in [] if word else [n for n in _counts(points[0].case) if n >= 3]:
        if _close(c, n / (n - 1)):
            return ("What came back is n/(n − 1) times the right answer, with n the number of "
                    "entries: a division by n − 1 where the mean divides by n.")
        if _close(c, n):
            return ("What came back is n times the right answer, with n the number of entries: "
                    "a sum where the mean (the sum divided by n) is asked for.")
        if _close(c, 1 / n):
            return ("What came back is the right answer divided by n, the number of entries: a "
                    "mean where a sum is asked for.")
    sign = "" if c > 0 else " with the opposite sign"
    if word:
        return (f"What came back is {word} the right answer{sign}, on every input tried: a "
                f"constant factor is off (a factor of 2 or ½, or a division by the wrong number).")
    return ("What came back is the right answer times the same constant, on every input tried: "
            "a constant factor is off somewhere in the formula.")


def constant_offset(points: list[Point], obs: Observation) -> str | None:
    shift, seen = None, set()
    for p in points:
        got, expected = _numbers(p.got), _numbers(p.expected)
        if got is None or expected is None or len(got) != len(expected):
            return None
        for g, e in zip(got, expected):
            seen.add(round(e, 9))
            if shift is None:
                shift = g - e
            elif not _close(g - e, shift):
                return None
    if shift is None or len(seen) < 2 or abs(shift) < 1e-7:
        return None
    return ("What came back is the right answer plus the same constant, on every input tried: "
            "a term is added that should not be, or one is missing.")


# Said in this order: the first relation that explains every point is the one named. The ones
# that read the structure of a list come first (they explain more than a constant could).
RELATIONS: list[Relation] = [
    returns_input, whole_path, repeated, only_last, stops_early, goes_on, reversed_order, shifted,
    reordered, not_a_number, neighbour, ignores, not_invariant, step_scaled, same_move_each_step,
    grows_differently,
    constant_factor, constant_offset,
]


def _part(value: Value | None, part: tuple[int | str, ...]) -> Value | None:
    """The judged part of what came back (train's losses in its (w, losses)), or None."""
    for key in part:
        if value is None:
            return None
        if isinstance(key, int) and value.is_sequence and -len(value.items) <= key < len(value.items):
            value = value.items[key]
        elif isinstance(key, str) and value.kind == "dict":
            value = value.fields.get(key)
        else:
            return None
    return value


def _points(obs: Observation) -> list[Point] | None:
    """The test's call and every probe, when all of them returned on both sides; None when one
    did not (a relation cannot explain an error)."""
    if obs.got.kind != "returned" or obs.expected.kind != "returned":
        return None
    got, expected = _part(obs.got.value, obs.part), _part(obs.expected.value, obs.part)
    if got is None or expected is None or (obs.part and got.kind != expected.kind):
        return None   # a part of another kind: the parts are not where they belong
    points = [Point(obs.case, got, expected)]
    for probe in obs.probes:
        if probe.expected.kind != "returned":
            continue   # the solution itself cannot answer there: nothing to compare with
        if probe.got.kind != "returned":
            return None
        got, expected = _part(probe.got.value, obs.part), _part(probe.expected.value, obs.part)
        if got is None or expected is None:
            return None
        points.append(Point(probe.case, got, expected, probe))
    return points


def explain(obs: Observation) -> str:
    """The relation that explains the answer on the test's input and on every probe, as a
    sentence; "" when none does."""
    points = _points(obs)
    if points is None:
        return ""
    for relation in RELATIONS:
        try:
            said = relation(points, obs)
        except (ArithmeticError, ValueError, TypeError):
            said = None   # values no relation can read (a zero, an infinity): none named
        if said:
            return said
    return ""


def told(failure: Failure, obs: Observation) -> Failure:
    """`failure` with the relation its observation shows (judged here, said by its verdict)."""
    relation = explain(obs)
    return replace(failure, relation=relation) if relation else failure
