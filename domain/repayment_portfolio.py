"""Status of a whole portfolio (a lender's or a dealer's view), the common case vectorised.

:func:`portfolio_status` returns, for every loan, exactly ``status(fold(plan, events, as_of,
terms))`` — the same :class:`~domain.repayment_status.LoanStatus`, field by field, as
:func:`domain.repayment_fast.loan_status` — but computes the common case for all loans at once
with numpy over integer cents, and returns columns (:class:`PortfolioStatus`: int64 arrays a
portfolio view counts, sums and sorts; ``rows()`` gives the LoanStatus objects). numpy is
allowed in ``domain/`` for this: it is pure computation on arrays, no I/O.

A loan comes with its :class:`~domain.repayment_plan.RepaymentPlan` or, for a level loan, just
its terms (:class:`~domain.repayment_plan.LevelLoan`): the vectorised path needs only the
plan's parts (:func:`~domain.repayment_plan.level_parts`), and a plan object is built only for
a loan that takes the per-loan path (building 100,000 plan objects costs about half as much as
the status itself).

The common case (vectorised)
    A loan whose payments are exactly its instalments, each paid on its due date or early
    within its own period, for every due date up to ``as_of`` (auto-debit and buyers who pay
    a few days ahead: most of a real portfolio), with more than one instalment still to fall
    due. Nothing is ever overdue, so no fee, penalty, arrears or overpayment arises, whatever
    the late-fee and prepayment rules; the state is the principal ``b`` and the interest
    billed but not yet paid ``o`` (an early payment leaves the interest from its day to the
    due date owed). Per period, paid on the due date: ``q`` = the period's interest on ``b``,
    ``b -= instalment − o − q``, ``o = 0``; paid early after ``t`` of the period's ``D`` days:
    ``ci`` = the interest of ``t`` days, ``b' = b − (instalment − o − ci)``, ``o`` = the
    interest of ``b × t + b' × (D − t)`` balance-days less ``ci``. Then the interest accrued
    since the last due date is added, pro rata by days. Loans are grouped by plan shape (the
    same due dates and loan date, hence the same ``m`` and period lengths); each group runs
    the recurrence over its ``m`` periods as int64 array operations, one row per loan, each
    step checking the fold's conditions (the payment covers what it must, the balance stays
    positive), a loan that breaks one going to the per-loan path.

Why int64 arithmetic is exact here
    A period's interest is ``b × c`` cents with ``c`` the period rate (plus, in the first
    period, the odd-days term). ``c`` is taken as a small exact fraction ``n / d``: the plan's
    Decimal rate itself when it has at most 20 digits (the fold's products are then exact, and
    an exact half cent rounds half up in both), else ``annual_rate / periods`` (whose 40-digit
    Decimal differs from ``n / d`` by under 1e-38 relative, so both round alike unless ``b × n
    / d`` is exactly a half cent; then they still agree when the Decimal rate is the larger,
    as rounding is monotone, and otherwise the loan is handed to the per-loan path). A partial
    period's ``b × n × days / (d × period_days)`` is rounded the same way, every exact half
    cent handed on (the fold's division there is not exact), and so is every half cent of a
    first period with odd days.

    Bounds (int64): ``n, d ≤ 10^12``, the principal below 10^13 cents (10^11 yuan), ``principal
    × max(n) × 124 < 2^62`` and partial periods of at most 62 days, so no product overflows;
    a loan outside them goes to the per-loan path. Real car loans are far inside (a 300,000
    yuan loan is 3×10^7 cents; 6.95% a year is n / d = 139 / 24000 a month).

Everything else (payments late, short, extra, duplicated, reversed, or dated after ``as_of``;
flat-rate plans; a loan in its last period or closed; exact half cents as above) goes through
:func:`domain.repayment_fast.loan_status` (which itself falls back to the exact fold where it
must). tests/domain/test_repayments_portfolio.py checks equality with ``status(fold(...))``
on random mixed portfolios.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import chain
from typing import NamedTuple

import numpy as np

from domain.repayment_fast import Payment, Reversal, loan_status
from domain.repayment_plan import CTX, LevelLoan, RepaymentPlan, level_parts
from domain.repayment_status import Bucket, Due, LoanStatus, Risk, RiskFlag
from domain.repayments import Terms

__all__ = ["BUCKETS", "FLAGS", "STATUSES", "PortfolioLoan", "PortfolioStatus", "portfolio_status"]

_DEFAULT_TERMS = Terms()
_MAX_PRINCIPAL = 10**13
_MAX_DEN = 10**12
_I64_SAFE = 2**62
_MAX_PERIOD_DAYS = 62  # the int64 bound assumes a partial period of at most this many days

#: The codes of :attr:`PortfolioStatus.status`, ``.bucket`` and ``.risk_flag``.
STATUSES = ("current", "in_grace", "past_due", "closed")
BUCKETS = tuple(Bucket)
FLAGS = tuple(RiskFlag)
_STATUS_CODE = {v: k for k, v in enumerate(STATUSES)}
_BUCKET_CODE = {v: k for k, v in enumerate(BUCKETS)}
_FLAG_CODE = {v: k for k, v in enumerate(FLAGS)}


class PortfolioLoan(NamedTuple):
    """One loan of a portfolio: its plan (or a level loan's terms, whose plan is then built
    only if the loan takes the per-loan path), its payments ``(op_id, date, cents)``, its rules
    and its reversals ``(op_id, date, op_id reversed)``."""

    plan: RepaymentPlan | LevelLoan
    payments: Sequence[Payment]
    terms: Terms = _DEFAULT_TERMS
    reversals: Sequence[Reversal] = ()


@dataclass(frozen=True, eq=False)
class PortfolioStatus:
    """Every loan's :class:`LoanStatus` as columns (row ``i`` is loan ``i``), for a portfolio
    view that counts, sums and sorts; :meth:`row` and :meth:`rows` give the LoanStatus
    objects. Amounts are int64 cents; ``status``, ``bucket`` and ``risk_flag`` are codes into
    :data:`STATUSES`, :data:`BUCKETS` and :data:`FLAGS`; ``next_due_date`` is a date ordinal
    (0: no next due). ``fallback`` counts the loans that took the per-loan path."""

    as_of: date
    status: np.ndarray
    days_past_due: np.ndarray
    bucket: np.ndarray
    outstanding_principal: np.ndarray
    accrued_interest: np.ndarray
    fees_due: np.ndarray
    past_due_amount: np.ndarray
    next_due_date: np.ndarray
    next_due_amount: np.ndarray
    overpaid: np.ndarray
    risk_flag: np.ndarray
    risk_reasons: list[tuple[str, ...]]
    fallback: int

    def __len__(self) -> int:
        return len(self.status)

    def row(self, i: int) -> LoanStatus:
        ordinal = int(self.next_due_date[i])
        return LoanStatus(
            as_of=self.as_of,
            status=STATUSES[self.status[i]],
            days_past_due=int(self.days_past_due[i]),
            bucket=BUCKETS[self.bucket[i]],
            outstanding_principal=int(self.outstanding_principal[i]),
            accrued_interest=int(self.accrued_interest[i]),
            fees_due=int(self.fees_due[i]),
            past_due_amount=int(self.past_due_amount[i]),
            next_due=Due(date.fromordinal(ordinal), int(self.next_due_amount[i]))
            if ordinal
            else None,
            overpaid=int(self.overpaid[i]),
            risk=Risk(FLAGS[self.risk_flag[i]], self.risk_reasons[i]),
        )

    def rows(self) -> list[LoanStatus]:
        return [self.row(i) for i in range(len(self))]


def _empty(n: int, as_of: date) -> PortfolioStatus:
    def col(dtype=np.int64):
        return np.zeros(n, dtype)

    return PortfolioStatus(
        as_of, col(np.int8), col(), col(np.int8), col(), col(), col(), col(), col(), col(),
        col(), col(np.int8), [()] * n, 0,
    )  # fmt: skip


def _put(out: PortfolioStatus, i: int, s: LoanStatus) -> None:
    out.status[i] = _STATUS_CODE[s.status]
    out.days_past_due[i] = s.days_past_due
    out.bucket[i] = _BUCKET_CODE[s.bucket]
    out.outstanding_principal[i] = s.outstanding_principal
    out.accrued_interest[i] = s.accrued_interest
    out.fees_due[i] = s.fees_due
    out.past_due_amount[i] = s.past_due_amount
    if s.next_due is not None:
        out.next_due_date[i] = s.next_due.date.toordinal()
        out.next_due_amount[i] = s.next_due.amount
    out.overpaid[i] = s.overpaid
    out.risk_flag[i] = _FLAG_CODE[s.risk.flag]
    out.risk_reasons[i] = s.risk.reasons


def portfolio_status(loans: Sequence[PortfolioLoan], as_of: date) -> PortfolioStatus:
    """Every loan's ``status(fold(...))`` as of the end of ``as_of``, as columns in the loans'
    order (``portfolio_status(...).rows()`` is the list of LoanStatus).

    Raises the InputError the fold raises for the first loan with bad input."""
    out = _empty(len(loans), as_of)
    fallback: list[int] = []
    groups: dict[tuple, _Group] = {}
    # rate fractions by (period rate, annual rate), one table per (odd days, frequency)
    rate_caches: dict[tuple, dict] = {}
    for i, loan in enumerate(loans):
        plan, payments, _, reversals = loan
        if type(plan) is LevelLoan:
            due_dates, odd, period_rate, first, regular = level_parts(*plan)
            loan_date, frequency, principal = plan.loan_date, plan.frequency, plan.principal
            instalments = None
            extra = 0
        else:
            due_dates, odd, period_rate = plan.due_dates, plan.odd_days, plan.period_rate
            loan_date, frequency, principal = plan.loan_date, plan.frequency, plan.principal
            instalments = plan.instalments
            extra = plan.last_period_extra
        if reversals or extra or principal >= _MAX_PRINCIPAL:
            fallback.append(i)
            continue
        # Plans of one shape share their due-date tuple, odd days and frequency objects
        # (level_plan caches them), so identities make a cheap key; equal but distinct
        # objects only make more groups.
        key = (id(due_dates), loan_date, id(odd), id(frequency))
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(due_dates, loan_date, as_of)
            g.rate_cache = rate_caches.setdefault((odd, frequency), {})
        m = g.m
        if not g.eligible or len(payments) != m:
            fallback.append(i)
            continue
        rate_key = (period_rate, plan.annual_rate)
        rate = g.rate_cache.get(rate_key, False)
        if rate is False:
            rate = _rate_fractions(period_rate, plan.annual_rate, odd, frequency)
            g.rate_cache[rate_key] = rate
        if rate is None:
            fallback.append(i)
            continue
        if instalments is None:
            instalments = (first,) + (regular,) * m  # the m + 1 the group needs
        paid_on = g.paid_dues
        if m:
            ops, days, cents = zip(*payments, strict=True)
            if cents != instalments[:m] or len(set(ops)) != m or not all(ops):
                fallback.append(i)
                continue
            if days != g.dues_paid:
                # each instalment paid early, within its own period
                paid_on = [d.toordinal() for d in days]
                if not all(
                    a < d <= b for d, a, b in zip(paid_on, g.lows, g.due_ords, strict=False)
                ):
                    fallback.append(i)
                    continue
        g.members.append(i)
        g.rates.append(rate)
        g.paid_on.append(paid_on)
        g.principals.append(principal)
        g.instalments.append(instalments)
    for g in groups.values():
        if g.members:
            fallback.extend(g.solve(out, as_of))
    for i in sorted(fallback):
        plan, payments, terms, reversals = loans[i]
        if type(plan) is LevelLoan:
            plan = plan.plan()
        _put(out, i, loan_status(plan, payments, as_of, terms, reversals=reversals))
    return replace(out, fallback=len(fallback))


def _rate_fractions(
    rate: Decimal, annual_rate: Decimal, odd_days: Fraction, frequency
) -> tuple | None:
    """``(n, d, n0, d0, exact, exact0)``: the period rate and the first period's rate as
    fractions, and whether the fold's Decimal arithmetic computes them exactly (an exact half
    cent then rounds half up in both); None when they are too large for int64."""
    if len(rate.as_tuple().digits) <= 20:
        c, exact = Fraction(rate), True
    else:
        ppy = frequency.periods_per_year
        c = Fraction(annual_rate) / ppy
        if CTX.divide(annual_rate, Decimal(ppy)) != rate:
            return None
        # Rounding is monotone: with the Decimal rate at or above the exact one, the fold's
        # product at an exact half cent stays at or above it, and rounds up as n / d does.
        exact = Fraction(rate) >= c
    c0, exact0 = c, exact
    if odd_days:
        c0, exact0 = c + Fraction(annual_rate) * odd_days, False
    parts = (c.numerator, c.denominator, c0.numerator, c0.denominator)
    if c < 0 or c0 < 0 or max(parts) > _MAX_DEN:
        return None
    return c.numerator, c.denominator, c0.numerator, c0.denominator, exact, exact0


class _Group:
    """Loans with the same due dates and loan date: the same number ``m`` of instalments
    fallen due by ``as_of`` and the same period lengths."""

    __slots__ = (
        "due_ords",
        "dues",
        "dues_paid",
        "eligible",
        "instalments",
        "loan_ord",
        "lows",
        "m",
        "members",
        "paid_dues",
        "paid_on",
        "principals",
        "rate_cache",
        "rates",
    )

    def __init__(self, due_dates: tuple[date, ...], loan_date: date, as_of: date):
        self.dues = due_dates
        self.m = m = bisect_right(due_dates, as_of)
        # the next instalment must not be the last (that one is whatever closes the loan)
        self.eligible = loan_date <= as_of and m < len(due_dates) - 1
        self.dues_paid = due_dates[:m]
        self.loan_ord = loan_date.toordinal()
        self.due_ords = [d.toordinal() for d in due_dates[: m + 1]]
        self.paid_dues = self.due_ords[:m]
        self.lows = [self.loan_ord, *self.paid_dues]  # period starts
        if self.eligible:  # then due date m exists
            longest = max(b - a for a, b in zip(self.lows, self.due_ords, strict=True))
            self.eligible = longest <= _MAX_PERIOD_DAYS
        self.members: list[int] = []
        self.rates: list[tuple] = []
        self.paid_on: list[list[int]] = []  # per member, the day each instalment was paid
        self.principals: list[int] = []
        self.instalments: list[tuple[int, ...]] = []
        self.rate_cache: dict[tuple, tuple | None] = {}  # shared with same-rate groups

    def solve(self, out: PortfolioStatus, as_of: date) -> list[int]:
        """Fill ``out`` for the members in the common case; return the others."""
        m, members = self.m, self.members
        count = len(members)
        principal = np.array(self.principals, np.int64)
        inst = np.fromiter(
            chain.from_iterable(t[: m + 1] for t in self.instalments), np.int64, count * (m + 1)
        ).reshape(count, m + 1)
        cn, cd, c0n, c0d, exact, exact0 = (np.array(col) for col in zip(*self.rates, strict=True))
        cn, cd, c0n, c0d = (a.astype(np.int64) for a in (cn, cd, c0n, c0d))
        ok = principal <= _I64_SAFE // (124 * np.maximum(np.maximum(cn, c0n), 1))
        ok &= (inst > 0).all(axis=1)
        paid_on = np.fromiter(chain.from_iterable(self.paid_on), np.int64, count * m)
        paid_on = paid_on.reshape(count, m)
        b = principal.copy()
        o = np.zeros(count, np.int64)  # interest billed and not yet paid
        for j in range(m):
            n, d, ex = (c0n, c0d, exact0) if j == 0 else (cn, cd, exact)
            start, end = self.lows[j], self.due_ords[j]
            days = end - start
            amount = inst[:, j]
            # Paid on the due date: the period's interest is billed, the instalment falls
            # due, and the payment takes the interest owed, then principal.
            q, r = np.divmod(2 * b * n + d, 2 * d)
            on_ok = (ex | (r != 0)) & (o + q <= amount) & (amount <= b + o + q)
            on_b = b - (amount - o - q)
            # Paid early: it takes the interest owed and accrued so far, the rest is
            # principal and counts towards the instalment; the interest to the due date is
            # billed then and owed (an exact half cent is handed on: partial periods).
            before = paid_on[:, j] - start
            after = end - paid_on[:, j]
            ci, r1 = np.divmod(2 * b * n * before + d * days, 2 * d * days)
            early_b = b - (amount - o - ci)
            acc = b * before + early_b * after
            billed, r2 = np.divmod(2 * acc * n + d * days, 2 * d * days)
            early_ok = (r1 != 0) & (r2 != 0) & (o + ci <= amount) & (early_b > 0)
            early = after > 0
            ok &= np.where(early, early_ok, on_ok)
            b = np.where(ok, np.where(early, early_b, on_b), b)
            o = np.where(ok, np.where(early, billed - ci, 0), o)
        # interest accrued since the last due date, pro rata by days
        start = self.dues[m - 1].toordinal() if m else self.loan_ord
        period_days = self.dues[m].toordinal() - start
        elapsed = as_of.toordinal() - start
        n, d = (c0n, c0d) if m == 0 else (cn, cd)
        if elapsed:
            current, r = np.divmod(2 * b * n * elapsed + d * period_days, 2 * d * period_days)
            ok &= r != 0
        else:
            current = np.zeros(count, np.int64)
        ok &= b > 0
        current += o
        good = np.asarray(members)[ok]
        rest = np.asarray(members)[~ok].tolist()
        # current: status, days past due, bucket, fees, past due, overpaid and flag all 0
        out.outstanding_principal[good] = b[ok]
        out.accrued_interest[good] = current[ok]
        out.next_due_date[good] = self.dues[m].toordinal()
        out.next_due_amount[good] = np.minimum(inst[:, m], b + o)[ok]
        return rest
