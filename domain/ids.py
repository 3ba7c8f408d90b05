"""Identifiers: UUIDs born where the record is born (often on the device, offline)."""

from __future__ import annotations

import random
import uuid


def new_id() -> str:
    """A fresh random UUID4 as its canonical 36-character string."""
    return str(uuid.uuid4())


def seeded_id(rng: random.Random) -> str:
    """A UUID4-shaped id drawn from ``rng``: the same seed gives the same ids (demo data)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def parse_id(raw: str) -> str:
    """The canonical form of a UUID string; raises ValueError when it is not one."""
    return str(uuid.UUID(raw))
