"""Plot helpers for the regression lectures (chapters 4 and 5).

The lectures keep the maths and the training loops in the notebook, where students read them.
What lives here is only the matplotlib bookkeeping that would otherwise bury a two-line idea
under ten lines of styling: titles, labels, legends, log axes and limits that stay put.

Every helper takes plain numbers (floats, lists or tensors without gradients) and draws them.
None of them trains, predicts or computes a loss: the assignments' functions are not here.

A line is given as a tuple ``(slope, intercept, label)`` or ``(slope, intercept, label, style)``
where ``style`` is a dict of keyword arguments for ``Axes.plot`` (colour, dash pattern, ...).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    import torch
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from numpy.typing import ArrayLike

    # A line: (slope, intercept, label) or (slope, intercept, label, style for Axes.plot).
    _Line = (tuple[SupportsFloat, SupportsFloat, str]
             | tuple[SupportsFloat, SupportsFloat, str, dict[str, Any]])

DATA_COLOUR = "tab:orange"
LINE_COLOUR = "tab:blue"


def _floats(values: Iterable[SupportsFloat]) -> list[float]:
    """Plain Python floats, so tensors and lists plot alike."""
    return [float(value) for value in values]


def plot_curves(ax: Axes, curves: Mapping[str, Iterable[SupportsFloat]], *, title: str,
                xlabel: str, ylabel: str, log_scale: bool = False,
                target: SupportsFloat | None = None, target_label: str | None = None,
                legend_options: dict[str, Any] | None = None, first_step: int = 1) -> Axes:
    """Draw one or more per-step series (losses, weights) on `ax`, labelled, with a legend.

    `curves` maps a label to a sequence of values, one per step or epoch, numbered from
    `first_step`: 1 when the first value belongs to epoch 1, 0 when a run counts its starting point
    as step 0 (use the numbering the notebook prints). `log_scale=True` puts the y axis on a
    log scale, where a loss that shrinks by the same factor every step is a straight line.
    `target` draws a dashed horizontal line (the value the series should reach).
    `legend_options` is passed to `Axes.legend`, for when the default spot hides a curve.
    """
    for label, values in curves.items():
        values = _floats(values)
        ax.plot(range(first_step, first_step + len(values)), values, label=label)
    if target is not None:
        ax.axhline(float(target), color="grey", linestyle="--", linewidth=1,
                   label=target_label)
    if log_scale:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if len(curves) > 1 or target_label:
        ax.legend(**(legend_options or {}))
    return ax


def axis_limits(
    u: Iterable[SupportsFloat], y: Iterable[SupportsFloat], lines: Iterable[_Line] = (),
    margin: float = 0.08,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis limits (xlim, ylim) that hold every data point and every line over the data's span.

    An animation needs limits fixed in advance: if matplotlib rescaled each frame, the axes
    would jump and the eye would follow the axes instead of the line.
    """
    u, y = _floats(u), _floats(y)
    low, high = min(u), max(u)
    heights = list(y)
    for line in lines:
        slope, intercept = float(line[0]), float(line[1])
        heights += [slope * low + intercept, slope * high + intercept]
    x_pad = margin * (high - low)
    y_pad = margin * (max(heights) - min(heights))
    return (low - x_pad, high + x_pad), (min(heights) - y_pad, max(heights) + y_pad)


def _draw_line(ax: Axes, line: _Line, span: Iterable[float], default_colour: str) -> Line2D:
    slope, intercept, label = float(line[0]), float(line[1]), line[2]
    style: dict[str, Any] = {"color": default_colour, "linewidth": 2}
    if len(line) > 3:
        style.update(line[3])
    ends = list(span)
    return ax.plot(ends, [slope * end + intercept for end in ends], label=label, **style)[0]


def plot_lines_over_data(ax: Axes, u: Iterable[SupportsFloat], y: Iterable[SupportsFloat],
                         lines: Iterable[_Line], *, title: str, xlabel: str = "x",
                         ylabel: str = "y", span: tuple[float, float] | None = None,
                         limits: tuple[tuple[float, float], tuple[float, float]] | None = None,
                         data_label: str = "data") -> Axes:
    """Scatter the data and draw straight lines over it, with labels and a legend.

    `lines` is a list of ``(slope, intercept, label[, style])``. Each line is drawn over `span`
    (default: the data's own range of `u`), so a fit can be compared with the points it was fitted
    to and with the line that generated them. `limits` is an optional (xlim, ylim) pair.
    """
    u_values, y_values = _floats(u), _floats(y)
    if span is None:
        span = (min(u_values), max(u_values))
    ax.scatter(u_values, y_values, s=14, color=DATA_COLOUR, label=data_label, zorder=3)
    for line in lines:
        _draw_line(ax, line, span, LINE_COLOUR)
    if limits is not None:
        ax.set(xlim=limits[0], ylim=limits[1])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left")
    return ax


