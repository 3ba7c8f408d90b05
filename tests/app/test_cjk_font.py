"""The UI's bundled CJK font (a subset, scripts/subset_cjk_font.py) draws every character the
app shows in Chinese: the zh_CN catalogue and the demo market's names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from app.settings import Settings
from local_db.demo.world import generate
from views.shell import CJK_FONT, FONTS

ROOT = Path(__file__).resolve().parents[2]
UI_FONT = ROOT / "assets" / FONTS[CJK_FONT]
ZH_PO = ROOT / "assets" / "locales" / "zh_CN" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def font_chars() -> set[str]:
    return {chr(cp) for cp in TTFont(UI_FONT).getBestCmap()}


def cjk(text: str) -> set[str]:
    """The characters of ``text`` that need a CJK font (Roboto draws Latin, digits, etc.)."""
    return {c for c in text if ord(c) >= 0x2E80}


def strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strings(v)]
    if dataclasses.is_dataclass(obj) or hasattr(obj, "model_fields"):
        return [s for v in vars(obj).values() for s in strings(v)]
    return []


def test_the_ui_font_is_the_subset_not_the_4_mb_font():
    assert UI_FONT.name == "DroidSansFallbackChedai.ttf"
    assert UI_FONT.stat().st_size < (ROOT / "assets/fonts/DroidSansFallbackFull.ttf").stat().st_size


def test_every_character_of_the_zh_cn_catalogue_is_in_the_font(font_chars):
    with ZH_PO.open("rb") as handle:
        catalog = read_po(handle)
    needed = set()
    for message in catalog:
        for text in (message.id, message.string):
            for part in text if isinstance(text, tuple) else (text,):
                needed |= cjk(part or "")
    assert len(needed) > 200  # the catalogue really is Chinese
    assert "".join(sorted(needed - font_chars)) == ""


def test_every_chinese_name_of_the_demo_market_is_in_the_font(font_chars):
    world = generate(Settings().demo_seed, n_buyers=3000)
    needed = set()
    for rows in (world.dealers, world.lenders, world.vehicles, world.products, world.users,
                 world.profiles):  # fmt: skip
        for row in rows:
            for text in strings(row):
                needed |= cjk(text)
    assert {"张", "王"} & needed  # buyers' names are Chinese
    assert "".join(sorted(needed - font_chars)) == ""


def test_the_characters_that_hold_dates_together_are_in_the_font():
    font = TTFont(UI_FONT)
    cmap = font.getBestCmap()  # else the web client looks for a fallback font
    joiner = cmap[0x2060]  # an invisible glyph with no advance
    assert font["hmtx"][joiner][0] == 0
    assert font["glyf"][joiner].numberOfContours == 0
    assert cmap[0x00A0] == cmap[0x0020]  # the no-break space is drawn as a space
