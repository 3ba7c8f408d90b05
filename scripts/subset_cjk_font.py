"""Build the app's CJK font: a subset of the bundled Droid Sans Fallback for the web client.

    .venv/bin/python scripts/subset_cjk_font.py [--check]

The browser downloads and parses the theme font before it draws the first screen; the full
font is 4 MB. The subset keeps every non-ideograph glyph of the font (punctuation, symbols,
kana, fullwidth forms), all 6,763 hanzi of GB 2312 (what people's names and addresses typed
into the app almost always use), and every character of the gettext catalogues and of the
project's Python sources (the demo market's brands, dealers, products and buyers' names are
built from characters written there). The full font stays in ``assets/fonts`` for the
contract PDFs, which embed whatever text a contract holds.

``--check`` exits 1 if the committed subset is missing a character it should hold.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "assets" / "fonts"
SOURCE = FONT_DIR / "DroidSansFallbackFull.ttf"
SUBSET = FONT_DIR / "DroidSansFallbackChedai.ttf"
#: Where the characters the UI shows are written down.
TEXT_SOURCES = ("assets/locales/*/LC_MESSAGES/*.po", "app/**/*.py", "views/**/*.py",
                "domain/**/*.py", "local_db/**/*.py")  # fmt: skip
#: Invisible characters the UI writes that the font lacks, added as empty zero-width glyphs.
#: U+2060 WORD JOINER holds a date together on a line (``views.context.unbroken``); without a
#: glyph the web client would look for a fallback font it cannot fetch.
ZERO_WIDTH = (0x2060,)
#: Characters drawn with another's glyph: U+00A0 NO-BREAK SPACE is a space that holds a
#: figure to its unit (``views.context.unbroken``).
ALIASES = {0x00A0: 0x0020}
#: Ideograph and Hangul blocks: only the characters named above are kept from these.
DROPPED_BLOCKS = ((0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x10FFFF))


def gb2312_hanzi() -> set[str]:
    """The 6,763 hanzi of GB 2312 (rows 16-87)."""
    out = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # gaps in the rows
                out.add(bytes([hi, lo]).decode("gb2312"))
    return out


def used_characters(root: Path = ROOT) -> set[str]:
    """Every character written in the catalogues and the app's sources."""
    chars: set[str] = set()
    for pattern in TEXT_SOURCES:
        for path in root.glob(pattern):
            chars.update(path.read_text(encoding="utf-8"))
    return chars


def wanted_codepoints(cmap: dict[int, str]) -> set[int]:
    def dropped(cp: int) -> bool:
        return any(lo <= cp <= hi for lo, hi in DROPPED_BLOCKS)

    keep = {cp for cp in cmap if not dropped(cp)}
    keep |= {ord(c) for c in gb2312_hanzi() | used_characters()}
    return keep & set(cmap)


def build(source: Path = SOURCE, target: Path = SUBSET) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    unicodes = wanted_codepoints(font.getBestCmap())
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    add_zero_width_glyphs(font, ZERO_WIDTH)
    add_aliases(font, ALIASES)
    font.save(target)
    return len(unicodes) + len(ZERO_WIDTH) + len(ALIASES)


def add_aliases(font, aliases: dict[int, int]) -> None:
    """Map each code point to the glyph of the one it aliases."""
    for table in font["cmap"].tables:
        if table.isUnicode():
            for cp, same in aliases.items():
                table.cmap[cp] = table.cmap[same]


def add_zero_width_glyphs(font, codepoints: tuple[int, ...]) -> None:
    """Map each code point to a new empty glyph with no advance."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [f"uni{cp:04X}" for cp in codepoints]
    font.setGlyphOrder(font.getGlyphOrder() + names)
    metrics = [font[tag] for tag in ("hmtx", "vmtx") if tag in font]
    for cp, name in zip(codepoints, names, strict=True):
        font["glyf"][name] = TTGlyphPen(None).glyph()
        for table in metrics:
            table[name] = (0, 0)
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[cp] = name


def check(source: Path = SOURCE, target: Path = SUBSET) -> list[str]:
    """Characters the full font has and the subset should have but lacks."""
    from fontTools.ttLib import TTFont

    wanted = wanted_codepoints(TTFont(source).getBestCmap()) | set(ZERO_WIDTH) | set(ALIASES)
    have = set(TTFont(target).getBestCmap())
    return sorted(chr(cp) for cp in wanted - have)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, do not write")
    args = parser.parse_args(argv)
    if args.check:
        missing = check()
        if missing:
            print(f"{SUBSET.name} lacks {len(missing)}: {''.join(missing[:80])}", file=sys.stderr)
            return 1
        print(f"{SUBSET.name}: complete")
        return 0
    n = build()
    print(f"{SUBSET.relative_to(ROOT)}: {n} characters, {SUBSET.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
