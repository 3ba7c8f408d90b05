"""Parsing plain JSON-like values into domain values, naming the field on every error."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from domain.errors import InputError

E = TypeVar("E", bound=StrEnum)
_MISSING = object()


def require(data: Any, key: str, prefix: str = "") -> Any:
    field = f"{prefix}{key}"
    if not isinstance(data, dict):
        raise InputError(prefix.rstrip(".") or "input", "object", "must be a JSON object")
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        raise InputError(field, "required", "is required")
    return value


def parse_decimal(raw: Any, field: str) -> Decimal:
    if isinstance(raw, (bool, float)):
        raise InputError(
            field, "number_as_string", 'must be a number written as a string, such as "6.90"'
        )
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InputError(field, "not_a_number", "must be a number") from None
    if not value.is_finite():
        raise InputError(field, "not_a_number", "must be a number")
    return value


def parse_percent(raw: Any, field: str) -> Decimal:
    """A percentage string ("6.90" = 6.90%) as a fraction (Decimal("0.069"))."""
    value = parse_decimal(raw, field)
    if value < 0:
        raise InputError(field, "not_negative", "must not be negative")
    if value > 1000:
        raise InputError(field, "at_most", "must be at most {limit}", {"limit": "1000"})
    return value / 100


def parse_fraction(raw: Any, field: str) -> Fraction:
    """A fraction written as a decimal ("0.5"), an integer or "a/b"."""
    if isinstance(raw, (bool, float)):
        raise InputError(
            field, "number_as_string", 'must be a number written as a string, such as "19/30"'
        )
    try:
        value = Fraction(str(raw).strip())
    except (ValueError, ZeroDivisionError):
        raise InputError(
            field, "not_a_fraction", 'must be a number or a fraction such as "19/30"'
        ) from None
    return value


def parse_int(
    raw: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InputError(field, "integer", "must be a whole number")
    try:
        value = int(raw)
    except ValueError:
        raise InputError(field, "integer", "must be a whole number") from None
    if minimum is not None and value < minimum:
        raise InputError(field, "at_least", "must be at least {limit}", {"limit": minimum})
    if maximum is not None and value > maximum:
        raise InputError(field, "at_most", "must be at most {limit}", {"limit": maximum})
    return value


#: The dates a loan, a payment or a statement may bear: a 50-year schedule from the last of
#: them still ends well inside the calendar Python can count in.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)
_YYYY_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(raw: Any, field: str) -> date:
    text = str(raw)
    try:
        if not _YYYY_MM_DD.fullmatch(text):  # fromisoformat also takes 20261201 and 2026-W49-2
            raise ValueError(text)
        value = date.fromisoformat(text)
    except ValueError:
        raise InputError(field, "date", "must be a date written as YYYY-MM-DD") from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InputError(
            field, "between", "must be between {min} and {max}",
            {"min": FIRST_DATE.isoformat(), "max": LAST_DATE.isoformat()},
        )  # fmt: skip
    return value


def parse_bool(raw: Any, field: str) -> bool:
    if not isinstance(raw, bool):
        raise InputError(field, "boolean", "must be true or false")
    return raw


def parse_choice(raw: Any, field: str, enum: type[E]) -> E:
    try:
        return enum(raw)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InputError(
            field, "one_of", "must be one of {choices}", {"choices": choices}
        ) from None
