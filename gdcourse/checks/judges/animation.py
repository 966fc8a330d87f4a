"""Judging an animation from its frames' data (a "film", as gdcourse.checks.animation.read_frames
records it in the kernel): how many frames, which straight line each frame draws, whether the
drawn line's loss falls, whether the data is shown and the axes stay put.

A film is plain data: {"frames": [{"lines": [[xs, ys]], "limits": [[x0, x1, y0, y1]],
"points": [[us, ys]]}], "count", "endless"} and, when the student's code raised while it was
played, "error": {"type", "message", "at"}. The expected side is the solution's film (from the
trusted run) or, in a visible test, a literal summary {"count": frames, "lines": [[slope,
intercept], ...]} of the frames the test compares.

Every function here raises `Failure(what, why)` or returns None; nothing computes a right answer.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..plain import Unreadable, Value
from .common import aux_value, expected_value, returned, show
from .observation import Observation
from .verdict import Failure

if TYPE_CHECKING:   # numpy is imported where it is used: the judges import without it
    import numpy as np

# A frame: {"lines": [(xs, ys)], "limits": [(x0, x1, y0, y1)], "points": [(us, ys)]}
Frame = dict[str, list[Any]]
Fit = tuple[float, ...]   # (slope, intercept) of a straight line

# Frames and lines are compared to this precision (float32 arithmetic, values of order 1 to 10).
REL, ABS = 1e-4, 1e-4

NO_GRAD_DATA = ("The line's data is a tensor that requires grad, and matplotlib cannot turn it "
                "into numbers. Draw a tensor cut off from the graph: (x @ a).detach(), or compute "
                "it under torch.no_grad().")
NO_ANIMATION = "Return the animation, `return FuncAnimation(fig, animate, frames=number_frames)`."


def _array(values: object) -> "np.ndarray":
    import numpy as np

    if not isinstance(values, list):
        raise Unreadable("a film's data is lists of numbers")
    return np.asarray([float(v) for v in values], dtype=float)


@dataclass
class Film:
    """The frames an animation showed, in order, and whether its sequence went on past them."""
    frames: list[Frame] = field(default_factory=list)
    endless: bool = False
    error: dict[str, Any] | None = None


def read_film(value: Value) -> Film:
    """A Film from a plain-data value (gdcourse.checks.plain.Value of kind dict)."""
    data = value.python if value.kind == "dict" else None
    if not isinstance(data, dict) or not isinstance(data.get("frames"), list):
        raise Unreadable("a film is a dict with its frames")
    frames: list[Frame] = []
    for frame in data["frames"]:
        if not isinstance(frame, dict):
            raise Unreadable("a frame is a dict")
        lines = [(_array(xs), _array(ys)) for xs, ys in frame.get("lines", [])]
        limits = [tuple(float(v) for v in limit) for limit in frame.get("limits", [])]
        if any(len(limit) != 4 for limit in limits):
            raise Unreadable("a frame's limits are four numbers per axes")
        points = [(_array(us), _array(ys)) for us, ys in frame.get("points", [])]
        frames.append({"lines": lines, "limits": limits, "points": points})
    error = data.get("error")
    return Film(frames=frames, endless=data.get("endless") is True,
                error=error if isinstance(error, dict) else None)


def student_film(obs: Observation, errors: dict[str, str] | None = None, hint: str = "") -> Film:
    """The student's film, or a failure saying why there is none: the call raised, returned
    nothing or something else than a FuncAnimation, or its code raised while the frames were
    played. `errors` maps a piece of an error's text to its hint."""
    errors = {"requires grad": NO_GRAD_DATA, **(errors or {})}
    got = returned(obs, errors=errors, hint=hint)
    if got.kind == "dict" and got.python.get("none") is True:
        raise Failure(f"{obs.call} returned None: nothing came back.", NO_ANIMATION)
    if got.kind == "dict" and "not_animation" in got.python:
        raise Failure(f"{obs.call} returned {str(got.python.get('repr', ''))[:80]}, of type "
                      f"{str(got.python['not_animation'])[:80]}: expected a "
                      f"matplotlib.animation.FuncAnimation.", NO_ANIMATION)
    if got.kind != "dict":
        raise Failure(f"{obs.call} gave {show(got)}: no film of its frames.", NO_ANIMATION)
    film = read_film(got)
    if film.error is not None:
        text = f"{str(film.error.get('type', 'Error'))[:80]}: {str(film.error.get('message'))}"
        found = next((h for piece, h in errors.items() if piece in text), hint)
        raise Failure(f"{obs.call}, {str(film.error.get('at', ''))[:80]} raised {text}", found)
    return film


