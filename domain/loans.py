"""The loan engine: every figure a buyer sees comes from :func:`quote`.

Level payment (等额本息), equal principal (等额本金) and balloon (尾款) loans at a note rate, and
flat-rate quotes (a flat yearly or monthly rate on the original principal, "0 利息 + 手续费"),
each turned into a schedule exact to the cent and disclosed with its true APR (Appendix J).

Conventions: rates are fractions (``Decimal("0.069")``); amounts are Decimal quantised to
0.01 with :data:`domain.money.MONEY_ROUNDING`; the last payment absorbs every rounding residue,
so the final balance is exactly 0.00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from domain.apr import FlowGroup, group_flows, solve_apr, solve_unit_rate
from domain.dates import (
    DayCount,
    Frequency,
    add_periods,
    payment_dates,
    series_day,
    unit_periods_between,
    year_fraction,
)
from domain.errors import InputError
from domain.money import CENT, MONEY_ROUNDING, ZERO, money

__all__ = [
    "DayCount",
    "Fee",
    "FlatRate",
    "Frequency",
    "LoanTerms",
    "Method",
    "Quote",
    "ScheduleRow",
    "ScheduleTotals",
    "YearSubtotal",
    "quote",
]

_PREC = 40


class Method(StrEnum):
    LEVEL = "level"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    BALLOON = "balloon"  # 尾款


@dataclass(frozen=True)
class Fee:
    """A fee of the deal. ``financed``: added to the loan rather than paid in cash.
    ``prepaid_finance_charge``: a cost of the credit (手续费, origination), so it is part of the
    finance charge and the APR rather than of the amount financed."""

    name: str
    amount: Decimal
    financed: bool = True
    prepaid_finance_charge: bool = False


@dataclass(frozen=True)
class FlatRate:
    """A flat rate on the original principal, per year or per month (月费率)."""

    rate: Decimal
    per: Literal["year", "month"] = "year"


@lru_cache(maxsize=1024)
def _one_period_after(loan_date: date, frequency: Frequency) -> date:
    """The default first due date (the same few loan dates come back for every quote)."""
    return add_periods(loan_date, frequency, 1)


@dataclass(frozen=True)
class LoanTerms:
    cash_price: Decimal
    down_payment: Decimal
    loan_date: date
    count: int
    annual_rate: Decimal | None = None
    flat_rate: FlatRate | None = None
    frequency: Frequency = Frequency.MONTHLY
    method: Method = Method.LEVEL
    balloon_amount: Decimal = ZERO
    trade_in: Decimal = ZERO
    fees: tuple[Fee, ...] = ()
    first_payment_date: date | None = None
    day_count: DayCount = DayCount.THIRTY_360

    @property
    def first_due(self) -> date:
        return self.first_payment_date or _one_period_after(self.loan_date, self.frequency)

    @property
    def series_day(self) -> int:
        """The day of the month the payments fall on (31: every month end)."""
        return series_day(self.loan_date, self.first_payment_date)


@dataclass(frozen=True)
class ScheduleRow:
    n: int
    date: date
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ScheduleTotals:
    payment: Decimal
    interest: Decimal
    principal: Decimal


@dataclass(frozen=True)
class YearSubtotal:
    """Subtotals for loan year ``year`` (1 = the first ``periods_per_year`` payments)."""

    year: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    closing_balance: Decimal


@dataclass(frozen=True)
class Quote:
    """The disclosure figures and the schedule of one set of terms.

    ``principal`` is the loan (note) amount the schedule amortises; ``amount_financed`` is the
    credit the buyer actually gets (principal less prepaid finance charges). ``payment`` is
    the regular instalment. ``apr`` is a fraction, unrounded; ``apr_percent`` is for display.
    Invariants: total_of_payments = Σ payments = amount_financed + finance_charge.
    """

    terms: LoanTerms
    principal: Decimal
    payment: Decimal
    amount_financed: Decimal
    finance_charge: Decimal
    total_of_payments: Decimal
    total_sale_price: Decimal
    apr: Decimal
    schedule: tuple[ScheduleRow, ...]
    totals: ScheduleTotals
    yearly: tuple[YearSubtotal, ...]
    periodic_rate: Decimal = field(repr=False, default=ZERO)

    @property
    def apr_percent(self) -> Decimal:
        return money(self.apr * 100)

    @property
    def last_payment(self) -> Decimal:
        return self.schedule[-1].payment

    @property
    def withheld_fees(self) -> Decimal:
        """The prepaid finance charges the lender keeps from the payout (principal less
        amount financed): the buyer pays them at signing, with the down payment."""
        return self.principal - self.amount_financed

    @property
    def balance_on_amount_financed(self) -> bool:
        """Whether the schedule's balance counts down the amount financed rather than the
        principal: a flat-rate quote amortises what the buyer got, the principal less the
        fees withheld at the payout, so its balance must not be called the principal."""
        first = self.schedule[0]
        return self.withheld_fees > 0 and first.balance + first.principal == self.amount_financed

    @property
    def due_at_signing(self) -> Decimal:
        """What the buyer hands over on the day: the down payment and the withheld fees."""
        return self.terms.down_payment + self.withheld_fees


def _validate(terms: LoanTerms) -> None:
    def need(ok: bool, field_name: str, rule: str, message: str, **params) -> None:
        if not ok:
            raise InputError(field_name, rule, message, params)

    need(terms.cash_price > 0, "cash_price", "positive", "must be greater than zero")
    for name in ("down_payment", "trade_in", "balloon_amount"):
        need(getattr(terms, name) >= 0, name, "not_negative", "must not be negative")
    need(terms.count >= 1, "term_months", "at_least_one", "must be at least 1 payment")
    need(terms.count <= 600, "term_months", "at_most", "must be at most {limit}", limit=600)
    need(
        terms.down_payment + terms.trade_in < terms.cash_price,
        "down_payment",
        "below_price",
        "together with the trade-in must be less than the cash price",
    )
    need(
        (terms.annual_rate is None) != (terms.flat_rate is None),
        "annual_rate",
        "one_rate",
        "give exactly one of annual_rate or flat_rate",
    )
    if terms.annual_rate is not None:
        need(terms.annual_rate >= 0, "annual_rate", "not_negative", "must not be negative")
        need(
            terms.annual_rate < 10,
            "annual_rate",
            "at_most",
            "must be at most {limit}",
            limit="1000%",
        )
    if terms.flat_rate is not None:
        need(terms.flat_rate.rate >= 0, "flat_rate.rate", "not_negative", "must not be negative")
        need(
            terms.flat_rate.per in ("year", "month"),
            "flat_rate.per",
            "one_of",
            "must be one of {choices}",
            choices="year, month",
        )
    for k, fee in enumerate(terms.fees):
        need(fee.amount >= 0, f"fees[{k}].amount", "not_negative", "must not be negative")
    need(
        terms.first_due > terms.loan_date,
        "first_payment_date",
        "after_loan_date",
        "must be after the loan date",
    )
    if terms.method is Method.BALLOON:
        need(terms.balloon_amount > 0, "balloon_amount", "positive", "must be greater than zero")
        need(terms.flat_rate is None, "method", "balloon_flat", "a balloon loan needs annual_rate")
    else:
        need(
            terms.balloon_amount == 0,
            "balloon_amount",
            "only_balloon",
            "is only allowed with method balloon",
        )
    if terms.method is Method.EQUAL_PRINCIPAL:
        need(
            terms.flat_rate is None,
            "method",
            "equal_principal_flat",
            "an equal-principal loan needs annual_rate",
        )


def _odd_days_interest(terms: LoanTerms, principal: Decimal, rate: Decimal) -> Decimal:
    """Interest for the days between the loan date and one regular period before the first due
    date (negative when the first period is short)."""
    regular_start = add_periods(terms.first_due, terms.frequency, -1, day=terms.series_day)
    if regular_start == terms.loan_date:
        return Decimal(0)
    frac = year_fraction(terms.loan_date, regular_start, terms.day_count)
    return principal * rate * Decimal(frac.numerator) / Decimal(frac.denominator)


def _amortise(
    principal: Decimal,
    i: Decimal,
    count: int,
    regular_payment: Decimal | None,
    principal_parts: Sequence[Decimal] | None,
    first_extra_interest: Decimal,
) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    """(payment, interest, principal, balance) per row; exactly one of ``regular_payment`` and
    ``principal_parts`` drives the split. The last row clears the balance."""
    rows = []
    balance = principal
    interest = (balance * i + first_extra_interest).quantize(CENT, MONEY_ROUNDING)
    if count == 1:
        part = balance
    elif principal_parts is not None:
        part = principal_parts[0]
    else:
        part = regular_payment + money(first_extra_interest) - interest
    balance -= part
    rows.append((interest + part, interest, part, balance))
    # Rows after the first: the odd-days terms are zero there, and adding zero changes neither
    # the value nor the exponent, so they are left out.
    last = count - 1
    for k in range(1, last):
        interest = (balance * i).quantize(CENT, MONEY_ROUNDING)
        part = principal_parts[k] if principal_parts is not None else regular_payment - interest
        balance -= part
        rows.append((interest + part, interest, part, balance))
    if last:
        interest = (balance * i).quantize(CENT, MONEY_ROUNDING)
        part = balance
        balance -= part
        rows.append((interest + part, interest, part, balance))
    return rows


def _level_payment(
    principal: Decimal, i: Decimal, n: int, balloon: Decimal, rounding: str = MONEY_ROUNDING
) -> Decimal:
    if i == 0:
        return ((principal - balloon) / n).quantize(CENT, rounding)
    v_n = (1 + i) ** -n
    return ((principal - balloon * v_n) * i / (1 - v_n)).quantize(CENT, rounding)


def _flat_finance_interest(terms: LoanTerms, base: Decimal) -> Decimal:
    flat = terms.flat_rate
    assert flat is not None
    months = Fraction(terms.count * 12, terms.frequency.periods_per_year)
    per_month = flat.rate if flat.per == "month" else flat.rate / 12
    return money(base * per_month * Decimal(months.numerator) / Decimal(months.denominator))


def quote(terms: LoanTerms) -> Quote:
    """Schedule and disclosure figures for ``terms``; raises InputError on bad terms."""
    _validate(terms)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return _quote(terms)


def _quote(terms: LoanTerms) -> Quote:
    base = terms.cash_price - terms.down_payment - terms.trade_in
    financed_fees = sum((f.amount for f in terms.fees if f.financed), ZERO)
    prepaid = sum((f.amount for f in terms.fees if f.prepaid_finance_charge), ZERO)
    other_financed = sum(
        (f.amount for f in terms.fees if f.financed and not f.prepaid_finance_charge), ZERO
    )
    principal = base + financed_fees
    amount_financed = principal - prepaid
    if amount_financed <= 0:
        raise InputError("fees", "exceed_loan", "prepaid finance charges use up the whole loan")
    dates = payment_dates(terms.first_due, terms.frequency, terms.count, terms.series_day)
    ppy = terms.frequency.periods_per_year
    n = terms.count

    if terms.flat_rate is None:
        rate = terms.annual_rate
        i = rate / ppy
        odd = _odd_days_interest(terms, principal, rate)
        if terms.method is Method.EQUAL_PRINCIPAL:
            part = money(principal / n)
            rows = _amortise(principal, i, n, None, [part] * (n - 1), odd)
        else:
            balloon = terms.balloon_amount if terms.method is Method.BALLOON else ZERO
            if balloon >= principal:
                raise InputError(
                    "balloon_amount", "below_principal", "must be less than the amount borrowed"
                )
            payment = _level_payment(principal, i, n, balloon)
            rows = _amortise(principal, i, n, payment, None, odd)
            if any(row[3] < 0 for row in rows):
                # Rounded up, the payment overpays by a fraction of a cent, compounded over a
                # long high-rate term into a negative balance: round it down, and the last
                # payment takes the (positive) rest.
                payment = _level_payment(principal, i, n, balloon, ROUND_DOWN)
                rows = _amortise(principal, i, n, payment, None, odd)
        schedule_principal = principal
    else:
        # Flat rate: the charge is fixed up front; each payment is split between finance charge
        # and principal at the quote's own IRR on the amount financed (the actuarial method),
        # so the interest column adds up to the finance charge the APR discloses.
        flat_base = principal - sum(
            (f.amount for f in terms.fees if f.financed and f.prepaid_finance_charge), ZERO
        )
        total = principal + _flat_finance_interest(terms, flat_base)
        payment = money(total / n)
        payments = [payment] * (n - 1) + [total - payment * (n - 1)]
        i = solve_unit_rate(
            [FlowGroup(amount_financed, 0)],
            group_flows([(p, k + 1, Fraction(0)) for k, p in enumerate(payments)]),
        )
        balance = amount_financed
        rows = []
        for k, pay in enumerate(payments):
            interest = money(balance * i) if k < n - 1 else pay - balance
            part = pay - interest
            balance -= part
            rows.append((pay, interest, part, balance))
        schedule_principal = amount_financed

    # Every row amount is already whole cents (interest is rounded, the rest are differences),
    # so the sums are exact whatever their order.
    schedule = tuple(
        _row(k + 1, d, p, it, pr, b)
        for k, (d, (p, it, pr, b)) in enumerate(zip(dates, rows, strict=True))
    )
    yearly = _yearly(rows, ppy)
    total_payments = total_interest = total_principal = ZERO
    for y in yearly:
        total_payments += y.payment
        total_interest += y.interest
        total_principal += y.principal
    totals = ScheduleTotals(
        payment=total_payments, interest=total_interest, principal=total_principal
    )
    assert totals.principal == schedule_principal and schedule[-1].balance == 0
    finance_charge = total_payments - amount_financed
    runs = _date_runs(terms.loan_date, terms.first_due, terms.frequency, n, terms.series_day)
    if runs is None:
        flows = [
            (
                r.payment,
                *unit_periods_between(terms.loan_date, r.date, terms.frequency, terms.series_day),
            )
            for r in schedule
        ]
        groups = group_flows(flows)
    else:
        groups = _flow_groups([r[0] for r in rows], runs)
    apr = solve_apr([FlowGroup(amount_financed, 0)], groups, ppy, guess=i * ppy)
    regular = schedule[1].payment if n > 2 else schedule[0].payment
    return Quote(
        terms=terms,
        principal=money(principal),
        payment=regular,
        amount_financed=money(amount_financed),
        finance_charge=money(finance_charge),
        total_of_payments=total_payments,
        total_sale_price=money(terms.cash_price + other_financed + finance_charge),
        apr=apr,
        schedule=schedule,
        totals=totals,
        yearly=yearly,
        periodic_rate=i,
    )


def _row(
    n: int, day: date, payment: Decimal, interest: Decimal, principal: Decimal, balance: Decimal
) -> ScheduleRow:
    """A ScheduleRow filled without its six frozen setattrs (the dataclass __init__ goes
    through object.__setattr__ field by field, a sizeable part of a quote); same fields, same
    equality and hash."""
    row = _new(ScheduleRow)
    row.__dict__.update(
        n=n, date=day, payment=payment, interest=interest, principal=principal, balance=balance
    )
    return row


_new = object.__new__


@lru_cache(maxsize=256)
def _date_runs(
    loan_date: date, first_due: date, frequency: Frequency, count: int, day: int
) -> tuple[tuple[int, int, Fraction, int], ...] | None:
    """The payments' Appendix J times cut into runs that :func:`domain.apr.group_flows` can
    merge: (first index, t, f, length) of each longest stretch one unit period apart with the
    same f. None when t does not strictly increase (group_flows then sorts the flows)."""
    times = [
        unit_periods_between(loan_date, d, frequency, day)
        for d in payment_dates(first_due, frequency, count, day)
    ]
    runs: list[list] = []
    last_t = -1
    for k, (t, f) in enumerate(times):
        if t <= last_t:
            return None
        last_t = t
        key = (f.numerator, f.denominator)
        run = runs[-1] if runs else None
        if run is not None and run[1] + run[3] == t and run[4] == key:
            run[3] += 1
        else:
            runs.append([k, t, f, 1, key])
    return tuple((k, t, f, length) for k, t, f, length, _key in runs)


def _flow_groups(
    payments: Sequence[Decimal], runs: tuple[tuple[int, int, Fraction, int], ...]
) -> list[FlowGroup]:
    """``group_flows`` of the payments at the times of ``runs``: each run split where the
    amount changes — the same groups, without looking at the dates again."""
    groups = []
    for start, t, f, length in runs:
        first, amount = start, payments[start]
        for k in range(start + 1, start + length):
            if payments[k] != amount:
                groups.append(FlowGroup(amount, t + first - start, f, k - first))
                first, amount = k, payments[k]
        groups.append(FlowGroup(amount, t + first - start, f, start + length - first))
    return groups


def _yearly(
    rows: Sequence[tuple[Decimal, Decimal, Decimal, Decimal]], per_year: int
) -> tuple[YearSubtotal, ...]:
    """Subtotals per loan year of the (payment, interest, principal, balance) rows. Every row's
    payment is its interest plus its principal, exactly, so a year's payments are the sum of
    the two sums (the same value and digits as adding the payments up)."""
    years = []
    interest = principal = ZERO
    last = len(rows) - 1
    for k, (_p, it, pr, balance) in enumerate(rows):
        interest += it
        principal += pr
        if (k + 1) % per_year == 0 or k == last:
            years.append(
                YearSubtotal(k // per_year + 1, interest + principal, interest, principal, balance)
            )
            interest = principal = ZERO
    return tuple(years)
