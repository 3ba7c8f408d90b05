"""The demo world: a deterministic, realistic market seeded into the local database.

ensure_demo_database(settings) -> Path   # create and seed on first use
seed_database(engine, seed=..., data_dir=..., cipher=...) -> SeedReport
buyer_segments(session) -> {user id: segment key}
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from local_db import in_use
from local_db.crypto import KEY_FILE_NAME, cipher_for_dir
from local_db.demo.seed import DemoAccount, SeedReport, seed_database
from local_db.demo.world import GENERATOR_VERSION, SEGMENTS, segment_names
from local_db.engine import make_engine
from local_db.files import private_dir
from local_db.migrations import migrate, refuse_newer
from local_db.repositories.people import buyer_segments

__all__ = [
    "SEGMENTS",
    "DemoAccount",
    "DemoModeRequired",
    "SeedReport",
    "buyer_segments",
    "ensure_demo_database",
    "seed_database",
    "segment_names",
]


class DemoModeRequired(RuntimeError):
    """Demo data (and its accounts) is only created when no server is configured."""


def seeded_with(engine) -> tuple[str | None, str | None]:
    """(seed, generator version) the database was seeded with, or (None, None)."""
    with engine.connect() as connection:
        try:
            rows = dict(
                connection.execute(
                    text("SELECT key, value FROM meta WHERE key IN ('demo_seed', 'demo_generator')")
                ).all()
            )
        except Exception:  # no schema yet
            return None, None
    return rows.get("demo_seed"), rows.get("demo_generator")


def ensure_demo_database(settings, *, progress=None) -> Path:
    """The demo database's path, creating and seeding it first when it is missing or was
    seeded from another seed or generator version; otherwise only migrating it. One a newer
    Chedai wrote is neither: SchemaTooNewError, the file untouched."""
    if not settings.demo_mode:
        raise DemoModeRequired("demo data is only created in demo mode (no server_url)")
    path = Path(settings.local_db_path)
    refuse_newer(path)
    engine = make_engine(path)
    try:
        if seeded_with(engine) == (str(settings.demo_seed), GENERATOR_VERSION):
            migrate(engine)
        else:
            with in_use.shared(private_dir(settings.data_dir) / KEY_FILE_NAME):  # see in_use
                seed_database(
                    engine,
                    seed=settings.demo_seed,
                    data_dir=settings.data_dir,
                    cipher=cipher_for_dir(settings.data_dir),
                    progress=progress,
                )
    finally:
        engine.dispose()
    return path


def segments(session: Session) -> dict[str, str]:
    """Alias of :func:`buyer_segments`: user id -> segment key."""
    return buyer_segments(session)
