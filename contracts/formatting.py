"""Locale formatting for documents (babel directly: contracts/ sits below app/ and its i18n).

A contract formats a few hundred numbers and dates; babel re-parses the locale and the pattern
on every call, so the locale is parsed once per process and the schedule's plain amounts use
the locale's own symbols with Python's formatter (tests pin them equal to babel's output).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import (
    format_currency,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)

from domain.market_time import MARKET_TZ

LOCALES = ("zh_CN", "en_US")


def check_locale(locale: str) -> str:
    from domain.errors import InputError

    if locale not in LOCALES:
        raise InputError(
            "locale", "one_of", "must be one of {choices}", {"choices": ", ".join(LOCALES)}
        )
    return locale


def money(amount: Decimal, locale: str, currency: str = "CNY") -> str:
    """``¥150,000.00`` in zh_CN, ``CN¥150,000.00`` in en_US (the same as app.i18n)."""
    return format_currency(amount, currency, locale=_locale(locale))


def percent(value: Decimal, locale: str) -> str:
    """``value`` is a percentage number such as Decimal("7.58") -> ``7.58%``."""
    return number(value, locale) + "%"


def rate(fraction: Decimal, locale: str) -> str:
    """A rate given as a fraction, as a percentage with every digit it has (at least two
    decimals): Decimal("0.0005") -> ``0.05%``, Decimal("0.00055") -> ``0.055%``. A charge is
    never stated rounded."""
    value = (fraction * 100).normalize()
    places = max(2, -value.as_tuple().exponent)
    return format(value, f",.{places}f").translate(_symbols(locale)) + "%"


def day(value: date, locale: str) -> str:
    """``2026年12月1日`` / ``Dec 1, 2026``."""
    return _format_date(value, format="medium", locale=_locale(locale))


def moment(value: datetime, locale: str) -> str:
    """An aware datetime in the market's time with its offset (``2026-11-30 09:30:00
    UTC+08:00``): the time the buyer saw on their screen, and unambiguous anywhere."""
    return _format_datetime(
        value, format="yyyy-MM-dd HH:mm:ss 'UTC'xxx", tzinfo=MARKET_TZ, locale=_locale(locale)
    )


def number(amount: Decimal, locale: str) -> str:
    """An amount without the currency sign, for tables whose header names the currency: what
    babel's ``#,##0.00`` pattern gives (grouping by three, two decimals, half-even)."""
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    return format(cents, ",.2f").translate(_symbols(locale))


_CENT = Decimal("0.01")


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(check_locale(locale))


@cache
def _symbols(locale: str) -> dict[int, str]:
    loc = _locale(locale)
    return str.maketrans(
        {
            ",": get_group_symbol(loc),
            ".": get_decimal_symbol(loc),
            "-": get_minus_sign_symbol(loc),
        }
    )
