"""Reusable page layout for Chedai documents (contracts now, repayment statements later).

A :class:`Document` is a reportlab canvas with a flowing cursor: a header on every page, a
footer with "page X of Y" (drawn once the page count is known), mixed Latin/Chinese text, word
wrapping, and tables that repeat their header row across page breaks. Output is byte-identical
for the same input (``invariant=1``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import (
    PDFPage,
    PDFPages,
    PDFResourceDictionary,
    PDFStream,
    PDFZCompress,
)
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from contracts.fonts import FontSet, font_set

PAGE_W, PAGE_H = A4
MARGIN = 42.0
CONTENT_W = PAGE_W - 2 * MARGIN
TOP = PAGE_H - MARGIN - 22  # below the running header
BOTTOM = MARGIN + 24  # above the footer

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#666666")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eef1f5")
ACCENT = colors.HexColor("#0b4f8a")
WARN = colors.HexColor("#b3261e")
PEN = colors.HexColor("#1b3a8c")  # drawn signatures
CELL_PAD = 4.0  # a table cell's text from its column's edges
MIN_FIT = 0.7  # the smallest a cell's text is shrunk to fit its column, of its size
KEY_GAP = 10.0  # the least space between a label and its value


class _NumberedCanvas(Canvas):
    """Keeps each page's state until ``save`` so the footer can say "page X of Y"."""

    def __init__(self, *args, footer: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(self, number, total)
            Canvas.showPage(self)
            _deflate_only(self._doc.Pages.pages[-1])
        _inherit_resources(self._doc)
        Canvas.save(self)


def _inherit_resources(doc) -> None:
    """Put the pages' resources (the document's fonts) on the page tree, which every page
    inherits (ISO 32000-1, 7.7.3.4), instead of on each page. The PDF reads the same; a
    verifier that walks every path through the document (pyHanko's modification analysis)
    walks the fonts once instead of once per page. Only when no page has resources of its own
    (images, forms, transparency, shadings, spot colours), which Chedai documents do not."""
    pages = doc.Pages.pages
    own = ("XObjects", "ExtGState", "_shadingUsed", "_colorsUsed")  # images are XObjects
    if not pages or not all(hasattr(page, name) for page in pages for name in own):
        return  # not the reportlab this was written against: keep per-page resources
    if any(getattr(page, name) for page in pages for name in own):
        return
    resources = PDFResourceDictionary()
    resources.basicFonts()
    if any(page.hasImages for page in pages):  # reportlab sets it "for safety": same ProcSet
        resources.allProcs()
    else:
        resources.basicProcs()
    doc.Pages.__NoDefault__ = [*PDFPages.__NoDefault__, "Resources"]
    doc.Pages.Resources = resources
    for page in pages:
        page.__NoDefault__ = [k for k in PDFPage.__NoDefault__ if k != "Resources"]


def _deflate_only(page) -> None:
    """Give the page its content stream now, Flate-compressed without reportlab's default
    ASCII85 layer (pure-Python encoding that also makes the stream a quarter larger); set here,
    per page, rather than through the process-wide ``rl_config.useA85``."""
    if page.stream and not page.Contents:
        stream = PDFStream(content=page.stream, filters=[PDFZCompress])
        stream.__Comment__ = "page stream"
        page.Contents = stream


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: str = "left"  # left | right | center


class Document:
    """A flowing A4 document. ``header`` and ``footer_left`` are drawn on every page;
    ``page_label(x, y)`` gives the localised "page X of Y"."""

    def __init__(
        self,
        *,
        header: str,
        footer_left: str,
        page_label: Callable[[int, int], str],
        title: str = "",
        subject: str = "",
        fonts: FontSet | None = None,
    ):
        self.fonts = fonts or font_set()
        names = (self.fonts.latin, self.fonts.latin_bold, self.fonts.cjk)
        self._faces = {name: getFont(name) for name in names}
        self._buffer = io.BytesIO()
        self._header = header
        self._footer_left = footer_left
        self._page_label = page_label
        self.canvas = _NumberedCanvas(
            self._buffer, pagesize=A4, invariant=1, footer=self._draw_footer, pageCompression=1
        )
        self.canvas.setTitle(title)
        self.canvas.setSubject(subject)
        self.canvas.setCreator("Chedai")
        self.canvas.setAuthor("Chedai")
        self.page = 1
        self.y = TOP
        self._draw_header()

    # -- pages ---------------------------------------------------------------------------
    def _draw_header(self) -> None:
        c = self.canvas
        self.text(MARGIN, PAGE_H - MARGIN, self._header, 8, color=MUTED)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN, PAGE_H - MARGIN - 6, PAGE_W - MARGIN, PAGE_H - MARGIN - 6)

    def _draw_footer(self, canvas: Canvas, number: int, total: int) -> None:
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN + 12, PAGE_W - MARGIN, MARGIN + 12)
        self.text(MARGIN, MARGIN, self._footer_left, 7, color=MUTED)
        self.text(PAGE_W - MARGIN, MARGIN, self._page_label(number, total), 8, align="right")

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.y = TOP
        self._draw_header()

    def ensure(self, height: float) -> bool:
        """Start a new page unless ``height`` points fit; True when a page was started."""
        if self.y - height < BOTTOM:
            self.new_page()
            return True
        return False

    def space(self, height: float) -> None:
        self.y -= height

    # -- text ----------------------------------------------------------------------------
    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float,
        *,
        bold: bool = False,
        color=INK,
        align: str = "left",
        fit: float | None = None,
    ) -> float:
        """Draw one line of mixed-script text; returns its width. Text wider than ``fit`` is
        drawn smaller to fit it, on the same baseline (a column's header in a language whose
        words are longer), though never under :data:`MIN_FIT` of ``size``.

        The line is one PDF text object whatever its runs: the font switches inside it and the
        text cursor advances by each run's own glyph widths. The operators are written here
        rather than through reportlab's PDFTextObject, which costs a Python object, a colour
        and a font state per run; what is written is what PDFTextObject writes for TrueType
        fonts (``Tm``, then per subset ``/F+n size Tf (bytes) Tj``)."""
        c = self.canvas
        fonts = self.fonts
        runs = fonts.runs(s, bold=bold)
        total = sum(stringWidth(part, font, size) for font, part in runs)
        if fit is not None and total > fit:
            scale = max(fit / total, MIN_FIT)
            size, total = size * scale, total * scale
        if align == "right":
            x -= total
        elif align == "center":
            x -= total / 2
        if c._fillColorObj is not color:  # reportlab's own record of the current fill
            c.setFillColor(color)
        # The CJK font has no bold face: its bold runs are filled and stroked (render mode 2).
        # Stroke colour and width are graphics state, kept to this line by q/Q.
        stroked = bold and any(font == fonts.cjk for font, _ in runs)
        if stroked:
            c.saveState()
            c.setStrokeColor(color)
            c.setLineWidth(size * 0.03)
        doc, escape = c._doc, c._escape
        size_tf = f" {fp_str(size)} Tf ("
        code = [f"BT 1 0 0 1 {fp_str(x, y)} Tm"]
        mode = 0
        for font, part in runs:
            if stroked and (font == fonts.cjk) != (mode == 2):
                mode = 2 - mode
                code.append(f"{mode} Tr")
            face = self._faces[font]
            for subset, chunk in face.splitString(part, doc):
                name = face.getSubsetInternalName(subset, doc)
                code.append(f"{name}{size_tf}{escape(chunk)}) Tj")
        code.append("ET")
        c._code.append(" ".join(code))
        if stroked:
            c.restoreState()
        return total

    def wrap(self, s: str, size: float, width: float, *, bold: bool = False) -> list[str]:
        """Break ``s`` into lines no wider than ``width``: at spaces for Latin words, between
        any two characters for Chinese."""
        lines: list[str] = []
        measure = self.fonts.width
        for para in s.split("\n"):
            line, line_w = "", 0.0
            for token in _tokens(para):
                token_w = measure(token, size, bold=bold)  # widths add up: no kerning
                if line and line_w + token_w > width:
                    lines.append(line.rstrip())
                    line = token.lstrip()
                    line_w = measure(line, size, bold=bold)
                else:
                    line += token
                    line_w += token_w
            lines.append(line.rstrip())
        return lines

    def paragraph(
        self,
        s: str,
        size: float = 9,
        *,
        x: float = MARGIN,
        width: float = CONTENT_W,
        leading: float | None = None,
        bold: bool = False,
        color=INK,
    ) -> None:
        leading = leading or size * 1.45
        for line in self.wrap(s, size, width, bold=bold):
            self.ensure(leading)
            self.y -= leading
            self.text(x, self.y + leading * 0.25, line, size, bold=bold, color=color)

    def heading(self, s: str, secondary: str = "", size: float = 11) -> None:
        self.ensure(size * 2.6 + 30)  # keep a heading with what follows it
        self.y -= size * 1.8
        w = self.text(MARGIN, self.y, s, size, bold=True, color=ACCENT)
        if secondary:
            self.text(MARGIN + w + 8, self.y, secondary, size * 0.75, color=MUTED)
        self.y -= size * 0.6

    # -- tables --------------------------------------------------------------------------
    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        *,
        size: float = 8,
        row_height: float = 13,
        emphasis: Callable[[int], bool] | None = None,
    ) -> None:
        """A ruled table whose header row repeats on every page it spans. Rows for which
        ``emphasis(index)`` is true are shaded and bold (subtotals, totals)."""
        self._table_header(columns, size, row_height)
        for i, row in enumerate(rows):
            if self.ensure(row_height):
                self._table_header(columns, size, row_height)
            strong = bool(emphasis and emphasis(i))
            if strong:
                self.canvas.setFillColor(SHADE)
                self.canvas.rect(MARGIN, self.y - row_height, _width(columns), row_height, 0, 1)
            self._cells(columns, row, size, row_height, bold=strong)
            self.canvas.setStrokeColor(RULE)
            self.canvas.setLineWidth(0.25)
            self.canvas.line(MARGIN, self.y, MARGIN + _width(columns), self.y)

    def _table_header(self, columns: Sequence[Column], size: float, row_height: float) -> None:
        self.ensure(row_height * 2)
        self.canvas.setFillColor(ACCENT)
        self.canvas.rect(MARGIN, self.y - row_height, _width(columns), row_height, 0, 1)
        self._cells(
            columns, [c.title for c in columns], size, row_height, bold=True, color=colors.white
        )

    def _cells(self, columns, values, size, row_height, *, bold=False, color=INK) -> None:
        x = MARGIN
        baseline = self.y - row_height + (row_height - size) / 2 + size * 0.18
        for col, value in zip(columns, values, strict=True):
            fit = col.width - 2 * CELL_PAD
            if col.align == "right":
                self.text(
                    x + col.width - CELL_PAD, baseline, value, size, bold=bold, color=color,
                    align="right", fit=fit,
                )  # fmt: skip
            elif col.align == "center":
                self.text(
                    x + col.width / 2, baseline, value, size, bold=bold, color=color,
                    align="center", fit=fit,
                )  # fmt: skip
            else:
                self.text(x + CELL_PAD, baseline, value, size, bold=bold, color=color, fit=fit)
            x += col.width
        self.y -= row_height

    def key_values(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        size: float = 9,
        key_width: float = 130,
        x: float = MARGIN,
        width: float = CONTENT_W,
    ) -> None:
        """Label / value lines; long values wrap under themselves. The values start
        ``key_width`` in, or past the widest label when one is wider (up to half the width)."""
        leading = size * 1.5
        widest = max((self.fonts.width(key, size) for key, _ in pairs), default=0.0)
        key_width = min(max(key_width, widest + KEY_GAP), width / 2)
        for key, value in pairs:
            lines = self.wrap(value, size, width - key_width) or [""]
            self.ensure(leading * len(lines))
            self.y -= leading
            self.text(x, self.y + leading * 0.25, key, size, color=MUTED)
            for j, line in enumerate(lines):
                if j:
                    self.y -= leading
                self.text(x + key_width, self.y + leading * 0.25, line, size)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()


def _width(columns: Sequence[Column]) -> float:
    return sum(c.width for c in columns)


def _tokens(s: str) -> list[str]:
    """Words with their leading space for Latin; single characters for everything else."""
    out: list[str] = []
    word = ""
    for ch in s:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        out.append(ch)
    if word:
        out.append(word)
    return _glued(out)


#: Chinese line-breaking rules (禁则): a line never starts with closing punctuation nor ends
#: with opening punctuation; each is kept with the character it belongs to.
_NO_LINE_START = frozenset("。，、；：？！）》」』】〕”’％·…—")
_NO_LINE_END = frozenset("（《「『【〔“‘")


def _glued(tokens: list[str]) -> list[str]:
    """``tokens`` joined where a line must not break: a space or an opening mark to the token
    after it (so lines break before the space), a closing mark to the token before it."""
    glued: list[str] = []
    forward = ""
    for tok in tokens:
        if glued and not forward and tok[0] in _NO_LINE_START:
            glued[-1] += tok
        elif tok.isspace() or tok[-1] in _NO_LINE_END:
            forward += tok
        else:
            glued.append(forward + tok)
            forward = ""
    if forward:
        glued.append(forward)
    return glued
