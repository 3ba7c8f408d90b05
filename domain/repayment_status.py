"""What a loan's state means for the people watching it: status and days-past-due bucket, the
next amount due, the early-warning risk flag and reminders (as data the UI shows).

Early warning (the loan's risk flag, re-derived from behaviour at every look)
    Over the last :data:`WINDOW` instalments that fell due:

    * ``late`` — instalments paid (or still unpaid) more than the grace days after their due
      date;
    * ``near_miss`` — instalments paid within the grace days after their due date; a *run* is
      the number of such instalments in a row up to the latest one;
    * ``partial`` — payments that left an instalment already due still unpaid.

    ``high``: more than 30 days past due, or 2+ late instalments, or past the grace days with
    2+ partial payments. ``watch``: any days past due, a late instalment, a near-miss run of
    2+, or a partial payment. ``normal`` otherwise. Each flag carries the reasons that set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from domain.repayment_plan import CTX, cents_round
from domain.repayments import LoanState

__all__ = [
    "WINDOW",
    "Bucket",
    "Due",
    "LoanStatus",
    "Reminder",
    "Risk",
    "RiskFlag",
    "bucket",
    "next_due",
    "paid_count",
    "reminders",
    "risk",
    "status",
]

WINDOW = 6


class Bucket(StrEnum):
    CURRENT = "current"
    D1_30 = "1-30"
    D31_60 = "31-60"
    D61_90 = "61-90"
    D90_PLUS = "90+"


class RiskFlag(StrEnum):
    NORMAL = "normal"
    WATCH = "watch"
    HIGH = "high"


class Due(NamedTuple):
    date: date
    amount: int  # cents


class Risk(NamedTuple):
    flag: RiskFlag
    reasons: tuple[str, ...]  # stable codes: past_due, late_instalments, near_miss_run, ...


class Reminder(NamedTuple):
    """``kind`` ``upcoming`` (``days`` until due) or ``overdue`` (``days`` past due);
    ``late_fee_on`` is the day a late fee will be charged if still unpaid (None: charged
    already or no late fee)."""

    kind: str
    instalment: int
    due: date
    amount: int
    days: int
    late_fee_on: date | None


@dataclass(frozen=True)
class LoanStatus:
    """A loan at a glance, amounts in cents."""

    as_of: date
    status: str  # current | in_grace | past_due | closed
    days_past_due: int
    bucket: Bucket
    outstanding_principal: int
    accrued_interest: int
    fees_due: int
    past_due_amount: int
    next_due: Due | None
    overpaid: int
    risk: Risk


def bucket(days_past_due: int) -> Bucket:
    if days_past_due <= 0:
        return Bucket.CURRENT
    if days_past_due <= 30:
        return Bucket.D1_30
    if days_past_due <= 60:
        return Bucket.D31_60
    if days_past_due <= 90:
        return Bucket.D61_90
    return Bucket.D90_PLUS


def next_due(s: LoanState) -> Due | None:
    """The next instalment still to pay: one due today if unpaid, else the coming one (the
    final one is projected to close the loan on its date); None once closed or matured."""
    if s.closed:
        return None
    for _, due, remaining in s.arrears:
        if due == s.as_of and remaining > 0:
            return Due(due, remaining)
    k, plan = s.next_index, s.plan
    if k >= plan.count:
        return None
    owed = s.principal + s.overdue_interest - sum(a[2] for a in s.arrears)
    # An instalment that closes the loan is owed plus the interest still to accrue: the
    # final one, or an earlier one once an early repayment shortened the term (only the
    # period in progress is projected; instalments paid ahead to the end are a rare corner).
    ahead = s.advance
    for j in range(k, plan.count - 1):
        take = min(ahead, s.instalments[j])
        ahead -= take
        instalment = s.instalments[j] - take
        closing = j == k and owed < instalment  # then its interest is owed too
        amount = max(0, min(instalment, owed + (_interest_to_period_end(s) if closing else 0)))
        if amount:
            return Due(plan.due_dates[j], amount)
    extra = _interest_to_period_end(s) if k == plan.count - 1 else 0
    return Due(plan.due_dates[-1], max(0, owed + extra))


def paid_count(s: LoanState) -> int:
    """Instalments paid: those that fell due and were settled, then the coming ones the money
    paid ahead covers in full (the buyer who paid the first instalment early sees 1 of N)."""
    settled = sum(1 for i in s.fallen_due if i.settled is not None)
    if s.closed:
        return s.plan.count
    ahead, covered = s.advance, 0
    for j in range(s.next_index, s.plan.count):
        if ahead < s.instalments[j] or not s.instalments[j]:
            break
        ahead -= s.instalments[j]
        covered += 1
    return settled + covered


def _interest_to_period_end(s: LoanState) -> int:
    plan, k = s.plan, s.next_index
    start, end = plan.period_bounds(k)
    acc = s._acc
    if s.principal and s._seg_start is not None and s._seg_start < end:
        full = plan.full_interest(s.principal, k)
        if s._seg_start == start:
            acc = CTX.add(acc, full)
        else:
            days = Decimal((end - s._seg_start).days)
            acc = CTX.add(acc, CTX.divide(CTX.multiply(full, days), Decimal((end - start).days)))
    return cents_round(acc) - s._cur_paid


def risk(s: LoanState) -> Risk:
    """The early-warning flag (see the module docstring for the rules)."""
    grace = s.terms.late_fee.grace_days
    recent = s.fallen_due[-WINDOW:]
    late = near = run = 0
    for inst in recent:
        days = ((inst.settled or s.as_of) - inst.due).days
        if days > grace:
            late += 1
            run = 0
        elif days > 0:
            near += 1
            run += 1
        else:
            run = 0
    since = recent[0].due if recent else s.plan.loan_date
    partial = sum(1 for d in s.partial_payments if d >= since)
    return risk_from_counts(
        days_past_due=s.days_past_due, late=late, near_miss_run=run, partial=partial, grace=grace
    )


def risk_from_counts(
    *, days_past_due: int, late: int, near_miss_run: int, partial: int, grace: int
) -> Risk:
    """The early-warning rule on the last instalments' counts (one rule for every path)."""
    dpd = days_past_due
    reasons = []
    if dpd > 0:
        reasons.append("past_due_over_30" if dpd > 30 else "past_due")
    if late:
        reasons.append("late_instalments")
    if near_miss_run >= 2:
        reasons.append("near_miss_run")
    if partial:
        reasons.append("partial_payments")
    high = dpd > 30 or late >= 2 or (dpd > grace and partial >= 2)
    flag = RiskFlag.HIGH if high else RiskFlag.WATCH if reasons else RiskFlag.NORMAL
    return Risk(flag, tuple(reasons))


