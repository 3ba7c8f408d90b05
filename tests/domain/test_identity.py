"""The signer's declared identity (domain.identity): an ID card number's check character, its
birth date and the signer's age, and the name as on the card."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InputError
from domain.identity import check_id_number, check_legal_name, id_check_character

TODAY = date(2026, 11, 29)


def numbered(body: str) -> str:
    return body + id_check_character(body)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # GB 11643's own example, check character X
        numbered("31011519900307123"),
        numbered("44030420080229001"),  # born on 29 February, adult on 1 March 2026... or 28 Feb
    ],
)
def test_a_valid_number_is_accepted_and_upper_cased(number):
    assert check_id_number(f" {number.lower()} ", today=TODAY) == number


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("", "required"),
        ("1101051949123100", "format"),  # too short
        ("11010519491231002Y", "format"),
        ("110105194912310021", "checksum"),  # one character off
        (numbered("11010519490231002"), "birth_date"),  # 31 February
        (numbered("31011520091130123"), "adult"),  # 18 tomorrow
        (numbered("31011520300101123"), "adult"),  # not born yet
    ],
)
def test_a_wrong_number_is_named_with_its_rule(number, rule):
    with pytest.raises(InputError) as caught:
        check_id_number(number, today=TODAY)
    assert (caught.value.field, caught.value.rule) == ("identity.id_number", rule)


def test_one_changed_digit_always_breaks_the_check_character():
    body = "31011519900307123"
    good = numbered(body)
    for i in range(17):
        for digit in "0123456789":
            if digit != body[i]:
                changed = good[:i] + digit + good[i + 1 :]
                assert id_check_character(changed[:17]) != changed[17]


@pytest.mark.parametrize(
    ("typed", "name"),
    [("李明", "李明"), ("欧阳 娜娜", "欧阳娜娜"), ("阿卜杜·热西提", "阿卜杜·热西提"),
     ("Li  Ming", "Li Ming"), ("O'Neil Smith", "O'Neil Smith")],
)  # fmt: skip
def test_names_as_on_id_cards_are_accepted(typed, name):
    assert check_legal_name(f"  {typed} ") == name


@pytest.mark.parametrize(("name", "rule"), [("", "required"), ("李", "format"), ("Li2", "format")])
def test_a_name_that_cannot_be_on_a_card_is_named(name, rule):
    with pytest.raises(InputError) as caught:
        check_legal_name(name)
    assert (caught.value.field, caught.value.rule) == ("identity.name", rule)
