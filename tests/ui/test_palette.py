"""Our own colours read on the theme's surfaces (WCAG 2.1 AA), and the views use no others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from views import palette

# The light surfaces the seeded indigo theme draws (sampled from its screenshots): the page,
# a card (surface container low) and a filled box (surface container). Text sits on all three.
SURFACES = ("#FBF8FF", "#F5F2FA", "#EFEDF4")
VIEWS = Path(__file__).resolve().parents[2] / "views"


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_matches_the_wcag_reference_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the AA grey


@pytest.mark.parametrize("colour", palette.TEXT)
@pytest.mark.parametrize("surface", SURFACES)
def test_every_text_colour_reads_at_4_5_to_1_on_every_surface(colour, surface):
    assert contrast(colour, surface) >= 4.5


@pytest.mark.parametrize("colour", palette.GRAPHIC)
@pytest.mark.parametrize("surface", SURFACES)
def test_every_line_colour_stands_out_at_3_to_1_on_every_surface(colour, surface):
    assert contrast(colour, surface) >= 3.0


def test_the_views_take_no_colour_shade_outside_the_palette():
    """A Material shade (GREEN_600, AMBER_700 …) has no contrast check: views use the theme's
    roles (PRIMARY, ERROR, ON_SURFACE_VARIANT …) or views/palette.py."""
    shade = re.compile(r"Colors\.[A-Z]+_\d+")
    found = {
        f"{path.name}:{n}": line.strip()
        for path in sorted(VIEWS.glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if shade.search(line)
    }
    assert found == {}
