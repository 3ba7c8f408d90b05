"""The disclosure figures of a quote without building its schedule: :func:`quote_fast`.

``quote_fast(terms)`` equals ``quote(terms)`` field by field — principal, payment, amount
financed, finance charge, totals, APR (to the last of its 40 digits), schedule — but computes
the figures a buyer compares (payment, last payment, totals, finance charge, APR) without
creating a row object per payment, and builds the schedule, the yearly subtotals and the
totals only when something reads them, by calling :func:`domain.loans.quote` itself.

Why the figures are the engine's own
    For the common case (monthly level or balloon payments at an annual rate, the first
    payment one regular period after the loan date, so no odd-days interest) this module runs
    the engine's operations in the engine's order and context (40 digits): the same
    ``(balance × i)`` rounded half up to the cent per row, the same instalment formula, the
    same last payment absorbing the residue, and the same APR solve
    (:func:`domain.apr.solve_apr`) on the same flow groups from the same start. Only the row
    objects are left out. Anything else (flat rates, equal principal, odd days, other
    frequencies, fewer than three payments, terms the engine would refuse) is quoted by
    :func:`domain.loans.quote`. tests/domain/test_quote_fast.py checks the equality on random
    terms, field by field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

from domain.apr import FlowGroup, solve_apr, solve_unit_rate
from domain.dates import Frequency, add_periods
from domain.loans import (
    _PREC,
    LoanTerms,
    Method,
    Quote,
    _date_runs,  # the engine's own grouping of the payments' Appendix J times
    _flow_groups,
    quote,
)
from domain.money import CENT, MONEY_ROUNDING, ZERO

__all__ = ["quote_fast"]

_LAZY = ("schedule", "totals", "yearly")


class _FastQuote(Quote):
    """A :class:`Quote` whose schedule, totals and yearly subtotals are the engine's, built on
    first use; equal to (and hashing like) the engine's quote of the same terms."""

    def __getattr__(self, name: str):
        if name not in _LAZY:
            raise AttributeError(name)
        full = quote(self.terms)
        for lazy in _LAZY:
            object.__setattr__(self, lazy, getattr(full, lazy))
        return getattr(full, name)

    @property
    def last_payment(self) -> Decimal:
        last = self.__dict__.get("_last")
        return self.schedule[-1].payment if last is None else last

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quote):
            return NotImplemented
        return _fields(self) == _fields(other)

    __hash__ = Quote.__hash__


def _fields(q: Quote) -> tuple:
    return tuple(getattr(q, name) for name in Quote.__dataclass_fields__)


def _plain(t: LoanTerms) -> bool:
    """Terms the engine accepts without question (every check of its validation holds) and
    that the fast path covers; anything else goes to quote() itself."""
    if t.flat_rate is None:
        rate_ok = t.annual_rate is not None and 0 <= t.annual_rate < 10
    else:
        rate_ok = (
            t.annual_rate is None
            and t.flat_rate.rate >= 0
            and t.flat_rate.per in ("year", "month")
            and t.method is Method.LEVEL
        )
    return (
        rate_ok
        and t.frequency is Frequency.MONTHLY
        and 3 <= t.count <= 600
        and t.cash_price > 0
        and t.down_payment >= 0
        and t.trade_in >= 0
        and t.down_payment + t.trade_in < t.cash_price
        and (
            (t.method is Method.LEVEL and t.balloon_amount == 0)
            or (t.method is Method.BALLOON and t.balloon_amount > 0)
        )
        and all(f.amount >= 0 for f in t.fees)
        and _regular_first_period(t.loan_date, t.first_due, t.frequency, t.series_day)
    )


@lru_cache(maxsize=1024)
def _regular_first_period(loan_date: date, first_due: date, frequency: Frequency, day: int) -> bool:
    """No odd days: the engine's own test of a regular first period (the same few loan dates
    come back for every quote)."""
    return first_due > loan_date and add_periods(first_due, frequency, -1, day=day) == loan_date


def quote_fast(terms: LoanTerms) -> Quote:
    """``quote(terms)``, equal field by field, the schedule built only when read."""
    if not _plain(terms):
        return quote(terms)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return _figures(terms) or quote(terms)


