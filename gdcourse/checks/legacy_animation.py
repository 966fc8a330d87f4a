"""Grading a matplotlib animation by its data: what each frame draws, never its pixels.

A test cell hands `read_frames` a function that builds the student's animation. `read_frames` plays
the animation the way matplotlib does when it saves one (`Animation.save`): an initial draw, then
the frame function once per item of the frame sequence. After each frame it records the data of
every line on the figure, the axis limits and the scattered points, without drawing anything:
rendering a few dozen frames to HTML takes a second or more per student, and the data is what the
exercise is about. The other functions check a recorded `Film` and fail with a message that says
which frame is wrong, what it shows, what was expected and which idea to revisit.

There is no public way to run one frame of a `FuncAnimation` without drawing it, so this module
reads its private attributes `_func`, `_args`, `_init_func` and `_fig` (with the public
`new_frame_seq()`), and sets `_draw_was_started` as `Animation.save` does, so that matplotlib does
not warn "Animation was deleted without rendering anything" later. The course pins matplotlib
(3.11.2 in requirements.txt); check these names when upgrading it.

This module holds no solution: the lines each frame should show are computed in the test cells.
"""
from dataclasses import dataclass, field

import numpy as np

from gdcourse.checks.legacy import call_or_fail, fail, show

# How many frames past the expected number read_frames reads before calling an animation endless.
EXTRA_FRAMES = 200

# Frames and lines are compared to this precision (float32 arithmetic, values of order 1 to 10).
REL, ABS = 1e-4, 1e-4

NO_GRAD_DATA = ("The line's data is a tensor that requires grad, and matplotlib cannot turn it "
                "into numbers. Draw a tensor cut off from the graph: (x @ a).detach(), or compute "
                "it under torch.no_grad().")


def _run(compute, call, note, known=None):
    """Run student code with checks.call_or_fail: an error fails with the call, the error and
    the hint of `known` ({piece of the error message: hint}); `note` ends every such message."""
    __tracebackhide__ = True
    return call_or_fail(compute, call=call, hint=note.strip(),
                        errors={piece: hint + note for piece, hint in (known or {}).items()})


@dataclass
class Frame:
    """What one frame shows: each Line2D's (x, y) data, each Axes' limits, the scattered points."""
    lines: list = field(default_factory=list)    # [(xs, ys)] numpy arrays, every axes in turn
    limits: list = field(default_factory=list)   # [((x0, x1), (y0, y1))], one per axes
    points: list = field(default_factory=list)   # [array of shape (k, 2)], one per scatter


@dataclass
class Film:
    """The frames an animation showed, in order, and whether its sequence went on past them."""
    call: str
    frames: list
    endless: bool      # more frames came than were asked to be read
    note: str = ""     # added to failure messages (e.g. "fix update first")


def _numbers(values):
    """Plain float arrays from what matplotlib holds (lists, numpy arrays or tensors)."""
    return np.asarray(values, dtype=float).reshape(-1)


def _snapshot(fig, number, call, note):
    __tracebackhide__ = True
    frame = Frame()
    for ax in fig.axes:
        for line in ax.get_lines():
            # orig=False converts the data as a draw would, so data that cannot be drawn fails here.
            frame.lines.append(_run(lambda: (_numbers(line.get_xdata(orig=False)),
                                             _numbers(line.get_ydata(orig=False))),
                                    f"{call}, frame {number}: reading the line's data", note,
                                    known={"requires grad": NO_GRAD_DATA}))
        frame.limits.append((tuple(ax.get_xlim()), tuple(ax.get_ylim())))
        for collection in ax.collections:
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if offsets.ndim == 2 and offsets.shape[1] == 2 and len(offsets):
                frame.points.append(offsets)
    return frame


def read_frames(make_animation, *, call, frames_wanted, note=""):
    """Build an animation with `make_animation()` and record every frame it shows.

    Reads at most `frames_wanted` + EXTRA_FRAMES frames, so that a wrong count can be reported
    exactly and an endless frame sequence still ends. Every figure opened meanwhile is closed,
    whatever happens, so that nothing is displayed and no figure piles up. Returns a `Film`.
    """
    __tracebackhide__ = True
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    figures_before = set(plt.get_fignums())
    animation = None
    try:
        animation = _run(make_animation, call, note, known={"requires grad": NO_GRAD_DATA})
        if animation is None:
            fail(f"{call} returned None: nothing came back. Return the animation, "
                 f"`return FuncAnimation(fig, animate, frames=number_frames)`." + note)
        if not isinstance(animation, FuncAnimation):
            fail(f"{call} returned {show(animation)}, of type {type(animation).__name__}: expected "
                 f"a matplotlib.animation.FuncAnimation." + note)
        animation._draw_was_started = True  # as Animation.save does: no "deleted without rendering"
        fig, func, args = animation._fig, animation._func, animation._args
        # The initial draw, as matplotlib makes it: init_func if there is one, else frame 0.
        initial = f"{call}: the initial draw (init_func, or the frame function on frame 0)"
        if animation._init_func is not None:
            _run(animation._init_func, initial, note)
        else:
            nothing = object()
            first = next(iter(animation.new_frame_seq()), nothing)
            if first is not nothing:
                _run(lambda: func(first, *args), initial, note)
        frames, endless = [], False
        for number, frame_data in enumerate(animation.new_frame_seq()):
            if number >= frames_wanted + EXTRA_FRAMES:
                endless = True
                break
            _run(lambda: func(frame_data, *args), f"{call}, frame {number}: the frame function",
                 note)
            frames.append(_snapshot(fig, number, call, note))
        return Film(call=call, frames=frames, endless=endless, note=note)
    finally:
        if animation is not None and getattr(animation, "_fig", None) is not None:
            plt.close(animation._fig)
        for number in set(plt.get_fignums()) - figures_before:
            plt.close(number)


