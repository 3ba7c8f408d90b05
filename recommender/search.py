"""The hyper-parameter search: a grid, then past whichever of its edges the best point sits on."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Point = dict[str, Any]


@dataclass(frozen=True)
class SearchResult:
    best: Point
    score: float
    #: the values tried past the grid's edges, per knob, in the order they were tried
    extended: dict[str, list[Any]] = field(default_factory=dict)


def grid_then_edges(
    axes: Mapping[str, Sequence[Any]],
    score: Callable[[Point], float],
    *,
    upper: Mapping[str, float] | None = None,
    max_steps: int = 8,
) -> SearchResult:
    """The best point of the grid ``axes``, then, while the best value of a knob is the largest
    (or smallest) on its axis, the next value out — a geometric step, the ratio of the axis's
    two outermost values — tried with the other knobs at their best, up to ``max_steps`` such
    values. A best point at a grid's edge says the optimum may lie past it; a step out settles
    it. An axis is not stepped past an end at or beside 0 (no ratio to step by) nor past the
    knob's ``upper`` bound (a step that would overshoot it tries the bound itself); a knob
    whose values are ints stays int and at least 1. Ties keep the earlier point."""
    values = {name: sorted(set(axis)) for name, axis in axes.items()}
    upper = upper or {}
    best, best_score = None, float("-inf")

    def consider(point: Point) -> None:
        nonlocal best, best_score
        value = score(point)
        if value > best_score:
            best, best_score = point, value

    names = list(values)
    for combination in itertools.product(*(values[name] for name in names)):
        consider(dict(zip(names, combination, strict=True)))
    if best is None:
        raise ValueError("no point of the grid has a score (an empty axis, or only NaN)")
    extended: dict[str, list[Any]] = {}
    steps = 0
    while steps < max_steps:
        moved = False
        for name in names:
            nxt = _step_out(values[name], best[name], upper.get(name, float("inf")))
            if nxt is None or steps >= max_steps:
                continue
            values[name] = sorted([*values[name], nxt])
            extended.setdefault(name, []).append(nxt)
            steps += 1
            moved = True
            consider({**best, name: nxt})
        if not moved:
            break
    return SearchResult(best, best_score, extended)


def _step_out(axis: list[Any], at: Any, upper: float) -> Any | None:
    """The next value past ``at`` when it is an end of ``axis`` (sorted), else None: the
    axis's outer ratio away, held at ``upper`` (tried itself when the step overshoots it),
    an int for an int knob (never below 1), a float to six significant digits."""
    if len(axis) < 2 or at not in (axis[0], axis[-1]):
        return None
    outer, inner = (axis[-1], axis[-2]) if at == axis[-1] else (axis[0], axis[1])
    if outer <= 0 or inner <= 0:
        return None
    nxt = min(outer * (outer / inner), upper)
    nxt = round(nxt) if isinstance(outer, numbers.Integral) else float(f"{nxt:.6g}")
    # outward, past every value on the axis; an int rounded down to 0 is no step
    return nxt if (nxt > outer if at == axis[-1] else 0 < nxt < outer) else None
