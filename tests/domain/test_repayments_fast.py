"""The portfolio fast path (domain.repayment_fast) equals the exact fold, loan by loan."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import repayment_fast, repayment_plan
from domain.errors import InputError
from domain.loans import FlatRate, LoanTerms, Method, quote
from domain.repayment_fast import exact_status, loan_status
from domain.repayment_plan import _level_payment, level_plan, plan_from_quote
from domain.repayments import LateFeePolicy, PrepaymentMode, PrepaymentPolicy, Terms

LOAN_DATE = date(2026, 1, 15)


def make_terms(fee="50.00", grace=3, cap=None, fee_rate="0", mode="shorten_term"):
    return Terms(
        LateFeePolicy(D(fee), grace, None if cap is None else D(cap)),
        PrepaymentPolicy(D(fee_rate), PrepaymentMode(mode)),
    )


plans = st.one_of(
    st.builds(
        lambda principal, rate, count, odd, method: plan_from_quote(
            quote(
                LoanTerms(
                    cash_price=D(principal) / 100,
                    down_payment=D("0.00"),
                    loan_date=LOAN_DATE,
                    count=count,
                    annual_rate=rate,
                    method=method,
                    first_payment_date=LOAN_DATE + timedelta(days=31 + odd) if odd else None,
                )
            )
        ),
        st.integers(100_000, 50_000_000),
        # round rates give exact half-cent ties; odd ones need all 40 digits
        st.one_of(
            st.integers(0, 2400).map(lambda r: D(r) / 10000),
            st.sampled_from([D("0.06"), D("0.12"), D("0.0699"), D("0.07")]),
        ),
        st.integers(1, 48),
        st.integers(-12, 20),
        st.sampled_from([Method.LEVEL, Method.EQUAL_PRINCIPAL]),
    ),
    st.builds(
        lambda principal, rate, count: level_plan(
            principal * 100, D(rate) / 10000, count, LOAN_DATE
        ),
        st.integers(1_000, 500_000),
        st.sampled_from([0, 500, 600, 690, 1200]),
        st.integers(2, 36),
    ),
)

policies = st.builds(
    lambda terms, allowed, lockout, fee_free: Terms(
        terms.late_fee,
        PrepaymentPolicy(
            terms.prepayment.fee_rate, terms.prepayment.mode, allowed, lockout, fee_free
        ),
    ),
    st.builds(
        make_terms,
        st.sampled_from(["0", "30.00", "50.00"]),
        st.integers(0, 5),
        st.sampled_from([None, "80.00"]),
        st.sampled_from(["0", "0.02", "0.035", "0.001"]),
        st.sampled_from(["shorten_term", "lower_payment"]),
    ),
    st.booleans() | st.just(True),
    st.sampled_from([0, 0, 3]),
    st.sampled_from([None, None, 6]),
)


@st.composite
def portfolios(draw):
    """A plan, payments as (op_id, date, cents) — on-schedule runs, late, partial, early,
    extra and duplicated ones — a policy and a status date."""
    plan = draw(plans)
    n = plan.count
    payments = []
    on_schedule = draw(st.integers(0, n))
    for k in range(on_schedule):  # the common case the fast path shortcuts
        payments.append((f"s{k:03}", plan.due_dates[k], plan.instalments[k]))
    for k in range(draw(st.integers(0, 8))):
        j = draw(st.integers(0, n - 1))
        day = max(LOAN_DATE, plan.due_dates[j] + timedelta(days=draw(st.integers(-20, 45))))
        factor = draw(st.sampled_from([1, 0.5, 1.5, 0.1, 3, 0.97, 20]))
        payments.append((f"p{k}", day, max(1, int(plan.instalments[min(j, n - 2)] * factor))))
    if payments and draw(st.booleans()):
        payments.append(draw(st.sampled_from(payments)))  # a duplicate changes nothing
    as_of = plan.due_dates[-1] + timedelta(days=draw(st.integers(-500, 90)))
    return plan, payments, max(as_of, LOAN_DATE), draw(policies)


@settings(max_examples=300, deadline=None)
@given(portfolios())
def test_fast_status_equals_the_exact_fold(case):
    plan, payments, as_of, terms = case
    assert loan_status(plan, payments, as_of, terms) == exact_status(plan, payments, as_of, terms)


penalties = st.sampled_from([D("0.0005"), D("0.001"), D("0.00033"), D("0.0007123456789")])


@settings(max_examples=300, deadline=None)
@given(portfolios(), penalties)
def test_fast_status_with_a_daily_penalty_equals_the_exact_fold(case, penalty):
    plan, payments, as_of, terms = case
    late = terms.late_fee
    terms = Terms(LateFeePolicy(late.amount, late.grace_days, late.cap, penalty), terms.prepayment)
    assert loan_status(plan, payments, as_of, terms) == exact_status(plan, payments, as_of, terms)


def test_a_daily_penalty_is_computed_without_the_fold(monkeypatch):
    # The first instalment unpaid 12 days past its 3 grace days at 0.05%/day; the fast path
    # answers by itself (the fold is not reachable).
    plan = level_plan(10_000_000, D("0.06"), 12, LOAN_DATE)
    terms = Terms(LateFeePolicy(D("0"), 3, None, D("0.0005")))
    as_of = plan.due_dates[0] + timedelta(days=15)
    expected = exact_status(plan, [], as_of, terms)
    monkeypatch.setattr(repayment_fast, "exact_status", None)
    fast = loan_status(plan, [], as_of, terms)
    assert fast == expected
    assert fast.fees_due == (plan.instalments[0] * 12 * 5 + 5000) // 10000


@settings(max_examples=60, deadline=None)
@given(portfolios(), st.data())
def test_reversals_fall_back_to_the_fold_and_agree(case, data):
    plan, payments, as_of, terms = case
    if not payments:
        return
    target = data.draw(st.sampled_from(payments))
    reversal = ("rev", target[1] + timedelta(days=2), target[0])
    fast = loan_status(plan, payments, as_of, terms, reversals=[reversal])
    assert fast == exact_status(plan, payments, as_of, terms, reversals=[reversal])


def test_flat_rate_plans_fall_back_to_the_fold_and_agree():
    q = quote(
        LoanTerms(
            cash_price=D("100000.00"),
            down_payment=D("0.00"),
            loan_date=LOAN_DATE,
            count=12,
            flat_rate=FlatRate(D("0.035"), "year"),
        )
    )
    plan = plan_from_quote(q)
    payments = [(f"p{r.n}", r.date, int(r.payment * 100)) for r in q.schedule[:5]]
    as_of = date(2026, 9, 1)
    assert loan_status(plan, payments, as_of) == exact_status(plan, payments, as_of)


def test_an_exact_half_cent_is_rounded_the_folds_way(monkeypatch):
    # 101.00 at 6%: the first month's interest is 50.5 cents exactly, a tie the fast path
    # hands to the fold's Decimal arithmetic.
    plan = level_plan(10_100, D("0.06"), 2, LOAN_DATE)
    calls = []
    original = repayment_fast._decimal_cents

    def spy(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(repayment_fast, "_decimal_cents", spy)
    as_of = plan.due_dates[0]
    assert loan_status(plan, [], as_of) == exact_status(plan, [], as_of)
    assert calls
    assert loan_status(plan, [], as_of).accrued_interest == 51  # 50.5 rounds half up


@pytest.mark.parametrize(
    ("payments", "as_of", "field", "rule"),
    [
        pytest.param(
            [("", LOAN_DATE, 100)], LOAN_DATE, "payments[0].op_id", "required", id="no-op"
        ),
        pytest.param([("a", LOAN_DATE, 0)], LOAN_DATE, "payments[0].amount", "positive", id="zero"),
        pytest.param(
            [("a", LOAN_DATE, 100), ("a", LOAN_DATE, 200)],
            LOAN_DATE,
            "payments[1].op_id",
            "conflict",
            id="same-op-other-amount",
        ),
        pytest.param([], LOAN_DATE - timedelta(days=1), "as_of", "after_loan_date", id="as-of"),
        pytest.param(
            [("a", LOAN_DATE - timedelta(days=1), 100)],
            LOAN_DATE,
            "payments.date",
            "after_loan_date",
            id="paid-before-loan",
        ),
    ],
)
def test_bad_input_is_refused_as_the_fold_refuses_it(payments, as_of, field, rule):
    plan = level_plan(1_000_000, D("0.05"), 12, LOAN_DATE)
    with pytest.raises(InputError) as fast:
        loan_status(plan, payments, as_of)
    with pytest.raises(InputError) as exact:
        exact_status(plan, payments, as_of)
    assert (fast.value.field, fast.value.rule) == (exact.value.field, exact.value.rule)
    assert (fast.value.field, fast.value.rule) == (field, rule)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 10**12),
    st.integers(1, 3600).map(lambda r: D(r) / 10000) | st.sampled_from([D("0.0695")]),
    st.integers(1, 120),
)
def test_the_integer_level_payment_equals_the_decimal_one(principal, rate, count):
    plan = level_plan(principal, rate, count, LOAN_DATE)
    assert plan.instalments[-1] == _level_payment(principal, plan.period_rate, count, 0)


def test_a_level_payment_near_a_half_cent_is_decided_by_the_decimal_steps(monkeypatch):
    # 1.00 at 6% for one month: 100 × 1.005 is 100.5 cents to within 1e-37, a near tie.
    calls = []
    original = repayment_plan.cents_round

    def spy(value):
        calls.append(value)
        return original(value)

    monkeypatch.setattr(repayment_plan, "cents_round", spy)
    plan = level_plan(100, D("0.06"), 1, LOAN_DATE)
    assert plan.instalments == (_level_payment(100, plan.period_rate, 1, 0),) == (101,)
    assert calls