def check_frame_count(film, expected, *, mistakes=None, hint=""):
    """The animation has `expected` frames. `mistakes` maps a wrong count to its hint."""
    __tracebackhide__ = True
    count = len(film.frames)
    if film.endless:
        fail(f"{film.call} has more than {count} frames, expected {expected}: its frame sequence "
             f"does not end. Give FuncAnimation the frames asked for, frames=number_frames "
             f"(frames=None counts 0, 1, 2, ... forever).\n{hint}".rstrip() + film.note)
    if count != expected:
        mistake_hint = (mistakes or {}).get(count, hint)
        fail(f"{film.call} has {count} frames, expected {expected}, one per frame asked for "
             f"(number_frames).\n{mistake_hint}".rstrip() + film.note)


def _straight(xs, ys):
    """(slope, intercept) of a line's points when they lie on one straight line, else None."""
    if len(xs) < 2 or np.ptp(xs) == 0:
        return None
    slope, intercept = np.polyfit(xs, ys, 1)
    if np.allclose(ys, slope * xs + intercept, rtol=REL, atol=ABS):
        return float(slope), float(intercept)
    return None


def _on(line, slope, intercept):
    xs, ys = line
    return len(xs) > 0 and np.allclose(ys, slope * xs + intercept, rtol=REL, atol=ABS)


def _same(line, other):
    return (line[0].shape == other[0].shape and np.allclose(line[0], other[0], rtol=REL, atol=ABS)
            and np.allclose(line[1], other[1], rtol=REL, atol=ABS))


def _formula(slope, intercept):
    sign = "−" if intercept < 0 else "+"
    return f"y = {slope:.4g}·u {sign} {abs(intercept):.4g}"


def _describe(frame):
    if not frame.lines:
        return "no line at all"
    shown = []
    for xs, ys in frame.lines[:3]:
        fit = _straight(xs, ys)
        shown.append(_formula(*fit) if fit else f"a curve through {len(xs)} points")
    more = f" and {len(frame.lines) - 3} more lines" if len(frame.lines) > 3 else ""
    return " and ".join(shown) + more


def check_lines(film, expected, *, describe_expected=None, mistakes=(), hint=""):
    """Frame i shows the straight line expected[i] = (slope, intercept), drawn as a Line2D whose
    points satisfy y = slope·u + intercept. Only the frames both sides have are compared (the
    frame count is check_frame_count's business).

    `describe_expected(i)` says in words which line frame i should show. `mistakes` is a list of
    (list of (slope, intercept) per frame, hint): the lines a known mistake would draw.
    """
    __tracebackhide__ = True
    describe_expected = describe_expected or (lambda i: f"frame {i}'s line")
    if not film.frames:
        fail(f"{film.call} has no frames at all." + film.note)
    for i, (frame, (slope, intercept)) in enumerate(zip(film.frames, expected)):
        if any(_on(line, slope, intercept) for line in frame.lines):
            continue
        message = (f"{film.call}: frame {i} shows {_describe(frame)}; expected "
                   f"{_formula(slope, intercept)}, {describe_expected(i)}.")
        if not frame.lines:
            fail(f"{message}\nDraw the fit as a line, line, = ax.plot(...), and move it in the "
                 f"frame function with line.set_ydata(...)." + film.note)
        for wrong, mistake_hint in mistakes:
            if i < len(wrong) and any(_on(line, *wrong[i]) for line in frame.lines):
                fail(f"{message}\n{mistake_hint}" + film.note)
        first = film.frames[0]
        if i > 0 and len(frame.lines) == len(first.lines) and all(
                _same(line, other) for line, other in zip(frame.lines, first.lines)):
            fail(f"{message}\nThe line never moved: frame {i} draws exactly what frame 0 drew. "
                 f"Each frame must take one update step and then move the line to the new a, "
                 f"line.set_ydata(...)." + film.note)
        fail(f"{message}\n{hint}".rstrip() + film.note)


