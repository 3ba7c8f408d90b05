"""The loan engine: standards.md §1–2 vectors and the invariants every schedule keeps."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.dates import Frequency
from domain.errors import InputError
from domain.loans import Fee, FlatRate, LoanTerms, Method, quote

LOAN_DATE = date(2026, 1, 15)


def terms(**overrides) -> LoanTerms:
    base = dict(
        cash_price=D("25000.00"),
        down_payment=D("0.00"),
        loan_date=LOAN_DATE,
        count=60,
        annual_rate=D("0.069"),
    )
    base.update(overrides)
    return LoanTerms(**base)


def test_vector_a_level_payment_and_apr_equal_note_rate():
    q = quote(terms())
    assert q.payment == D("493.85")
    assert q.apr_percent == D("6.90")
    # 60 × 493.85 = 29,631.00 would leave 0.10 unpaid: the last payment absorbs it.
    assert q.last_payment == D("493.95")
    assert q.total_of_payments == D("29631.10")
    assert q.finance_charge == D("4631.10")


def test_vector_b_prepaid_fee_raises_apr_above_note_rate():
    fee = Fee("手续费", D("400.00"), financed=True, prepaid_finance_charge=True)
    q = quote(terms(cash_price=D("24600.00"), fees=(fee,)))
    assert q.principal == D("25000.00")
    assert q.amount_financed == D("24600.00")
    assert q.finance_charge == D("5031.10")
    assert q.apr_percent == D("7.58")
    assert abs(q.apr - D("0.075")) < D("0.00125")  # 7.50% would be a fair disclosure
    assert not abs(q.apr - D("0.0745")) < D("0.00125")  # 7.45% would not


def test_numpy_financial_reference_schedule_to_the_cent():
    q = quote(terms(cash_price=D("200000.00"), annual_rate=D("0.048")))
    assert [r.payment for r in q.schedule[:59]] == [D("3755.95")] * 59
    assert q.last_payment == D("3755.85")
    assert q.total_of_payments == D("225356.90")


FLAT = [
    pytest.param(
        D("0"), "year", 36, D("9000.00"), D("3027.78"), D("5.68"), id="zero-interest-9pct-fee"
    ),
    pytest.param(D("0.03"), "year", 12, D("0"), D("8583.33"), D("5.49"), id="3pct-flat-12m"),
    pytest.param(D("0.04"), "year", 36, D("0"), D("3111.11"), D("7.51"), id="4pct-flat-36m"),
    pytest.param(D("0.0499"), "year", 36, D("0"), D("3193.61"), D("9.29"), id="4.99pct-flat-36m"),
    pytest.param(D("0.0035"), "month", 36, D("0"), D("3127.78"), D("7.87"), id="monthly-0.35pct"),
    pytest.param(D("0.05"), "year", 60, D("0"), D("2083.33"), D("9.15"), id="5pct-flat-60m"),
]


@pytest.mark.parametrize(("rate", "per", "months", "fee", "payment", "apr"), FLAT)
def test_flat_rate_quotes_disclose_their_true_apr(rate, per, months, fee, payment, apr):
    fees = (Fee("手续费", fee, financed=True, prepaid_finance_charge=True),) if fee else ()
    q = quote(
        terms(
            cash_price=D("100000.00"),
            annual_rate=None,
            flat_rate=FlatRate(rate, per),
            count=months,
            fees=fees,
        )
    )
    assert q.payment == payment
    assert q.apr_percent == apr
    assert q.amount_financed == D("100000.00")
    assert q.totals.interest == q.finance_charge


def test_equal_principal_schedule_repays_the_same_principal_each_month():
    q = quote(terms(cash_price=D("120000.00"), count=36, method=Method.EQUAL_PRINCIPAL))
    assert {r.principal for r in q.schedule[:-1]} == {D("3333.33")}
    assert q.schedule[0].payment > q.schedule[-1].payment
    assert q.apr_percent == D("6.90")


def test_balloon_loan_ends_with_the_balloon():
    q = quote(
        terms(
            cash_price=D("200000.00"),
            down_payment=D("60000.00"),
            count=36,
            method=Method.BALLOON,
            balloon_amount=D("60000.00"),
            annual_rate=D("0.048"),
        )
    )
    assert q.last_payment - q.payment > D("59990")
    assert q.schedule[-2].balance > D("60000")
    assert q.apr_percent == D("4.80")


def test_odd_first_period_adds_odd_days_interest_to_the_first_payment():
    regular = quote(terms(count=48, cash_price=D("20000.00"), annual_rate=D("0.07")))
    odd = quote(
        terms(
            count=48,
            cash_price=D("20000.00"),
            annual_rate=D("0.07"),
            first_payment_date=date(2026, 3, 1),
        )
    )
    assert odd.schedule[0].interest - regular.schedule[0].interest == D(
        "62.22"
    )  # 16 odd days (Jan 15 → Feb 1), 30/360
    assert odd.payment == regular.payment
    assert odd.apr_percent == D("6.99")  # true APR stays at the note rate (within rounding)


def test_month_end_loans_keep_month_end_due_dates():
    q = quote(terms(loan_date=date(2026, 1, 31), count=3))
    assert [r.date for r in q.schedule] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


@pytest.mark.parametrize(
    ("loan_date", "expected"),
    [
        pytest.param(date(2026, 1, 28), [date(2026, 2, 28), date(2026, 3, 28)], id="28th"),
        pytest.param(date(2026, 3, 30), [date(2026, 4, 30), date(2026, 5, 30)], id="30th"),
        pytest.param(date(2026, 1, 30), [date(2026, 2, 28), date(2026, 3, 30)], id="30th-feb"),
    ],
)
def test_due_dates_keep_the_loan_day_even_when_it_is_a_month_end(loan_date, expected):
    q = quote(terms(loan_date=loan_date, count=2))
    assert [r.date for r in q.schedule] == expected
    assert q.apr_percent == D("6.90")


@pytest.mark.parametrize("frequency", list(Frequency), ids=lambda f: f.value)
def test_every_frequency_amortises_to_zero_at_the_note_rate(frequency):
    q = quote(terms(count=24, frequency=frequency))
    assert q.schedule[-1].balance == 0
    assert abs(q.apr - D("0.069")) < D("0.0001")


def test_yearly_subtotals_add_up_to_the_totals():
    q = quote(terms())
    assert len(q.yearly) == 5
    assert sum(y.payment for y in q.yearly) == q.totals.payment
    assert q.yearly[-1].closing_balance == 0


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        pytest.param({"count": 0}, "term_months", "at_least_one", id="zero-term"),
        pytest.param({"down_payment": D("-1")}, "down_payment", "not_negative", id="negative-down"),
        pytest.param(
            {"down_payment": D("25000")}, "down_payment", "below_price", id="down-covers-price"
        ),
        pytest.param(
            {"first_payment_date": date(2026, 1, 1)},
            "first_payment_date",
            "after_loan_date",
            id="first-payment-before-loan",
        ),
        pytest.param({"annual_rate": None}, "annual_rate", "one_rate", id="no-rate"),
        pytest.param(
            {"method": Method.BALLOON}, "balloon_amount", "positive", id="balloon-missing"
        ),
    ],
)
def test_bad_terms_name_the_field_and_rule(overrides, field, rule):
    with pytest.raises(InputError) as info:
        quote(terms(**overrides))
    assert (info.value.field, info.value.rule) == (field, rule)


amounts = st.integers(min_value=100_000, max_value=100_000_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=3000).map(lambda bp: D(bp) / 10000)
counts = st.integers(min_value=1, max_value=96)
methods = st.sampled_from([Method.LEVEL, Method.EQUAL_PRINCIPAL])


@settings(max_examples=150, deadline=None)
@given(amounts, rates, counts, methods, st.integers(min_value=0, max_value=40))
def test_schedule_invariants(price, rate, count, method, odd_days):
    first = date(2026, 2, 15).toordinal() + odd_days - 20
    q = quote(
        terms(
            cash_price=price,
            annual_rate=rate,
            count=count,
            method=method,
            first_payment_date=date.fromordinal(max(first, LOAN_DATE.toordinal() + 1)),
        )
    )
    assert q.totals.principal == q.amount_financed
    assert q.schedule[-1].balance == 0
    assert all(r.balance >= 0 for r in q.schedule)
    assert q.total_of_payments == q.amount_financed + q.finance_charge
    assert q.totals.interest == q.finance_charge


@settings(max_examples=100, deadline=None)
@given(amounts, rates, st.integers(min_value=2, max_value=96))
def test_payment_rises_with_rate_and_falls_with_term(price, rate, count):
    q = quote(terms(cash_price=price, annual_rate=rate, count=count))
    assert (
        quote(terms(cash_price=price, annual_rate=rate + D("0.01"), count=count)).payment
        >= q.payment
    )
    assert quote(terms(cash_price=price, annual_rate=rate, count=count + 1)).payment <= q.payment


@settings(max_examples=100, deadline=None)
@given(
    amounts,
    rates.filter(lambda r: r > 0),
    st.integers(min_value=6, max_value=84),
    st.integers(min_value=100, max_value=500),
)
def test_prepaid_finance_charges_push_apr_above_note_rate(price, rate, count, fee_bp):
    fee = (price * fee_bp / 10000).quantize(D("0.01"))
    assume(fee >= D("1.00"))
    q = quote(
        terms(
            cash_price=price,
            annual_rate=rate,
            count=count,
            fees=(Fee("fee", fee, financed=True, prepaid_finance_charge=True),),
        )
    )
    assert q.apr > rate


@settings(max_examples=100, deadline=None)
@given(
    amounts,
    st.integers(min_value=1, max_value=1000).map(lambda bp: D(bp) / 10000),
    st.integers(min_value=2, max_value=84),
)
def test_flat_rate_apr_exceeds_its_flat_rate(price, flat, count):
    q = quote(terms(cash_price=price, annual_rate=None, flat_rate=FlatRate(flat), count=count))
    assert q.apr > flat
    assert q.schedule[-1].balance == 0
