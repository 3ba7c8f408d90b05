"""Identifiers: UUIDs born where the record is born (often on the device, offline)."""

from __future__ import annotations

import random
import uuid


def new_id() -> str:
    """A fresh random UUID4 as its canonical 36-character string."""
    return str(uuid.uuid4())


def seeded_id(rng: random.Random) -> str:
    """A UUID4 drawn from ``rng``: the same seed gives the same ids (demo data). Equal to
    ``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, a few times faster."""
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def parse_id(raw: str) -> str:
    """The canonical form of a UUID string; raises ValueError when it is not one."""
    return str(uuid.UUID(raw))
