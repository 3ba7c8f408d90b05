"""Masking of sensitive personal data for display (PIPL: shown masked, stored encrypted)."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """Keep the first four and last four characters: "110101199003071234" ->
    "1101**********1234". Short values are masked whole."""
    value = id_number.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: "13812345678" -> "138****5678"."""
    value = phone.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
