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
from decimal import ROUND_CEILING, Decimal

from domain.catalog import LoanProduct, ltv_category
from domain.prequal.eligibility import Case, money_rules_check
from domain.prequal.pricing import Screen, pricer, rate_line

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


def _estimate_down(product: LoanProduct, case: Case, known: Screen | None) -> int | None:
    """The down payment (whole yuan) where the tightest cap binds, from the deal's screen and
    the pricer's slopes; ``known`` is the screen of the case's own deal when the caller has
    it."""
    price, trade = case.vehicle.price, case.deal.trade_in
    term = case.deal.term_months
    line = rate_line(product, case.score.tier, term)
    if line is None:
        return None
    deal_pricer = pricer(product, line, price=price, trade_in=trade, term=term)
    s1 = known if known is not None else deal_pricer.screen(case.deal.down_payment)
    if s1 is None:
        return None
    af_slope, pay_slope = deal_pricer.slopes()
    x1 = price - trade - case.deal.down_payment
    limits = []  # upper bounds on the loan B = price - trade - down
    a = case.applicant
    cap = product.ltv_cap_for(
        ltv_category(case.vehicle.condition, case.vehicle.energy, case.vehicle.use)
    )
    for af_cap in (None if cap is None else cap * case.valuation.value, product.max_amount):
        if af_cap is not None and af_slope > 0:
            limits.append(x1 + (af_cap - s1.amount_financed) / af_slope)
    for pay_cap in (
        product.max_pti * a.monthly_income,
        product.max_dti * a.monthly_income - a.monthly_debt_payments,
    ):
        if pay_slope > 0:
            limits.append(x1 + (pay_cap - s1.payment) / pay_slope)
    limits.append(price - trade - product.min_down_payment_pct * price)
    best = min(limits)
    down = price - trade - best
    return max(0, int(down.to_integral_value(rounding=ROUND_CEILING)))


def min_passing_down(
    product: LoanProduct, case: Case, lo: int, hi: int, known: Screen | None = None
) -> int | None:
    """The smallest whole-yuan down payment in [lo, hi] at which the money rules pass; only
    meaningful when every other rule passes (the callers check that)."""
    if lo > hi:
        return None

    check = money_rules_check(product, case)

    def pred(d: int) -> bool:
        return check(Decimal(d).quantize(_CENT))

    guess = _estimate_down(product, case, known)
    if guess is not None:
        g = min(max(guess, lo), hi)
        # A cent of rounding can move the boundary by a yuan either way: confirm it with the
        # rules at the boundary and one yuan short of it, looking two yuan either side.
        if pred(g):
            if g == lo or not pred(g - 1):
                return g
            if g - 1 == lo or not pred(g - 2):
                return g - 1
        else:
            for d in (g + 1, g + 2):
                if d <= hi and pred(d):
                    return d  # d - 1 is known to fail
    return smallest_int(pred, lo, hi)
