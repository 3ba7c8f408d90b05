"""What a loan's repayment is measured against: due dates, instalments and period rates.

A :class:`RepaymentPlan` is the part of a :class:`domain.loans.Quote` that repayment tracking
needs, in integer cents: the principal, the due dates, the scheduled instalments and the
contractual interest factor of each period. :func:`plan_from_quote` takes it from any quote
(level, equal-principal, balloon, flat-rate); :func:`level_plan` builds the same plan for a level
loan without building the whole schedule, so a portfolio of 100,000 loans can be tracked
without quoting each one (tests pin the two to agree to the cent).

The engine's arithmetic is reproduced exactly (a 40-digit Decimal context, the same order of
operations), so a loan paid exactly on schedule is charged exactly the schedule's interest.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from domain.dates import (
    DayCount,
    Frequency,
    add_periods,
    payment_dates,
    series_day,
    year_fraction,
)
from domain.errors import InputError
from domain.loans import Method, Quote
from domain.money import to_cents

__all__ = [
    "CTX",
    "LevelLoan",
    "RepaymentPlan",
    "cents_round",
    "level_parts",
    "level_plan",
    "plan_from_quote",
    "reproject",
]

#: The engine's context (domain.loans: 40 digits, the default half-even for intermediates).
CTX = Context(prec=40, rounding=ROUND_HALF_EVEN)
_ONE = Decimal(1)


def cents_round(value: Decimal) -> int:
    """An amount in cents rounded to a whole cent as money() rounds (half away from zero)."""
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP, context=CTX))


@dataclass(frozen=True)
class RepaymentPlan:
    """A loan's contractual repayment, amounts in integer cents.

    ``instalments[k]`` is due on ``due_dates[k]``; the last one is never used as a figure (the
    final instalment is whatever closes the loan on its due date). Period ``k`` runs from the
    loan date (k = 0) or the previous due date to ``due_dates[k]``; a full period charges
    ``balance × period_rate``, plus, in the first period, the engine's odd-days interest
    ``balance × annual_rate × odd_days`` (``odd_days`` a year fraction, negative when the
    first period is short).
    """

    loan_date: date
    principal: int
    due_dates: tuple[date, ...]
    instalments: tuple[int, ...]
    period_rate: Decimal
    annual_rate: Decimal
    odd_days: Fraction
    frequency: Frequency = Frequency.MONTHLY
    method: Method = Method.LEVEL
    balloon: int = 0
    #: Added to the last period's interest: a flat-rate loan's finance charge is fixed up
    #: front, so the schedule puts its rounding residue into the last instalment's interest.
    last_period_extra: int = 0

    @property
    def count(self) -> int:
        return len(self.due_dates)

    def period_bounds(self, k: int) -> tuple[date, date]:
        """Start and end of period ``k``; periods after maturity continue at the regular
        length (interest keeps accruing on an unpaid balance)."""
        n = len(self.due_dates)
        if k < n:
            return (self.due_dates[k - 1] if k else self.loan_date), self.due_dates[k]
        last = self.due_dates[-1]
        return add_periods(last, self.frequency, k - n), add_periods(
            last, self.frequency, k - n + 1
        )

    def full_interest(self, balance: int, k: int) -> Decimal:
        """Unrounded interest (cents) on ``balance`` for the whole of period ``k``, computed
        in the engine's order so that rounding it gives the schedule's interest to the cent."""
        exact = CTX.multiply(Decimal(balance), self.period_rate)
        if k == 0 and self.odd_days:
            odd = CTX.multiply(Decimal(balance), self.annual_rate)
            odd = CTX.divide(
                CTX.multiply(odd, Decimal(self.odd_days.numerator)),
                Decimal(self.odd_days.denominator),
            )
            exact = CTX.add(exact, odd)
        if k == len(self.due_dates) - 1 and self.last_period_extra:
            exact = CTX.add(exact, Decimal(self.last_period_extra))
        return exact


def _odd_days(
    loan_date: date, first_due: date, frequency: Frequency, day_count: DayCount, day: int
):
    regular_start = add_periods(first_due, frequency, -1, day=day)
    if regular_start == loan_date:
        return Fraction(0)
    return year_fraction(loan_date, regular_start, day_count)


def plan_from_quote(q: Quote) -> RepaymentPlan:
    """The plan of any quote: its schedule's due dates and payments, its period rate."""
    t = q.terms
    first = q.schedule[0]
    flat = t.flat_rate is not None
    return RepaymentPlan(
        loan_date=t.loan_date,
        principal=to_cents(first.balance + first.principal),
        due_dates=tuple(r.date for r in q.schedule),
        instalments=tuple(to_cents(r.payment) for r in q.schedule),
        period_rate=q.periodic_rate,
        annual_rate=Decimal(0) if flat else t.annual_rate,
        odd_days=Fraction(0)
        if flat
        else _odd_days(t.loan_date, t.first_due, t.frequency, t.day_count, t.series_day),
        frequency=t.frequency,
        method=t.method,
        balloon=to_cents(t.balloon_amount) if t.method is Method.BALLOON else 0,
        last_period_extra=_flat_residue(q) if flat else 0,
    )


