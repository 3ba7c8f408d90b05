"""Properties of the repayment fold over random loans and random payment streams."""

import random
from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.loans import FlatRate, LoanTerms, Method, quote
from domain.repayment_plan import level_plan, plan_from_quote
from domain.repayment_status import status
from domain.repayments import (
    EventKind,
    LateFeePolicy,
    PaymentEvent,
    PrepaymentMode,
    PrepaymentPolicy,
    Terms,
    fold,
    payoff_quote,
)

LOAN_DATE = date(2026, 1, 15)

loan_terms = st.builds(
    lambda principal, rate, count, odd, method: LoanTerms(
        cash_price=D(principal) / 100,
        down_payment=D("0.00"),
        loan_date=LOAN_DATE,
        count=count,
        annual_rate=D(rate) / 10000,
        method=method,
        first_payment_date=LOAN_DATE + timedelta(days=31 + odd) if odd else None,
    ),
    st.integers(100_000, 50_000_000),
    st.integers(0, 2400),
    st.integers(1, 60),
    st.integers(-12, 20),
    st.sampled_from([Method.LEVEL, Method.EQUAL_PRINCIPAL]),
)

#: 尾款 loans: level payments and a final balloon of 10-50% of the loan
balloon_terms = st.builds(
    lambda principal, rate, count, share: LoanTerms(
        cash_price=D(principal) / 100,
        down_payment=D("0.00"),
        loan_date=LOAN_DATE,
        count=count,
        annual_rate=D(rate) / 10000,
        method=Method.BALLOON,
        balloon_amount=(D(principal) * share / 10000).quantize(D("0.01")),
    ),
    st.integers(100_000, 50_000_000),
    st.integers(0, 2400),
    st.integers(3, 60),
    st.sampled_from([10, 25, 50]),
)
loan_terms = loan_terms | balloon_terms

policies = st.builds(
    lambda fee, grace, cap, rate, mode: Terms(
        LateFeePolicy(D(fee), grace, None if cap is None else D(cap)),
        PrepaymentPolicy(D(rate) / 1000, mode),
    ),
    st.sampled_from(["0", "30.00", "100.00"]),
    st.integers(0, 5),
    st.sampled_from([None, "200.00"]),
    st.integers(0, 50),
    st.sampled_from(list(PrepaymentMode)),
)


@st.composite
def streams(draw):
    q = quote(draw(loan_terms))
    n = len(q.schedule)
    events = []
    for k in range(draw(st.integers(0, 14))):
        row = q.schedule[draw(st.integers(0, n - 1))]
        day = row.date + timedelta(days=draw(st.integers(-20, 45)))
        day = max(day, LOAN_DATE)
        factor = draw(st.sampled_from(["1", "0.5", "1.5", "0.1", "3", "0.97"]))
        amount = max(D("0.01"), (row.payment * D(factor)).quantize(D("0.01")))
        events.append(PaymentEvent(f"p{k}", day, amount, "bank_transfer"))
    if events and draw(st.booleans()):
        target = draw(st.sampled_from(events))
        events.append(
            PaymentEvent(
                "rev",
                target.date + timedelta(days=3),
                kind=EventKind.REVERSAL,
                reverses=target.op_id,
            )
        )
    as_of = q.schedule[-1].date + timedelta(days=draw(st.integers(-400, 60)))
    return q, events, max(as_of, LOAN_DATE), draw(policies)


@settings(max_examples=80, deadline=None)
@given(streams())
def test_allocations_add_up_and_principal_never_goes_negative(case):
    q, events, as_of, terms = case
    plan = plan_from_quote(q)
    s = fold(plan, events, as_of, terms)
    for a in s.allocations:
        assert a.fees + a.interest + a.principal + a.overpayment == a.amount
        assert (
            min(
                a.fees,
                a.overdue_interest,
                a.current_interest,
                a.principal,
                a.overpayment,
                a.early_principal,
                a.prepayment_fee,
            )
            >= 0
        )
    assert s.principal == plan.principal - sum(a.principal for a in s.allocations)
    assert s.principal >= 0 and s.fees_due >= 0 and s.accrued_interest >= 0
    assert sum(a[2] for a in s.arrears) <= s.principal + s.overdue_interest
    if terms.late_fee.cap is not None:
        assert sum(c.amount for c in s.fee_charges) <= int(terms.late_fee.cap * 100)


