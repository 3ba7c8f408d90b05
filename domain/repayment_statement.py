"""A repayment statement for a period (a month or any range): the figures, not the PDF
(``contracts.statement`` renders it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InputError
from domain.repayment_plan import RepaymentPlan
from domain.repayment_status import LoanStatus, status
from domain.repayments import Allocation, FeeCharge, Instalment, PaymentEvent, Terms, fold

__all__ = ["Statement", "statement"]


@dataclass(frozen=True)
class Statement:
    """Amounts in cents. ``opening``/``closing`` are the loan's status at the end of the day
    before ``start`` and at the end of ``end``."""

    start: date
    end: date
    opening_principal: int
    opening_interest: int
    opening_fees: int
    payments: tuple[Allocation, ...]
    fees_charged: tuple[FeeCharge, ...]
    fell_due: tuple[Instalment, ...]
    reversed_ops: tuple[str, ...]
    closing: LoanStatus


def statement(
    plan: RepaymentPlan,
    events: Iterable[PaymentEvent],
    start: date,
    end: date,
    terms: Terms = Terms(),  # noqa: B008 (frozen, immutable default)
) -> Statement:
    if end < start:
        raise InputError("end", "after_start", "must not be before the start")
    events = list(events)
    start = max(start, plan.loan_date)
    if start > plan.loan_date:
        before = fold(plan, events, start - timedelta(days=1), terms)
        opening = (before.principal, before.accrued_interest, before.fees_due)
        reversed_before = set(before.reversed_ops)
    else:
        opening, reversed_before = (plan.principal, 0, 0), set()
    after = fold(plan, events, end, terms)

    def within(d: date) -> bool:
        return start <= d <= end

    return Statement(
        start=start,
        end=end,
        opening_principal=opening[0],
        opening_interest=opening[1],
        opening_fees=opening[2],
        payments=tuple(a for a in after.allocations if within(a.date)),
        fees_charged=tuple(c for c in after.fee_charges if within(c.date)),
        fell_due=tuple(i for i in after.fallen_due if within(i.due)),
        reversed_ops=tuple(op for op in after.reversed_ops if op not in reversed_before),
        closing=status(after),
    )
