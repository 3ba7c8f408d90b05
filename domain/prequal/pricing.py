"""From a product's data to loan terms, and the two figures the rules need before any quote.

:func:`terms_for` builds the :class:`domain.loans.LoanTerms` of a product for a deal (the rate
card line for the tier and term, the product's fees, the balloon): ``chedai quote`` on the same
terms gives the same figures: offers are priced by :func:`cached_quote`, which is
:func:`domain.quote_fast.quote_fast` — equal to :func:`domain.loans.quote` field by field.

:func:`screen` gives the amount financed and the regular instalment without building a
schedule, with the engine's own arithmetic (a 40-digit context, the same order of operations,
the same rounding), so the rules can be run many times — for every product, and again inside
the hint searches — before a single schedule is built. Tests pin it equal to ``quote()``.
:func:`screen_for` does the same straight from a product (no terms built), through the
:class:`Pricer` of the product's line for the car's price, trade-in and term (what does not
depend on the down payment computed once, remembered) and the product's :class:`Profile` — its
rate lines, fee sums and LTV caps, looked up once. Tests pin it equal to ``screen`` of the
terms and to ``quote()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Context, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from domain.catalog import FeeBasis, LoanProduct, ProductKind, RateQuote, RiskTier
from domain.dates import Frequency
from domain.loans import _PREC, Fee, FlatRate, LoanTerms, Method, Quote
from domain.money import CENT, MONEY_ROUNDING, ZERO, money
from domain.quote_fast import quote_fast

__all__ = [
    "Pricer",
    "Profile",
    "Screen",
    "cached_quote",
    "profile",
    "screen",
    "screen_for",
    "terms_for",
]


def terms_for(
    product: LoanProduct,
    line: RateQuote,
    *,
    price: Decimal,
    down_payment: Decimal,
    trade_in: Decimal,
    term: int,
    today: date,
) -> LoanTerms:
    """The loan terms of ``product`` at rate-card ``line`` for a car of ``price``. The first
    payment falls one month after ``today``; a balloon is the product's smallest final payment
    (``balloon.min_pct`` of the cash price)."""
    base = price - down_payment - trade_in
    fees = tuple(
        Fee(
            name=f.name_zh,
            amount=f.amount_for(principal=base, price=price),
            financed=f.financed,
            prepaid_finance_charge=f.prepaid_finance_charge,
        )
        for f in product.fees
    )
    balloon = ZERO
    method = Method.LEVEL
    if product.kind is ProductKind.BALLOON and product.balloon is not None:
        method = Method.BALLOON
        balloon = money(price * product.balloon.min_pct)
    return LoanTerms(
        cash_price=price,
        down_payment=down_payment,
        trade_in=trade_in,
        loan_date=today,
        count=term,
        annual_rate=line.annual_rate,
        flat_rate=None if line.flat_rate is None else FlatRate(line.flat_rate, line.flat_per.value),
        method=method,
        balloon_amount=balloon,
        fees=fees,
    )


class Screen(NamedTuple):
    principal: Decimal
    amount_financed: Decimal
    payment: Decimal  # the regular instalment, exactly quote(terms).payment


def _screen(
    base: Decimal,
    fees: tuple[Decimal, Decimal, Decimal],
    n: int,
    annual_rate: Decimal | None,
    flat: FlatRate | None,
    balloon: Decimal | None,
) -> Screen | None:
    """The arithmetic of quote() up to the instalment, on the loan ``base`` (price less down
    payment and trade-in), the fees as the sums (financed, prepaid finance charges, financed
    prepaid finance charges), and ``balloon`` (None: not a balloon loan)."""
    financed, prepaid, financed_prepaid = fees
    principal = base + financed
    amount_financed = principal - prepaid
    if amount_financed <= 0:
        return None
    if flat is None:
        if balloon is None:
            balloon = ZERO
        elif balloon <= 0 or balloon >= principal:
            return None  # the engine refuses a balloon of nothing or of the whole loan
        i, v_n = _level_factors(annual_rate, n)
        with localcontext() as ctx:
            ctx.prec = _PREC
            if i == 0:
                payment = money((principal - balloon) / n)
            else:
                payment = money((principal - balloon * v_n) * i / (1 - v_n))
    else:
        if balloon is not None:
            return None  # the engine prices a balloon only at an annual rate
        with localcontext() as ctx:
            ctx.prec = _PREC
            flat_base = principal - financed_prepaid
            per_month = flat.rate if flat.per == "month" else flat.rate / 12
            months = Fraction(n * 12, 12)
            interest = money(
                flat_base * per_month * Decimal(months.numerator) / Decimal(months.denominator)
            )
            payment = money((principal + interest) / n)
    return Screen(money(principal), money(amount_financed), payment)


_FACTORS: dict[tuple[Decimal, int], tuple[Decimal, Decimal | None]] = {}


def _level_factors(annual_rate: Decimal, n: int) -> tuple[Decimal, Decimal | None]:
    """(i, (1 + i)^-n) for a monthly rate, as the engine computes them (40 digits): the same
    few rate-card lines and terms come back for every deal, so they are computed once."""
    key = (annual_rate, n)
    hit = _FACTORS.get(key)
    if hit is None:
        if len(_FACTORS) >= 4096:
            _FACTORS.clear()
        with localcontext() as ctx:
            ctx.prec = _PREC
            i = annual_rate / 12
            hit = _FACTORS[key] = (i, None if i == 0 else (1 + i) ** -n)
    return hit


def _fee_sums(fees: Iterable[tuple[Decimal, bool, bool]]) -> tuple[Decimal, Decimal, Decimal]:
    financed = prepaid = financed_prepaid = ZERO
    for amount, is_financed, is_prepaid in fees:
        if is_financed:
            financed += amount
            if is_prepaid:
                financed_prepaid += amount
        if is_prepaid:
            prepaid += amount
    return financed, prepaid, financed_prepaid


def screen(terms: LoanTerms) -> Screen | None:
    """Amount financed and regular instalment of ``terms`` as quote() computes them, or None
    when the engine would refuse the terms (or when only a full quote can say: fewer than three
    payments, irregular frequencies, equal principal)."""
    base = terms.cash_price - terms.down_payment - terms.trade_in
    if base <= 0 or terms.count < 3 or terms.frequency is not Frequency.MONTHLY:
        return None
    if terms.method is Method.EQUAL_PRINCIPAL:
        return None
    return _screen(
        base,
        _fee_sums((f.amount, f.financed, f.prepaid_finance_charge) for f in terms.fees),
        terms.count,
        terms.annual_rate,
        terms.flat_rate,
        terms.balloon_amount if terms.method is Method.BALLOON else None,
    )


class Profile:
    """What the rules and the pricing read of one product, looked up once: its tiers, terms,
    rate-card lines by (tier, term), LTV caps by category, and the reach verdicts already
    reached (per car kind and city) — a product is immutable, so all of it stays valid."""

    __slots__ = (
        "balloon_pct",
        "fixed_fees",
        "flat_rates",
        "ltv_caps",
        "money_limits",
        "percent_fees",
        "product",
        "rates",
        "reach",
        "terms",
        "tiers",
    )

    def __init__(self, product: LoanProduct) -> None:
        self.product = product
        self.tiers = product.tiers
        self.terms = frozenset(product.terms)
        self.rates: dict[tuple[RiskTier, int], RateQuote | None] = {}
        self.ltv_caps = {cap.category: cap.max_ltv for cap in reversed(product.ltv_caps)}
        #: what the money rules compare with besides the LTV cap
        self.money_limits = (
            product.max_dti,
            product.max_pti,
            product.min_amount,
            product.max_amount,
            product.min_down_payment_pct,
        )
        self.reach: dict[tuple, tuple] = {}
        fixed = [f for f in product.fees if f.basis is FeeBasis.FIXED]
        self.fixed_fees = _fee_sums(
            (money(f.amount), f.financed, f.prepaid_finance_charge) for f in fixed
        )
        #: (rate, of the loan rather than of the price, financed, prepaid finance charge)
        self.percent_fees = tuple(
            (f.rate, f.basis is FeeBasis.PERCENT_OF_PRINCIPAL, f.financed, f.prepaid_finance_charge)
            for f in product.fees
            if f.basis is not FeeBasis.FIXED
        )
        self.balloon_pct = (
            product.balloon.min_pct
            if product.kind is ProductKind.BALLOON and product.balloon is not None
            else None
        )
        self.flat_rates = {
            id(line): FlatRate(line.flat_rate, line.flat_per.value)
            for line in product.rate_card
            if line.flat_rate is not None
        }

    def pricer(
        self, line: RateQuote | None, price: Decimal, trade_in: Decimal, term: int
    ) -> Pricer | None:
        """The :class:`Pricer` of this product's rate line for a car's price, trade-in and
        term, remembered: every applicant looking at that car at that term, and every step of
        a search over the down payment, screens with the same one. None where there are no
        figures to screen: no rate line, or fewer than three payments."""
        if line is None or term < 3:
            return None
        # the profile holds the product and so its lines: their ids stay theirs while keyed
        key = (self, id(line), price, trade_in, term)
        hit = _PRICERS.get(key)
        if hit is None:
            # bounded: a batch works one car at a time (prequalify_batch), so few are live
            if len(_PRICERS) >= 4096:
                _PRICERS.clear()
            hit = _PRICERS[key] = Pricer(self, line, price, trade_in, term)
        return hit

    def rate(self, tier: RiskTier, term: int) -> RateQuote | None:
        """The rate-card line for a tier and term (``LoanProduct.rate_for``), remembered."""
        key = (tier, term)
        try:
            return self.rates[key]
        except KeyError:
            line = self.rates[key] = self.product.rate_for(tier, term)
            return line


_PROFILES: dict[int, Profile] = {}


def profile(product: LoanProduct) -> Profile:
    """The product's :class:`Profile`, built on first use (keyed by identity, checked)."""
    p = _PROFILES.get(id(product))
    if p is None or p.product is not product:
        if len(_PROFILES) >= 4096:  # tests build many short-lived products
            _PROFILES.clear()
        p = _PROFILES[id(product)] = Profile(product)
    return p


def screen_for(
    product: LoanProduct,
    line: RateQuote,
    *,
    price: Decimal,
    down_payment: Decimal,
    trade_in: Decimal,
    term: int,
) -> Screen | None:
    """``screen(terms_for(product, line, ...))`` without building the terms."""
    p = profile(product).pricer(line, price, trade_in, term)
    return None if p is None else p.screen(down_payment)


_PRICERS: dict[tuple, Pricer] = {}


class Pricer:
    """:func:`_screen` for one product line, price, trade-in and term, as a function of the
    down payment: what does not depend on it (the fees on the price, the rate factors, the
    balloon's discounted value) computed once, the rest with the same operations in the same
    order and the same 40-digit precision as the engine."""

    __slots__ = (
        "_balloon",
        "_balloon_v",
        "_base_fees",
        "_fees",
        "_flat",
        "_i",
        "_n",
        "_one_v",
        "_slopes",
        "_trade",
        "price",
        "quotes",
    )

    def __init__(
        self, prof: Profile, line: RateQuote, price: Decimal, trade_in: Decimal, term: int
    ) -> None:
        self.price, self._trade, self._n = price, trade_in, term
        #: the quotes of this pricer's deals by (down payment, day): see Figures.quote
        self.quotes: dict[tuple[Decimal, date], Quote] = {}
        financed, prepaid, financed_prepaid = prof.fixed_fees
        base_fees = []
        for rate, of_base, is_financed, is_prepaid in prof.percent_fees:
            if of_base:
                base_fees.append((rate, is_financed, is_prepaid))
                continue
            amount = money(price * rate)  # as FeeRule.amount_for
            if is_financed:
                financed += amount
                if is_prepaid:
                    financed_prepaid += amount
            if is_prepaid:
                prepaid += amount
        self._fees = (financed, prepaid, financed_prepaid)
        self._base_fees = tuple(base_fees)
        #: None: not a balloon loan
        self._balloon = None if prof.balloon_pct is None else money(price * prof.balloon_pct)
        self._i = self._one_v = self._balloon_v = self._flat = None
        self._slopes: tuple[float, float] | None = None
        if line.flat_rate is None:
            self._i, v_n = _level_factors(line.annual_rate, term)
            if self._i != 0:
                self._one_v = _CTX.subtract(_ONE, v_n)
                self._balloon_v = _CTX.multiply(
                    ZERO if self._balloon is None else self._balloon, v_n
                )
        else:
            flat = prof.flat_rates.get(id(line)) or FlatRate(line.flat_rate, line.flat_per.value)
            self._flat = flat.rate if flat.per == "month" else _CTX.divide(flat.rate, 12)

    def screen(self, down_payment: Decimal) -> Screen | None:
        """``_screen`` of the deal with this down payment (None where the engine refuses)."""
        base = self.price - down_payment - self._trade
        if base <= 0:
            return None
        financed, prepaid, financed_prepaid = self._fees
        for rate, is_financed, is_prepaid in self._base_fees:
            amount = (base * rate).quantize(CENT, MONEY_ROUNDING)
            if is_financed:
                financed += amount
                if is_prepaid:
                    financed_prepaid += amount
            if is_prepaid:
                prepaid += amount
        principal = base + financed
        amount_financed = principal - prepaid
        if amount_financed <= 0:
            return None
        n, ctx, balloon = self._n, _CTX, self._balloon
        if self._flat is None:
            if balloon is not None and (balloon <= 0 or balloon >= principal):
                return None  # the engine refuses a balloon of nothing or of the whole loan
            if self._i == 0:
                owed = ctx.divide(ctx.subtract(principal, balloon or ZERO), n)
            else:
                owed = ctx.divide(
                    ctx.multiply(ctx.subtract(principal, self._balloon_v), self._i), self._one_v
                )
        else:
            if balloon is not None:
                return None  # the engine prices a balloon only at an annual rate
            # the engine's months, Fraction(n * 12, 12), are n / 1
            interest = ctx.multiply(
                ctx.multiply(ctx.subtract(principal, financed_prepaid), self._flat), n
            ).quantize(CENT, MONEY_ROUNDING)
            owed = ctx.divide(ctx.add(principal, interest), n)
        return Screen(
            principal.quantize(CENT, MONEY_ROUNDING),
            amount_financed.quantize(CENT, MONEY_ROUNDING),
            owed.quantize(CENT, MONEY_ROUNDING),
        )

    def slopes(self) -> tuple[float, float]:
        """(amount financed, instalment) per yuan of loan: the slopes of the two affine
        functions :meth:`screen` rounds to the cent, as floats: an estimate for the searches,
        which confirm every boundary with the rules."""
        if self._slopes is None:
            financed = prepaid = financed_prepaid = Decimal(0)
            for rate, is_financed, is_prepaid in self._base_fees:
                financed += rate if is_financed else 0
                prepaid += rate if is_prepaid else 0
                financed_prepaid += rate if is_financed and is_prepaid else 0
            principal = 1 + financed
            n = self._n
            if self._flat is not None:
                payment = (principal + (principal - financed_prepaid) * self._flat * n) / n
            elif self._i == 0:
                payment = principal / n
            else:
                payment = principal * self._i / self._one_v
            self._slopes = (float(principal - prepaid), float(payment))
        return self._slopes


_CTX = Context(prec=_PREC)  # the engine's precision
_ONE = Decimal(1)


@lru_cache(maxsize=8192)
def cached_quote(terms: LoanTerms) -> Quote:
    """quote(terms), memoised: a quote is a pure function of its (frozen, hashable) terms, and
    a marketplace prices the same car, down payment and term for many buyers. Computed by
    :func:`domain.quote_fast.quote_fast` — equal to quote(terms) field by field, its schedule
    built by the engine when first read — so a cached quote is a few figures, not a schedule."""
    return quote_fast(terms)
