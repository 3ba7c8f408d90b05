"""Searches over one dimension of a deal, by re-running the rules (never by guessing).

Every predicate here is monotone in its variable (tests pin that), so a search either finds
the exact boundary to the yuan or proves there is none in range.

The down-payment search first fits the two deal figures the caps read — the amount financed
and the instalment, both affine in the loan apart from cent rounding — from the deal's screen
and the slopes of its pricer (domain.prequal.pricing.Pricer.slopes), inverts every cap, and
then confirms the boundary with the rules at the boundary and one yuan short of it; only when
that fails does it fall back to plain bisection.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.prequal.eligibility import MoneyRules
from domain.prequal.pricing import Screen

__all__ = ["largest_int", "min_passing_down", "smallest_int"]

Pred = Callable[[int], bool]
_CENT = Decimal("0.01")


def smallest_int(pred: Pred, lo: int, hi: int) -> int | None:
    """The smallest n in [lo, hi] with pred(n), pred monotone (False…True); None if none."""
    if lo > hi or not pred(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def largest_int(pred: Pred, lo: int, hi: int) -> int | None:
    """The largest n in [lo, hi] with pred(n), pred monotone (True…False); None if none."""
    if lo > hi or not pred(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pred(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def min_passing_down(
    rules: MoneyRules, lo: int, hi: int, known: Screen | None = None
) -> tuple[int, Screen] | None:
    """The smallest whole-yuan down payment in [lo, hi] at which the money rules pass, with
    the deal's screened figures there; only meaningful when every other rule passes (the
    callers check that). ``known``: the screen of the case's own deal, when the caller has
    it."""
    if lo > hi:
        return None
    passing = rules.screen_if_passing

    def at(d: int) -> Screen | None:
        return passing(Decimal(d).quantize(_CENT))

    guess = rules.estimate(known)
    if guess is not None:
        g = min(max(guess, lo), hi)
        # A cent of rounding can move the boundary by a yuan either way: confirm it with the
        # rules at the boundary and one yuan short of it, looking two yuan either side.
        s = at(g)
        if s is not None:
            if g == lo or (short := at(g - 1)) is None:
                return g, s
            if g - 1 == lo or at(g - 2) is None:
                return g - 1, short
        else:
            for d in (g + 1, g + 2):
                if d <= hi and (s := at(d)) is not None:
                    return d, s  # d - 1 is known to fail
    found = smallest_int(lambda d: at(d) is not None, lo, hi)
    return None if found is None else (found, at(found))  # type: ignore[return-value]