@settings(max_examples=100, deadline=None)
@given(streams(), st.randoms(use_true_random=False))
def test_replaying_in_any_order_with_duplicates_gives_the_same_state(case, rnd):
    q, events, as_of, terms = case
    plan = plan_from_quote(q)
    replay = events + rnd.sample(events, k=len(events) // 2)
    rnd.shuffle(replay)
    a, b = fold(plan, events, as_of, terms), fold(plan, replay, as_of, terms)
    assert a.allocations == b.allocations
    assert status(a) == status(b)
    assert a.fee_charges == b.fee_charges


@settings(max_examples=80, deadline=None)
@given(streams(), st.integers(1, 10), st.integers(0, 9))
def test_paying_the_payoff_quote_closes_the_loan_at_zero(case, valid_days, pay_after):
    q, events, as_of, terms = case
    plan = plan_from_quote(q)
    if fold(plan, events, as_of, terms).closed:
        return
    kept = [e for e in events if e.date <= as_of]
    p = payoff_quote(plan, kept, as_of, terms, valid_days=valid_days)
    assert as_of <= p.valid_until <= as_of + timedelta(days=valid_days - 1)
    on = min(as_of + timedelta(days=pay_after), p.valid_until)
    pay = PaymentEvent("zz-payoff", on, D(p.amount) / 100)
    s = fold(plan, [*kept, pay], on, terms)
    assert s.closed, (s.principal, s.accrued_interest, s.fees_due)
    if on == p.valid_until:
        assert s.overpaid == fold(plan, kept, on, terms).overpaid


@settings(max_examples=80, deadline=None)
@given(
    loan_terms
    | st.builds(
        lambda principal, rate, count, per: LoanTerms(
            cash_price=D(principal) / 100,
            down_payment=D("0.00"),
            loan_date=LOAN_DATE,
            count=count,
            flat_rate=FlatRate(D(rate) / 10000, per),
        ),
        st.integers(100_000, 50_000_000),
        st.integers(0, 900),
        st.integers(1, 60),
        st.sampled_from(["year", "month"]),
    )
)
def test_a_loan_paid_exactly_on_schedule_ends_at_zero_on_its_last_due_date(terms):
    q = quote(terms)
    events = [PaymentEvent(f"{r.n:03}", r.date, r.payment) for r in q.schedule]
    s = fold(plan_from_quote(q), events, q.schedule[-1].date)
    assert s.closed and s.overpaid == 0
    assert [a.interest for a in s.allocations] == [int(r.interest * 100) for r in q.schedule]
    assert [a.principal for a in s.allocations] == [int(r.principal * 100) for r in q.schedule]


@settings(max_examples=100, deadline=None)
@given(loan_terms.filter(lambda t: t.method is Method.LEVEL))
def test_the_fast_level_plan_equals_the_quotes_plan(terms):
    slow = plan_from_quote(quote(terms))
    fast = level_plan(
        int(terms.cash_price * 100),
        terms.annual_rate,
        terms.count,
        terms.loan_date,
        terms.first_payment_date,
    )
    assert fast.instalments[:-1] == slow.instalments[:-1]
    assert (fast.principal, fast.due_dates, fast.period_rate, fast.odd_days) == (
        slow.principal,
        slow.due_dates,
        slow.period_rate,
        slow.odd_days,
    )


def test_random_portfolio_smoke_keeps_invariants():
    rnd = random.Random(7)
    for j in range(50):
        plan = level_plan(
            rnd.randint(1_000_000, 30_000_000), D(rnd.randint(0, 1500)) / 10000, 36, LOAN_DATE
        )
        events = [
            PaymentEvent(
                f"{j}-{k}", d + timedelta(days=rnd.randint(-3, 12)), D(plan.instalments[1]) / 100
            )
            for k, d in enumerate(plan.due_dates[:12])
        ]
        s = fold(plan, events, date(2027, 1, 20), Terms(LateFeePolicy(D("50"), 3)))
        assert s.principal == plan.principal - sum(a.principal for a in s.allocations)
