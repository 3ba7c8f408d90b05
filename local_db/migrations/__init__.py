"""Schema migrations: a ``schema_version`` table and ordered steps that upgrade a database in
place, each in one transaction with its version row.

Add a module ``vNNNN_<what>.py`` with ``VERSION`` and ``upgrade(connection)`` and list it in
:data:`MIGRATIONS`; never edit one that has shipped. A step is all or nothing, its DDL
included.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect

from local_db.migrations import (
    v0001_initial,
    v0002_catalogue_search,
    v0003_payment_events,
    v0004_vehicle_energy_specs,
    v0005_dealer_contact,
    v0006_application_review,
    v0007_review_decision,
    v0008_sealed_profile_figures,
    v0009_model_zh,
    v0010_sync_parked,
    v0011_contract_loan,
    v0012_application_pay_out_by,
    v0013_sync_refusals,
    v0014_vehicle_held,
)

MIGRATIONS = (
    v0001_initial,
    v0002_catalogue_search,
    v0003_payment_events,
    v0004_vehicle_energy_specs,
    v0005_dealer_contact,
    v0006_application_review,
    v0007_review_decision,
    v0008_sealed_profile_figures,
    v0009_model_zh,
    v0010_sync_parked,
    v0011_contract_loan,
    v0012_application_pay_out_by,
    v0013_sync_refusals,
    v0014_vehicle_held,
)
LATEST = MIGRATIONS[-1].VERSION


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Chedai than this one: its schema ``version`` is
    above ``latest``, the newest this one knows (:data:`LATEST` for the device's database,
    ``backend.db``'s for the server's). It is left exactly as that version left it.
    ``path``: the database file, or a server database's URL without its password."""

    def __init__(self, version: int, *, path: str | None = None, latest: int = LATEST) -> None:
        super().__init__(f"database schema {version} is newer than this app's {latest}")
        self.version, self.latest, self.path = version, latest, path


def stored_version(path: str | Path) -> int | None:
    """The schema version of the SQLite database file at ``path``, read without writing to it
    or creating anything: None when there is no such file, it is empty, or SQLite cannot read
    it (whoever opens it next reports that)."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
    except OSError:
        return None
    # No write-ahead log or rollback journal beside it: the file holds every committed change,
    # read as immutable (SQLite then creates no -wal/-shm). Otherwise read-only, which reads
    # what the log holds too.
    beside = (path.with_name(path.name + suffix) for suffix in ("-wal", "-journal"))
    mode = "mode=ro" if any(p.exists() for p in beside) else "immutable=1"
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            if not connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone():
                return 0
            value = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            return int(value or 0)
        finally:
            connection.close()
    except (sqlite3.Error, TypeError, ValueError):
        return None


def refuse_newer(path: str | Path) -> None:
    """Raise :class:`SchemaTooNewError` when a newer Chedai wrote the database at ``path``:
    checked before the app opens it to write (its engine, a migration, demo seeding)."""
    version = stored_version(path)
    if version is not None and version > LATEST:
        raise SchemaTooNewError(version, path=str(path))


def current_version(connection: Connection) -> int:
    if not inspect(connection).has_table("schema_version"):
        return 0
    value = connection.exec_driver_sql("SELECT max(version) FROM schema_version").scalar()
    return int(value or 0)


def migrate(engine: Engine, *, target: int = LATEST) -> int:
    """Upgrade the database to ``target`` (default: the latest) and return its version. A
    database a newer Chedai wrote is refused (:class:`SchemaTooNewError`) before anything is
    written to it."""
    with engine.connect() as connection:
        version = current_version(connection)
    if version > LATEST:
        raise SchemaTooNewError(version, path=engine.url.database or str(engine.url))
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)"
        )
    for step in MIGRATIONS:
        if version < step.VERSION <= target:
            with engine.begin() as connection:
                if engine.dialect.name == "sqlite":
                    # Python's sqlite3 begins a transaction only before a data statement: a
                    # step that starts with DDL would commit it on its own, and a step failing
                    # halfway would leave half an upgrade that cannot be run again
                    connection.exec_driver_sql("BEGIN")
                step.upgrade(connection)
                connection.exec_driver_sql(
                    "INSERT INTO schema_version (version, applied_ms) VALUES (?, ?)",
                    (step.VERSION, int(time.time() * 1000)),
                )
            version = step.VERSION
    return version
