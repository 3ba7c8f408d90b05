"""Embedded fonts for contract PDFs: DejaVu Sans for Latin, Droid Sans Fallback for Chinese.

Droid Sans Fallback has no Latin glyphs at all, so every string is split into runs and each run
is drawn in the first font that has its glyphs. Both fonts are TrueType files shipped in
``assets/fonts`` (never a system path) and reportlab embeds only the glyphs a document uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
CJK_FONT_FILE = FONT_DIR / "DroidSansFallbackFull.ttf"
LATIN_FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
LATIN_BOLD_FONT_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"

LATIN = "ChedaiLatin"
LATIN_BOLD = "ChedaiLatinBold"
CJK = "ChedaiCJK"


@dataclass(frozen=True)
class FontSet:
    """The registered fonts and the code points each covers."""

    latin: str
    latin_bold: str
    cjk: str
    latin_chars: frozenset[int]
    cjk_chars: frozenset[int]

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """Split ``text`` into ``(font name, substring)`` runs: Latin font first, CJK after.

        A character neither font has goes to the CJK font (it draws .notdef, visibly)."""
        latin = self.latin_bold if bold else self.latin
        out: list[tuple[str, str]] = []
        for ch in text:
            font = latin if ord(ch) in self.latin_chars else self.cjk
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        return sum(
            pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text, bold=bold)
        )


@cache
def font_set() -> FontSet:
    """Register the fonts with reportlab once per process (parsing the CJK file takes ~0.4 s)."""
    faces = {}
    for name, path in (
        (LATIN, LATIN_FONT_FILE),
        (LATIN_BOLD, LATIN_BOLD_FONT_FILE),
        (CJK, CJK_FONT_FILE),
    ):
        font = TTFont(name, str(path))
        pdfmetrics.registerFont(font)
        faces[name] = frozenset(font.face.charToGlyph)
    return FontSet(LATIN, LATIN_BOLD, CJK, faces[LATIN], faces[CJK])