def _flat_residue(q: Quote) -> int:
    last = q.schedule[-1]
    opening = last.balance + last.principal
    regular = cents_round(CTX.multiply(Decimal(to_cents(opening)), q.periodic_rate))
    return to_cents(last.interest) - regular


def level_plan(
    principal: int,
    annual_rate: Decimal,
    count: int,
    loan_date: date,
    first_payment_date: date | None = None,
    *,
    frequency: Frequency = Frequency.MONTHLY,
    day_count: DayCount = DayCount.THIRTY_360,
) -> RepaymentPlan:
    """The plan of a level-payment (等额本息) loan of ``principal`` cents, without building its
    schedule: equal to ``plan_from_quote(quote(...))`` for the same terms, except the final
    instalment, which is never used as a figure, and the terms (far beyond a car loan's: a
    long term at a high rate) whose payment the quote rounds down rather than overpay."""
    due_dates, odd, i, first_payment, payment = level_parts(
        principal, annual_rate, count, loan_date, first_payment_date, frequency, day_count
    )
    # Every field, in order (see _new_plan).
    return _new_plan(
        loan_date,
        principal,
        due_dates,
        (first_payment,) + (payment,) * (count - 1),
        i,
        annual_rate,
        odd,
        frequency,
        Method.LEVEL,
        0,
        0,
    )


class LevelLoan(NamedTuple):
    """A level-payment loan's terms (:func:`level_plan`'s arguments), light to hold by the
    100,000: :meth:`plan` builds the plan, and domain.repayment_portfolio builds one only for
    the loans that need it."""

    principal: int
    annual_rate: Decimal
    count: int
    loan_date: date
    first_payment_date: date | None = None
    frequency: Frequency = Frequency.MONTHLY
    day_count: DayCount = DayCount.THIRTY_360

    def plan(self) -> RepaymentPlan:
        return level_plan(
            self.principal,
            self.annual_rate,
            self.count,
            self.loan_date,
            self.first_payment_date,
            frequency=self.frequency,
            day_count=self.day_count,
        )


def level_parts(
    principal: int,
    annual_rate: Decimal,
    count: int,
    loan_date: date,
    first_payment_date: date | None = None,
    frequency: Frequency = Frequency.MONTHLY,
    day_count: DayCount = DayCount.THIRTY_360,
) -> tuple[tuple[date, ...], Fraction, Decimal, int, int]:
    """What :func:`level_plan` computes, without the plan object: ``(due_dates, odd_days,
    period_rate, first instalment, later instalments)``; the same InputError for bad terms.
    The arguments are :class:`LevelLoan`'s fields, in order."""
    if principal <= 0:
        raise InputError("principal", "positive", "must be greater than zero")
    if not 1 <= count <= 600:
        raise InputError("term_months", "in_range", "must be between 1 and {n}", {"n": 600})
    if annual_rate < 0:
        raise InputError("annual_rate", "not_negative", "must not be negative")
    due_dates, odd = _shape(loan_date, first_payment_date, frequency, day_count, count)
    i, factor, num, den = _annuity(annual_rate, frequency, count)
    if factor is None:
        payment = cents_round(CTX.divide(Decimal(principal), Decimal(count)))
    else:
        # principal × i / factor rounded half up, in integers: the Decimal steps below err by
        # under 1e-26 cent, so they round alike unless the exact value is that close to a
        # half cent, and then the Decimal steps decide.
        payment, r = divmod(2 * principal * num + den, 2 * den)
        if r <= den >> 80 or 2 * den - r <= den >> 80:  # within ~4e-25 cent of a tie
            # _level_payment's operations in its order, with (1+i)^-n cached per term.
            payment = cents_round(CTX.divide(CTX.multiply(Decimal(principal), i), factor))
    first_payment = payment
    if odd and count > 1:
        # The engine adds the odd days' interest, rounded, to the first payment.
        extra = CTX.multiply(Decimal(principal), annual_rate)
        extra = CTX.divide(CTX.multiply(extra, Decimal(odd.numerator)), Decimal(odd.denominator))
        first_payment += cents_round(extra)
    return due_dates, odd, i, first_payment, payment


