"""Each product's rules, evaluated from its data.

A rule reads the product, the case (applicant, car, deal, score) and the figures of the deal
(the rate-card line, the loan terms, the amount financed and instalment from
:func:`domain.prequal.pricing.screen` or from a real quote) and returns a :class:`Reason` when
it fails. :data:`RULES` is in order of importance, so the first failures are the principal
reasons; a decline shows at most four. Every reason comes from a rule that failed — there is
no catch-all.

Two stages: first the product's reach (:data:`REACH_RULES` — does it finance this kind of car,
of this make, for this use, in this city at all); only a product that reaches the car goes on
to the applicant and the deal, so a bank's used-car loan declining a new car says just that,
and no deal figures are computed for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain.catalog import (
    Condition,
    Energy,
    LoanProduct,
    RateQuote,
    VehicleLimits,
    VehicleUse,
    ltv_category,
)
from domain.loans import LoanTerms, Quote
from domain.prequal.applicant import Applicant, Deal, VehicleFacts
from domain.prequal.metrics import dti, ltv, pti
from domain.prequal.pricing import Pricer, Screen, cached_quote, profile, terms_for
from domain.prequal.scorecard import ScoreResult
from domain.prequal.text import N_, Reason
from domain.prequal.valuation import Valuation

__all__ = [
    "CURABLE_BY_DEBTS",
    "CURABLE_BY_DOWN",
    "CURABLE_BY_PRICE",
    "CURABLE_BY_TERM",
    "DEAL_RULES",
    "MAX_REASONS",
    "REACH_RULES",
    "RULES",
    "TERM_RULES",
    "Case",
    "Evaluation",
    "Figures",
    "MoneyRules",
    "evaluate",
    "figures_for",
    "money_rules_pass",
    "passes",
    "reach_failures",
    "reach_key",
    "term_rules_fail",
    "with_deal",
]

MAX_REASONS = 4


class Case(NamedTuple):
    """Everything the rules read about one application (a named tuple: the searches build one
    per step, and a frozen dataclass costs three times as much to build)."""

    applicant: Applicant
    vehicle: VehicleFacts
    valuation: Valuation
    deal: Deal
    score: ScoreResult
    today: date


class Figures:
    """The rate-card line, the loan terms and the screened figures of a deal. ``screen`` is
    None when no rate applies or the engine would refuse the terms. The terms are built only
    when asked for (most deals are screened and judged without them); ``pricer`` screened
    them (None with no screen)."""

    __slots__ = ("_build", "_terms", "line", "pricer", "screen")

    def __init__(
        self,
        line: RateQuote | None,
        terms: LoanTerms | None,
        screen: Screen | None,
        build: Callable[[], LoanTerms] | None = None,
        pricer: Pricer | None = None,
    ) -> None:
        self.line = line
        self.screen = screen
        self._terms = terms
        self._build = build
        self.pricer = pricer

    @property
    def terms(self) -> LoanTerms | None:
        if self._terms is None and self._build is not None:
            self._terms = self._build()
            self._build = None
        return self._terms

    def quote(self, down_payment: Decimal, today: date) -> Quote:
        """The engine's quote of the deal (``cached_quote`` of the terms), remembered by the
        pricer for the deal's down payment and day: the buyers who look at the same car and
        deal share it without the terms being built and hashed again."""
        quotes = self.pricer.quotes  # type: ignore[union-attr]  # a deal with a screen
        key = (down_payment, today)
        q = quotes.get(key)
        if q is None:
            q = quotes[key] = cached_quote(self.terms)  # type: ignore[arg-type]
        return q


class Evaluation:
    """One product's verdict on a case: ``failures`` (every failed rule, most important first)
    and the figures they were judged on. Built for every product and every step of a search,
    so a plain slotted class (a frozen dataclass costs twice as much to build) whose codes are
    worked out once."""

    __slots__ = ("_codes", "failures", "figures", "product")

    def __init__(
        self, product: LoanProduct, failures: tuple[Reason, ...], figures: Figures
    ) -> None:
        self.product = product
        self.failures = failures
        self.figures = figures
        self._codes: frozenset[str] | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.failures[:MAX_REASONS]

    @property
    def codes(self) -> frozenset[str]:
        if self._codes is None:
            self._codes = frozenset(r.code for r in self.failures)
        return self._codes


Rule = Callable[[LoanProduct, Case, Figures], Reason | None]


def _r(code: str, message: str, formats: dict | None = None, **params) -> Reason:
    return Reason(code, message, params, formats or {})


# --- the car and the product's reach ------------------------------------------------------


def _condition(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.vehicle.condition in p.conditions:
        return None
    if c.vehicle.condition is Condition.USED:
        return _r("vehicle.condition", N_("This product finances new cars only"))
    return _r("vehicle.condition", N_("This product finances used cars only"))


def _use(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.vehicle.use in p.uses:
        return None
    if c.vehicle.use is VehicleUse.COMMERCIAL:
        return _r("vehicle.use", N_("This product does not finance cars for commercial use"))
    return _r("vehicle.use", N_("This product finances commercial-use cars only"))


def _energy(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if not p.energies or c.vehicle.energy in p.energies:
        return None
    if p.nev_only:
        return _r("vehicle.energy", N_("This product finances new-energy cars only"))
    return _r(
        "vehicle.energy",
        N_("This product does not finance {energy} cars"),
        {"energy": "label"},
        energy=ENERGY_NAMES[c.vehicle.energy],
    )


#: An energy as a sentence names it ("does not finance petrol cars"), translated where shown.
ENERGY_NAMES = {
    Energy.BEV: N_("battery-electric"),
    Energy.PHEV: N_("plug-in hybrid"),
    Energy.HEV: N_("hybrid"),
    Energy.ICE: N_("petrol"),
}


def _brand(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if not p.brands or c.vehicle.make in p.brands:
        return None
    return _r(
        "vehicle.brand",
        N_("This product finances only these makes: {makes}"),
        makes=", ".join(sorted(p.brands)),
    )


def _category(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.vehicle.condition not in p.conditions or c.vehicle.use not in p.uses:
        return None  # the category follows from these, and their own rules said no
    if _ltv_cap(p, c) is None:
        return _r("vehicle.category", N_("This product does not finance this category of car"))
    return None


def _city(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if not p.cities or c.applicant.city in p.cities:
        return None
    return _r(
        "applicant.city",
        N_("This product is not offered in {city}"),
        {"city": "city"},
        city=c.applicant.city or "-",
    )


# --- the applicant -------------------------------------------------------------------------


def _tier(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    tier = c.score.tier
    if tier is None:
        return _r(
            "credit.score_below_cutoff", N_("Your credit result is below every tier we price")
        )
    if tier not in profile(p).tiers:
        return _r(
            "credit.tier_not_accepted",
            N_("Your credit result (tier {tier}) is below the tiers this product accepts"),
            tier=tier.value,
        )
    return None


def _min_age(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.applicant.age >= p.min_age:
        return None
    return _r(
        "applicant.min_age",
        N_("You must be at least {min_age} years old for this product"),
        min_age=p.min_age,
    )


def _age_at_maturity(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    at_end = Decimal(c.applicant.age) + Decimal(c.deal.term_months) / 12
    if at_end <= p.max_age_at_maturity:
        return None
    return _r(
        "applicant.age_at_maturity",
        N_("You would be over {limit} when the loan ends, this product's age limit"),
        limit=p.max_age_at_maturity,
    )


def _income(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.applicant.monthly_income >= p.min_monthly_income:
        return None
    return _r(
        "applicant.min_income",
        N_("Your monthly income of {income} is below this product's minimum of {minimum}"),
        {"income": "money", "minimum": "money"},
        income=c.applicant.monthly_income,
        minimum=p.min_monthly_income,
    )


# --- affordability and collateral (need the deal's figures) ---------------------------------


def _dti(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if f.screen is None:
        return None
    a = c.applicant
    value = dti(f.screen.payment, a.monthly_debt_payments, a.monthly_income)
    if value <= p.max_dti:  # as in money_rules_pass
        return None
    return _r(
        "affordability.dti",
        N_(
            "With this payment your debts would take {dti} of your income; "
            "this product allows at most {cap}"
        ),
        {"dti": "percent", "cap": "percent"},
        dti=value,
        cap=p.max_dti,
    )


def _pti(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if f.screen is None:
        return None
    value = pti(f.screen.payment, c.applicant.monthly_income)
    if value <= p.max_pti:  # as in money_rules_pass
        return None
    return _r(
        "affordability.pti",
        N_(
            "The payment of {payment} would be {pti} of your income; "
            "this product allows at most {cap}"
        ),
        {"payment": "money", "pti": "percent", "cap": "percent"},
        payment=f.screen.payment,
        pti=value,
        cap=p.max_pti,
    )


def _ltv_cap(p: LoanProduct, c: Case) -> Decimal | None:
    v = c.vehicle
    return profile(p).ltv_caps.get(ltv_category(v.condition, v.energy, v.use))


def _ltv(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    cap = _ltv_cap(p, c)
    if f.screen is None or cap is None:
        return None
    value = ltv(f.screen.amount_financed, c.valuation.value)
    if value <= cap:  # as in money_rules_pass
        return None
    return _r(
        "collateral.ltv",
        N_(
            "The loan would be {ltv} of the car's value of {value}; "
            "this product lends at most {cap}"
        ),
        {"ltv": "percent", "value": "money", "cap": "percent"},
        ltv=value,
        value=c.valuation.value,
        cap=cap,
    )


def _down_payment(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    paid = c.deal.down_payment + c.deal.trade_in
    if paid >= p.min_down_payment_pct * c.vehicle.price:  # as in money_rules_pass
        return None
    return _r(
        "deal.min_down_payment",
        N_(
            "The down payment with the trade-in is {share} of the price; "
            "this product needs at least {minimum}"
        ),
        {"share": "percent", "minimum": "percent"},
        share=paid / c.vehicle.price,
        minimum=p.min_down_payment_pct,
    )


def _amount(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if f.screen is None:
        return None
    amount = f.screen.amount_financed  # as in money_rules_pass
    if amount < p.min_amount:
        return _r(
            "deal.min_amount",
            N_("The loan of {amount} is below this product's minimum of {minimum}"),
            {"amount": "money", "minimum": "money"},
            amount=amount,
            minimum=p.min_amount,
        )
    if amount > p.max_amount:
        return _r(
            "deal.max_amount",
            N_("The loan of {amount} is above this product's maximum of {maximum}"),
            {"amount": "money", "maximum": "money"},
            amount=amount,
            maximum=p.max_amount,
        )
    return None


# --- the car's own limits and the term -----------------------------------------------------


def _car_too_old(limits: VehicleLimits, age: Decimal, term: int) -> bool:
    """Whether :func:`_vehicle_age` fails for a car of ``age`` years at ``term`` (its own
    comparisons, for the callers that need only the verdict)."""
    if limits.max_age_years is None and limits.max_age_at_maturity_years is None:
        return False
    return (limits.max_age_years is not None and age > limits.max_age_years) or (
        limits.max_age_at_maturity_years is not None
        and age + Decimal(term) / 12 > limits.max_age_at_maturity_years
    )


def _vehicle_age(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    limits = p.vehicle_limits
    age = c.vehicle.age_years
    if limits.max_age_years is not None and age > limits.max_age_years:
        return _r(
            "vehicle.max_age",
            N_("This product finances cars up to {limit} years old"),
            limit=limits.max_age_years,
        )
    end = age + Decimal(c.deal.term_months) / 12
    if limits.max_age_at_maturity_years is not None and end > limits.max_age_at_maturity_years:
        return _r(
            "vehicle.max_age_at_maturity",
            N_("The car would be over {limit} years old at the last payment, this product's limit"),
            limit=limits.max_age_at_maturity_years,
        )
    return None


def _mileage(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    limit = p.vehicle_limits.max_mileage_km
    if limit is None or c.vehicle.mileage_km <= limit:
        return None
    return _r(
        "vehicle.max_mileage",
        N_("This product finances cars with up to {limit} km"),
        {"limit": "number"},
        limit=limit,
    )


def _price(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    limits = p.vehicle_limits
    if limits.min_price is not None and c.vehicle.price < limits.min_price:
        return _r(
            "vehicle.min_price",
            N_("This product finances cars priced from {minimum}"),
            {"minimum": "money"},
            minimum=limits.min_price,
        )
    if limits.max_price is not None and c.vehicle.price > limits.max_price:
        return _r(
            "vehicle.max_price",
            N_("This product finances cars priced up to {maximum}"),
            {"maximum": "money"},
            maximum=limits.max_price,
        )
    return None


def _term(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    if c.deal.term_months in profile(p).terms:
        return None
    return _r(
        "deal.term",
        N_("This product does not offer a {term}-month term; it offers {terms} months"),
        term=c.deal.term_months,
        terms=", ".join(str(t) for t in sorted(p.terms)),
    )


def _rate_for_term(p: LoanProduct, c: Case, f: Figures) -> Reason | None:
    # The tier is accepted and the term offered, yet no rate-card line prices the pair.
    tier = c.score.tier
    prof = profile(p)
    if tier is None or tier not in prof.tiers or c.deal.term_months not in prof.terms or f.line:
        return None
    return _r(
        "credit.tier_term",
        N_("This product does not price tier {tier} at a {term}-month term"),
        tier=tier.value,
        term=c.deal.term_months,
    )


#: Every rule, most important first.
REACH_RULES: tuple[Rule, ...] = (_condition, _use, _energy, _brand, _category, _city)
RULES: tuple[Rule, ...] = (
    *REACH_RULES,
    _tier,
    _min_age,
    _age_at_maturity,
    _income,
    _dti,
    _pti,
    _ltv,
    _down_payment,
    _amount,
    _vehicle_age,
    _mileage,
    _price,
    _term,
    _rate_for_term,
)


_AFTER_REACH = RULES[len(REACH_RULES) :]
_NO_FIGURES = Figures(None, None, None)


def figures_for(product: LoanProduct, case: Case) -> Figures:
    """The rate line, loan terms and screened figures of ``case``'s deal under ``product``."""
    tier = case.score.tier
    d = case.deal
    prof = profile(product)
    line = None if tier is None else prof.rate(tier, d.term_months)
    if line is None:
        return _NO_FIGURES
    price, down, trade, term = case.vehicle.price, d.down_payment, d.trade_in, d.term_months
    if price - down - trade <= 0:
        return Figures(line, None, None)
    today = case.today

    def build() -> LoanTerms:
        return terms_for(
            product, line, price=price, down_payment=down, trade_in=trade, term=term, today=today
        )

    p = prof.pricer(line, price, trade, term)
    return Figures(line, None, None if p is None else p.screen(down), build, p)


