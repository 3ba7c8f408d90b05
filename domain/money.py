"""Money: Decimal in code, integer cents (分) on disk and on the wire. Never float."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InputError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The rounding mode for every money amount: half away from zero, as banks and
#: China's lenders round fen on statements.
MONEY_ROUNDING = ROUND_HALF_UP
#: The largest amount a buyer or a wire may give (一万亿元): far above any car or loan, and
#: small enough that its cents, and every product of it the engine forms, stay exact.
MAX_AMOUNT = Decimal(10**12)
#: An amount as people write one: digits, commas only between groups of three, a point.
_AMOUNT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def money(value: Decimal | int | str) -> Decimal:
    """Quantise to 0.01 with :data:`MONEY_ROUNDING`. Refuses float."""
    if isinstance(value, float):
        raise TypeError("money never comes from float")
    return Decimal(value).quantize(CENT, MONEY_ROUNDING)


def to_cents(amount: Decimal) -> int:
    """Exact integer cents of an amount already quantised to 0.01."""
    q = money(amount)
    if q != amount:
        raise ValueError(f"{amount} has more than two decimals")
    return int(q.scaleb(2))


def from_cents(cents: int) -> Decimal:
    """The Decimal amount of an integer number of cents."""
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise TypeError("cents must be an int")
    return Decimal(cents).scaleb(-2).quantize(CENT)


def parse_money(raw: object, field: str, *, allow_negative: bool = False) -> Decimal:
    """Parse a user/wire amount (string or int) into Decimal, naming ``field`` on error."""
    if raw is None or raw == "":
        raise InputError(field, "required", "is required")
    if isinstance(raw, (bool, float)):
        raise InputError(
            field, "amount_as_string", 'must be an amount written as a string, such as "1234.50"'
        )
    if isinstance(raw, Decimal):
        value = raw
    else:
        # NFKC: the full-width digits, comma and point a Chinese input method types
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not _AMOUNT.fullmatch(text):  # a comma only between thousands: "12,5" is no amount
            raise InputError(field, "not_a_number", 'must be a number, such as "1234.50"')
        value = Decimal(text.replace(",", ""))
    if not value.is_finite():
        raise InputError(field, "not_a_number", 'must be a number, such as "1234.50"')
    if abs(value) > MAX_AMOUNT:
        raise InputError(field, "at_most", "must be at most {limit}", {"limit": str(MAX_AMOUNT)})
    if value != value.quantize(CENT, MONEY_ROUNDING):
        raise InputError(field, "max_two_decimals", "must have at most two decimals")
    if value < 0 and not allow_negative:
        raise InputError(field, "not_negative", "must not be negative")
    return money(value)
