"""The document formatters equal babel's, and text runs pick the font that has the glyphs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from contracts import formatting as fmt
from contracts.fonts import font_set

LOCALES = [pytest.param("zh_CN", id="zh_CN"), pytest.param("en_US", id="en_US")]


@pytest.mark.parametrize("locale", LOCALES)
@given(
    amount=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False
    )
)
def test_number_equals_babels_two_decimal_pattern(locale, amount):
    assert fmt.number(amount, locale) == format_decimal(amount, format="#,##0.00", locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Decimal("0.125"), id="half-even-down"),
        pytest.param(Decimal("0.135"), id="half-even-up"),
        pytest.param(Decimal("1234567.8"), id="grouping"),
        pytest.param(Decimal("-1234.565"), id="negative"),
    ],
)
def test_percent_and_number_round_like_babel(locale, value):
    expected = format_decimal(value, format="#,##0.00", locale=locale)
    assert fmt.number(value, locale) == expected
    assert fmt.percent(value, locale) == expected + "%"


@pytest.mark.parametrize("locale", LOCALES)
def test_day_is_babels_medium_date(locale):
    d = date(2027, 1, 1)
    assert fmt.day(d, locale) == format_date(d, format="medium", locale=locale)


@pytest.mark.parametrize(
    ("text", "fonts"),
    [
        pytest.param("Total 1,234.00", ["latin"], id="ascii-one-run"),
        pytest.param("2026年12月1日", ["latin", "cjk"] * 3, id="date-alternates"),
        pytest.param("贷款 合同", ["cjk"], id="space-between-chinese-stays-chinese"),
        pytest.param("第 1 年小计", ["cjk", "latin", "cjk"], id="digits-switch-to-latin"),
        pytest.param("", [], id="empty"),
    ],
)
def test_runs_switch_fonts_only_where_glyphs_require(text, fonts):
    fs = font_set()
    names = {"latin": fs.latin, "cjk": fs.cjk}
    runs = fs.runs(text)
    assert [font for font, _ in runs] == [names[f] for f in fonts]
    assert "".join(part for _, part in runs) == text
    for font, part in runs:
        have = fs.latin_chars if font == fs.latin else fs.cjk_chars
        assert all(ord(ch) in have for ch in part)


def test_bold_runs_use_the_bold_latin_face():
    fs = font_set()
    assert fs.runs("APR 年化利率", bold=True)[0] == (fs.latin_bold, "APR ")