#: The rules besides the money rules whose verdict a change of term alone can change.
TERM_RULES: tuple[Rule, ...] = (_age_at_maturity, _vehicle_age, _term, _rate_for_term)


def term_rules_fail(product: LoanProduct, case: Case, term: int) -> bool:
    """Whether a rule of :data:`TERM_RULES` fails for ``case`` at ``term``, one of the
    product's terms with a rate line for the case's tier (so the term and rate rules pass):
    the car-age rule by its own comparisons, the age-at-maturity rule run only where its cheap
    comparison says it may fail (as in :func:`_suspects`), on the case at ``term``."""
    if _car_too_old(product.vehicle_limits, case.vehicle.age_years, term):
        return True
    if case.applicant.age * 12 + term < product.max_age_at_maturity * 12:
        return False
    d = case.deal
    changed = with_deal(case, Deal(d.down_payment, term, d.trade_in))
    return _age_at_maturity(product, changed, _NO_FIGURES) is not None


#: The rules that read the deal's money figures (the down-payment search re-runs only these,
#: once every other rule is known to pass).
DEAL_RULES: tuple[Rule, ...] = (_dti, _pti, _ltv, _down_payment, _amount)


def money_rules_pass(product: LoanProduct, case: Case, down_payment: Decimal) -> bool:
    """Whether :data:`DEAL_RULES` pass with ``case``'s deal at another down payment (and a
    loan is left to finance) — ``passes(product, with_deal(case, changed), DEAL_RULES)``
    without building the changed deal; the comparisons are the rules' own, as marked there."""
    return MoneyRules(product, case).screen_if_passing(down_payment) is not None


class MoneyRules:
    """:func:`money_rules_pass` for one product and case as a function of the down payment,
    what does not depend on it looked up once (a search calls it for many down payments)."""

    __slots__ = (
        "cap",
        "debts",
        "down",
        "income",
        "max_amount",
        "max_dti",
        "max_pti",
        "min_amount",
        "min_down_pct",
        "price",
        "pricer",
        "trade",
        "value",
    )

    def __init__(self, product: LoanProduct, case: Case, term: int | None = None) -> None:
        """``term``: judge the deal at this term instead of its own (a term search)."""
        d = case.deal
        v = case.vehicle
        self.price, self.trade, self.down = v.price, d.trade_in, d.down_payment
        if term is None:
            term = d.term_months
        tier = case.score.tier
        prof = profile(product)
        line = None if tier is None else prof.rate(tier, term)
        self.pricer = prof.pricer(line, self.price, self.trade, term)
        a = case.applicant
        self.debts, self.income, self.value = (
            a.monthly_debt_payments,
            a.monthly_income,
            case.valuation.value,
        )
        self.cap = prof.ltv_caps.get(ltv_category(v.condition, v.energy, v.use))
        (
            self.max_dti,
            self.max_pti,
            self.min_amount,
            self.max_amount,
            self.min_down_pct,
        ) = prof.money_limits

    def screen_if_passing(self, down_payment: Decimal) -> Screen | None:
        """The deal's screened figures at ``down_payment`` when the money rules pass there
        (the rules that need no figures first: the searches often probe one yuan under the
        minimum down payment)."""
        if not self._paid_passes(down_payment):
            return None
        s = self.pricer.screen(down_payment)  # type: ignore[union-attr]  # checked above
        return s if self._figures_pass(s) else None

    def passing(self, down_payment: Decimal, s: Screen | None) -> bool:
        """Whether the money rules pass at ``down_payment`` whose screen is ``s``."""
        return self._paid_passes(down_payment) and self._figures_pass(s)

    def _paid_passes(self, down_payment: Decimal) -> bool:
        """A loan is left and the minimum down payment is met (no figures needed)."""
        paid = down_payment + self.trade
        return self.pricer is not None and self.min_down_pct * self.price <= paid < self.price

    def _figures_pass(self, s: Screen | None) -> bool:
        income, cap = self.income, self.cap
        return (
            s is not None
            and dti(s.payment, self.debts, income) <= self.max_dti
            and pti(s.payment, income) <= self.max_pti
            and (cap is None or ltv(s.amount_financed, self.value) <= cap)
            and self.min_amount <= s.amount_financed <= self.max_amount
        )

    def estimate(self, known: Screen | None) -> int | None:
        """The down payment (whole yuan) where the tightest cap binds, from the deal's screen
        (``known``, when the caller has it) and the pricer's slopes: both figures are affine
        in the loan apart from cent rounding. An estimate for the searches, which confirm it
        with the rules (so floats: a yuan off costs one more screen, not a wrong answer)."""
        if self.pricer is None:
            return None
        s1 = known if known is not None else self.pricer.screen(self.down)
        if s1 is None:
            return None
        af_slope, pay_slope = self.pricer.slopes()
        price, trade = float(self.price), float(self.trade)
        x1 = price - trade - float(self.down)
        best = price - trade - float(self.min_down_pct) * price  # upper bounds on the loan
        if af_slope > 0:
            af = float(s1.amount_financed)
            if self.cap is not None:
                best = min(best, x1 + (float(self.cap * self.value) - af) / af_slope)
            best = min(best, x1 + (float(self.max_amount) - af) / af_slope)
        if pay_slope > 0:
            income = self.income
            pay_cap = min(self.max_pti * income, self.max_dti * income - self.debts)
            best = min(best, x1 + (float(pay_cap) - float(s1.payment)) / pay_slope)
        return max(0, math.ceil(price - trade - best - 1e-9))


