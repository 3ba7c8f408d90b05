"""The interaction events a buyer leaves, weakest to strongest, and their weights.

Confidence for a (buyer, product) pair is ``1 + alpha * sum(weights of its events)``
(Hu, Koren & Volinsky's implicit-feedback confidence). Pure Python: the scorer on a phone uses it.
"""

from __future__ import annotations

EVENTS: tuple[str, ...] = ("view", "save", "offer_open", "apply", "accept", "fund")

# Strictly increasing with the strength of the signal; stored in every factor file.
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "save": 2.0,
    "offer_open": 4.0,
    "apply": 8.0,
    "accept": 12.0,
    "fund": 16.0,
}


def confidence(weight_sum: float, alpha: float) -> float:
    """The ALS confidence of a pair whose events' weights add up to ``weight_sum``."""
    return 1.0 + alpha * weight_sum