def reference(obs: Observation, longer: str = "longer") -> tuple[int, list[Fit | None]]:
    """What the test compares with: (number of frames, [(slope, intercept) per frame]). From the
    solution's film, extended by the trusted run's longer film `longer` when there is one, or
    from a visible test's literal summary."""
    expected = expected_value(obs)
    if expected.kind == "dict" and "frames" in expected.python:
        film = read_film(expected)
        count, lines = len(film.frames), drawn_lines(film)
        extra = aux_value(obs, longer)
        if extra is not None:
            more = drawn_lines(read_film(extra))
            lines = lines + more[len(lines):]
        return count, lines
    if expected.kind == "dict":
        summary = expected.python
        return int(summary.get("count", 0)), [tuple(float(v) for v in line)
                                              for line in summary.get("lines", [])]
    raise Unreadable("the expected side of a film check")


# --- lines ----------------------------------------------------------------------------------------
def straight(xs: "np.ndarray", ys: "np.ndarray") -> tuple[float, float] | None:
    """(slope, intercept) of a line's points when they lie on one straight line, else None."""
    import numpy as np

    if len(xs) < 2 or np.ptp(xs) == 0 or not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        return None
    slope, intercept = np.polyfit(xs, ys, 1)
    if np.allclose(ys, slope * xs + intercept, rtol=REL, atol=ABS):
        return float(slope), float(intercept)
    return None


def _on(line, slope, intercept):
    import numpy as np

    xs, ys = line
    return len(xs) > 0 and np.allclose(ys, slope * xs + intercept, rtol=REL, atol=ABS)


def _close_arrays(a, b):
    import numpy as np

    return a.shape == b.shape and np.allclose(a, b, rtol=REL, atol=ABS)


def _same(line, other):
    return _close_arrays(line[0], other[0]) and _close_arrays(line[1], other[1])


def formula(slope: float, intercept: float) -> str:
    sign = "−" if intercept < 0 else "+"
    return f"y = {slope:.4g}·u {sign} {abs(intercept):.4g}"


def describe(frame: Frame) -> str:
    if not frame["lines"]:
        return "no line at all"
    shown = []
    for xs, ys in frame["lines"][:3]:
        fit = straight(xs, ys)
        shown.append(formula(*fit) if fit else f"a curve through {len(xs)} points")
    more = f" and {len(frame['lines']) - 3} more lines" if len(frame["lines"]) > 3 else ""
    return " and ".join(shown) + more


def _moving(film):
    """The index of the line that counts in every frame: when all frames draw the same number of
    lines, the first straight one that moves in the course of the film (else the first straight
    one); None when the frames differ (then each frame's first straight line counts)."""
    fits = [[straight(xs, ys) for xs, ys in frame["lines"]] for frame in film.frames]
    counts = {len(f) for f in fits}
    if len(counts) != 1 or counts == {0}:
        return fits, None
    number = counts.pop()
    moving = [k for k in range(number)
              if len({fit[k] for fit in fits}) > 1 and all(fit[k] for fit in fits)]
    steady = [k for k in range(number) if all(fit[k] for fit in fits)]
    return fits, (moving or steady or [0])[0]


def drawn_lines(film: Film) -> list[Fit | None]:
    """The straight line (slope, intercept) each frame draws (None for a frame without one)."""
    fits, index = _moving(film)
    found = []
    for fit in fits:
        line = fit[index] if index is not None and index < len(fit) and fit[index] else None
        found.append(line or next((f for f in fit if f), None))
    return found


