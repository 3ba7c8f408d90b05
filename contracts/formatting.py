"""Locale formatting for documents (babel directly: contracts/ sits below app/ and its i18n)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, format_decimal

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
    return format_currency(amount, currency, locale=locale)


def percent(value: Decimal, locale: str) -> str:
    """``value`` is a percentage number such as Decimal("7.58") -> ``7.58%``."""
    return format_decimal(value, format="#,##0.00", locale=locale) + "%"


def day(value: date, locale: str) -> str:
    """``2026年12月1日`` / ``Dec 1, 2026``."""
    return _format_date(value, format="medium", locale=locale)


def moment(value: datetime, locale: str) -> str:
    """An aware datetime shown in UTC with its zone, so the record is unambiguous."""
    utc = value.astimezone(UTC)
    return _format_datetime(utc, format="yyyy-MM-dd HH:mm:ss 'UTC'", tzinfo=UTC, locale=locale)


def number(amount: Decimal, locale: str) -> str:
    """An amount without the currency sign, for tables whose header names the currency."""
    return format_decimal(amount, format="#,##0.00", locale=locale)