def _figures(terms: LoanTerms) -> Quote | None:
    base = terms.cash_price - terms.down_payment - terms.trade_in
    financed_fees = prepaid = other_financed = financed_prepaid = ZERO
    for f in terms.fees:
        if f.financed:
            financed_fees += f.amount
            if f.prepaid_finance_charge:
                financed_prepaid += f.amount
            else:
                other_financed += f.amount
        if f.prepaid_finance_charge:
            prepaid += f.amount
    principal = base + financed_fees
    amount_financed = principal - prepaid
    n = terms.count
    if amount_financed <= 0:
        return None  # the engine's own error
    if terms.flat_rate is None:
        balloon = terms.balloon_amount if terms.method is Method.BALLOON else ZERO
        if balloon >= principal:
            return None  # the engine's own error
        level = _level(principal, terms.annual_rate / 12, n, balloon)
        if level is None:
            return None  # the engine's rounded-down payment (see domain.loans._quote)
        i, payment, last = level
    else:
        i, payment, last = _flat(terms, principal, amount_financed, financed_prepaid)
    total = payment * (n - 1) + last
    finance_charge = total - amount_financed
    runs = _date_runs(terms.loan_date, terms.first_due, terms.frequency, n, terms.series_day)
    if runs is None:
        return None
    groups = _flow_groups([payment] * (n - 1) + [last], runs)
    apr = solve_apr([FlowGroup(amount_financed, 0)], groups, 12, guess=i * 12)
    q = object.__new__(_FastQuote)
    q.__dict__.update(
        terms=terms,
        principal=principal.quantize(CENT, MONEY_ROUNDING),
        payment=payment,
        amount_financed=amount_financed.quantize(CENT, MONEY_ROUNDING),
        finance_charge=finance_charge.quantize(CENT, MONEY_ROUNDING),
        total_of_payments=total,
        total_sale_price=(terms.cash_price + other_financed + finance_charge).quantize(
            CENT, MONEY_ROUNDING
        ),
        apr=apr,
        periodic_rate=i,
        _last=last,
    )
    return q


def _level(
    principal: Decimal, i: Decimal, n: int, balloon: Decimal
) -> tuple[Decimal, Decimal, Decimal] | None:
    """(periodic rate, regular payment, last payment) of a level or balloon loan; None when the
    rounded payment would turn the balance negative (the engine then rounds it down)."""
    if i == 0:
        payment = ((principal - balloon) / n).quantize(CENT, MONEY_ROUNDING)
    else:
        v_n = (1 + i) ** -n
        payment = ((principal - balloon * v_n) * i / (1 - v_n)).quantize(CENT, MONEY_ROUNDING)
    # The engine's rows, without the rows: the first adds a zero odd-days interest, which
    # changes neither value nor exponent; the last clears the balance.
    balance = principal
    for _ in range(n - 1):
        balance -= payment - (balance * i).quantize(CENT, MONEY_ROUNDING)
        if balance < 0:
            return None
    last = (balance * i).quantize(CENT, MONEY_ROUNDING) + balance
    return i, payment, last


def _flat(
    terms: LoanTerms, principal: Decimal, amount_financed: Decimal, financed_prepaid: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(the schedule's unit rate, regular payment, last payment) of a flat-rate quote: the
    charge on the original principal, the payments, and the actuarial rate the engine splits
    them at (the APR solve starts from it)."""
    flat = terms.flat_rate
    n = terms.count
    per_month = flat.rate if flat.per == "month" else flat.rate / 12
    # monthly: the engine's Fraction(n * 12, 12) months is n / 1
    interest = ((principal - financed_prepaid) * per_month * Decimal(n) / Decimal(1)).quantize(
        CENT, MONEY_ROUNDING
    )
    total = principal + interest
    payment = (total / n).quantize(CENT, MONEY_ROUNDING)
    last = total - payment * (n - 1)
    # group_flows of n payments one period apart from t = 1: the equal ones, then the last
    groups = (
        [FlowGroup(payment, 1, _F0, n)]
        if last == payment
        else [FlowGroup(payment, 1, _F0, n - 1), FlowGroup(last, n, _F0, 1)]
    )
    i = solve_unit_rate([FlowGroup(amount_financed, 0)], groups)
    return i, payment, last


_F0 = Fraction(0)
