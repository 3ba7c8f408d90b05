"""The database engine: SQLite in WAL mode with foreign keys on, set on every connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from local_db.files import create_private_file


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL and foreign keys are per connection in SQLite, so set them on each one.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB: the default 2 MiB thrashes on bulk loads
    cursor.close()


def make_engine(path_or_url: str | Path) -> Engine:
    """An engine for a SQLite file path, ``":memory:"`` (one shared connection, for tests),
    or a full SQLAlchemy URL."""
    target = str(path_or_url)
    if target == ":memory:":
        engine = create_engine(
            "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    elif "://" in target:
        engine = create_engine(target)
    else:
        create_private_file(target)  # 0600 (SQLite's -wal/-shm files follow its mode)
        engine = create_engine(f"sqlite:///{target}", connect_args={"check_same_thread": False})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine
