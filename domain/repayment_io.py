"""The wire form of ``chedai repay``: amounts as strings ("1234.50"), rates as percentage
strings ("6.90" = 6.90%, prepayment ``fee_rate`` "2" = 2%), dates as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import InputError
from domain.loans import LoanTerms, Method, quote
from domain.money import ZERO, from_cents, parse_money
from domain.parse import parse_bool, parse_choice, parse_date, parse_int, parse_percent, require
from domain.repayment_plan import RepaymentPlan, plan_from_quote
from domain.repayment_status import LoanStatus, Reminder, reminders, status
from domain.repayments import (
    Allocation,
    EventKind,
    LateFeePolicy,
    PaymentEvent,
    Payoff,
    PrepaymentMode,
    PrepaymentPolicy,
    Terms,
    fold,
    payoff_quote,
)

__all__ = ["RepayInput", "parse_repay", "parse_servicing_terms", "repay_to_wire", "run_repay"]


def parse_servicing_terms(data: dict, prefix: str = "") -> Terms:
    """The loan's late-fee and prepayment terms from ``data``'s ``late_fee`` and
    ``prepayment`` objects (both optional; rates as percentage strings):

    - ``late_fee``: ``amount`` (per instalment still unpaid after the grace days, "0"),
      ``grace_days`` (3), ``daily_penalty_rate`` (罚息, percent per day, "0"), ``cap`` (of the
      fixed fees together; null: none);
    - ``prepayment``: ``allowed`` (true), ``lockout_months`` (0), ``fee_rate`` (percent of the
      principal repaid early, "0"), ``fee_free_after_months`` (null: never), ``mode``
      (shorten_term | lower_payment).

    Errors name the field under ``prefix``."""
    late = data.get("late_fee") or {}
    if not isinstance(late, dict):
        raise InputError(f"{prefix}late_fee", "object", "must be a JSON object")
    p = f"{prefix}late_fee."
    cap = late.get("cap")
    late_fee = LateFeePolicy(
        amount=parse_money(late.get("amount", "0"), p + "amount"),
        grace_days=parse_int(late.get("grace_days", 3), p + "grace_days", minimum=0, maximum=90),
        cap=None if cap is None else parse_money(cap, p + "cap"),
        daily_penalty_rate=_rate(late.get("daily_penalty_rate", "0"), p + "daily_penalty_rate"),
    )
    pre = data.get("prepayment") or {}
    if not isinstance(pre, dict):
        raise InputError(f"{prefix}prepayment", "object", "must be a JSON object")
    p = f"{prefix}prepayment."
    free_after = pre.get("fee_free_after_months")
    prepayment = PrepaymentPolicy(
        fee_rate=_rate(pre.get("fee_rate", "0"), p + "fee_rate"),
        mode=parse_choice(pre.get("mode", "shorten_term"), p + "mode", PrepaymentMode),
        allowed=parse_bool(pre.get("allowed", True), p + "allowed"),
        lockout_instalments=parse_int(
            pre.get("lockout_months", 0), p + "lockout_months", minimum=0, maximum=600
        ),
        fee_free_after=None
        if free_after is None
        else parse_int(free_after, p + "fee_free_after_months", minimum=0, maximum=600),
    )
    return Terms(late_fee=late_fee, prepayment=prepayment)


def _rate(raw: Any, field: str) -> Decimal:
    """A percentage string as a fraction, from 0 to 100%."""
    rate = parse_percent(raw, field)
    if rate > 1:
        raise InputError(field, "at_most", "must be at most {limit}", {"limit": "100"})
    return rate


class RepayInput:
    def __init__(self, plan, terms, events, as_of, reminder_days, payoff_days):
        self.plan: RepaymentPlan = plan
        self.terms: Terms = terms
        self.events: list[PaymentEvent] = events
        self.as_of: date = as_of
        self.reminder_days: int = reminder_days
        self.payoff_days: int = payoff_days


def parse_repay(data: Any) -> RepayInput:
    """``chedai repay``'s input; InputError names the first bad field."""
    loan = require(data, "loan")
    p = "loan."
    principal = parse_money(require(loan, "principal", p), "loan.principal")
    first = loan.get("first_payment_date")
    method = parse_choice(loan.get("method", "level"), "loan.method", Method)
    balloon = ZERO  # 尾款: level payments, then the balloon with the last one
    if method is Method.BALLOON or "balloon_amount" in loan:  # the engine checks the pair
        balloon = parse_money(require(loan, "balloon_amount", p), "loan.balloon_amount")
    terms = LoanTerms(
        cash_price=principal,
        down_payment=ZERO,
        loan_date=parse_date(require(loan, "loan_date", p), "loan.loan_date"),
        first_payment_date=parse_date(first, "loan.first_payment_date") if first else None,
        count=parse_int(
            require(loan, "term_months", p), "loan.term_months", minimum=1, maximum=600
        ),
        annual_rate=parse_percent(require(loan, "annual_rate", p), "loan.annual_rate"),
        method=method,
        balloon_amount=balloon,
    )
    try:
        plan = plan_from_quote(quote(terms))
    except InputError as exc:
        field = {"cash_price": "principal"}.get(exc.field, exc.field)
        raise InputError(f"loan.{field}", exc.rule, exc.message, exc.params) from None
    servicing = parse_servicing_terms(loan, "loan.")
    raw = data.get("payments") or []
    if not isinstance(raw, list):
        raise InputError("payments", "list", "must be a list")
    events = [_event(item, f"payments[{k}].") for k, item in enumerate(raw)]
    for k, e in enumerate(events):  # the engine says so too, but cannot say which one
        if e.kind is EventKind.PAYMENT and e.date < plan.loan_date:
            raise InputError(
                f"payments[{k}].date", "after_loan_date", "must not be before the loan date"
            )
    return RepayInput(
        plan=plan,
        terms=servicing,
        events=events,
        as_of=parse_date(require(data, "as_of"), "as_of"),
        reminder_days=parse_int(
            data.get("reminder_days", 3), "reminder_days", minimum=0, maximum=60
        ),
        payoff_days=parse_int(
            data.get("payoff_valid_days", 7), "payoff_valid_days", minimum=1, maximum=60
        ),
    )


