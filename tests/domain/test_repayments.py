"""Repayment tracking: worked examples of late, partial, early and reversed payments."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from domain.errors import InputError
from domain.loans import LoanTerms, Method, quote
from domain.repayment_plan import level_plan, plan_from_quote
from domain.repayment_status import Bucket, RiskFlag, paid_count, reminders, status
from domain.repayments import (
    EventKind,
    LateFeePolicy,
    PaymentEvent,
    PrepaymentMode,
    PrepaymentPolicy,
    Terms,
    as_recorded,
    fold,
    payoff_quote,
)

LOAN_DATE = date(2026, 1, 15)


def make_quote(**overrides):
    base = dict(
        cash_price=D("100000.00"),
        down_payment=D("0.00"),
        loan_date=LOAN_DATE,
        count=12,
        annual_rate=D("0.069"),
    )
    base.update(overrides)
    return quote(LoanTerms(**base))


def make_terms(fee="50.00", grace=3, cap=None, fee_rate="0", mode="shorten_term"):
    return Terms(
        late_fee=LateFeePolicy(D(fee), grace, None if cap is None else D(cap)),
        prepayment=PrepaymentPolicy(D(fee_rate), PrepaymentMode(mode)),
    )


def on_time(q, count=None):
    rows = q.schedule[:count] if count is not None else q.schedule
    return [PaymentEvent(f"op{r.n}", r.date, r.payment) for r in rows]


def test_paying_on_schedule_charges_the_schedules_interest_and_closes_on_the_last_due_date():
    q = make_quote()
    s = fold(plan_from_quote(q), on_time(q), q.schedule[-1].date)
    assert s.closed and s.principal == 0 and s.overpaid == 0
    assert [a.interest for a in s.allocations] == [int(r.interest * 100) for r in q.schedule]
    assert status(s).status == "closed"


def test_late_payment_is_charged_one_fee_after_grace_and_counts_days_past_due():
    q = make_quote()
    plan = plan_from_quote(q)
    events = on_time(q, 2)  # instalment 3, due 2026-04-15, unpaid
    s = fold(plan, events, date(2026, 5, 1), make_terms())
    st = status(s)
    assert (st.status, st.days_past_due, st.bucket) == ("past_due", 16, Bucket.D1_30)
    assert [(c.instalment, c.date, c.amount) for c in s.fee_charges] == [
        (3, date(2026, 4, 19), 5000)
    ]
    assert st.risk.flag is RiskFlag.WATCH and "late_instalments" in st.risk.reasons
    # Paying late: the fee first, then the interest of the ended period, then today's.
    late = PaymentEvent("late3", date(2026, 5, 1), q.payment + D("50.00"))
    s2 = fold(plan, [*events, late], date(2026, 5, 1), make_terms())
    a = s2.allocations[-1]
    assert a.fees == 5000 and a.overdue_interest == int(q.schedule[2].interest * 100)
    assert a.current_interest > 0  # 16 days of interest since 2026-04-15
    assert a.fees + a.interest + a.principal + a.overpayment == a.amount
    assert status(s2).days_past_due == 0


def test_payment_inside_grace_days_is_not_charged_a_fee_but_is_a_near_miss():
    q = make_quote()
    events = [
        *on_time(q, 1),
        PaymentEvent("g2", date(2026, 3, 17), q.payment),
        PaymentEvent("g3", date(2026, 4, 18), q.payment),
    ]
    s = fold(plan_from_quote(q), events, date(2026, 4, 20), make_terms())
    assert s.fee_charges == [] and status(s).status == "current"
    assert [i.settled for i in s.fallen_due] == [
        date(2026, 2, 15),
        date(2026, 3, 17),
        date(2026, 4, 18),
    ]
    assert status(s).risk == (RiskFlag.WATCH, ("near_miss_run",))


def test_late_fees_stop_at_the_cap():
    q = make_quote()
    s = fold(plan_from_quote(q), [], date(2026, 9, 1), make_terms(cap="120.00"))
    assert [c.amount for c in s.fee_charges] == [5000, 5000, 2000]
    assert s.fees_due == 12000


def test_partial_payment_leaves_the_rest_of_the_instalment_past_due():
    q = make_quote()
    events = [PaymentEvent("half", q.schedule[0].date, D("4000.00"))]
    s = fold(plan_from_quote(q), events, date(2026, 2, 17), make_terms())
    st = status(s)
    assert st.past_due_amount == int(q.payment * 100) - 400000
    assert st.status == "in_grace" and st.days_past_due == 2
    assert s.partial_payments == [date(2026, 2, 15)]
    assert "partial_payments" in st.risk.reasons


def test_early_payoff_closes_the_loan_with_the_prepayment_fee():
    q = make_quote()
    plan = plan_from_quote(q)
    terms = make_terms(fee_rate="0.02")
    events = on_time(q, 3)
    as_of = date(2026, 5, 2)
    p = payoff_quote(plan, events, as_of, terms, valid_days=5)
    assert p.valid_until == date(2026, 5, 6)
    assert p.prepayment_fee > 0 and p.amount == p.principal + p.interest + p.fees
    s = fold(
        plan,
        [*events, PaymentEvent("payoff", p.valid_until, D(p.amount) / 100)],
        p.valid_until,
        terms,
    )
    assert s.closed and s.overpaid == 0
    assert s.allocations[-1].prepayment_fee == p.prepayment_fee
    # the quote names the principal its fee is charged on: the payment's own early principal
    assert p.early_principal == s.allocations[-1].early_principal < p.principal
    assert p.prepayment_fee == round(p.early_principal * D("0.02"))
    # Paid before its good-through date, the quote still closes the loan; the unearned
    # interest comes back as an overpayment.
    early = fold(plan, [*events, PaymentEvent("payoff", as_of, D(p.amount) / 100)], as_of, terms)
    assert early.closed and early.overpaid > 0


def test_a_payoff_quote_closes_the_loan_when_its_interest_falls_on_a_half_cent():
    """¥1,000 at 0.31% with both instalments missed: the third period's interest to 24 March
    is 7.5 cents. Quoted on the 16th and paid on the 24th, it must be reckoned the same way
    both times (it was 7 cents once and 8 cents the other, leaving a cent owing)."""
    q = make_quote(cash_price=D("1000.00"), count=3, annual_rate=D("0.0031"),
                   method=Method.BALLOON, balloon_amount=D("100.00"))  # fmt: skip
    plan = plan_from_quote(q)
    terms = make_terms(fee="0", grace=0)
    p = payoff_quote(plan, [], date(2026, 3, 16), terms, valid_days=9)
    assert p.valid_until == date(2026, 3, 24)
    s = fold(plan, [PaymentEvent("payoff", p.valid_until, D(p.amount) / 100)], p.valid_until, terms)
    assert s.closed and s.overpaid == 0


def test_valid_until_stops_before_the_next_due_date():
    q = make_quote()
    p = payoff_quote(plan_from_quote(q), on_time(q, 3), date(2026, 5, 12), make_terms())
    assert p.valid_until == date(2026, 5, 14)


@pytest.mark.parametrize(
    ("mode", "same_term"),
    [
        pytest.param("shorten_term", False, id="shorten-term-keeps-the-instalment"),
        pytest.param("lower_payment", True, id="lower-payment-keeps-the-end-date"),
    ],
)
def test_early_repayment_shortens_the_term_or_lowers_the_payment(mode, same_term):
    q = make_quote()
    plan = plan_from_quote(q)
    extra = PaymentEvent("extra", q.schedule[1].date, q.payment + D("30000.00"))
    events = [*on_time(q, 1), extra]
    s = fold(plan, events, q.schedule[1].date, make_terms(mode=mode, fee_rate="0.01"))
    a = s.allocations[-1]
    assert a.early_principal > 0 and a.prepayment_fee == round(a.early_principal * 0.01)
    if same_term:
        assert s.instalments[3] < plan.instalments[3]
    else:
        assert s.instalments[3] == plan.instalments[3]
    # Keep paying the (possibly lowered) instalments: shorten_term closes early.
    later = [
        PaymentEvent(f"k{k}", plan.due_dates[k], D(s.instalments[k]) / 100)
        for k in range(3, plan.count - 1)  # instalment 3 was paid ahead with the extra
    ]
    end = fold(plan, [*events, *later], plan.due_dates[-2], make_terms(mode=mode, fee_rate="0.01"))
    assert end.closed is (not same_term)


def test_reversal_undoes_a_payment_from_its_date_and_keeps_the_history():
    q = make_quote()
    plan = plan_from_quote(q)
    events = on_time(q, 2)
    bounce = PaymentEvent("r1", date(2026, 3, 20), kind=EventKind.REVERSAL, reverses="op2")
    before = fold(plan, [*events, bounce], date(2026, 3, 19), make_terms())
    after = fold(plan, [*events, bounce], date(2026, 3, 21), make_terms())
    assert status(before).days_past_due == 0
    assert after.reversed_ops == ["op2"] and status(after).days_past_due == 6
    # The fee is charged as if the payment had never been made.
    assert [c.instalment for c in after.fee_charges] == [2]


def test_reversal_arriving_before_its_payment_waits_for_it():
    q = make_quote()
    bounce = PaymentEvent("r1", date(2026, 2, 20), kind=EventKind.REVERSAL, reverses="op9")
    s = fold(plan_from_quote(q), [bounce, *on_time(q, 1)], date(2026, 2, 21))
    assert s.unmatched_reversals == ["op9"] and s.reversed_ops == []


def test_same_op_id_twice_changes_nothing_but_with_other_details_is_refused():
    q = make_quote()
    plan = plan_from_quote(q)
    once = fold(plan, on_time(q, 2), date(2026, 4, 1))
    twice = fold(plan, on_time(q, 2) * 2, date(2026, 4, 1))
    assert once.allocations == twice.allocations and once.principal == twice.principal
    clash = PaymentEvent("op1", date(2026, 2, 15), D("1.00"))
    with pytest.raises(InputError) as err:
        fold(plan, [*on_time(q, 2), clash], date(2026, 4, 1))
    assert (err.value.field, err.value.rule) == ("payments[2].op_id", "conflict")


def test_overpayment_after_the_loan_is_closed_is_owed_back():
    q = make_quote(count=1)
    pay = PaymentEvent("all", q.schedule[0].date, q.schedule[0].payment + D("10.00"))
    s = fold(plan_from_quote(q), [pay], q.schedule[0].date)
    assert s.closed and s.overpaid == 1000


def test_unpaid_loan_keeps_accruing_after_maturity_and_lands_in_90_plus():
    q = make_quote(count=3)
    s = fold(plan_from_quote(q), [], date(2026, 9, 1), make_terms())
    st = status(s)
    assert st.bucket is Bucket.D90_PLUS and st.risk.flag is RiskFlag.HIGH
    assert st.past_due_amount == s.principal + s.overdue_interest
    assert s.current_interest > 0


def test_reminders_list_overdue_notices_and_the_upcoming_due():
    q = make_quote()
    s = fold(plan_from_quote(q), on_time(q, 1), date(2026, 3, 17), make_terms())
    notes = reminders(s, days_before=3)
    assert [(r.kind, r.instalment, r.days) for r in notes] == [("overdue", 2, 2)]
    assert notes[0].late_fee_on == date(2026, 3, 19)
    s = fold(plan_from_quote(q), on_time(q, 2), date(2026, 4, 12), make_terms())
    assert [(r.kind, r.instalment, r.days) for r in reminders(s, days_before=3)] == [
        ("upcoming", 3, 3)
    ]


def test_level_plan_matches_the_quotes_plan():
    q = make_quote(first_payment_date=date(2026, 3, 1), count=36)
    fast = level_plan(10000000, D("0.069"), 36, LOAN_DATE, date(2026, 3, 1))
    slow = plan_from_quote(q)
    assert fast.instalments[:-1] == slow.instalments[:-1]
    assert (fast.due_dates, fast.odd_days, fast.period_rate) == (
        slow.due_dates,
        slow.odd_days,
        slow.period_rate,
    )


@pytest.mark.parametrize(
    ("event", "field", "rule"),
    [
        pytest.param(
            PaymentEvent("x", LOAN_DATE, D("0")), "payments[0].amount", "positive", id="zero-amount"
        ),
        pytest.param(
            PaymentEvent("", LOAN_DATE, D("1")), "payments[0].op_id", "required", id="no-op-id"
        ),
        pytest.param(
            PaymentEvent("x", LOAN_DATE, kind=EventKind.REVERSAL),
            "payments[0].reverses",
            "required",
            id="reversal-without-target",
        ),
    ],
)
def test_bad_events_are_refused_naming_the_field(event, field, rule):
    with pytest.raises(InputError) as err:
        fold(plan_from_quote(make_quote()), [event], date(2026, 3, 1))
    assert (err.value.field, err.value.rule) == (field, rule)


def test_paid_count_includes_instalments_paid_ahead_in_full_and_not_a_partial_one():
    q = make_quote()
    plan = plan_from_quote(q)
    first = q.schedule[0]
    early = [PaymentEvent("op1", LOAN_DATE, first.payment)]
    assert paid_count(fold(plan, early, LOAN_DATE)) == 1
    part = [PaymentEvent("op1", LOAN_DATE, first.payment - D("0.01"))]
    assert paid_count(fold(plan, part, LOAN_DATE)) == 0
    assert paid_count(fold(plan, on_time(q, 3), q.schedule[2].date)) == 3
    assert paid_count(fold(plan, on_time(q), q.schedule[-1].date)) == len(q.schedule)
    assert paid_count(fold(plan, [], q.schedule[1].date)) == 0  # two fell due, none paid


def test_recorded_events_the_engine_would_refuse_as_input_are_taken_as_it_can_fold_them():
    """A lender's records arrive by sync: the device shows them rather than refusing them."""
    plan = level_plan(10_000_000, D("0.069"), 12, LOAN_DATE)
    early = PaymentEvent("p1", date(2026, 1, 10), D("500.00"))  # before the loan date
    bounced = PaymentEvent("p2", date(2026, 2, 15), D("8648.07"))
    back_dated = PaymentEvent("r1", date(2026, 2, 1), kind=EventKind.REVERSAL, reverses="p2")
    recorded = [early, bounced, back_dated]
    as_of = date(2026, 3, 1)
    with pytest.raises(InputError):
        fold(plan, recorded, as_of)
    taken = as_recorded(recorded, LOAN_DATE)
    assert [(e.op_id, e.date) for e in taken] == [
        ("p1", LOAN_DATE),
        ("p2", bounced.date),
        ("r1", bounced.date),
    ]
    state = fold(plan, taken, as_of)
    assert state.allocations == fold(plan, [replace(early, date=LOAN_DATE)], as_of).allocations
    assert as_recorded([bounced], LOAN_DATE) == [bounced]  # what the engine takes, unchanged
