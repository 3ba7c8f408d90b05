"""The steering guardrail: the cheapest eligible product is always named, and a top pick that
costs the buyer more is flagged with the difference in money."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import InputError
from domain.money import money
from recommender.score import Ranked


@dataclass(frozen=True)
class Guardrail:
    """``cheapest_item_id``: the eligible product that costs the buyer least (ties: the lower
    id); None only when nothing is eligible. ``top_costs_more_by``: how much more the top-ranked
    product costs than the cheapest, or None when the top pick is (one of) the cheapest."""

    cheapest_item_id: str | None
    top_costs_more_by: Decimal | None


def apply_guardrail(ranked: Sequence[Ranked], costs: Mapping[str, Decimal]) -> Guardrail:
    """``costs``: the total cost to the buyer (e.g. finance charge) of every eligible product.

    Raises InputError when a cost is not a Decimal or the top pick has no cost.
    """
    for item, cost in costs.items():
        if not isinstance(cost, Decimal) or not cost.is_finite():
            raise InputError(
                f"costs.{item}", "not_money", "the cost of {item} must be a Decimal amount",
                {"item": item},
            )  # fmt: skip
    if not costs:
        return Guardrail(None, None)
    cheapest = min(costs, key=lambda item: (costs[item], item))
    if not ranked:
        return Guardrail(cheapest, None)
    top = ranked[0].item_id
    if top not in costs:
        raise InputError(
            f"costs.{top}", "required", "the top-ranked product {item} has no cost",
            {"item": top},
        )  # fmt: skip
    difference = money(costs[top] - costs[cheapest])
    return Guardrail(cheapest, difference if difference > 0 else None)
