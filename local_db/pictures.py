"""Vehicle pictures drawn in code: a side-view SVG by body type and colour, so every car has a
picture without any download. The same (body, colour) always gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from local_db.files import write_private

COLOURS: dict[str, str] = {
    "white": "#f4f5f7",
    "black": "#23252b",
    "silver": "#b8bec7",
    "grey": "#6e747d",
    "blue": "#2f6fd1",
    "red": "#c8342f",
    "green": "#3c8a5a",
    "yellow": "#e8b530",
    "brown": "#7b5a3c",
    "purple": "#6c4aa8",
}

# Body outlines on a 320 x 160 canvas, wheels at x=80 and x=240, ground at y=130.
_BODIES: dict[str, str] = {
    "sedan": "M20 112 Q22 96 48 92 L92 88 Q118 60 150 58 L206 58 Q232 60 256 86 L292 92 "
    "Q304 96 302 112 Z",
    "hatchback": "M24 112 Q26 94 52 90 L96 86 Q124 56 160 54 L238 56 Q262 64 270 90 "
    "L284 98 Q292 104 290 112 Z",
    "suv": "M18 112 L20 86 Q24 74 52 72 L88 70 Q110 44 142 42 L250 42 Q270 44 280 70 "
    "L296 76 Q304 82 302 112 Z",
    "mpv": "M18 112 L20 80 Q24 66 48 62 L82 50 Q100 34 140 34 L270 34 Q292 36 296 60 "
    "L302 78 L302 112 Z",
    "coupe": "M16 112 Q20 98 50 94 L108 88 Q140 62 176 62 L218 64 Q248 72 272 90 "
    "L296 96 Q306 102 304 112 Z",
    "wagon": "M18 112 Q20 96 46 92 L90 88 Q116 60 150 56 L268 56 Q288 60 292 84 "
    "L300 92 Q304 100 302 112 Z",
    "pickup": "M16 112 L18 84 Q22 74 46 72 L80 70 Q98 44 124 42 L176 42 Q186 44 188 70 "
    "L300 72 L304 112 Z",
    "van": "M18 112 L18 58 Q20 34 50 32 L276 32 Q296 34 300 56 L304 112 Z",
}

_WINDOWS: dict[str, str] = {
    "sedan": "M100 88 Q122 66 150 64 L200 64 Q222 66 244 88 Z",
    "hatchback": "M104 86 Q128 62 160 60 L232 62 Q250 68 258 86 Z",
    "suv": "M96 70 Q114 50 142 48 L246 48 Q262 50 270 70 Z",
    "mpv": "M90 58 Q104 42 140 40 L268 40 Q284 42 288 58 Z",
    "coupe": "M118 88 Q144 68 176 68 L214 70 Q236 76 254 88 Z",
    "wagon": "M98 88 Q120 64 150 62 L264 62 Q278 66 282 86 Z",
    "pickup": "M88 70 Q104 50 126 48 L176 48 L178 70 Z",
    "van": "M40 40 L120 40 L120 70 L28 70 Q28 44 40 40 Z",
}


def picture_svg(body: str, colour: str) -> str:
    """The SVG text for a body type and a colour key (unknown values fall back to a sedan
    and grey)."""
    outline = _BODIES.get(body, _BODIES["sedan"])
    window = _WINDOWS.get(body, _WINDOWS["sedan"])
    fill = COLOURS.get(colour, COLOURS["grey"])
    wheels = "".join(
        f'<circle cx="{x}" cy="112" r="20" fill="#1b1c20"/>'
        f'<circle cx="{x}" cy="112" r="9" fill="#c9ccd2"/>'
        for x in (80, 240)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 160" width="320" '
        f'height="160"><rect width="320" height="160" fill="#eef2f7"/>'
        '<ellipse cx="160" cy="134" rx="140" ry="6" fill="#d5dbe3"/>'
        f'<path d="{outline}" fill="{fill}" stroke="#3a3d44" stroke-width="2"/>'
        f'<path d="{window}" fill="#9fc3e6" stroke="#3a3d44" stroke-width="1.5"/>'
        f"{wheels}</svg>"
    )


def picture_name(body: str, colour: str) -> str:
    """The picture's path relative to the data dir."""
    return f"pictures/{body}-{colour}.svg"


def write_pictures(data_dir: Path, combos: set[tuple[str, str]]) -> int:
    """Write the pictures for the (body, colour) combinations; returns how many were written
    (unchanged files are left alone)."""
    written = 0
    for body, colour in sorted(combos):
        path = Path(data_dir) / picture_name(body, colour)
        content = picture_svg(body, colour)
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        write_private(path, content)
        written += 1
    return written
