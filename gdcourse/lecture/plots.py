"""Figures for chapter 1's lecture.

The drawing code lives here so that a lecture cell shows only the idea behind a figure: the
notebook computes every number (losses, gradients, trajectories, factors) and hands it over; these
functions only draw. Nothing here solves an exercise: a helper never applies the update rule.

The convention is the one of `regression_plots` (chapters 4 and 5): the notebook makes the figure
and shows it,

    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    plots.plot_path_on_loss(ax, loss, trajectory, title="...")
    plt.show()

and every helper takes the Axes to draw on as its first argument (a sequence of Axes, one a
panel, for the multi-panel ones), draws on it and returns it. No helper makes a figure, so a test
can hand one its own Axes and read the lines it drew instead of pixels.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from numpy.typing import NDArray

COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]


def _grid(start: float, stop: float, count: int = 201) -> list[float]:
    """Evenly spaced floats from start to stop: the chapters on floats have no numpy arrays."""
    return [start + (stop - start) * i / (count - 1) for i in range(count)]


def plot_loss_with_tangents(ax: Axes, loss: Callable[[float], float],
                            gradient: Callable[[float], float], points: Iterable[float], *,
                            theta_range: tuple[float, float] = (-1.5, 1.5),
                            title: str = "") -> Axes:
    """Draw on `ax` the curve L(θ), its tangent at each point, and the downhill direction there.

    The tangent's slope is the gradient: the figure shows that the sign of the gradient says which
    way is uphill, and that the downhill direction is the opposite one. `loss` and `gradient` are
    the notebook's own functions; each arrow points to minus the sign of the gradient.
    """
    thetas = _grid(*theta_range)
    ax.plot(thetas, [loss(t) for t in thetas], color="black", label="L(θ)")
    for color, theta in zip(COLORS, points):
        value, slope = loss(theta), gradient(theta)
        half_width = 0.55
        xs = [theta - half_width, theta + half_width]
        ax.plot(xs, [value + slope * (x - theta) for x in xs], "--", color=color,
                label=f"tangent at θ = {theta:g}, slope ∂L/∂θ = {slope:g}")
        ax.plot([theta], [value], "o", color=color)
        downhill = -math.copysign(0.4, slope)
        ax.annotate("", xy=(theta + downhill, value), xytext=(theta, value),
                    arrowprops=dict(arrowstyle="->", color=color, lw=2))
        ax.annotate("downhill", xy=(theta + downhill / 2, value), xytext=(0, 6),
                    textcoords="offset points", ha="center", color=color)
    ax.set_xlabel("θ")
    ax.set_ylabel("L(θ)")
    ax.set_title(title)
    ax.legend(loc="upper center")
    ax.set_ylim(-0.3, max(loss(t) for t in thetas) * 1.05)
    ax.grid(alpha=0.3)
    return ax


def plot_path_on_loss(ax: Axes, loss: Callable[[float], float], trajectory: Sequence[float], *,
                      theta_range: tuple[float, float] = (-1.2, 1.2), title: str = "") -> Axes:
    """Draw on `ax` the curve L(θ) and the points θ₀, θ₁, … of a descent on it, joined by arrows.

    Seeing the points slide down the bowl, with shorter and shorter moves, shows that the step
    shrinks by itself as the slope flattens near the minimum.
    """
    thetas = _grid(*theta_range)
    ax.plot(thetas, [loss(t) for t in thetas], color="black", label="L(θ)")
    values = [loss(t) for t in trajectory]
    for (a, la), (b, lb) in zip(zip(trajectory, values), zip(trajectory[1:], values[1:])):
        ax.annotate("", xy=(b, lb), xytext=(a, la),
                    arrowprops=dict(arrowstyle="->", color="tab:orange", lw=1.5))
    ax.plot(trajectory, values, "o", color="tab:orange", label="θ₀, θ₁, θ₂, …")
    for k, (theta, value) in enumerate(zip(trajectory, values)):
        # Near the minimum the points crowd together: stop labelling where labels would overlap.
        if k > 0 and abs(theta - trajectory[k - 1]) < 0.2:
            break
        ax.annotate(f"$\\theta_{{{k}}}$", xy=(theta, value), xytext=(6, 6),
                    textcoords="offset points")
    ax.set_xlabel("θ")
    ax.set_ylabel("L(θ)")
    ax.set_title(title)
    ax.legend(loc="upper center")
    ax.grid(alpha=0.3)
    return ax


def _check_panels(axes: Sequence[Axes] | NDArray[np.object_], count: int) -> None:
    """The multi-panel helpers draw one panel an Axes: say so when the two counts differ."""
    if len(axes) != count:
        raise ValueError(f"got {len(axes)} Axes for {count} panels: make the figure with "
                         f"plt.subplots(1, {count}) and pass all its Axes")


def plot_trajectory_panels(
    axes: Sequence[Axes] | NDArray[np.object_], panels: Sequence[Mapping[str, Any]],
) -> Sequence[Axes] | NDArray[np.object_]:
    """Draw θ_k against the step number k, one run on each of `axes`, on the y axis that suits it.

    Runs that converge, crawl or explode differ by 25 orders of magnitude: on one linear axis the
    exploding run hides the other two. Each panel is a dict with keys `trajectory` (θ₀ … θ_n),
    `title`, and optionally `ylim`, `color` and `symlog` (True for a run that grows and changes
    sign: a symmetric-log axis is linear near 0 and logarithmic far from it, and keeps the sign).
    `axes` holds one Axes a panel; the notebook gives the figure its overall title.
    """
    _check_panels(axes, len(panels))
    for index, (ax, panel) in enumerate(zip(axes, panels)):
        trajectory = panel["trajectory"]
        color = panel.get("color", COLORS[index % len(COLORS)])
        ax.plot(range(len(trajectory)), trajectory, "o-", color=color, markersize=4)
        ax.axhline(0, color="gray", lw=0.8)
        if panel.get("symlog"):
            ax.set_yscale("symlog", linthresh=1)
            _sparse_symlog_ticks(ax, trajectory)
            ax.set_ylabel(r"$\theta_k$ (symmetric log scale)")
        else:
            ax.set_ylabel(r"$\theta_k$")
        if "ylim" in panel:
            ax.set_ylim(*panel["ylim"])
        ax.set_xlabel("step k")
        ax.set_title(panel["title"])
        ax.grid(alpha=0.3)
    return axes


def _sparse_symlog_ticks(ax: Axes, values: Iterable[float], ticks_each_side: int = 3) -> None:
    """Put a few ticks at ±10^p on a symmetric-log axis: the default one every 10³ is unreadable."""
    top = math.ceil(math.log10(max(abs(v) for v in values)))
    every = max(1, math.ceil(top / ticks_each_side))
    powers = range(every, top + 1, every)
    ax.set_yticks([-(10.0 ** p) for p in reversed(powers)] + [0] + [10.0 ** p for p in powers])
    limit = 10.0 ** (top + 1)
    ax.set_ylim(-limit, limit)


def plot_magnitudes_log(ax: Axes, trajectories: Mapping[str, Iterable[float]], *,
                        title: str = "") -> Axes:
    """Draw on `ax` |θ_k| against k on a logarithmic axis, one line a run.

    A sequence that is multiplied by the same factor at every step is a straight line on a log
    axis, rising when the factor's size is above 1 and falling when it is below. `trajectories`
    maps a legend label to θ₀ … θ_n; exact zeros have no logarithm and are left out.
    """
    for color, (label, trajectory) in zip(COLORS, trajectories.items()):
        points = [(k, abs(t)) for k, t in enumerate(trajectory) if t != 0]
        ax.plot([k for k, _ in points], [m for _, m in points], "o-", color=color,
                markersize=4, label=label)
    ax.axhline(1, color="gray", lw=0.8, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel(r"$|\theta_k|$ (log scale)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return ax


def plot_factor(ax: Axes, factor: Callable[[float], float], marks: Iterable[tuple[float, str]], *,
                lambda_range: tuple[float, float] = (-0.25, 1.75), title: str = "") -> Axes:
    """Draw on `ax` the factor θ_{k+1}/θ_k against the learning rate λ, shaded where it shrinks θ.

    The descent converges where the factor lies strictly between −1 and 1: the shaded band makes
    that range of λ visible at a glance. `factor` is the notebook's function of λ; `marks` lists
    (λ, label) pairs drawn as dots on the line, for the learning rates the lecture discusses.
    """
    lambdas = _grid(*lambda_range)
    ax.axhspan(-1, 1, color="tab:green", alpha=0.12,
               label=r"|factor| < 1: $\theta_k$ shrinks to 0")
    ax.plot(lambdas, [factor(lam) for lam in lambdas], color="black", label="factor 1 − 2λ")
    ax.axhline(0, color="gray", lw=0.8)
    for color, (lam, label) in zip(COLORS, marks):
        ax.plot([lam], [factor(lam)], "o", color=color, markersize=7)
        ax.annotate(label, xy=(lam, factor(lam)), xytext=(8, 4), textcoords="offset points",
                    color=color)
    ax.set_xlabel("learning rate λ")
    ax.set_ylabel(r"factor $\theta_{k+1}\,/\,\theta_k$")
    ax.set_title(title)
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    return ax


def plot_regimes(
    axes: Sequence[Axes] | NDArray[np.object_], trajectories: Mapping[str, Sequence[float]],
) -> Sequence[Axes] | NDArray[np.object_]:
    """Draw θ_k against k, one learning rate on each of `axes`, to compare side by side.

    Side by side, on a shared y axis (`plt.subplots(..., sharey=True)`), the regimes are easy to
    compare: smooth decay, a single jump to 0, a zig-zag that fades, a bounce that never fades, a
    zig-zag that grows. `trajectories` maps a panel title to θ₀ … θ_n; `axes` holds one Axes a
    panel, and the notebook gives the figure its overall title.
    """
    _check_panels(axes, len(trajectories))
    for color, ax, (label, trajectory) in zip(COLORS, axes, trajectories.items()):
        ax.plot(range(len(trajectory)), trajectory, "o-", color=color, markersize=4)
        ax.axhline(0, color="gray", lw=0.8)
        ax.set_title(label)
        ax.set_xlabel("step k")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(r"$\theta_k$")
    return axes
