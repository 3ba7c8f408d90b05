"""Embedded fonts for contract PDFs: DejaVu Sans for Latin, Droid Sans Fallback for Chinese.

Droid Sans Fallback has no Latin glyphs at all, so every string is split into runs and each run
is drawn in the first font that has its glyphs. Both fonts are TrueType files shipped in
``assets/fonts`` (never a system path) and reportlab embeds only the glyphs a document uses.

Parsing the font files takes 0.2–1 s, so it happens once per process (:func:`font_set`), and
the subset a document embeds is cached by its characters: both are functions of the font files
alone, which never change while the process runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
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

#: Distinct subsets kept per font face (a subset is at most 256 glyphs, 10–40 KB).
SUBSET_CACHE_SIZE = 64


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

        A character both fonts have (the space) stays in the run it is in, so a space between
        two Chinese words does not switch fonts twice. A character neither font has goes to
        the CJK font (it draws .notdef, visibly)."""
        latin = self.latin_bold if bold else self.latin
        if text.isascii() and text.isprintable():  # DejaVu has every printable ASCII glyph
            return [(latin, text)] if text else []
        out: list[tuple[str, str]] = []
        font = ""
        start = 0
        latin_chars, cjk_chars, cjk = self.latin_chars, self.cjk_chars, self.cjk
        for i, ch in enumerate(text):
            code = ord(ch)
            if code in latin_chars:
                if font == cjk and code in cjk_chars:
                    continue
                want = latin
            else:
                want = cjk
            if want != font:
                if i:
                    out.append((font, text[start:i]))
                font, start = want, i
        if text:
            out.append((font, text[start:]))
        return out

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        return sum(
            pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text, bold=bold)
        )


@cache
def font_set() -> FontSet:
    """Register the fonts with reportlab once per process."""
    faces = {}
    for name, path in (
        (LATIN, LATIN_FONT_FILE),
        (LATIN_BOLD, LATIN_BOLD_FONT_FILE),
        (CJK, CJK_FONT_FILE),
    ):
        font = TTFont(name, str(path), asciiReadable=False)
        # Instance attribute over the method: reportlab calls face.makeSubset(chars) once per
        # subset per document; the result depends only on the font file and those chars.
        font.face.makeSubset = _subset_cache(font.face.makeSubset)
        pdfmetrics.registerFont(font)
        faces[name] = frozenset(font.face.charToGlyph)
    return FontSet(LATIN, LATIN_BOLD, CJK, faces[LATIN], faces[CJK])


def _subset_cache(make: Callable[[list[int]], bytes]) -> Callable[[Sequence[int]], bytes]:
    @lru_cache(maxsize=SUBSET_CACHE_SIZE)
    def by_chars(chars: tuple[int, ...]) -> bytes:
        return bytes(make(list(chars)))

    def make_subset(subset: Sequence[int]) -> bytes:
        return by_chars(tuple(subset))

    make_subset.cache_info = by_chars.cache_info  # type: ignore[attr-defined]
    return make_subset
