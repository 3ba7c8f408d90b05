"""The vectorised portfolio path (domain.repayment_portfolio) equals the exact fold, loan by
loan, on mixed portfolios."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InputError
from domain.loans import LoanTerms, Method, quote
from domain.repayment_fast import exact_status
from domain.repayment_plan import LevelLoan, level_plan, plan_from_quote
from domain.repayment_portfolio import PortfolioLoan, portfolio_status
from domain.repayments import LateFeePolicy, PrepaymentMode, PrepaymentPolicy, Terms

START = date(2025, 1, 1)

rates = st.one_of(
    st.integers(0, 2400).map(lambda r: D(r) / 10000),  # round ones give exact half cents
    st.sampled_from([D("0.06"), D("0.12"), D("0.0695"), D("0.0799"), D("0.0375")]),
)


def make_level(principal, rate, count, day, odd, as_terms):
    loan_date = START + timedelta(days=day)
    first = loan_date + timedelta(days=31 + odd) if odd else None
    if as_terms:  # the portfolio builds the plan only if it needs it
        return LevelLoan(principal, rate, count, loan_date, first)
    return level_plan(principal, rate, count, loan_date, first)


def plan_of(plan):
    return plan.plan() if isinstance(plan, LevelLoan) else plan


def make_quoted(principal, rate, count, day, method):
    terms = LoanTerms(
        cash_price=D(principal) / 100,
        down_payment=D("0.00"),
        loan_date=START + timedelta(days=day),
        count=count,
        annual_rate=rate,
        method=method,
    )
    return plan_from_quote(quote(terms))


plans = st.one_of(
    st.builds(
        make_level,
        st.integers(1_000, 30_000_000),
        rates,
        st.integers(2, 60),
        st.integers(0, 3) | st.integers(0, 40),  # shared loan dates make groups
        st.just(0) | st.integers(-12, 20),
        st.booleans(),
    ),
    st.builds(
        make_quoted,
        st.integers(100_000, 10_000_000),
        rates,
        st.integers(2, 36),
        st.integers(0, 3),
        st.sampled_from([Method.LEVEL, Method.EQUAL_PRINCIPAL]),
    ),
)

terms = st.builds(
    lambda fee, grace, penalty, fee_rate, mode: Terms(
        LateFeePolicy(D(fee), grace, None, D(penalty)),
        PrepaymentPolicy(D(fee_rate), PrepaymentMode(mode)),
    ),
    st.sampled_from(["0", "50.00"]),
    st.integers(0, 5),
    st.sampled_from(["0", "0.0005", "0.00033"]),
    st.sampled_from(["0", "0.02"]),
    st.sampled_from(["shorten_term", "lower_payment"]),
)

BEHAVIOURS = ["on_time", "on_time", "ahead", "stops", "late", "early", "partial", "extra"]


@st.composite
def loans(draw, as_of):
    """A loan in one of a servicer's behaviours, its payments up to around ``as_of``."""
    spec = draw(plans)
    plan = plan_of(spec)
    kind = draw(st.sampled_from([*BEHAVIOURS, "duplicate", "reversal", "future"]))
    dues = [d for d in plan.due_dates if d <= as_of]
    if kind == "stops":
        dues = dues[: draw(st.integers(0, len(dues)))]
    payments = [(f"s{k}", d, plan.instalments[k]) for k, d in enumerate(dues)]
    if kind == "ahead":  # every instalment paid 0-5 days early
        ahead = draw(st.lists(st.integers(0, 5), min_size=len(dues), max_size=len(dues)))
        payments = [
            (o, d - timedelta(days=a), c) for (o, d, c), a in zip(payments, ahead, strict=True)
        ]
    reversals = []
    if payments and kind in ("late", "early", "partial", "extra"):
        k = draw(st.integers(0, len(payments) - 1))
        op, day, amount = payments[k]
        if kind == "late":
            payments[k] = (op, day + timedelta(days=draw(st.integers(1, 40))), amount)
        elif kind == "early":
            payments[k] = (op, day - timedelta(days=draw(st.integers(1, 5))), amount)
        elif kind == "partial":
            payments[k] = (op, day, max(1, amount // 2))
        else:
            payments.append(("x", day + timedelta(days=3), draw(st.integers(1, 5_000_000))))
    elif payments and kind == "duplicate":
        payments.append(draw(st.sampled_from(payments)))
    elif payments and kind == "reversal":
        op, day, _ = draw(st.sampled_from(payments))
        reversals.append(("r", day + timedelta(days=1), op))
    elif kind == "future":
        payments.append(("f", as_of + timedelta(days=5), 100))
    payments = [(o, max(d, plan.loan_date), c) for o, d, c in payments]
    return PortfolioLoan(spec, payments, draw(terms), reversals)


@st.composite
def portfolios(draw):
    as_of = START + timedelta(days=draw(st.integers(40, 900)))  # after every loan date
    return draw(st.lists(loans(as_of), min_size=1, max_size=25)), as_of


def reference(loan, as_of):
    plan, payments, terms, reversals = loan
    return exact_status(plan_of(plan), payments, as_of, terms, reversals=reversals)


@settings(max_examples=200, deadline=None)
@given(portfolios())
def test_portfolio_status_equals_the_exact_fold_loan_by_loan(case):
    portfolio, as_of = case
    assert portfolio_status(portfolio, as_of).rows() == [reference(x, as_of) for x in portfolio]


def test_loans_paid_on_schedule_never_leave_the_vectorised_path():
    as_of = date(2025, 12, 31)
    portfolio = []
    for j in range(200):
        plan = level_plan(3_000_000 + 9_900 * j, D("0.0695"), 36, START + timedelta(days=j % 28))
        dues = [d for d in plan.due_dates if d <= as_of]
        paid = [(f"{j}-{k}", d, plan.instalments[k]) for k, d in enumerate(dues)]
        terms = Terms(LateFeePolicy(D("50.00"), 3, None, D("0.0005")))
        spec = LevelLoan(plan.principal, D("0.0695"), 36, plan.loan_date)
        portfolio.append(PortfolioLoan(spec if j % 2 else plan, paid, terms))
    result = portfolio_status(portfolio, as_of)
    assert result.rows() == [reference(x, as_of) for x in portfolio]
    assert result.fallback == 0
    assert {s.status for s in result.rows()} == {"current"}


def test_buyers_who_pay_a_few_days_early_stay_on_the_vectorised_path():
    as_of = date(2025, 12, 31)
    portfolio = []
    for j in range(100):
        plan = level_plan(5_000_000 + 12_345 * j, D("0.0499"), 24, START + timedelta(days=j % 20))
        paid = [
            (f"{j}-{k}", d - timedelta(days=1 + (j + k) % 3), plan.instalments[k])
            for k, d in enumerate(plan.due_dates)
            if d <= as_of
        ]
        portfolio.append(PortfolioLoan(plan, paid))
    result = portfolio_status(portfolio, as_of)
    assert result.rows() == [reference(x, as_of) for x in portfolio]
    assert result.fallback == 0
    assert all(s.accrued_interest > 0 for s in result.rows())


@pytest.mark.parametrize(
    ("principal", "rate", "vectorised"),
    [
        # 120.00 × 6.95% / 12 is 69.5 cents exactly; the fold's 40-digit monthly rate is
        # rounded up, so its product rounds up too, as the exact fraction does.
        pytest.param(12_000, D("0.0695"), True, id="decimal-rate-above-the-fraction"),
        # 600.00 × 7.99% / 12 is 399.5 cents exactly; the fold's rate is rounded down: only
        # its own Decimal steps can say which way it goes.
        pytest.param(60_000, D("0.0799"), False, id="decimal-rate-below-the-fraction"),
    ],
)
def test_a_period_interest_of_exactly_half_a_cent(principal, rate, vectorised):
    plan = level_plan(principal, rate, 12, START)
    as_of = plan.due_dates[0]
    loan = PortfolioLoan(plan, [("a", as_of, plan.instalments[0])])
    result = portfolio_status([loan], as_of)
    assert result.rows() == [reference(loan, as_of)]
    assert result.fallback == (0 if vectorised else 1)


def test_an_exact_half_cent_is_handed_to_the_per_loan_path_and_agrees():
    # 101.00 at 6%: the first month's interest is exactly 50.5 cents (a tie the Decimal fold
    # rounds half up); mid-period the pro-rata accrual ties are handed on.
    plan = level_plan(10_100, D("0.06"), 3, START)
    as_of = plan.due_dates[0] + timedelta(days=14)
    loan = PortfolioLoan(plan, [("a", plan.due_dates[0], plan.instalments[0])])
    assert portfolio_status([loan], as_of).rows() == [reference(loan, as_of)]


@pytest.mark.parametrize(
    ("payments", "field", "rule"),
    [
        pytest.param([("", START, 100)], "payments[0].op_id", "required", id="no-op"),
        pytest.param([("a", START, 0)], "payments[0].amount", "positive", id="zero"),
        pytest.param(
            [("a", START, 100), ("a", START, 200)], "payments[1].op_id", "conflict", id="conflict"
        ),
    ],
)
def test_bad_input_in_one_loan_is_refused_as_the_fold_refuses_it(payments, field, rule):
    plan = level_plan(1_000_000, D("0.05"), 12, START)
    good = PortfolioLoan(plan, [])
    with pytest.raises(InputError) as err:
        portfolio_status([good, PortfolioLoan(plan, payments)], START)
    assert (err.value.field, err.value.rule) == (field, rule)


def test_a_level_loan_with_bad_terms_is_refused_as_level_plan_refuses_it():
    with pytest.raises(InputError) as err:
        portfolio_status([PortfolioLoan(LevelLoan(0, D("0.05"), 12, START), [])], START)
    assert (err.value.field, err.value.rule) == ("principal", "positive")
