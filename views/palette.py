"""The colours of our own, beyond the theme's roles (which Material 3 already pairs for
contrast). Each is written out, so its contrast can be checked: a text colour reads at 4.5:1
or more on every surface our text sits on, a line or icon colour at 3:1 (WCAG 2.1 AA, docs
ux.md); tests/ui/test_palette.py pins both. Material's lighter shades (GREEN_600, AMBER_700,
ORANGE_700) fell short of them."""

from __future__ import annotations

#: Good news: within the caps, the cheapest offer, a check that passed.
GOOD = "#2A7230"  # between Material green 800 (4.4:1 on a filled box) and 900
#: Close to a cap.
WARN = "#8A5300"  # a dark amber: Material's ambers are too light for text on white
#: Over a cap.
BAD = "#C62828"  # Material red 800

#: Where a flagged application's manual review stands (domain.catalog.review_state).
REVIEW = {"pending": WARN, "approved": GOOD, "declined": BAD}

#: A car's energy type on its card (text) and as its picture's tint.
ENERGY = {
    "BEV": GOOD,
    "PHEV": "#00695C",  # teal 800
    "HEV": "#1565C0",  # blue 800
    "ICE": "#6D4C41",  # brown 600
}

#: The loan chart's lines and their legend (the balance is the theme's primary).
PRINCIPAL = GOOD
INTEREST = "#B85C00"  # a dark orange

#: Text colours, and graphic-only colours (lines, icons), for the contrast test.
TEXT = (GOOD, WARN, BAD, *ENERGY.values())
GRAPHIC = (PRINCIPAL, INTEREST)
