"""Reading a matplotlib animation as plain data, in the kernel: what each frame draws, never its
pixels (the observe half of the animation checks; their judges are in
gdcourse.checks.judges.animation).

`read_frames` plays the animation the way matplotlib does when it saves one (`Animation.save`): an
initial draw, then the frame function once per item of the frame sequence. After each frame it
records the data of every line on the figure, the axis limits and the scattered points, without
drawing anything: rendering a few dozen frames takes a second or more per student, and the data is
what the exercise is about. What it returns is plain data (dicts, lists of floats, bools, str):
the "film" a judge reads.

There is no public way to run one frame of a `FuncAnimation` without drawing it, so this module
reads its private attributes `_func`, `_args`, `_init_func` and `_fig` (with the public
`new_frame_seq()`), and sets `_draw_was_started` as `Animation.save` does, so that matplotlib does
not warn "Animation was deleted without rendering anything" later. The course pins matplotlib
(3.11.2 in requirements.txt); check these names when upgrading it.

This module decides nothing and holds no solution: it records what the student's animation shows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.figure import Figure

# How many frames past the expected number read_frames reads before calling an animation endless.
EXTRA_FRAMES = 200


def _numbers(values: Any) -> list[float]:
    """Plain floats from what matplotlib holds (lists, numpy arrays, masked arrays or tensors)."""
    import numpy as np

    return np.asarray(values, dtype=float).reshape(-1).tolist()


def _snapshot(fig: Figure) -> dict[str, list[Any]]:
    """One frame: {"lines": [[xs, ys]], "limits": [[x0, x1, y0, y1]], "points": [[us, ys]]}, every
    axes of the figure in turn. Reading a line's data converts it as a draw would (orig=False), so
    data that cannot be drawn (a tensor that requires grad) raises here."""
    import numpy as np

    frame: dict[str, list[Any]] = {"lines": [], "limits": [], "points": []}
    for ax in fig.axes:
        for line in ax.get_lines():
            frame["lines"].append([_numbers(line.get_xdata(orig=False)),
                                   _numbers(line.get_ydata(orig=False))])
        frame["limits"].append([float(v) for v in (*ax.get_xlim(), *ax.get_ylim())])
        for collection in ax.collections:
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if offsets.ndim == 2 and offsets.shape[1] == 2 and len(offsets):
                frame["points"].append([_numbers(offsets[:, 0]), _numbers(offsets[:, 1])])
    return frame


def _raised(error: Exception, at: str, frames: list[dict[str, list[Any]]]) -> dict[str, Any]:
    """A film cut short: the error the student's code raised, and at which stage."""
    return {"frames": frames, "count": len(frames), "endless": False,
            "error": {"type": type(error).__name__, "message": str(error)[:2000], "at": at}}


def read_frames(make_animation: Callable[[], Any], frames_wanted: int) -> dict[str, Any]:
    """Build an animation with `make_animation()` and record every frame it shows, as plain data.

    Returns {"frames": [frame, ...], "count": number of frames read, "endless": whether the frame
    sequence went on past `frames_wanted` + EXTRA_FRAMES frames}, and "error" ({"type",
    "message", "at"}) when the initial draw, a frame function or reading a frame raised (the frames
    before it are kept); {"not_animation": type name, "repr": text} when what came back is no
    FuncAnimation; {"none": True} when nothing came back. An error of `make_animation()` itself
    is raised, as any call's. Every figure opened meanwhile is closed, whatever happens, so that
    nothing is displayed and no figure piles up.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    figures_before = set(plt.get_fignums())
    animation = None
    try:
        animation = make_animation()
        if animation is None:
            return {"none": True}
        if not isinstance(animation, FuncAnimation):
            try:
                text = repr(animation)[:200]
            except Exception:
                text = f"<{type(animation).__name__}>"
            return {"not_animation": type(animation).__name__, "repr": text}
        # as Animation.save does: no "deleted without rendering"
        animation._draw_was_started = True  # type: ignore[attr-defined]
        fig, func, args = (animation._fig,  # type: ignore[attr-defined]
                           animation._func, animation._args)  # type: ignore[attr-defined]
        frames: list[dict[str, list[Any]]]
        frames, endless = [], False
        # The initial draw, as matplotlib makes it: init_func if there is one, else frame 0.
        at = "the initial draw (init_func, or the frame function on frame 0)"
        try:
            if animation._init_func is not None:  # type: ignore[attr-defined]
                animation._init_func()  # type: ignore[attr-defined]
            else:
                nothing = object()
                first = next(iter(animation.new_frame_seq()), nothing)
                if first is not nothing:
                    func(first, *args)
            for number, frame_data in enumerate(animation.new_frame_seq()):
                if number >= frames_wanted + EXTRA_FRAMES:
                    endless = True
                    break
                at = f"frame {number}: the frame function"
                func(frame_data, *args)
                at = f"frame {number}: reading the line's data"
                frames.append(_snapshot(fig))
        except NotImplementedError:
            raise
        except Exception as error:
            return _raised(error, at, frames)
        return {"frames": frames, "count": len(frames), "endless": endless}
    finally:
        if animation is not None and getattr(animation, "_fig", None) is not None:
            plt.close(animation._fig)
        for number in set(plt.get_fignums()) - figures_before:
            plt.close(number)
