"""quote_fast (domain.quote_fast) equals the engine's quote() field by field, to the digit."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import InputError, NoSolutionError
from domain.loans import Fee, FlatRate, LoanTerms, Method, Quote, quote
from domain.quote_fast import _FastQuote, quote_fast

C = D("0.01")
FIGURES = [name for name in Quote.__dataclass_fields__ if name not in ("schedule", "yearly")]

fees = st.lists(
    st.builds(
        Fee,
        name=st.just("fee"),
        amount=st.integers(0, 500_000).map(lambda c: D(c) / 100),
        financed=st.booleans(),
        prepaid_finance_charge=st.booleans(),
    ),
    max_size=3,
).map(tuple)

rates = st.one_of(
    st.integers(0, 3600).map(lambda bp: D(bp) / 10000),  # round rates: exact half-cent ties
    st.sampled_from([D("0"), D("0.0788"), D("0.0699"), D("0.12"), D("0.0349")]),
)


@st.composite
def loan_terms(draw):
    price = D(draw(st.integers(1_000_00, 900_000_00))) / 100
    down = (price * draw(st.integers(0, 90)) / 100).quantize(C)
    trade = D(draw(st.sampled_from([0, 0, 500_00, 12_345_67]))) / 100
    loan_date = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 800)))
    kind = draw(st.sampled_from(["level", "level", "balloon", "flat", "equal_principal"]))
    annual, flat, balloon, method = None, None, D("0.00"), Method.LEVEL
    if kind == "flat":
        per = draw(st.sampled_from(["year", "month"]))
        flat = FlatRate(draw(rates) / (12 if per == "month" else 2), per)
    else:
        annual = draw(rates)
        if kind == "balloon":
            method = Method.BALLOON
            balloon = (price * draw(st.integers(0, 60)) / 100).quantize(C)
        elif kind == "equal_principal":
            method = Method.EQUAL_PRINCIPAL
    first = None
    if draw(st.booleans()):
        first = loan_date + timedelta(days=draw(st.integers(1, 60)))
    return LoanTerms(
        cash_price=price,
        down_payment=down,
        trade_in=trade,
        loan_date=loan_date,
        count=draw(st.one_of(st.sampled_from([12, 24, 36, 48, 60]), st.integers(1, 84))),
        annual_rate=annual,
        flat_rate=flat,
        method=method,
        balloon_amount=balloon,
        fees=draw(fees),
        first_payment_date=first,
    )


def _same(fast: Quote, exact: Quote) -> None:
    for name in FIGURES:
        a, b = getattr(fast, name), getattr(exact, name)
        assert (a, str(a)) == (b, str(b)), name  # equal value and the same digits
    assert fast.last_payment == exact.last_payment
    assert fast.schedule == exact.schedule and fast.yearly == exact.yearly
    assert fast == exact and exact == fast and hash(fast) == hash(exact)


APR_BEYOND_BRACKET = LoanTerms(
    cash_price=D("1000"),
    down_payment=D("0.00"),
    loan_date=date(2026, 1, 1),
    count=1,
    annual_rate=D("0"),
    fees=(Fee("fee", D("250.01"), financed=False, prepaid_finance_charge=True),),
    first_payment_date=date(2026, 1, 2),
)


@settings(max_examples=400, deadline=None)
@given(terms=loan_terms())
@example(terms=APR_BEYOND_BRACKET)
def test_quote_fast_equals_the_engine_field_by_field(terms):
    try:
        exact = quote(terms)
    except InputError as e:
        with pytest.raises(InputError) as got:
            quote_fast(terms)
        assert (got.value.field, got.value.rule) == (e.field, e.rule)
        return
    except NoSolutionError:  # e.g. a prepaid charge repaid within days: APR beyond 1000%
        with pytest.raises(NoSolutionError):
            quote_fast(terms)
        return
    fast = quote_fast(terms)
    # the figures are read before the schedule is (which builds it with the engine)
    assert fast.last_payment == exact.last_payment
    _same(fast, exact)


@pytest.mark.parametrize(
    ("rate", "flat", "method", "balloon"),
    [
        (D("0.0788"), None, Method.LEVEL, D("0")),
        (D("0"), None, Method.LEVEL, D("0")),
        (D("0.0599"), None, Method.BALLOON, D("60000.00")),
        (None, FlatRate(D("0.0035"), "month"), Method.LEVEL, D("0")),
        (None, FlatRate(D("0"), "year"), Method.LEVEL, D("0")),
    ],
)
@pytest.mark.parametrize("loan_date", [date(2026, 11, 28), date(2026, 1, 31), date(2027, 2, 28)])
def test_the_common_quotes_take_the_fast_path_and_equal_the_engine(
    rate, flat, method, balloon, loan_date
):
    terms = LoanTerms(
        cash_price=D("200000.00"),
        down_payment=D("60000.00"),
        loan_date=loan_date,
        count=36,
        annual_rate=rate,
        flat_rate=flat,
        method=method,
        balloon_amount=balloon,
        fees=(Fee("手续费", D("1500.00"), financed=True, prepaid_finance_charge=True),),
    )
    fast = quote_fast(terms)
    assert isinstance(fast, _FastQuote)
    assert "schedule" not in vars(fast)  # not built until read
    _same(fast, quote(terms))


def test_a_replaced_fast_quote_reads_its_last_payment_from_its_schedule():
    from dataclasses import replace

    terms = LoanTerms(D("100000.00"), D("20000.00"), date(2026, 3, 5), 24, annual_rate=D("0.05"))
    fast = quote_fast(terms)
    assert replace(fast, apr=fast.apr).last_payment == quote(terms).last_payment
