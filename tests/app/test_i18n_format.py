"""Formatting through app.i18n with an explicit locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.i18n import describe_error, format_date, format_money, format_percent, format_rate
from domain.errors import InputError


@pytest.mark.parametrize(
    ("locale", "amount", "whole", "expected"),
    [
        pytest.param("zh_CN", "200000", False, "¥200,000.00", id="zh-cents"),
        pytest.param("en_US", "200000", False, "CN¥200,000.00", id="en-cents"),
        pytest.param("zh_CN", "3127.50", True, "¥3,128", id="zh-whole-rounds-half-up"),
        pytest.param("en_US", "3127.49", True, "CN¥3,127", id="en-whole"),
    ],
)
def test_money(locale, amount, whole, expected):
    assert format_money(Decimal(amount), locale, whole=whole) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        pytest.param("0.075784", "7.58%", id="apr-two-decimals"),
        pytest.param("0.048", "4.80%", id="no-rounding-to-whole-percent"),
        pytest.param("0", "0.00%", id="zero"),
    ],
)
def test_rate_takes_a_fraction(fraction, expected):
    assert format_rate(Decimal(fraction), "zh_CN") == expected


def test_percent_takes_a_percentage_number():
    assert format_percent(Decimal("6.90"), "en_US") == "6.90%"


def test_dates_follow_the_locale():
    assert format_date(date(2026, 12, 1), "zh_CN") == "2026年12月1日"
    assert format_date(date(2026, 12, 1), "en_US") == "Dec 1, 2026"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        pytest.param("zh_CN", "deal.down_payment: 不能为负数", id="zh"),
        pytest.param("en_US", "deal.down_payment: must not be negative", id="en"),
    ],
)
def test_describe_error_names_field_and_translates_rule(locale, expected):
    error = InputError("deal.down_payment", "not_negative", "must not be negative")
    assert describe_error(error, locale) == expected


def test_describe_error_fills_params_after_translating():
    error = InputError("term", "at_most", "must be at most {limit}", {"limit": 60})
    assert describe_error(error, "zh_CN") == "term: 不能大于 60"


def test_a_moment_is_shown_in_china_time_and_its_day_is_chinas():
    from datetime import UTC, date, datetime

    from app.i18n import format_date, local_day

    evening_utc = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 01:30 the next day in Beijing
    assert format_date(evening_utc, "zh_CN") == "2026年11月29日 01:30:00"
    assert local_day(evening_utc) == date(2026, 11, 29)


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [("en_US", 1, "1 car"), ("en_US", 2, "2 cars"), ("en_US", 0, "0 cars"), ("zh_CN", 1, "1 辆车")],
)
def test_a_count_takes_the_form_its_language_gives_it(locale, count, expected):
    from app.i18n import plural_translator

    assert plural_translator(locale)("{n} car", "{n} cars", count).format(n=count) == expected
