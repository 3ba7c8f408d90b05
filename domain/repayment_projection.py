"""The payments still to come on a loan whose schedule an early repayment changed: each
instalment as the fold itself would apply it if paid in full on its due date.

An early repayment either shortens the term (the instalment kept, the loan ending sooner) or
lowers the instalments (the end date kept); either way the schedule signed no longer says
what is owed. Folding each coming payment in turn, rather than amortising anew, keeps every
figure the engine's own to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.loans import ScheduleRow
from domain.money import from_cents
from domain.repayment_plan import RepaymentPlan
from domain.repayment_status import next_due
from domain.repayments import PaymentEvent, Terms, fold

__all__ = ["course", "remaining_schedule"]


def remaining_schedule(
    plan: RepaymentPlan,
    events: Iterable[PaymentEvent],
    as_of: date,
    terms: Terms = Terms(),  # noqa: B008 (frozen, immutable default)
) -> tuple[ScheduleRow, ...] | None:
    """The instalments still to pay after an early repayment, each paid in full on its due
    date: its number, date, amount, interest, principal and the balance after it. None when
    the signed schedule still holds (no principal was repaid early), when something is
    overdue or fees are owed (what the loan's overdue notice says comes first), and once
    the loan is closed."""
    events = list(events)
    state = fold(plan, events, as_of, terms)
    early = any(a.early_principal for a in state.allocations)
    if not early or state.closed or state.fees_due or any(r[2] for r in state.arrears):
        return None
    rows: list[ScheduleRow] = []
    for k in range(plan.count):
        due = next_due(state)
        if due is None or due.amount <= 0:
            break
        op_id = f"projected-{k}"
        events.append(PaymentEvent(op_id, due.date, from_cents(due.amount)))
        state = fold(plan, events, due.date, terms)
        paid = next(a for a in reversed(state.allocations) if a.op_id == op_id)
        rows.append(ScheduleRow(
            n=plan.due_dates.index(due.date) + 1, date=due.date,
            payment=from_cents(paid.amount), interest=from_cents(paid.interest + paid.fees),
            principal=from_cents(paid.principal), balance=from_cents(state.principal),
        ))  # fmt: skip
        if state.closed:
            break
    return tuple(rows)


def course(
    plan: RepaymentPlan,
    events: Iterable[PaymentEvent],
    remaining: tuple[ScheduleRow, ...],
    terms: Terms = Terms(),  # noqa: B008 (frozen, immutable default)
) -> tuple[ScheduleRow, ...]:
    """The loan's whole course once an early repayment changed it (``remaining`` from
    :func:`remaining_schedule`): each instalment before those left as it went, the loan
    folded to its due date on the payments made (its principal the balance it took off,
    early repayments included, its interest what the payments since the one before took),
    then the instalments left."""
    events = list(events)
    rows: list[ScheduleRow] = []
    balance, since = plan.principal, plan.loan_date - timedelta(days=1)
    for k in range(remaining[0].n - 1 if remaining else plan.count):
        due = plan.due_dates[k]
        state = fold(plan, events, due, terms)
        interest = sum(a.interest for a in state.allocations if since < a.date <= due)
        principal = balance - state.principal
        rows.append(ScheduleRow(
            n=k + 1, date=due, payment=from_cents(principal + interest),
            interest=from_cents(interest), principal=from_cents(principal),
            balance=from_cents(state.principal),
        ))  # fmt: skip
        balance, since = state.principal, due
    return (*rows, *remaining)
