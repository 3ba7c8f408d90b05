"""A signature pad drawn with a finger or a mouse: strokes of points normalised to 0..1."""

from __future__ import annotations

import itertools

import flet as ft
import flet.canvas as cv

#: The pad's size on a phone, and its width from a tablet up, where a customer signs at the
#: desk with a finger. Both have one shape: strokes are kept as fractions of the pad, so a
#: signature looks the same whichever drew it.
PAD_W, PAD_H = 360, 160
PAD_W_WIDE = 560


def signature_pad(
    strokes: list[list[tuple[float, float]]],
    *,
    key: str,
    on_change,
    label: str,
    width: int = PAD_W,
) -> ft.Control:
    """``strokes`` is the state's list, extended in place while drawing; ``on_change`` (a
    re-render) runs as points arrive, at most every ``drag_interval`` ms, and when a stroke
    ends. ``label``: what a screen reader calls it, in the user's language. ``width``: the
    pad's, its height in proportion."""
    w, h = width, width * PAD_H // PAD_W
    paint = ft.Paint(stroke_width=2.5, color=ft.Colors.BLACK, stroke_cap=ft.StrokeCap.ROUND)
    shapes: list[cv.Shape] = []
    for stroke in strokes:
        for (x1, y1), (x2, y2) in itertools.pairwise(stroke):
            shapes.append(cv.Line(x1 * w, y1 * h, x2 * w, y2 * h, paint=paint))
    canvas = cv.Canvas(shapes=shapes, width=w, height=h)

    def point(e) -> tuple[float, float]:
        x = min(max(e.local_position.x / w, 0.0), 1.0)
        y = min(max(e.local_position.y / h, 0.0), 1.0)
        return round(x, 4), round(y, 4)

    def start(e) -> None:
        strokes.append([point(e)])

    def update(e) -> None:
        if not strokes:
            strokes.append([])
        strokes[-1].append(point(e))
        if len(strokes[-1]) % 4 == 0:  # show the ink as it comes, without a render per point
            on_change()

    def end(e) -> None:
        on_change()

    return ft.Semantics(identifier=key, label=label, content=ft.Container(
        ft.GestureDetector(
            content=canvas, on_pan_start=start, on_pan_update=update, on_pan_end=end,
            drag_interval=16, key=key,
        ),
        width=w, height=h, bgcolor=ft.Colors.WHITE,
        border=ft.Border.all(1, ft.Colors.OUTLINE), border_radius=8,
    ))  # fmt: skip