def plot_snapshots(axes: Iterable[Axes], u: Iterable[SupportsFloat], y: Iterable[SupportsFloat],
                   snapshots: Sequence[tuple[int, SupportsFloat, SupportsFloat, SupportsFloat]],
                   *, limits: tuple[tuple[float, float], tuple[float, float]],
                   xlabel: str = "u", ylabel: str = "y") -> list[Axes]:
    """One panel per moment of a training run, on `axes` (a row of axes sharing x and y), with the
    same fixed limits.

    `snapshots` is a list of ``(step, slope, intercept, loss)``, one per axes. This is the printed
    stand-in for an animation: a reader who cannot play it sees the same line at a few chosen
    steps. Returns the axes.
    """
    axes = list(axes)
    if len(axes) != len(snapshots):
        raise ValueError(f"{len(snapshots)} snapshots need as many axes, not {len(axes)}")
    for ax, (step, slope, intercept, loss) in zip(axes, snapshots):
        plot_lines_over_data(ax, u, y, [(slope, intercept, "x @ a")],
                             title=f"step {step}: loss {float(loss):.3f}",
                             xlabel=xlabel, ylabel=ylabel, span=limits[0], limits=limits)
        ax.get_legend().remove()  # type: ignore[union-attr, unused-ignore]  # one was made above
        if ax is not axes[0]:
            ax.set_ylabel("")   # the panels share their y axis: one label is enough
    axes[0].legend(loc="upper left", fontsize="small")
    return axes


def plot_curves_against(
    ax: Axes,
    curves: Mapping[str, tuple[Iterable[SupportsFloat], Iterable[SupportsFloat]]], *,
    title: str, xlabel: str, ylabel: str, log_scale: bool = False, log_x: bool = False,
    target: SupportsFloat | None = None, target_label: str | None = None,
    legend_options: dict[str, Any] | None = None,
) -> Axes:
    """Like `plot_curves`, but every series brings its own x values.

    `curves` maps a label to a pair ``(xs, ys)``. Use it to compare runs on an axis other than
    their own step count, for example runs that take different numbers of steps per epoch, drawn
    against epochs. `log_scale=True` puts the y axis on a log scale. `log_x=True` puts the x axis
    on a symmetric log scale, linear between 0 and 1 and logarithmic beyond, so that runs of 20
    and 2000 steps both stay readable and step 0 stays on the axis. `target`, `target_label` and
    `legend_options` work as in `plot_curves`.
    """
    for label, (xs, ys) in curves.items():
        ax.plot(_floats(xs), _floats(ys), label=label)
    if target is not None:
        ax.axhline(float(target), color="grey", linestyle="--", linewidth=1,
                   label=target_label)
    if log_scale:
        ax.set_yscale("log")
    if log_x:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(left=0)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if len(curves) > 1 or target_label:
        ax.legend(**(legend_options or {}))
    return ax


def plot_paths_on_contours(ax: Axes, grid_0: ArrayLike, grid_1: ArrayLike, loss_values: ArrayLike,
                           paths: Mapping[str, torch.Tensor | Sequence[Sequence[SupportsFloat]]],
                           *, levels: Iterable[float], title: str, xlabel: str = "θ[0]",
                           ylabel: str = "θ[1]",
                           minimum: Sequence[SupportsFloat] = (0.0, 0.0),
                           legend_options: dict[str, Any] | None = None) -> Axes:
    """Contour lines of a loss of two parameters, with descent paths drawn over them.

    `grid_0`, `grid_1` and `loss_values` are 2-D arrays of one shape (from `torch.meshgrid` with
    ``indexing="xy"``): the two parameters at every grid point and the loss there, computed by the
    notebook. `levels` lists the loss values that get a contour line, labelled with its value.
    `paths` maps a label to the points θ₀, θ₁, … of one run (a tensor of shape (k, 2) or a list
    of pairs); each is drawn as dots joined by straight lines. Every start gets a black square
    and `minimum` a star. Both axes have the same scale, so the bowl keeps its true shape.
    """
    contours = ax.contour(np.asarray(grid_0, dtype=float), np.asarray(grid_1, dtype=float),
                          np.asarray(loss_values, dtype=float), levels=list(levels),
                          colors="grey", linewidths=0.8)
    ax.clabel(contours, fontsize="x-small", fmt="%g")
    starts = []
    for label, path in paths.items():
        xs, ys = [float(point[0]) for point in path], [float(point[1]) for point in path]
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, label=label)
        if (xs[0], ys[0]) not in starts:
            starts.append((xs[0], ys[0]))
    ax.plot([start[0] for start in starts], [start[1] for start in starts], marker="s",
            markersize=8, markerfacecolor="none", markeredgecolor="black", linestyle="none",
            label="start θ₀", zorder=4)
    ax.plot([float(minimum[0])], [float(minimum[1])], marker="*", markersize=13,
            color="black", linestyle="none", label="minimum", zorder=4)
    ax.set_aspect("equal")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(**(legend_options or {}))
    return ax