def frame_losses(film, u, y):
    """The mean squared error, on the data (u, y), of the straight line each frame draws (None
    for a frame without one). When a frame draws several straight lines, the one that moves in
    the course of the film counts."""
    u, y = _numbers(u), _numbers(y)
    fits = [[_straight(xs, ys) for xs, ys in frame.lines] for frame in film.frames]
    counts = {len(f) for f in fits}
    index = 0
    if len(counts) == 1 and counts != {0}:
        moving = [k for k in range(counts.pop())
                  if len({fit[k] for fit in fits}) > 1 and all(fit[k] for fit in fits)]
        straight = [k for k in range(len(fits[0])) if all(fit[k] for fit in fits)]
        index = (moving or straight or [0])[0]
    losses = []
    for fit in fits:
        line = fit[index] if index < len(fit) and fit[index] else next((f for f in fit if f), None)
        losses.append(None if line is None else float(np.mean((y - (line[0] * u + line[1])) ** 2)))
    return losses


def check_loss_falls(film, u, y, *, hint=""):
    """The line gets closer to the data as the frames go: the mean squared error of the drawn line
    never rises from one frame to the next, and it is lower in the last frame than in the first."""
    __tracebackhide__ = True
    losses = frame_losses(film, u, y)
    for i, loss in enumerate(losses):
        if loss is None:
            fail(f"{film.call}: frame {i} draws no straight line ({_describe(film.frames[i])}): "
                 f"draw the fit with ax.plot over the inputs u, line, = ax.plot(u, ...)."
                 + film.note)
    for i in range(1, len(losses)):
        if losses[i] > losses[i - 1] * (1 + 1e-4) + 1e-6:
            fail(f"{film.call}: the loss of the drawn line rises from {losses[i - 1]:.4g} in frame "
                 f"{i - 1} to {losses[i]:.4g} in frame {i}: each step should take the line "
                 f"downhill, closer to the data.\n{hint}".rstrip() + film.note)
    if len(losses) > 1 and not losses[-1] < losses[0] * (1 - 1e-3):
        fail(f"{film.call}: the loss of the drawn line is {losses[0]:.4g} in frame 0 and "
             f"{losses[-1]:.4g} in frame {len(losses) - 1}: the line never gets closer to the "
             f"data. Each frame must take an update step and then redraw the line at the new a "
             f"(line.set_ydata).\n{hint}".rstrip() + film.note)


def check_fixed_axes(film, u, y):
    """The data points are drawn, inside the axes, and the axis limits stay the same in every
    frame."""
    __tracebackhide__ = True
    u, y = _numbers(u), _numbers(y)
    data = np.stack([u, y], axis=1)
    ordered = data[np.lexsort((data[:, 1], data[:, 0]))]

    def shows_data(points):
        points = np.asarray(points, dtype=float)
        if points.shape != data.shape:
            return False
        points = points[np.lexsort((points[:, 1], points[:, 0]))]
        return np.allclose(points, ordered, rtol=REL, atol=ABS)

    if not film.frames:
        fail(f"{film.call} has no frames at all." + film.note)
    first = film.frames[0]
    drawn = list(first.points) + [np.stack(line, axis=1) for line in first.lines if len(line[0])]
    if not any(shows_data(points) for points in drawn):
        fail(f"{film.call}: frame 0 does not show the data points (u, y): scatter them once, "
             f"ax.scatter(u, y), so that the line can be seen fitting them." + film.note)
    for i, frame in enumerate(film.frames[1:], start=1):
        for (x_before, y_before), (x_now, y_now) in zip(first.limits, frame.limits):
            if not (np.allclose(x_before, x_now) and np.allclose(y_before, y_now)):
                fail(f"{film.call}: the axes changed between frame 0 and frame {i}: x from "
                     f"{_span(x_before)} to {_span(x_now)}, y from {_span(y_before)} to "
                     f"{_span(y_now)}.\nFix the limits once (ax.set_xlim, ax.set_ylim) and move the "
                     f"line with line.set_ydata: clearing and re-plotting every frame lets "
                     f"matplotlib rescale the axes, and the eye follows the axes instead of the "
                     f"line." + film.note)
        if len(frame.limits) != len(first.limits):
            fail(f"{film.call}: frame {i} has {len(frame.limits)} axes, frame 0 had "
                 f"{len(first.limits)}: draw on the same axes in every frame." + film.note)
    (x0, x1), (y0, y1) = first.limits[0]
    outside = int(np.sum((u < min(x0, x1)) | (u > max(x0, x1)) | (y < min(y0, y1)) |
                         (y > max(y0, y1))))
    if outside:
        fail(f"{film.call}: {outside} of the {len(u)} data points lie outside the axes, x in "
             f"{_span((x0, x1))} and y in {_span((y0, y1))}: choose limits that hold all the data."
             + film.note)


def _span(limits):
    return f"({limits[0]:.3g}, {limits[1]:.3g})"