def _event(item: Any, p: str) -> PaymentEvent:
    op_id = str(require(item, "op_id", p))
    kind = parse_choice(item.get("kind", "payment"), f"{p}kind", EventKind)
    day = parse_date(require(item, "date", p), f"{p}date")
    if kind is EventKind.REVERSAL:
        return PaymentEvent(
            op_id, day, ZERO, str(item.get("channel", "")), kind, str(require(item, "reverses", p))
        )
    amount = parse_money(require(item, "amount", p), f"{p}amount")
    if amount <= 0:
        raise InputError(f"{p}amount", "positive", "must be greater than zero")
    return PaymentEvent(op_id, day, amount, str(item.get("channel", "bank_transfer")), kind)


def _s(cents: int) -> str:
    return f"{from_cents(cents):.2f}"


def _allocation(a: Allocation) -> dict[str, Any]:
    return {
        "op_id": a.op_id,
        "date": a.date.isoformat(),
        "amount": _s(a.amount),
        "fees": _s(a.fees),
        "prepayment_fee": _s(a.prepayment_fee),
        "interest": _s(a.interest),
        "overdue_interest": _s(a.overdue_interest),
        "current_interest": _s(a.current_interest),
        "principal": _s(a.principal),
        "early_principal": _s(a.early_principal),
        "overpayment": _s(a.overpayment),
    }


def _reminder(r: Reminder) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "instalment": r.instalment,
        "due": r.due.isoformat(),
        "amount": _s(r.amount),
        "days": r.days,
        "late_fee_on": r.late_fee_on.isoformat() if r.late_fee_on else None,
    }


def repay_to_wire(
    st: LoanStatus, allocations, payoff: Payoff | None, notes: list[Reminder], state
) -> dict[str, Any]:
    return {
        "as_of": st.as_of.isoformat(),
        "status": st.status,
        "days_past_due": st.days_past_due,
        "bucket": st.bucket.value,
        "outstanding_principal": _s(st.outstanding_principal),
        "accrued_interest": _s(st.accrued_interest),
        "fees_due": _s(st.fees_due),
        "past_due_amount": _s(st.past_due_amount),
        "next_due": None
        if st.next_due is None
        else {"date": st.next_due.date.isoformat(), "amount": _s(st.next_due.amount)},
        "overpaid": _s(st.overpaid),
        "allocations": [_allocation(a) for a in allocations],
        "late_fees": [
            {"instalment": c.instalment, "date": c.date.isoformat(), "amount": _s(c.amount)}
            for c in state.fee_charges
        ],
        "reversed": state.reversed_ops,
        "pending_reversals": state.unmatched_reversals,
        "payoff": None
        if payoff is None
        else {
            "amount": _s(payoff.amount),
            "valid_until": payoff.valid_until.isoformat(),
            "principal": _s(payoff.principal),
            "interest": _s(payoff.interest),
            "fees": _s(payoff.fees),
            "prepayment_fee": _s(payoff.prepayment_fee),
        },
        "risk": {"flag": st.risk.flag.value, "reasons": list(st.risk.reasons)},
        "reminders": [_reminder(r) for r in notes],
    }


def run_repay(data: Any) -> dict[str, Any]:
    """``chedai repay``: the whole answer for one loan as of a date."""
    inp = parse_repay(data)
    state = fold(inp.plan, inp.events, inp.as_of, inp.terms)
    st = status(state)
    payoff = None
    if not state.closed:
        payoff = payoff_quote(
            inp.plan, inp.events, inp.as_of, inp.terms, valid_days=inp.payoff_days
        )
    notes = reminders(state, days_before=inp.reminder_days)
    return repay_to_wire(st, state.allocations, payoff, notes, state)
