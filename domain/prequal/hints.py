"""What-if hints: for a decline, the smallest change that turns it into an offer.

Tried in order — another term, a larger down payment, lower existing debts, a cheaper car — each
found by re-running the product's rules on the changed deal (domain.prequal.search), so what a
search returns is already a verdict of the rules, not an estimate to be checked again: the term
and debts and price searches run every rule; the down-payment search runs the money rules only
when every other rule passes and none of them reads the down payment. The rules read the deal's
screened figures, the loan engine's own arithmetic (tests pin them equal to ``quote()``); the
property tests re-run each hint's changed application through prequalify, which prices it with
the engine.
When the decline rests on something no such change can cure (the car's make, the buyer's credit
tier, …), or no change in range cures it, the honest answer is "no change within reach".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from domain.catalog import LoanProduct
from domain.prequal.applicant import Deal
from domain.prequal.eligibility import (
    CURABLE_BY_DEBTS,
    CURABLE_BY_DOWN,
    CURABLE_BY_PRICE,
    CURABLE_BY_TERM,
    Case,
    Evaluation,
    MoneyRules,
    passes,
    term_rules_fail,
    with_deal,
)
from domain.prequal.pricing import Screen
from domain.prequal.scorecard import score as score_applicant
from domain.prequal.search import largest_int, min_passing_down
from domain.prequal.text import N_, Reason
from domain.prequal.valuation import value_vehicle

__all__ = ["Hint", "find_hint"]

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Hint:
    """``kind``: term | down_payment | reduce_debts | price_ceiling | none. ``case`` is the
    changed application that yields the offer (None for "none")."""

    kind: str
    reason: Reason
    case: Case | None = None
    value: Decimal | int | None = None


NO_CHANGE = Hint(
    "none", Reason("hint.none", N_("No change within reach would turn this into an offer"))
)


def _with_deal(case: Case, **changes) -> Case:
    d = case.deal
    return with_deal(
        case,
        Deal(
            changes.get("down_payment", d.down_payment),
            changes.get("term_months", d.term_months),
            d.trade_in,
        ),
    )


@lru_cache(maxsize=1024)
def _nearest_terms(terms: tuple[int, ...], wished: int) -> tuple[int, ...]:
    """The other terms, nearest to the wished one first (the shorter of two as near)."""
    return tuple(sorted((t for t in terms if t != wished), key=lambda t: (abs(t - wished), t)))


def _term_hint(product: LoanProduct, case: Case) -> Hint | None:
    """The nearest offered term that yields an offer — as it is, or with a larger down payment
    when only the money rules stand in the way at that term.

    Only for a case whose failures a term or a down payment can cure (find_hint checks): every
    other rule passes and reads neither, so at another term the verdict is that of
    :data:`~domain.prequal.eligibility.TERM_RULES` and the money rules. The changed case is
    built only for the term found."""
    nearest = _nearest_terms(product.terms, case.deal.term_months)
    by_down = []
    for term in nearest:  # first a term that works as it is: the smaller change
        rules = MoneyRules(product, case, term)
        if rules.pricer is None or term_rules_fail(product, case, term):
            continue  # no rate line at this term, or a term rule fails: no down payment helps
        screen = rules.pricer.screen(case.deal.down_payment)
        if rules.passing(case.deal.down_payment, screen):
            return Hint(
                "term",
                Reason("hint.term", N_("Choose a {term}-month term"), {"term": term}),
                _with_deal(case, term_months=term),
                term,
            )
        by_down.append((term, rules, screen))
    for term, rules, screen in by_down:  # then a term with a larger down payment
        down = _down_hint(product, _with_deal(case, term_months=term), known=screen, rules=rules)
        if down is not None:
            amount = down.value
            return Hint(
                "term_and_down_payment",
                Reason(
                    "hint.term_and_down_payment",
                    N_(
                        "Choose a {term}-month term and raise the down payment to "
                        "{amount} ({more} more)"
                    ),
                    {"term": term, "amount": amount, "more": amount - case.deal.down_payment},
                    {"amount": "money", "more": "money"},
                ),
                down.case,
                term,
            )
    return None


def _down_hint(
    product: LoanProduct,
    case: Case,
    known: Screen | None = None,
    rules: MoneyRules | None = None,
) -> Hint | None:
    """Only for a case where every rule but the money rules passes, none of them reading the
    down payment: the money rules passing at the amount found is then the whole verdict.
    ``known``: the screen of ``case``'s own deal, and ``rules`` its money rules, when the
    caller has them."""
    price, trade = case.vehicle.price, case.deal.trade_in
    current = math.floor(case.deal.down_payment) + 1
    top = math.floor(price - trade - product.min_amount)
    if rules is None:
        rules = MoneyRules(product, case)
    found = min_passing_down(rules, current, top, known)
    if found is None:
        return None
    down = found[0]
    amount = Decimal(down).quantize(_CENT)
    changed = _with_deal(case, down_payment=amount)
    return Hint(
        "down_payment",
        Reason(
            "hint.down_payment",
            N_("Raise the down payment to {amount} ({more} more)"),
            {"amount": amount, "more": amount - case.deal.down_payment},
            {"amount": "money", "more": "money"},
        ),
        changed,
        amount,
    )


def _debts_hint(product: LoanProduct, case: Case) -> Hint | None:
    a = case.applicant
    current = math.floor(a.monthly_debt_payments)

    def with_debts(debts: int) -> Case:
        applicant = replace(a, monthly_debt_payments=Decimal(debts).quantize(_CENT))
        return case._replace(applicant=applicant, score=score_applicant(applicant))

    def pred(debts: int) -> bool:
        return passes(product, with_debts(debts), reached=True)

    best = largest_int(pred, 0, current - 1) if current >= 1 else None
    if best is None:
        return None
    changed = with_debts(best)
    amount = Decimal(best).quantize(_CENT)
    return Hint(
        "reduce_debts",
        Reason(
            "hint.reduce_debts",
            N_("Bring your existing monthly debt payments down to {amount} ({less} less)"),
            {"amount": amount, "less": a.monthly_debt_payments - amount},
            {"amount": "money", "less": "money"},
        ),
        changed,
        amount,
    )


def _price_hint(product: LoanProduct, case: Case) -> Hint | None:
    d = case.deal
    v = case.vehicle
    ratio = None if v.new_price is None else v.new_price / v.price

    def with_price(p: int) -> Case:
        price = Decimal(p).quantize(_CENT)
        new_price = None if ratio is None else (price * ratio).quantize(_CENT)
        vehicle = replace(v, price=price, new_price=new_price)
        return case._replace(vehicle=vehicle, valuation=value_vehicle(vehicle))

    def pred(p: int) -> bool:
        return passes(product, with_price(p), reached=True)

    low = math.ceil(d.down_payment + d.trade_in + product.min_amount)
    high = math.ceil(v.price) - 1
    # The prices that work form one interval (too cheap, the loan falls below the minimum);
    # step down from the asking price, doubling the step, to a price that works, then bisect.
    step, failing, passing = 100, high + 1, None
    while failing - step >= low:
        if pred(failing - step):
            passing = failing - step
            break
        failing, step = failing - step, step * 2
    if passing is None:
        return None
    best = largest_int(pred, passing, failing - 1)
    changed = with_price(best)
    price = Decimal(best).quantize(_CENT)
    return Hint(
        "price_ceiling",
        Reason(
            "hint.price_ceiling",
            N_("With the same down payment, choose a car priced at most {price}"),
            {"price": price},
            {"price": "money"},
        ),
        changed,
        price,
    )


def find_hint(product: LoanProduct, case: Case, evaluation: Evaluation) -> Hint:
    """The first change, in the order term → down payment → debts → price, that yields an
    offer; :data:`NO_CHANGE` when the decline cannot be cured that way."""
    codes = evaluation.codes
    searches = []
    if "deal.term" in codes:
        if codes <= CURABLE_BY_TERM | CURABLE_BY_DOWN:
            searches.append(_term_hint)  # the other searches keep the term, not offered
    else:
        if codes <= CURABLE_BY_DOWN:
            searches.append(_down_hint)
        if codes <= CURABLE_BY_DEBTS and "affordability.dti" in codes:
            searches.append(_debts_hint)
        if codes <= CURABLE_BY_TERM:
            searches.append(_term_hint)
        if codes <= CURABLE_BY_PRICE:
            searches.append(_price_hint)
    for search in searches:
        if search is _down_hint:
            hint = _down_hint(product, case, known=evaluation.figures.screen)
        else:
            hint = search(product, case)
        if hint is not None:
            return hint
    return NO_CHANGE
