"""Translations (babel gettext catalogues) and locale-aware formatting.

Every user-visible string goes through :func:`translator`; money, dates, numbers and
percentages are formatted only here, with an explicit locale.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

from domain.errors import InputError

LOCALES = ("zh_CN", "en_US")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def translator(locale: str):
    """The ``_`` function for a locale."""
    return translations(locale).gettext


def cli_locale() -> str:
    return os.environ.get("CHEDAI_LOCALE", DEFAULT_LOCALE)


def describe_error(error: InputError, locale: str | None = None) -> str:
    """The error in the user's language, naming the field and the rule."""
    _ = translator(locale or cli_locale())
    return f"{error.field}: {_(error.message).format(**error.params)}"


def format_money(amount: Decimal, locale: str, currency: str = "CNY") -> str:
    from babel.numbers import format_currency

    return format_currency(amount, currency, locale=locale)


def format_percent(value: Decimal, locale: str) -> str:
    """``value`` is a percentage number such as Decimal("6.90") -> "6.90%"."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.00", locale=locale) + "%"
