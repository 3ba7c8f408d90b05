"""Prequalification: one applicant, one car, one deal, against every product of the market.

    result = prequalify(applicant, vehicle, deal, products, consent=..., today=..., now=...)

1. consent first: no soft check runs without the buyer's recorded consent to it;
2. the scorecard gives the score, the tier and the score's reasons;
3. the car is valued (domain.prequal.valuation) — LTV divides by that value;
4. every active product's rules run on the deal's screened figures (cheap, exact); whether a
   product reaches the car at all (its kind, make, use, city) is worked out once per market,
   kind of car and city, and shared by every applicant of a batch;
5. each product that passes is priced by the loan engine (``domain.loans.quote``) — its rules
   run once more should the engine's figures differ from the screened ones — and it becomes
   an offer with its metrics and the largest amount its caps allow;
6. each product that fails becomes a decline with at most four reasons and a what-if hint;
7. the fraud and consistency checks run alongside: a flag refers the application to manual
   review (the offers stay, marked provisional) — it never declines by itself.

Offers are ordered by what the buyer pays in all (total sale price), cheapest first.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter

from domain.catalog import ConsentPurpose, LoanProduct, ProductKind, RateQuote
from domain.errors import InputError
from domain.loans import Quote
from domain.money import CENT
from domain.prequal.applicant import (
    Applicant,
    ConsentGiven,
    Deal,
    VehicleFacts,
    leaves_a_loan,
)
from domain.prequal.eligibility import (
    Case,
    Evaluation,
    Figures,
    MoneyRules,
    evaluate,
    reach_failures,
    reach_key,
    why_not_less,
)
from domain.prequal.fraud import PriorApplication
from domain.prequal.fraud import check as fraud_check
from domain.prequal.hints import NO_CHANGE, Hint, find_hint
from domain.prequal.metrics import Metrics, metrics
from domain.prequal.pricing import _PRICERS, Screen, cached_quote
from domain.prequal.scorecard import SCORECARD, Scorecard, ScoreResult, score
from domain.prequal.search import min_passing_down
from domain.prequal.text import Reason
from domain.prequal.valuation import DEPRECIATION, DepreciationModel, Valuation, value_vehicle

__all__ = [
    "APR_FLAG",
    "Application",
    "Decline",
    "Offer",
    "PrequalResult",
    "clear_caches",
    "prequalify",
    "prequalify_batch",
]

#: The China profile flags any APR above 24% (standards.md §2).
APR_FLAG = Decimal("0.24")


@dataclass(frozen=True)
class Offer:
    product: LoanProduct
    rate: RateQuote  # the rate-card line priced
    quote: Quote  # the engine's quote: every figure shown comes from it
    metrics: Metrics
    max_amount_financed: Decimal  # the largest amount financed this product's caps allow
    #: the least whole-yuan down payment at which this product still offers the deal (the
    #: deal's own when none below it passes); None where the search was not made
    lowest_down_payment: Decimal | None = None
    #: why not less than ``lowest_down_payment``, when it is above zero and below the deal's
    #: own: the rules that fail one yuan under it
    lowest_down_why: tuple[Reason, ...] = ()

    @property
    def is_flat_rate(self) -> bool:
        """A flat-rate quote (0 利息 + 手续费, 月费率): show its true APR first."""
        return self.rate.is_flat or self.product.kind is ProductKind.FLAT_PROMO

    @property
    def apr_over_limit(self) -> bool:
        return self.quote.apr > APR_FLAG


@dataclass(frozen=True)
class Decline:
    product: LoanProduct
    reasons: tuple[Reason, ...]  # at most four, most important first
    failed: frozenset[str]  # the codes of every rule that failed
    hint: Hint


@dataclass(frozen=True)
class PrequalResult:
    score: ScoreResult
    valuation: Valuation
    offers: tuple[Offer, ...]  # cheapest in all first
    declines: tuple[Decline, ...]
    review: tuple[Reason, ...]  # fraud and consistency flags; any → manual review
    consent: ConsentGiven
    depreciation_version: str

    @property
    def status(self) -> str:
        """``manual_review`` when a flag was raised (the offers are then provisional)."""
        return "manual_review" if self.review else "completed"


@dataclass(frozen=True)
class Application:
    """One application of a batch (:func:`prequalify_batch`)."""

    applicant: Applicant
    vehicle: VehicleFacts
    deal: Deal
    consent: ConsentGiven | None
    history: Sequence[PriorApplication] = ()


def _require_consent(consent: ConsentGiven | None, now: datetime) -> ConsentGiven:
    if consent is None:
        raise InputError(
            "consent", "required", "the buyer's consent to the soft check must be recorded first"
        )
    if consent.purpose is not ConsentPurpose.SOFT_CHECK:
        raise InputError("consent.purpose", "soft_check", "must be consent to the soft check")
    if consent.given_at > now:
        raise InputError("consent.given_at", "not_in_future", "must not be in the future")
    return consent


def _validate_deal(vehicle: VehicleFacts, deal: Deal) -> None:
    if not leaves_a_loan(vehicle.price, deal.down_payment, deal.trade_in):
        raise InputError(
            "deal.down_payment",
            "below_price",
            "together with the trade-in must be less than the cash price",
        )


def _offer(
    product: LoanProduct, case: Case, evaluation: Evaluation, explain: bool = True
) -> Offer | Evaluation:
    """``explain``: say why the lowest down payment is not lower (``Offer.lowest_down_why``)."""
    f = evaluation.figures
    assert f.line is not None
    q = f.quote(case.deal.down_payment, case.today)
    real = Screen(q.principal, q.amount_financed, q.payment)
    if real != f.screen:  # the engine's own figures have the last word
        checked = evaluate(product, case, Figures(f.line, q.terms, real), reached=True)
        if not checked.passed:
            return checked
    a = case.applicant
    price, trade = case.vehicle.price, case.deal.trade_in
    low = max(0, math.floor(price - trade - product.max_amount))
    found = min_passing_down(
        MoneyRules(product, case), low, math.floor(case.deal.down_payment), f.screen
    )
    largest = q.amount_financed  # found is None: the deal passes but at no whole yuan below it
    lowest = case.deal.down_payment
    why: tuple[Reason, ...] = ()
    if found is not None:
        largest = max(largest, found[1].amount_financed)
        lowest = min(lowest, Decimal(found[0]))
        if explain and 0 < lowest < case.deal.down_payment:
            why = why_not_less(product, case, (lowest - 1).quantize(CENT))
    return Offer(
        product=product,
        rate=f.line,
        quote=q,
        metrics=metrics(
            payment=q.payment,
            amount_financed=q.amount_financed,
            existing_debts=a.monthly_debt_payments,
            income=a.monthly_income,
            value=case.valuation.value,
        ),
        max_amount_financed=largest,
        lowest_down_payment=lowest,
        lowest_down_why=why,
    )


class _Market:
    """The active products of one market on one day, in the order of their codes (the order
    of a result's declines), and per kind of car and city (what the reach rules read) each
    product's decline when it does not reach such a car: the same for every applicant who
    looks at such a car there, so a batch works it out once."""

    __slots__ = ("_reach", "active", "products")

    def __init__(self, products: tuple[LoanProduct, ...], today: date) -> None:
        self.products = products  # held, so the ids in the market's key stay theirs
        self.active = sorted((p for p in products if p.is_active_on(today)), key=_CODE)
        self._reach: dict[tuple, list[tuple[LoanProduct, Decline | None, Decline | None]]] = {}

    def reach(self, case: Case) -> list[tuple[LoanProduct, Decline | None, Decline | None]]:
        """Each active product with, when it does not reach the case's car, its decline with
        its hint and the same without one (None, None: it reaches the car)."""
        key = reach_key(case)
        plan = self._reach.get(key)
        if plan is None:
            if len(self._reach) >= 4096:
                self._reach.clear()
            plan = []
            for product in self.active:
                failures = reach_failures(product, case)
                if not failures:
                    plan.append((product, None, None))
                    continue
                # no change of deal, debts or price makes a product reach another car
                evaluation = Evaluation(product, failures, Figures(None, None, None))
                reasons, codes = evaluation.reasons, evaluation.codes
                plan.append(
                    (
                        product,
                        Decline(product, reasons, codes, NO_CHANGE),
                        Decline(product, reasons, codes, None),
                    )
                )
            self._reach[key] = plan
        return plan


_MARKETS: dict[tuple, _Market] = {}


def _market(products: tuple[LoanProduct, ...], today: date) -> _Market:
    key = (today, *map(id, products))
    market = _MARKETS.get(key)
    if market is None:
        if len(_MARKETS) >= 16:
            _MARKETS.clear()
        market = _MARKETS[key] = _Market(products, today)
    return market


_CODE = attrgetter("code")


def clear_caches() -> None:
    """Forget every memoised quote and pricer (benchmarks measure cold runs; the results
    never depend on them)."""
    cached_quote.cache_clear()
    _PRICERS.clear()


def prequalify(
    applicant: Applicant,
    vehicle: VehicleFacts,
    deal: Deal,
    products: Iterable[LoanProduct],
    *,
    consent: ConsentGiven | None,
    today: date,
    now: datetime,
    history: Sequence[PriorApplication] = (),
    scorecard: Scorecard = SCORECARD,
    depreciation: DepreciationModel = DEPRECIATION,
    hints: bool = True,
) -> PrequalResult:
    """Every active product's answer for this application (see the module docstring).

    Raises InputError when consent is missing or the deal is impossible (the down payment and
    trade-in cover the price). ``hints=False`` skips the what-if searches, and the offers'
    reason why their lowest down payment is not lower.
    """
    return _prequalify(
        _market(tuple(products), today),
        applicant,
        vehicle,
        deal,
        consent,
        today,
        now,
        history,
        scorecard,
        depreciation,
        hints,
    )


def _prequalify(
    market: _Market,
    applicant: Applicant,
    vehicle: VehicleFacts,
    deal: Deal,
    consent: ConsentGiven | None,
    today: date,
    now: datetime,
    history: Sequence[PriorApplication],
    scorecard: Scorecard,
    depreciation: DepreciationModel,
    hints: bool,
) -> PrequalResult:
    consent = _require_consent(consent, now)
    _validate_deal(vehicle, deal)
    result = score(applicant, scorecard)
    valuation = value_vehicle(vehicle, depreciation)
    case = Case(applicant, vehicle, valuation, deal, result, today)
    offers: list[Offer] = []
    declines: list[Decline] = []  # in the order of the products' codes
    for product, unreached, unreached_no_hint in market.reach(case):
        if unreached is not None:
            declines.append(unreached if hints else unreached_no_hint)  # type: ignore[arg-type]
            continue
        evaluation = evaluate(product, case, reached=True)
        if evaluation.passed:
            outcome = _offer(product, case, evaluation, hints)
            if isinstance(outcome, Offer):
                offers.append(outcome)
                continue
            evaluation = outcome
        hint = find_hint(product, case, evaluation) if hints else None
        declines.append(Decline(product, evaluation.reasons, evaluation.codes, hint))
    offers.sort(
        key=lambda o: (
            o.quote.total_sale_price,
            o.quote.finance_charge,
            o.quote.apr,
            o.product.code,
        )
    )
    flags = fraud_check(applicant, now=now, history=history)
    return PrequalResult(
        result, valuation, tuple(offers), tuple(declines), flags, consent, depreciation.version
    )


def prequalify_batch(
    applications: Sequence[Application],
    products: Iterable[LoanProduct],
    *,
    today: date,
    now: datetime,
    scorecard: Scorecard = SCORECARD,
    depreciation: DepreciationModel = DEPRECIATION,
    hints: bool = True,
) -> list[PrequalResult | InputError]:
    """:func:`prequalify` of every application against the same market (a lender re-scoring
    its book, saved checks re-run after a rate change), in the order given: each item is the
    result, or the InputError that application raised (one bad application does not stop the
    others).

    The applications are worked in the order of their car and deal, so the pricing of one car
    and term (the pricers and quotes remembered in domain.prequal.pricing) is reused by every
    applicant looking at it while it is still remembered; each result is what
    :func:`prequalify` gives for that application alone.

    The cyclic garbage collector is paused meanwhile: a result holds no reference cycle (tests
    pin that), so it has nothing to find, and its passes over the growing list of results took
    a third of the batch's time.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _batch(applications, tuple(products), today, now, scorecard, depreciation, hints)
    finally:
        if paused:
            gc.enable()


def _batch(
    applications: Sequence[Application],
    market: tuple[LoanProduct, ...],
    today: date,
    now: datetime,
    scorecard: Scorecard,
    depreciation: DepreciationModel,
    hints: bool,
) -> list[PrequalResult | InputError]:
    out: list[PrequalResult | InputError | None] = [None] * len(applications)
    world = _market(market, today)
    for k in sorted(range(len(applications)), key=lambda k: _deal_order(applications[k])):
        a = applications[k]
        try:
            out[k] = _prequalify(
                world,
                a.applicant,
                a.vehicle,
                a.deal,
                a.consent,
                today,
                now,
                a.history,
                scorecard,
                depreciation,
                hints,
            )
        except InputError as error:
            out[k] = error.with_traceback(None)  # no frame kept alive (a cycle)
    return out  # type: ignore[return-value]  # every slot is filled


def _deal_order(a: Application) -> tuple:
    v, d = a.vehicle, a.deal
    return (
        v.price,
        v.make,
        v.energy.value,
        v.condition.value,
        d.trade_in,
        d.term_months,
        d.down_payment,
    )
