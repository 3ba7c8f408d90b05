"""A plain-text progress bar on a stream (stderr), redrawn in place; silent without one."""

from __future__ import annotations

from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None, width: int = 30) -> None:
        self._stream, self._width = stream, width

    def update(self, label: str, done: int, total: int) -> None:
        if self._stream is None:
            return
        fraction = done / total if total else 1.0
        filled = int(fraction * self._width)
        bar = "#" * filled + "-" * (self._width - filled)
        end = "\n" if done >= total else ""
        self._stream.write(f"\r{label:<14} [{bar}] {fraction:6.1%} {done:>7}/{total}{end}")
        self._stream.flush()
