"""Who signs a contract: the name on their resident ID card and its number.

The number is checked as far as can be done on the device (GB 11643-1999): 17 digits and a
check character, a birth date that exists, an adult. Whether the number belongs to the person
holding the device is a question for a real-name service the lender runs; the contract records
what the signer declared, under their separate consent to processing the number (PIPL Art. 29).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.errors import InputError

__all__ = ["LegalIdentity", "check_id_number", "check_legal_name", "id_check_character"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")
#: Chinese characters (with the middle dot of transliterated names) or Latin letters and spaces
_NAME = re.compile(r"^(?:[\u4e00-\u9fff·]{2,20}|[A-Za-z][A-Za-z .'-]{1,59})$")
ADULT_AGE = 18


@dataclass(frozen=True)
class LegalIdentity:
    name: str
    id_number: str


def id_check_character(body: str) -> str:
    """The check character of the first 17 digits of a resident ID number."""
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def check_legal_name(value: str) -> str:
    """The name as on the ID card (trimmed; a Chinese name without spaces); InputError (field
    ``identity.name``) otherwise."""
    name = " ".join(value.split())
    if re.search(r"[\u4e00-\u9fff]", name):  # a Chinese name has no spaces on the card
        name = name.replace(" ", "")
    if not name:
        raise InputError("identity.name", "required", "Enter your name as on your ID card")
    if not _NAME.match(name):
        raise InputError(
            "identity.name", "format", "Enter your name as on your ID card, without digits"
        )
    return name


def check_id_number(value: str, *, today: date) -> str:
    """An 18-character resident ID number, upper-cased; InputError (field
    ``identity.id_number``) naming what is wrong with it otherwise."""
    number = value.strip().upper()
    field = "identity.id_number"
    if not number:
        raise InputError(field, "required", "Enter your ID card number")
    if not _ID_FORMAT.match(number):
        raise InputError(field, "format", "An ID card number has 17 digits and then a digit or X")
    if id_check_character(number[:17]) != number[17]:
        raise InputError(field, "checksum", "This ID card number is not valid: check each digit")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InputError(
            field, "birth_date", "The birth date in this number does not exist"
        ) from None
    adult_on = _add_years(born, ADULT_AGE)
    if born > today or adult_on > today:
        raise InputError(
            field, "adult", "Only an adult can sign a loan contract ({age} or older)",
            {"age": ADULT_AGE},
        )  # fmt: skip
    return number


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