_PLAN_FIELDS = tuple(f.name for f in fields(RepaymentPlan))


def _new_plan(*values) -> RepaymentPlan:
    """RepaymentPlan(*values) at a third of the cost: a frozen dataclass's __init__ sets each
    field through object.__setattr__, which dominated building 100,000 plans; filling the
    instance dict directly gives the same object (equality, hash and repr read the fields)."""
    plan = object.__new__(RepaymentPlan)
    plan.__dict__.update(zip(_PLAN_FIELDS, values, strict=True))
    return plan


# A portfolio repeats a few hundred rates, terms and due-date patterns: these are pure, and
# one cached lookup per plan for the dates (enum members hash in Python, slowly) keeps
# building a plan at a few microseconds (bench/bench_repay.py --profile-plans).
@lru_cache(maxsize=4096)
def _shape(
    loan_date: date,
    first_payment_date: date | None,
    frequency: Frequency,
    day_count: DayCount,
    count: int,
) -> tuple[tuple[date, ...], Fraction]:
    """The due dates and the odd days of a plan; the same tuple object for the same shape."""
    first = first_payment_date or add_periods(loan_date, frequency, 1)
    if first <= loan_date:
        raise InputError("first_payment_date", "after_loan_date", "must be after the loan date")
    day = series_day(loan_date, first_payment_date)
    return payment_dates(first, frequency, count, day), _odd_days(
        loan_date, first, frequency, day_count, day
    )


@lru_cache(maxsize=4096)
def _annuity(annual_rate: Decimal, frequency: Frequency, n: int) -> tuple:
    """The period rate ``i``, ``factor = 1 - (1+i)^-n`` (None when ``i`` is 0) and ``i /
    factor`` as an exact fraction ``(num, den)`` of those two Decimals."""
    i = CTX.divide(annual_rate, Decimal(frequency.periods_per_year))
    if i == 0:
        return i, None, 0, 1
    factor = CTX.subtract(_ONE, CTX.power(CTX.add(_ONE, i), -n))
    ratio = Fraction(i) / Fraction(factor)
    return i, factor, ratio.numerator, ratio.denominator


def _level_payment(principal: int, i: Decimal, n: int, balloon: int) -> int:
    # domain.loans._level_payment in cents (scaling by 100 keeps every significant digit).
    if i == 0:
        return cents_round(CTX.divide(Decimal(principal - balloon), Decimal(n)))
    v_n = CTX.power(CTX.add(_ONE, i), -n)
    num = CTX.multiply(CTX.subtract(Decimal(principal), CTX.multiply(Decimal(balloon), v_n)), i)
    return cents_round(CTX.divide(num, CTX.subtract(_ONE, v_n)))


def reproject(plan: RepaymentPlan, balance: int, start: int) -> tuple[int, ...]:
    """Instalments ``start`` … ``n-1`` re-amortised over the same due dates on ``balance`` (an
    early repayment that lowers the payment rather than shortening the term)."""
    m = plan.count - start
    if m <= 0:
        return ()
    if plan.method is Method.EQUAL_PRINCIPAL:
        part = cents_round(CTX.divide(Decimal(balance), Decimal(m)))
        out, b = [], balance
        for _ in range(m):
            out.append(part + cents_round(CTX.multiply(Decimal(b), plan.period_rate)))
            b -= part
        return tuple(out)
    balloon = min(plan.balloon, balance)
    return (max(0, _level_payment(balance, plan.period_rate, m, balloon)),) * m