def frame_count(obs: Observation, film: Film, expected: int, *,
                mistakes: dict[int, str] | None = None, hint: str = "") -> None:
    """The animation has `expected` frames. `mistakes` maps a wrong count to its hint."""
    count = len(film.frames)
    if film.endless:
        raise Failure(f"{obs.call} has more than {count} frames, expected {expected}: its frame "
                      f"sequence does not end.",
                      f"Give FuncAnimation the frames asked for, frames=number_frames (frames=None "
                      f"counts 0, 1, 2, ... forever). {hint}".rstrip())
    if count != expected:
        known = (mistakes or {}).get(count)
        raise Failure(f"{obs.call} has {count} frames, expected {expected}, one per frame asked "
                      f"for (number_frames).", known or hint, mistake=known is not None,
                      generic=hint)


def lines(obs: Observation, film: Film, expected: Sequence[Fit | None], *,
          required: int | None = None, describe_expected: Callable[[int], str] | None = None,
          mistakes: Sequence[tuple[Sequence[Fit | None] | None, str]] = (),
          hint: str = "") -> None:
    """Frame i shows the straight line expected[i] = (slope, intercept), drawn as a Line2D whose
    points satisfy y = slope·u + intercept. The first `required` frames (all of `expected` by
    default) must be in the film: a frame the film does not have is a frame that shows nothing.
    Beyond them (a longer reference), the frames the film has are compared. `mistakes`: (list of
    (slope, intercept) per frame, hint) pairs, the lines a known mistake would draw."""
    describe_expected = describe_expected or (lambda i: f"frame {i}'s line")
    required = len(expected) if required is None else min(required, len(expected))
    if not film.frames:
        raise Failure(f"{obs.call} has no frames at all.", NO_ANIMATION)
    if len(film.frames) < required:
        slope, intercept = expected[len(film.frames)] or (0.0, 0.0)
        raise Failure(f"{obs.call} shows {len(film.frames)} frames: frame {len(film.frames)} is "
                      f"missing, expected {formula(slope, intercept)}, "
                      f"{describe_expected(len(film.frames))}.",
                      "Every frame asked for must be drawn: FuncAnimation(fig, animate, "
                      "frames=number_frames) calls the frame function once per frame.")
    for i, (frame, wanted) in enumerate(zip(film.frames, expected)):
        if wanted is None:
            continue
        slope, intercept = wanted
        if any(_on(line, slope, intercept) for line in frame["lines"]):
            continue
        what = (f"{obs.call}: frame {i} shows {describe(frame)}; expected "
                f"{formula(slope, intercept)}, {describe_expected(i)}.")
        if not frame["lines"]:
            raise Failure(what, "Draw the fit as a line, line, = ax.plot(...), and move it in the "
                                "frame function with line.set_ydata(...).")
        for wrong, mistake_hint in mistakes:
            if _explains(film, wrong, i):
                raise Failure(what, mistake_hint, mistake=True, generic=hint)
        first = film.frames[0]
        if i > 0 and len(frame["lines"]) == len(first["lines"]) and all(
                _same(line, other) for line, other in zip(frame["lines"], first["lines"])):
            raise Failure(what, f"The line never moved: frame {i} draws exactly what frame 0 drew. "
                                f"Each frame must take one update step and then move the line to "
                                f"the new a, line.set_ydata(...).")
        raise Failure(what, hint)


def _explains(film: Film, wrong: Sequence[Fit | None] | None, failing: int) -> bool:
    """Whether a known mistake's lines (`wrong`, per frame) are what the film draws in the first
    failing frame and in every frame before and after it that the mistake has a line for: a
    mistake that matches one frame by chance is not named."""
    if wrong is None or failing >= len(wrong) or wrong[failing] is None:
        return False
    lines_of_mistake = list(wrong)
    return all(any(_on(line, *fit) for line in frame["lines"])
               for frame, fit in zip(film.frames, lines_of_mistake) if fit is not None)


PILING_LINES = ("Frame {i} draws {n} lines where frame 0 drew {first}: ax.plot in the frame "
                "function adds a new line every frame, and the old ones stay. Make the line once, "
                "before the animation (line, = ax.plot(...)), and move it in the frame function "
                "with line.set_ydata(...).")
SIDEWAYS = ("The line's heights never change from frame to frame while its x values do: "
            "set_xdata moves the points sideways. The predictions are heights: line.set_ydata(...).")
