"""Schema migrations: a ``schema_version`` table and ordered steps that upgrade a database in
place, each in one transaction with its version row.

Add a module ``vNNNN_<what>.py`` with ``VERSION`` and ``upgrade(connection)`` and list it in
:data:`MIGRATIONS`; never edit one that has shipped. A step is all or nothing, its DDL
included.
"""

from __future__ import annotations

import time

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
)
LATEST = MIGRATIONS[-1].VERSION


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Chedai than this one."""


def current_version(connection: Connection) -> int:
    if not inspect(connection).has_table("schema_version"):
        return 0
    value = connection.exec_driver_sql("SELECT max(version) FROM schema_version").scalar()
    return int(value or 0)


def migrate(engine: Engine, *, target: int = LATEST) -> int:
    """Upgrade the database to ``target`` (default: the latest) and return its version."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)"
        )
        version = current_version(connection)
    if version > LATEST:
        raise SchemaTooNewError(f"database schema {version} is newer than this app's {LATEST}")
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