#: The failures each kind of change can cure (a search runs only when all failures are curable).
CURABLE_BY_DOWN = frozenset(
    {
        "affordability.dti",
        "affordability.pti",
        "collateral.ltv",
        "deal.min_down_payment",
        "deal.max_amount",
    }
)
CURABLE_BY_TERM = frozenset(
    {
        "deal.term",
        "credit.tier_term",
        "applicant.age_at_maturity",
        "vehicle.max_age_at_maturity",
        "affordability.dti",
        "affordability.pti",
    }
)
CURABLE_BY_DEBTS = frozenset({"affordability.dti", "affordability.pti"})
CURABLE_BY_PRICE = CURABLE_BY_DOWN | {"vehicle.max_price"}


def reach_key(case: Case) -> tuple:
    """What the reach rules read of a case: the car's kind, make and use, and the city."""
    v = case.vehicle
    return (v.condition, v.use, v.energy, v.make, case.applicant.city)


def reach_failures(product: LoanProduct, case: Case) -> tuple[Reason, ...]:
    """The reach rules' failures, remembered per product for each kind of car and city they
    read (the same for every applicant who looks at such a car there)."""
    key = reach_key(case)
    cache = profile(product).reach
    failures = cache.get(key)
    if failures is None:
        if len(cache) >= 4096:
            cache.clear()
        failures = cache[key] = tuple(
            r for r in (rule(product, case, _NO_FIGURES) for rule in REACH_RULES) if r is not None
        )
    return failures