def status(s: LoanState) -> LoanStatus:
    dpd = s.days_past_due
    grace = s.terms.late_fee.grace_days
    if s.closed:
        label = "closed"
    elif dpd == 0:
        label = "current"
    elif dpd <= grace:
        label = "in_grace"
    else:
        label = "past_due"
    return LoanStatus(
        as_of=s.as_of,
        status=label,
        days_past_due=dpd,
        bucket=bucket(dpd),
        outstanding_principal=s.principal,
        accrued_interest=s.accrued_interest,
        fees_due=s.fees_due,
        past_due_amount=sum(a[2] for a in s.arrears if a[1] < s.as_of),
        next_due=next_due(s),
        overpaid=s.overpaid,
        risk=risk(s),
    )


def reminders(s: LoanState, *, days_before: int = 3) -> list[Reminder]:
    """Overdue notices (oldest first), then the upcoming due ``days_before`` days ahead."""
    out = []
    grace = timedelta(days=s.terms.late_fee.grace_days)
    charged = {c.instalment for c in s.fee_charges}
    has_fee = s.terms.late_fee.amount > 0
    for k, due, remaining in s.arrears:
        if remaining > 0 and due < s.as_of:
            fee_on = None if (k + 1 in charged or not has_fee) else due + grace + timedelta(1)
            out.append(Reminder("overdue", k + 1, due, remaining, (s.as_of - due).days, fee_on))
    nxt = next_due(s)
    if nxt is not None and 0 <= (nxt.date - s.as_of).days <= days_before:
        n = s.plan.due_dates.index(nxt.date) + 1
        out.append(Reminder("upcoming", n, nxt.date, nxt.amount, (nxt.date - s.as_of).days, None))
    return out