NO_INTERCEPT = ("Every frame's line goes through (0, 0), where the right lines do not: the "
                "intercept a[1] is left out of the drawn line. Draw x @ a, whose column of ones "
                "adds the intercept.")


def _updates_shown(film: Film, expected: Sequence[Fit | None]) -> list[int | None]:
    """For each frame, the number of updates whose line (expected[j]) it draws, or None."""
    shown: list[int | None] = []
    for frame in film.frames:
        found = next((j for j, fit in enumerate(expected)
                      if fit is not None and any(_on(line, *fit) for line in frame["lines"])), None)
        shown.append(found)
    return shown


def story(film: Film, expected: Sequence[Fit | None]) -> str:
    """What the frames themselves show about how they were drawn, when one account explains them
    all: lines piling up, a line moved sideways, a line without its intercept, or frames that show
    the line after the wrong number of updates. "" when none does."""
    first = film.frames[0] if film.frames else None
    if first is None:
        return ""
    for i, frame in enumerate(film.frames):
        if len(frame["lines"]) > len(first["lines"]):
            return PILING_LINES.format(i=i, n=len(frame["lines"]), first=len(first["lines"]))
    count = len(first["lines"])
    if len(film.frames) >= 2 and all(len(f["lines"]) == count for f in film.frames):
        for k in range(count):
            heights = [f["lines"][k][1] for f in film.frames]
            places = [f["lines"][k][0] for f in film.frames]
            if all(_close_arrays(h, heights[0]) for h in heights) and \
                    not all(_close_arrays(p, places[0]) for p in places):
                return SIDEWAYS
    fits = drawn_lines(film)
    wanted = [fit for fit in expected[:len(fits)] if fit is not None]
    if len(fits) >= 2 and fits[0] is not None and all(fit == fits[0] for fit in fits) and \
            len(set(wanted)) > 1:
        return ("Every frame draws the same line, the starting one: a never changes while the "
                "frames play. The frame function must call update(x, y, a, learning_rate) on "
                "the a the line is drawn from (in every frame after the first), then move the "
                "line.")
    if fits and all(fit is not None and abs(fit[1]) < 1e-6 for fit in fits) and \
            any(abs(fit[1]) > 1e-3 for fit in wanted):
        return NO_INTERCEPT
    shown = _updates_shown(film, expected)
    known = [(i, j) for i, j in enumerate(shown) if j is not None]
    if len(known) >= 3 and all(j is not None for j in shown[:3]) and \
            any(j != i for i, j in known):
        if all(j == i * (i + 1) // 2 for i, j in known):
            return ("Frame i shows the line after 0 + 1 + … + i updates (frame 2 after 3): each "
                    "frame runs i more updates on the same a, where one update per frame is "
                    "asked for (does frame i call fit(…, i), or loop i times?).")
        per = known[-1][1] // known[-1][0] if known[-1][0] else 0
        if per >= 2 and all(j == per * i for i, j in known):
            return (f"Frame i shows the line after {per}·i updates: each frame runs {per} "
                    f"updates, where one is asked for.")
        if all(j == max(i - 1, 0) for i, j in known):
            return ("Each frame shows the line from before its own update: frame i shows the "
                    "line after i − 1 updates. In the frame function, update first, then move "
                    "the line.")
        ahead = known[0][1] - known[0][0]
        if ahead and all(j == i + ahead for i, j in known):
            return (f"Every frame shows the line {abs(ahead)} update{'s' * (abs(ahead) != 1)} "
                    f"{'ahead of' if ahead > 0 else 'behind'} the one asked for: frame i must "
                    f"show the line after i updates, frame 0 the starting line.")
    return ""


# --- the loss of the drawn line -------------------------------------------------------------------
def frame_losses(film: Film, u: Sequence[float], y: Sequence[float]) -> list[float | None]:
    """The mean squared error, on the data (u, y), of the straight line each frame draws (None
    for a frame without one)."""
    import numpy as np

    inputs, targets = np.asarray(u, dtype=float), np.asarray(y, dtype=float)
    return [None if line is None else float(np.mean((targets - (line[0] * inputs + line[1])) ** 2))
            for line in drawn_lines(film)]


def loss_falls(obs: Observation, film: Film, u: Sequence[float], y: Sequence[float], *,
               hint: str = "") -> None:
    """The line gets closer to the data as the frames go: the mean squared error of the drawn line
    never rises from one frame to the next, and it is lower in the last frame than in the first."""
    losses: list[float] = []
    for i, loss in enumerate(frame_losses(film, u, y)):
        if loss is None:
            raise Failure(f"{obs.call}: frame {i} draws no straight line "
                          f"({describe(film.frames[i])}).",
                          "Draw the fit with ax.plot over the inputs u, line, = ax.plot(u, ...).")
        losses.append(loss)
    for i in range(1, len(losses)):
        if losses[i] > losses[i - 1] * (1 + 1e-4) + 1e-6:
            raise Failure(f"{obs.call}: the loss of the drawn line rises from {losses[i - 1]:.4g} "
                          f"in frame {i - 1} to {losses[i]:.4g} in frame {i}.",
                          f"Each step should take the line downhill, closer to the data. {hint}"
                          .rstrip())
    if len(losses) > 1 and not losses[-1] < losses[0] * (1 - 1e-3):
        raise Failure(f"{obs.call}: the loss of the drawn line is {losses[0]:.4g} in frame 0 and "
                      f"{losses[-1]:.4g} in frame {len(losses) - 1}: the line never gets closer to "
                      f"the data.",
                      f"Each frame must take an update step and then redraw the line at the new a "
                      f"(line.set_ydata). {hint}".rstrip())


# --- the data and the axes ------------------------------------------------------------------------
def _span(low, high):
    return f"({low:.3g}, {high:.3g})"


def fixed_axes(obs: Observation, film: Film, u: Sequence[float], y: Sequence[float]) -> None:
    """The data points are drawn in frame 0, inside the axes, and the axis limits stay the same in
    every frame."""
    import numpy as np

    u, y = np.asarray(u, dtype=float), np.asarray(y, dtype=float)
    data = np.stack([u, y], axis=1)
    ordered = data[np.lexsort((data[:, 1], data[:, 0]))]

    def shows_data(xs, ys):
        if xs.shape != u.shape or ys.shape != y.shape:
            return False
        points = np.stack([xs, ys], axis=1)
        points = points[np.lexsort((points[:, 1], points[:, 0]))]
        return np.allclose(points, ordered, rtol=REL, atol=ABS)

    if not film.frames:
        raise Failure(f"{obs.call} has no frames at all.", NO_ANIMATION)
    first = film.frames[0]
    if not any(shows_data(xs, ys) for xs, ys in first["points"] + first["lines"]):
        raise Failure(f"{obs.call}: frame 0 does not show the data points (u, y).",
                      "Scatter them once, ax.scatter(u, y), so that the line can be seen fitting "
                      "them.")
    for i, frame in enumerate(film.frames[1:], start=1):
        for before, now in zip(first["limits"], frame["limits"]):
            if not np.allclose(before, now):
                raise Failure(f"{obs.call}: the axes changed between frame 0 and frame {i}: x from "
                              f"{_span(*before[:2])} to {_span(*now[:2])}, y from "
                              f"{_span(*before[2:])} to {_span(*now[2:])}.",
                              "Fix the limits once (ax.set_xlim, ax.set_ylim) and move the line "
                              "with line.set_ydata: clearing and re-plotting every frame lets "
                              "matplotlib rescale the axes, and the eye follows the axes instead "
                              "of the line.")
        if len(frame["limits"]) != len(first["limits"]):
            raise Failure(f"{obs.call}: frame {i} has {len(frame['limits'])} axes, frame 0 had "
                          f"{len(first['limits'])}.", "Draw on the same axes in every frame.")
    if not first["limits"]:
        raise Failure(f"{obs.call}: frame 0 has no axes.",
                      "Draw on axes: fig, ax = plt.subplots().")
    x0, x1, y0, y1 = first["limits"][0]
    outside = int(np.sum((u < min(x0, x1)) | (u > max(x0, x1)) | (y < min(y0, y1))
                         | (y > max(y0, y1))))
    if outside:
        raise Failure(f"{obs.call}: {outside} of the {len(u)} data points lie outside the axes, "
                      f"x in {_span(x0, x1)} and y in {_span(y0, y1)}.",
                      "Choose limits that hold all the data.")