def passes(
    product: LoanProduct, case: Case, rules: tuple[Rule, ...] = RULES, *, reached: bool = False
) -> bool:
    """Whether :func:`evaluate` would pass, stopping at the first rule that fails."""
    if rules is RULES:
        if not reached and reach_failures(product, case):
            return False
        rules = _AFTER_REACH
    f = figures_for(product, case)
    if rules is _AFTER_REACH:
        rules = _suspects(product, case, f)
    for rule in rules:
        if rule(product, case, f) is not None:
            return False
    return f.screen is not None


def _suspects(p: LoanProduct, c: Case, f: Figures) -> list[Rule]:
    """The rules after the reach stage that may fail, in :data:`RULES` order: each rule's own
    comparisons inline, so the rules that pass cost no call. Every rule that fails is among
    them (a suspect is then run for its verdict and its reason); tests pin that evaluate's
    failures equal running every rule."""
    prof = profile(p)
    a, v, d, s = c.applicant, c.vehicle, c.deal, f.screen
    term, tier = d.term_months, c.score.tier
    out: list[Rule] = []
    tier_ok = tier is not None and tier in prof.tiers
    if not tier_ok:
        out.append(_tier)
    if a.age < p.min_age:
        out.append(_min_age)
    if a.age * 12 + term >= p.max_age_at_maturity * 12:  # the rule passes at < (exact years)
        out.append(_age_at_maturity)
    income = a.monthly_income
    if income < p.min_monthly_income:
        out.append(_income)
    if s is not None:
        if dti(s.payment, a.monthly_debt_payments, income) > p.max_dti:
            out.append(_dti)
        if pti(s.payment, income) > p.max_pti:
            out.append(_pti)
        cap = prof.ltv_caps.get(ltv_category(v.condition, v.energy, v.use))
        if cap is not None and ltv(s.amount_financed, c.valuation.value) > cap:
            out.append(_ltv)
    if d.down_payment + d.trade_in < p.min_down_payment_pct * v.price:
        out.append(_down_payment)
    if s is not None and not p.min_amount <= s.amount_financed <= p.max_amount:
        out.append(_amount)
    limits = p.vehicle_limits
    if _car_too_old(limits, v.age_years, term):
        out.append(_vehicle_age)
    if limits.max_mileage_km is not None and v.mileage_km > limits.max_mileage_km:
        out.append(_mileage)
    if (limits.min_price is not None and v.price < limits.min_price) or (
        limits.max_price is not None and v.price > limits.max_price
    ):
        out.append(_price)
    if term not in prof.terms:
        out.append(_term)
    elif tier_ok and not f.line:
        out.append(_rate_for_term)
    return out


