from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InputError
from domain.money import from_cents, money, parse_money, to_cents


def test_large_amount_round_trips_through_cents_exactly():
    amount = Decimal("123456789012345678.91")
    assert from_cents(to_cents(amount)) == amount


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_cents_round_trip_is_exact(cents):
    assert to_cents(from_cents(cents)) == cents


def test_money_rounds_half_up_to_the_cent():
    assert money(Decimal("2.345")) == Decimal("2.35")
    assert money(Decimal("-2.345")) == Decimal("-2.35")


def test_money_refuses_float():
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        pytest.param(None, "required", id="missing"),
        pytest.param("abc", "not_a_number", id="not-a-number"),
        pytest.param("-1.00", "not_negative", id="negative"),
        pytest.param("1.234", "max_two_decimals", id="three-decimals"),
        pytest.param(12.5, "amount_as_string", id="json-float"),
        pytest.param("NaN", "not_a_number", id="nan"),
        pytest.param("1e400", "not_a_number", id="exponent-notation"),
        pytest.param("1000000000000.01", "at_most", id="over-a-trillion"),
        pytest.param("-1000000000000.01", "at_most", id="hugely-negative"),
        pytest.param("12,5", "not_a_number", id="a-comma-for-a-point"),
        pytest.param("1,2,3", "not_a_number", id="commas-not-between-thousands"),
        pytest.param("1_000", "not_a_number", id="underscores"),
    ],
)
def test_parse_money_names_field_and_rule(raw, rule):
    with pytest.raises(InputError) as info:
        parse_money(raw, "deal.down_payment")
    assert info.value.field == "deal.down_payment"
    assert info.value.rule == rule


def test_parse_money_accepts_integers_and_strings():
    assert parse_money("1,234.5", "x") == Decimal("1234.50")
    assert parse_money(7, "x") == Decimal("7.00")
    assert parse_money("1000000000000", "x") == Decimal("1000000000000.00")


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        pytest.param("1,234,567.50", "1234567.50", id="thousands-separators"),
        pytest.param("１２３４．５", "1234.50", id="full-width-as-an-input-method-types-them"),
        pytest.param(" 99 ", "99.00", id="spaces-around"),
    ],
)
def test_parse_money_reads_amounts_as_people_write_them(raw, amount):
    assert parse_money(raw, "deal.down_payment") == Decimal(amount)
