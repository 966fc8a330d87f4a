"""Plot helpers for chapter 6, "Training the PyTorch way".

The convention is the one of `regression_plots` (chapters 4 and 5): the notebook computes every
number (paths, losses, learning rates, which runs diverged, the best epoch) and makes the figure,

    fig, ax = plt.subplots(figsize=(7, 4.5))
    training_plots.plot_loss_curves(ax, {"SGD": losses}, title="...")
    plt.show()

and every helper takes the Axes to draw on as its first argument, draws on it and returns it. No
helper makes a figure, trains, steps or decides anything about a run: what is drawn, and where a
marker goes, comes from the notebook.

Losses are often drawn on a logarithmic axis, where 0, negative numbers, inf and nan have no place.
The helpers drop such values from a curve (a gap, not an error) instead of letting matplotlib warn;
a diverged run is marked explicitly where the notebook says so.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike

    # A point of the parameter plane, (θ[0], θ[1]): a pair of numbers or a tensor of shape (2,).
    _Point = Sequence[SupportsFloat]

COLOURS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
           "tab:pink", "tab:olive"]
DIVERGED_COLOUR = "tab:red"


def _floats(values: Iterable[SupportsFloat]) -> list[float]:
    """Plain Python floats, so tensors and lists plot alike."""
    return [float(value) for value in values]


def _positive_or_nan(values: Iterable[SupportsFloat]) -> list[float]:
    """The values that a log axis can show; every other one (≤ 0, inf, nan) becomes nan, a gap."""
    return [value if math.isfinite(value) and value > 0 else math.nan
            for value in _floats(values)]


def _finish(ax: Axes, *, title: str, xlabel: str, ylabel: str, labelled: int,
            legend_options: dict[str, Any] | None) -> Axes:
    """Title, labels, a light grid, and a legend when more than one thing is labelled."""
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if labelled > 1:
        ax.legend(**(legend_options or {}))
    return ax


def plot_optimiser_paths(ax: Axes, grid_0: ArrayLike, grid_1: ArrayLike, loss_values: ArrayLike,
                         paths: Mapping[str, Sequence[_Point]], *, levels: Iterable[float],
                         title: str, xlabel: str = "θ[0]", ylabel: str = "θ[1]",
                         minima: Sequence[_Point] = (), saddles: Sequence[_Point] = (),
                         legend_options: dict[str, Any] | None = None) -> Axes:
    """Contour lines of a loss of two parameters, with descent paths drawn over them.

    `grid_0`, `grid_1` and `loss_values` are 2-D arrays of one shape (from `torch.meshgrid` with
    ``indexing="xy"``): the two parameters at every grid point and the loss there. `levels` lists
    the loss values that get a contour line, labelled with its value. `paths` maps a label to the
    points θ₀, θ₁, … of one run (a tensor of shape (k, 2) or a list of pairs), drawn as small dots
    joined by lines, with a hollow square on its start. `minima` get a black star and `saddles` a
    black cross. The axes keep the grid's limits, so a path that overshoots leaves the picture
    instead of rescaling it, and both axes have the same scale, so the loss keeps its true shape.
    """
    g0 = np.asarray(grid_0, dtype=float)
    g1 = np.asarray(grid_1, dtype=float)
    contours = ax.contour(g0, g1, np.asarray(loss_values, dtype=float), levels=list(levels),
                          colors="grey", linewidths=0.8)
    ax.clabel(contours, fontsize="x-small", fmt="%.3g")
    for colour, (label, path) in zip(COLOURS * 4, paths.items()):
        xs = [float(point[0]) for point in path]
        ys = [float(point[1]) for point in path]
        ax.plot(xs, ys, marker="o", markersize=2.5, linewidth=1.2, color=colour, label=label)
        ax.plot(xs[:1], ys[:1], marker="s", markersize=8, markerfacecolor="none",
                markeredgecolor=colour, linestyle="none", zorder=4)
    labelled = len(paths)
    for points, marker, size, label in ((minima, "*", 14, "minimum"), (saddles, "X", 10, "saddle")):
        if len(points):
            ax.plot([float(p[0]) for p in points], [float(p[1]) for p in points], marker=marker,
                    markersize=size, color="black", linestyle="none", label=label, zorder=5)
            labelled += 1
    ax.set_xlim(float(g0.min()), float(g0.max()))
    ax.set_ylim(float(g1.min()), float(g1.max()))
    ax.set_aspect("equal")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if labelled:
        ax.legend(**(legend_options or {}))
    return ax


def plot_loss_curves(ax: Axes, curves: Mapping[str, Sequence[SupportsFloat]], *, title: str,
                     xlabel: str = "step k", ylabel: str = "loss (log scale)",
                     first_step: int = 0, log_scale: bool = True, target: float | None = None,
                     target_label: str | None = None, ylim: tuple[float, float] | None = None,
                     legend_options: dict[str, Any] | None = None) -> Axes:
    """One or more per-step (or per-epoch) series, by default on a logarithmic y axis.

    `curves` maps a label to its values, numbered from `first_step` (0 when the series starts with
    the loss before any step). A loss that shrinks by the same factor every step is a straight line
    on a log axis. Values it cannot show (0, negative, inf, nan) leave a gap; with
    `log_scale=False` (for a loss that can be negative) only inf and nan do. `target` draws a
    dashed horizontal line, labelled `target_label`; `ylim` fixes the y range, so that a curve that
    falls to 10⁻³⁰, or runs away to 10³⁰, does not squeeze the others.
    """
    for label, values in curves.items():
        ys = (_positive_or_nan(values) if log_scale
              else [value if math.isfinite(value) else math.nan for value in _floats(values)])
        ax.plot(range(first_step, first_step + len(ys)), ys, label=label)
    labelled = len(curves)
    if target is not None:
        ax.axhline(target, color="grey", linestyle="--", linewidth=1, label=target_label)
        labelled += 1 if target_label else 0
    if log_scale:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, labelled=labelled,
                   legend_options=legend_options)


def plot_learning_rate_sweep(ax: Axes, learning_rates: Sequence[SupportsFloat],
                             final_losses: Sequence[SupportsFloat], diverged: Sequence[bool], *,
                             title: str, xlabel: str = "learning rate λ (log scale)",
                             ylabel: str = "loss after training (log scale)",
                             start_loss: float | None = None,
                             legend_options: dict[str, Any] | None = None) -> Axes:
    """The loss each run ended with, against its learning rate, both axes logarithmic.

    `diverged[i]` says whether run i ran away (the notebook decides: a loss above its start, inf
    or nan). Runs that did not are dots joined by a line; runs that did are red crosses, at their
    final loss when it is a finite number and on the top edge of the axes when it is inf or nan.
    `start_loss` draws the loss every run started from as a dashed line.
    """
    rates, losses = _floats(learning_rates), _floats(final_losses)
    if not len(rates) == len(losses) == len(diverged):
        raise ValueError("one final loss and one diverged flag per learning rate")
    kept = [(rate, loss) for rate, loss, ran_away in zip(rates, losses, diverged) if not ran_away]
    ax.plot([rate for rate, _ in kept], [loss for _, loss in kept], marker="o",
            label="converged or still descending")
    away = [(rate, loss) for rate, loss, ran_away in zip(rates, losses, diverged) if ran_away]
    finite = [(rate, loss) for rate, loss in away if math.isfinite(loss)]
    infinite = [rate for rate, loss in away if not math.isfinite(loss)]
    labelled = 1
    if finite:
        ax.plot([rate for rate, _ in finite], [loss for _, loss in finite], marker="x",
                markersize=10, markeredgewidth=2, color=DIVERGED_COLOUR, linestyle="none",
                label="diverged: loss above its start")
        labelled += 1
    if infinite:
        ax.plot(infinite, [0.97] * len(infinite), marker="x", markersize=10, markeredgewidth=2,
                color=DIVERGED_COLOUR, linestyle="none", label="diverged: inf or nan (top edge)",
                transform=ax.get_xaxis_transform(), clip_on=False)
        labelled += 1
    if start_loss is not None:
        ax.axhline(start_loss, color="grey", linestyle="--", linewidth=1, label="loss at the start")
        labelled += 1
    ax.set_xscale("log")
    ax.set_yscale("log")
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, labelled=labelled,
                   legend_options=legend_options)


def plot_range_test(ax: Axes, learning_rates: Sequence[SupportsFloat],
                    losses: Sequence[SupportsFloat], *, lowest: float, chosen: float, title: str,
                    xlabel: str = "learning rate λ of the step (log scale)",
                    ylabel: str = "loss before the step (log scale)",
                    ylim: tuple[float, float] | None = None,
                    legend_options: dict[str, Any] | None = None) -> Axes:
    """A learning-rate range test: the loss at each step against that step's λ, on log axes.

    `lowest` is the λ at which the loss was lowest and `chosen` the λ the notebook picks; each gets
    a vertical line. Losses a log axis cannot show (inf, nan) leave a gap; `ylim` fixes the y range,
    so that the final blow-up does not flatten the rest of the curve.
    """
    ax.plot(_floats(learning_rates), _positive_or_nan(losses), marker=".", markersize=4,
            label="loss")
    ax.axvline(lowest, color=DIVERGED_COLOUR, linestyle=":", linewidth=1.5,
               label=f"lowest loss, λ = {lowest:.3g}")
    ax.axvline(chosen, color="tab:green", linestyle="--", linewidth=1.5,
               label=f"chosen, λ = {chosen:.3g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, labelled=3,
                   legend_options=legend_options)


def plot_train_validation(ax: Axes,
                          runs: Mapping[str, tuple[Sequence[SupportsFloat], Sequence[SupportsFloat]]],
                          *, title: str, best_epochs: Mapping[str, int] | None = None,
                          xlabel: str = "epoch", ylabel: str = "mean squared error (log scale)",
                          legend_options: dict[str, Any] | None = None) -> Axes:
    """Training and validation loss per epoch, for one or more models, on a log y axis.

    `runs` maps a model's label to its (training losses, validation losses), one value per epoch,
    epochs numbered from 1. Each model gets one colour: its training loss solid, its validation
    loss dashed. `best_epochs` maps a label to the epoch the notebook found the validation loss
    lowest at; that point gets a dot and a dotted vertical line.
    """
    labelled = 0
    for colour, (label, (train, validation)) in zip(COLOURS * 4, runs.items()):
        epochs = range(1, len(train) + 1)
        ax.plot(epochs, _positive_or_nan(train), color=colour, label=f"{label}: training")
        ax.plot(range(1, len(validation) + 1), _positive_or_nan(validation), color=colour,
                linestyle="--", label=f"{label}: validation")
        labelled += 2
        if best_epochs and label in best_epochs:
            epoch = best_epochs[label]
            ax.plot([epoch], [float(validation[epoch - 1])], marker="o", markersize=8,
                    color=colour, linestyle="none", label=f"{label}: lowest validation loss")
            ax.axvline(epoch, color=colour, linestyle=":", linewidth=1)
            labelled += 1
    ax.set_yscale("log")
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, labelled=labelled,
                   legend_options=legend_options)


def plot_fits_over_data(ax: Axes, training: tuple[Sequence[SupportsFloat], Sequence[SupportsFloat]],
                        validation: tuple[Sequence[SupportsFloat], Sequence[SupportsFloat]],
                        curves: Mapping[str, tuple[Sequence[SupportsFloat], Sequence[SupportsFloat]]],
                        *, title: str, xlabel: str = "u", ylabel: str = "y",
                        ylim: tuple[float, float] | None = None,
                        legend_options: dict[str, Any] | None = None) -> Axes:
    """Training points (filled), validation points (hollow) and fitted curves over them.

    `training` and `validation` are (inputs, targets) pairs; `curves` maps a label to (inputs,
    predictions) along a fine grid, computed by the notebook. `ylim` keeps a wild curve from
    rescaling the picture.
    """
    ax.scatter(_floats(training[0]), _floats(training[1]), s=28, color="black", zorder=3,
               label="training points")
    ax.scatter(_floats(validation[0]), _floats(validation[1]), s=40, facecolors="none",
               edgecolors="black", linewidths=1.3, zorder=3, label="validation points")
    for colour, (label, (xs, ys)) in zip(COLOURS * 4, curves.items()):
        ax.plot(_floats(xs), _floats(ys), color=colour, linewidth=2, label=label)
    if ylim is not None:
        ax.set_ylim(*ylim)
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel, labelled=2 + len(curves),
                   legend_options=legend_options)
