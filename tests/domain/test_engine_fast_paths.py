"""The engine's fast paths give exactly what the general code gives (same digits, same groups).

- ``loans._flow_groups`` over ``loans._date_runs`` (the payments' Appendix J times cut once per
  schedule shape) equals ``apr.group_flows`` over ``dates.unit_periods_between`` row by row;
- ``apr._pv`` (annuities and 1 + f·i reused within a sum, products and quotients by one left
  out) equals the plain present-value formula to the last digit.
"""

from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.apr import FlowGroup, _prepare, _pv, group_flows
from domain.dates import Frequency, add_periods, payment_dates, unit_periods_between
from domain.loans import _date_runs, _flow_groups

D = Decimal
SETTINGS = settings(max_examples=150, deadline=None)

days = st.integers(min_value=0, max_value=2000).map(lambda n: date(2024, 1, 1) + timedelta(n))
amounts = st.sampled_from([D("100.00"), D("100.01"), D("2500.50"), D("0.00")])


@SETTINGS
@given(
    loan_date=days,
    extra_days=st.integers(min_value=0, max_value=40),
    frequency=st.sampled_from(list(Frequency)),
    count=st.integers(min_value=1, max_value=84),
    data=st.data(),
)
def test_flow_groups_from_date_runs_equal_group_flows(
    loan_date, extra_days, frequency, count, data
):
    first_due = add_periods(loan_date, frequency, 1) + timedelta(days=extra_days)
    day = first_due.day
    dates = payment_dates(first_due, frequency, count, day)
    # mostly one amount, with a different first and last and a few changes in between
    base = data.draw(amounts)
    payments = [base] * count
    for k in data.draw(st.lists(st.integers(min_value=0, max_value=count - 1), max_size=4)):
        payments[k] = data.draw(amounts)
    runs = _date_runs(loan_date, first_due, frequency, count, day)
    times = [unit_periods_between(loan_date, d, frequency, day) for d in dates]
    flows = [(p, *tf) for p, tf in zip(payments, times, strict=True)]
    if runs is None:  # t does not increase: the general code sorts, the fast path stands aside
        assert any(a[1] >= b[1] for a, b in pairwise(flows))
        return
    assert _flow_groups(payments, runs) == group_flows(flows)


def _plain_present_value(groups, i):
    """The formula as first written (the reference the fast sum must equal digit for digit)."""
    one = Decimal(1)
    total = Decimal(0)
    if i == 0:
        return sum((g.amount * g.count for g in groups), Decimal(0))
    v = one / (one + i)
    for g in groups:
        annuity = (one - v**g.count) / i * (one + i) if g.count > 1 else one
        f = Decimal(g.f.numerator) / Decimal(g.f.denominator)
        total += g.amount * annuity * v**g.t / (one + f * i if f else one)
    return total


groups = st.lists(
    st.builds(
        FlowGroup,
        amount=st.integers(min_value=0, max_value=10**8).map(lambda n: D(n).scaleb(-2)),
        t=st.integers(min_value=0, max_value=120),
        f=st.sampled_from([Fraction(0), Fraction(1, 15), Fraction(19, 30), Fraction(3, 7)]),
        count=st.integers(min_value=1, max_value=60),
    ),
    min_size=1,
    max_size=12,
)


@SETTINGS
@given(
    groups=groups,
    i=st.one_of(
        st.just(D(0)),
        st.integers(min_value=-9000, max_value=90000).map(lambda n: D(n) / D(10**6) / 3),
    ),
)
def test_fast_present_value_equals_the_plain_formula_digit_for_digit(groups, i):
    with localcontext() as ctx:
        ctx.prec = 40
        fast, plain = _pv(_prepare(groups), i), _plain_present_value(groups, i)
    assert str(fast) == str(plain)