def why_not_less(product: LoanProduct, case: Case, down_payment: Decimal) -> tuple[Reason, ...]:
    """The deal rules that fail at ``down_payment`` (one yuan under the lowest down payment
    an offer allows): why the buyer cannot put less down, in the rules' own words, as a
    decline would give them."""
    d = case.deal
    at = with_deal(case, Deal(down_payment, d.term_months, d.trade_in))
    figures = figures_for(product, at)
    return tuple(r for rule in DEAL_RULES if (r := rule(product, at, figures)) is not None)


def with_deal(case: Case, deal: Deal) -> Case:
    """``case`` with another deal (a plain constructor: dataclasses.replace is slow)."""
    return Case(case.applicant, case.vehicle, case.valuation, deal, case.score, case.today)


def evaluate(
    product: LoanProduct,
    case: Case,
    figures: Figures | None = None,
    rules: tuple[Rule, ...] = RULES,
    *,
    reached: bool = False,
) -> Evaluation:
    """Run ``rules`` of ``product`` on ``case``; ``figures`` default to the screened ones.
    With the default (every rule), a product that does not reach the car stops at that stage;
    ``reached``: the caller knows it reaches it (the reach rules read only the car's kind,
    make and use and the city, so a changed deal, price or debts keeps the verdict)."""
    failures = []
    if rules is RULES:
        reach = () if reached else reach_failures(product, case)
        if reach:
            return Evaluation(product, reach, _NO_FIGURES)
        rules = _AFTER_REACH
    f = figures if figures is not None else figures_for(product, case)
    if rules is _AFTER_REACH:
        rules = _suspects(product, case, f)
    for rule in rules:
        reason = rule(product, case, f)
        if reason is not None:
            failures.append(reason)
    if not failures and f.screen is None:
        failures.append(
            _r("deal.no_loan", N_("There is nothing to finance: the down payment covers the price"))
        )
    return Evaluation(product, tuple(failures), f)
