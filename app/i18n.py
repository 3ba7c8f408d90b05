"""Translations (babel gettext catalogues) and locale-aware formatting.

Every user-visible string goes through :func:`translator`; money, dates, numbers and
percentages are formatted only here, with an explicit locale.

Catalogues live in ``assets/locales/<locale>/LC_MESSAGES/messages.po`` (compiled to ``.mo``
next to them). Strings are extracted with ``babel.cfg`` at the repository root, whose keywords
are ``_``, ``N_`` and ``InputError:3`` (the English message of a domain input error)::

    pybabel extract -F babel.cfg -o assets/locales/messages.pot .
    pybabel update -i assets/locales/messages.pot -d assets/locales
    pybabel compile -d assets/locales
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.core import parse_locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_skeleton as _babel_format_skeleton
from babel.numbers import format_compact_currency, format_currency, format_decimal
from babel.support import Translations

from domain.errors import InputError
from domain.market_time import MARKET_TZ, market_day

LOCALES = ("zh_CN", "en_US")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locales"
#: Each language named in itself, for the language switch.
LANGUAGE_NAMES = {"zh_CN": "中文", "en_US": "English"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def translator(locale: str) -> Callable[[str], str]:
    """The ``_`` function for a locale."""
    return translations(locale).gettext


def plural_translator(locale: str) -> Callable[[str, str, int], str]:
    """``ngettext`` for a locale: the form of a message for a count (English has two, Chinese
    one)."""
    return translations(locale).ngettext


def supported_locale(value: str | None) -> str:
    """The one of :data:`LOCALES` a locale setting (``CHEDAI_LOCALE``) means: itself, or the
    one of its language for another spelling or region of it (``en``, ``en_GB``, ``en-US``,
    ``en_US.UTF-8``, ``zh``, ``zh-CN``, ``zh_Hans_CN``); any other (``fr_FR``, ``C``, none)
    the default, Chinese. Settings and the command line both go through it, so the app's text
    and its number and date formats are always of one language the app speaks."""
    return spoken_locale(value) or DEFAULT_LOCALE


def spoken_locale(value: str | None) -> str | None:
    """The one of :data:`LOCALES` of ``value``'s language (see :func:`supported_locale`), or
    None when the app does not speak it: what the command line's ``--locale`` accepts."""
    if value in LOCALES:
        return value
    try:
        language = parse_locale((value or "").strip().replace("-", "_"))[0]
    except ValueError:  # not a locale identifier at all
        return None
    return _BY_LANGUAGE.get(language.lower())


_BY_LANGUAGE = {locale.partition("_")[0]: locale for locale in LOCALES}


def cli_locale() -> str:
    """The language ``CHEDAI_LOCALE`` names (:func:`supported_locale`), as Settings has it."""
    return supported_locale(os.environ.get("CHEDAI_LOCALE"))


def describe_error(error: InputError, locale: str | None = None) -> str:
    """The error in the user's language, naming the field and the rule."""
    return f"{error.field}: {error_message(error, locale or cli_locale())}"


def error_message(error: InputError, locale: str) -> str:
    """Only the translated message (for a view that shows it next to its field)."""
    _ = translator(locale)
    try:
        return _(error.message).format(**translated_reason(error.params, _))
    except (KeyError, IndexError, ValueError):
        return error.message.format(**error.params)


def translated_reason(params: dict, _: Callable[[str], str]) -> dict:
    """``params`` with its ``reason`` (the system's words, "Is a directory") translated."""
    reason = params.get("reason")
    return {**params, "reason": _(reason)} if isinstance(reason, str) else params


def format_money(amount: Decimal, locale: str, currency: str = "CNY", *, whole=False) -> str:
    """``¥200,000.00`` (zh_CN) / ``CN¥200,000.00`` (en_US); ``whole`` rounds to the yuan."""
    if whole:
        amount = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return format_currency(
            amount, currency, locale=locale, format="¤#,##0", currency_digits=False
        )
    return format_currency(amount, currency, locale=locale)


def format_money_compact(amount: Decimal | float, locale: str, currency: str = "CNY") -> str:
    """A chart axis's round amounts: ``¥2.5万`` (zh_CN) / ``CN¥25K`` (en_US)."""
    return format_compact_currency(amount, currency, locale=locale, fraction_digits=1)


def format_number(value: Decimal | int, locale: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def format_percent(value: Decimal, locale: str) -> str:
    """``value`` is a percentage number such as Decimal("6.90") -> "6.90%"."""
    return format_decimal(value, format="#,##0.00", locale=locale) + "%"


def format_rate(fraction: Decimal, locale: str) -> str:
    """``fraction`` is a rate as the engine holds it, Decimal("0.0690") -> "6.90%"."""
    pct = (Decimal(fraction) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_percent(pct, locale)


#: The time the app shows moments in: the market's (domain.market_time), whatever the
#: server's or the device's zone. Stored moments are UTC.
DISPLAY_TZ = MARKET_TZ


def local_day(moment: datetime) -> date:
    """The calendar day of a stored (UTC) moment where the buyer is."""
    return market_day(moment)


def format_date(value: date | datetime, locale: str, style: str = "medium") -> str:
    """A day, or a moment in :data:`DISPLAY_TZ` (a naive moment is taken as UTC)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return _babel_format_datetime(moment, format=style, tzinfo=DISPLAY_TZ, locale=locale)
    return _babel_format_date(value, format=style, locale=locale)


def format_month(value: date, locale: str) -> str:
    """The month of ``value``: 2026年12月, Dec 2026."""
    return _babel_format_skeleton("yMMM", value, locale=locale)
