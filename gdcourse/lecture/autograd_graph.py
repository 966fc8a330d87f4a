"""Draw the backward graph that autograd records, with matplotlib only.

Chapter 3 shows that every operation on a tensor that requires a gradient leaves a node behind
(`MulBackward0`, `AddBackward0`, ...), and that each node points at the nodes of its inputs through
`grad_fn.next_functions`. These nodes are *backward* functions: each one knows the derivative of
the operation that made it, and `backward()` runs them from the loss to the leaves. This module
turns that chain of pointers into a picture, so students see the graph `backward()` walks instead
of imagining it.

Two functions, one concern each:
  computation_graph(output, names)        walk `next_functions` and return the nodes and edges
  draw_computation_graph(ax, output, ...) lay the nodes out in columns and draw them on an Axes

The drawing follows the course's plotting convention: the notebook makes the figure
(`fig, ax = plt.subplots(...)`), passes the Axes first, and shows it; nothing here makes a figure.

Only matplotlib is used on purpose: graphviz (what torchviz needs) is a system package that a
student's laptop may not have, and the graphs of the course are small enough to lay out by hand.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from matplotlib.axes import Axes
    from matplotlib.text import Text
    from torch.autograd.graph import Node

__all__ = ["GraphNode", "computation_graph", "draw_computation_graph"]

# Box colours, one per kind of node; the legend of the drawing uses the same names.
_STYLE = {
    "output": {"facecolor": "#d9ead3", "edgecolor": "#4f8a3c",
               "legend": "output tensor: backward() starts here"},
    "function": {"facecolor": "#eeeeee", "edgecolor": "#555555",
                 "legend": "backward node (a grad_fn)"},
    "parameter": {"facecolor": "#cfe2f3", "edgecolor": "#3d6fa5",
                  "legend": "leaf tensor: its gradient lands in .grad"},
}


@dataclass
class GraphNode:
    """One box of the drawing.

    label   what the box says first: the grad_fn's class name as torch records it
            (`type(grad_fn).__name__`, e.g. "MulBackward0", "AccumulateGrad"), or a tensor's name
    detail  a second line under the label: a tensor's shape, or "" for a grad_fn node
    kind    "function" for a grad_fn node, "parameter" for a leaf tensor, "output" for the tensor
            whose graph is drawn
    depth   steps from the output along the longest path (the output is 0); the drawing puts
            nodes of one depth in one column, the output's column first
    obj     the grad_fn node or the tensor itself, so a notebook can check what a box stands for
    """

    label: str
    detail: str
    kind: str
    depth: int
    obj: object


def _tensor_name(tensor: torch.Tensor, names: Mapping[str, torch.Tensor] | None) -> str | None:
    """The name `names` gives this very tensor (compared with `is`), or None."""
    for name, candidate in (names or {}).items():
        if candidate is tensor:
            return name
    return None


def _shape(tensor: torch.Tensor) -> str:
    return f"shape {tuple(tensor.shape)}"


def computation_graph(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None,
) -> tuple[list[GraphNode], list[tuple[int, int]]]:
    """Walk the backward graph behind `output` and return it as `(nodes, edges)`.

    The walk starts at `output.grad_fn` and follows `next_functions` recursively, which is exactly
    the path `output.backward()` takes. Each `next_functions` entry is a pair (node, index); a node
    of None stands for an input that needs no gradient (a constant such as the 5 in `θ + 5`) and is
    left out. An `AccumulateGrad` node is where a leaf's gradient is added into its `.grad`: its
    `.variable` is the leaf tensor itself, drawn as a box of its own after the node.

    Args:
        output: a tensor computed from tensors that require a gradient (it has a `grad_fn`).
        names: optional {name: tensor}; a leaf found in it, or `output` itself, is labelled with
            its name (e.g. {"θ": theta, "L": loss}). Tensors are matched by identity.

    Returns:
        nodes: a list of GraphNode; nodes[0] is `output`, the rest in the order the walk met them.
        edges: a list of (i, j) pairs, meaning backward() sends a gradient from nodes[i] to
            nodes[j]: from `output` to its grad_fn, from a node to each node of its
            `next_functions`, and from an AccumulateGrad node to its leaf. A node that used the
            same input twice, like the MulBackward0 of θ·θ, has that edge twice: it sends two
            contributions down it, and AccumulateGrad adds them up.
    """
    if output.grad_fn is None:
        raise ValueError(
            "This tensor has no grad_fn, so autograd recorded no graph behind it: it is a leaf, or "
            "none of the tensors it was computed from requires a gradient (or it was computed under "
            "torch.no_grad()).")

    nodes = [GraphNode(_tensor_name(output, names) or "output", _shape(output), "output", 0,
                       output)]
    edges: list[tuple[int, int]] = []
    # id(grad_fn) -> index in nodes; the walk keeps every node alive, ids stay unique
    index_of: dict[int, int] = {}

    def visit(grad_fn: Node) -> int:
        """Add `grad_fn` and everything after it; return its index in `nodes`."""
        if id(grad_fn) in index_of:  # met before through another path: one box, several arrows
            return index_of[id(grad_fn)]
        index = len(nodes)
        index_of[id(grad_fn)] = index
        nodes.append(GraphNode(type(grad_fn).__name__, "", "function", 0, grad_fn))
        leaf = getattr(grad_fn, "variable", None)  # only AccumulateGrad nodes have one
        if leaf is not None:
            nodes.append(GraphNode(_tensor_name(leaf, names) or "leaf", _shape(leaf), "parameter",
                                   0, leaf))
            edges.append((index, len(nodes) - 1))
        for next_fn, _ in grad_fn.next_functions:
            if next_fn is not None:
                edges.append((index, visit(next_fn)))
        return index

    edges.append((0, visit(output.grad_fn)))
    _set_depths(nodes, edges)
    return nodes, edges


def _set_depths(nodes: list[GraphNode], edges: list[tuple[int, int]]) -> None:
    """Give each node its longest distance from the output, so every arrow points to a later column.

    The longest (not the shortest) distance matters when a value is used at several depths, as θ
    is in (θ − 3)² + sin θ: its box must sit right of every box that sends it a gradient.
    """
    senders: dict[int, set[int]] = {}
    for source, target in edges:
        senders.setdefault(target, set()).add(source)
    depth = {0: 0}

    def longest(i: int) -> int:
        if i not in depth:
            depth[i] = 1 + max(longest(j) for j in senders[i])
        return depth[i]

    for i, node in enumerate(nodes):
        node.depth = longest(i)


def draw_computation_graph(ax: Axes, output: torch.Tensor,
                           names: Mapping[str, torch.Tensor] | None = None,
                           title: str | None = None) -> Axes:
    """Draw the backward graph behind `output` on the matplotlib Axes `ax` and return `ax`.

    Layout: one column per depth, `output` on the left and the leaves on the right. The arrows
    point the way backward() sends gradients: from the output into its grad_fn, along
    `next_functions` from node to node, and out of each AccumulateGrad node into its leaf's
    `.grad`. (The forward computation ran the other way, from the leaves to the output.) Nodes of
    a column are spread evenly and centred. When a node used the same input twice, the arrows are
    bent apart so both can be seen.

    Args:
        ax: the Axes to draw on; the notebook makes the figure.
        output: the tensor whose graph to draw (see `computation_graph`).
        names: optional {name: tensor} labelling leaves and the output (see `computation_graph`).
        title: the Axes title; a default one is used when None.
    """
    from matplotlib.patches import Patch

    nodes, edges = computation_graph(output, names)
    columns = max(node.depth for node in nodes) + 1

    by_depth: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        by_depth.setdefault(node.depth, []).append(i)
    tallest = max(len(members) for members in by_depth.values())
    position: dict[int, tuple[float, float]] = {}
    for depth, members in by_depth.items():
        for row, i in enumerate(members):
            position[i] = (depth, (len(members) - 1) / 2 - row)

    boxes: dict[int, Text] = {}
    for i, node in enumerate(nodes):
        style = _STYLE[node.kind]
        text = node.label if not node.detail else f"{node.label}\n{node.detail}"
        boxes[i] = ax.text(*position[i], text, ha="center", va="center", fontsize=10, zorder=2,
                           fontweight="normal" if node.kind == "function" else "bold",
                           bbox={"boxstyle": "round,pad=0.45", "facecolor": style["facecolor"],
                                 "edgecolor": style["edgecolor"], "linewidth": 1.3})

    seen: dict[tuple[int, int], int] = {}
    for source, target in edges:
        repeat = sum(1 for edge in edges if edge == (source, target))
        k = seen.get((source, target), 0)
        seen[(source, target)] = k + 1
        bend = 0.0 if repeat == 1 else 0.35 * (k - (repeat - 1) / 2)
        # Arrows are drawn after the boxes (higher zorder): a text's box outline is only placed
        # when the text is drawn, and the arrow is clipped against that outline.
        ax.annotate("", xy=position[target], xytext=position[source], zorder=3,
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.3,
                                "mutation_scale": 14, "shrinkA": 2, "shrinkB": 2,
                                "patchA": boxes[source].get_bbox_patch(),
                                "patchB": boxes[target].get_bbox_patch(),
                                "connectionstyle": f"arc3,rad={bend}"})
        # The first and the last arrows are not next_functions: name the attribute each one is.
        link = {"output": ".grad_fn", "parameter": ".grad"}.get(
            nodes[source].kind if source == 0 else nodes[target].kind)
        if link is not None:
            middle = [(a + b) / 2 for a, b in zip(position[source], position[target])]
            ax.annotate(link, xy=middle,  # type: ignore[arg-type, unused-ignore]  # a list works
                        xytext=(0, 5), textcoords="offset points", ha="center",
                        va="bottom", fontsize=8, color="#555555", family="monospace")

    ax.set_xlim(-0.6, columns - 0.4)
    ax.set_ylim(-tallest / 2 - 0.1, tallest / 2 + 0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("arrows: the way backward() sends gradients, from the output to the leaves  →")
    ax.set_title(title if title is not None else "Backward graph recorded by autograd")
    kinds = [kind for kind in _STYLE if any(node.kind == kind for node in nodes)]
    ax.legend(handles=[Patch(facecolor=_STYLE[k]["facecolor"], edgecolor=_STYLE[k]["edgecolor"],
                             label=_STYLE[k]["legend"]) for k in kinds],
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(kinds), frameon=False,
              fontsize=9)
    return ax
