"""Lines of a contract break as Chinese typesetting allows (禁则): never before a closing mark,
never after an opening one."""

from __future__ import annotations

import pytest

from contracts.layout import Document


def wrapped(text: str, characters: float) -> list[str]:
    doc = Document(header="", footer_left="", page_label=lambda x, y: "")
    one = doc.fonts.width("资", 9)
    return doc.wrap(text, 9, one * characters)


@pytest.mark.parametrize("mark", ["。", "，", "）", "；", "”"])
def test_a_line_never_starts_with_closing_punctuation(mark):
    lines = wrapped("出租人为此提供的融资" + mark + "承租人", 10)  # the mark is the 11th
    assert [line[0] for line in lines[1:]] != [mark]
    assert lines[0] == "出租人为此提供的融" and lines[1].startswith("资" + mark)


@pytest.mark.parametrize("mark", ["（", "“", "《"])
def test_a_line_never_ends_with_opening_punctuation(mark):
    lines = wrapped("出租人为此提供的融" + mark + "资金", 10)  # the mark is the 10th
    assert lines[0] == "出租人为此提供的融" and lines[1] == mark + "资金"


def test_a_line_that_fits_is_left_as_it_is():
    assert wrapped("融资金额（含费用）。", 20) == ["融资金额（含费用）。"]
