"""Seal what an older version stored in clear, once the key is at hand; and reseal every
sealed value with a new key (:func:`reseal`, a key rotation).

Migrations have no key, so migration v8 moved the buyers' clear figures (income, debts, credit
score) to ``buyer_profiles_unsealed``; and an older version's outbox may hold profile payloads
with those figures in clear. :func:`seal_legacy` (run by ``Services.open`` after ``migrate``,
before anything reads or syncs) encrypts both in one transaction, with ``secure_delete`` on so
the clear bytes are zeroed rather than left in freed space, then truncates the WAL, which would
otherwise keep older copies of the pages. With nothing left to seal it is two small queries.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from local_db import meta
from local_db.codec import dumps
from local_db.crypto import FieldCipher
from local_db.outbox import has_sealed, open_values, seal_values
from local_db.repositories.people import (
    SEALED_COLUMNS,
    SEALED_FIGURES,
    SEALED_PAYLOAD_FIELDS,
    seal_figure,
)


def seal_legacy(engine: Engine, cipher: FieldCipher) -> int:
    """Seal every clear figure an older version left (profiles and pending outbox payloads);
    returns how many profiles and outbox operations changed (0: nothing to do)."""
    return _wiping(engine, lambda c: _seal_profiles(c, cipher) + _seal_outbox(c, cipher))


def reseal(engine: Engine, cipher: FieldCipher) -> int:
    """Open every sealed value with whichever of ``cipher``'s keys sealed it and seal it again
    with its current key (the first), in one transaction: the profiles' sealed columns, the
    pending outbox payloads and the sealed meta entries (and what :func:`seal_legacy` seals).
    A value no key opens is left as it is (an unreadable session token: its owner signs in
    again). Returns how many values were resealed."""
    current = cipher.current()

    def work(connection: Connection) -> int:
        return (
            _seal_profiles(connection, current)
            + _reseal_profiles(connection, cipher, current)
            + _seal_outbox(connection, current, opening=cipher)
            + _reseal_meta(connection, cipher, current)
        )

    return _wiping(engine, work)


def _wiping(engine: Engine, work: Callable[[Connection], int]) -> int:
    """``work`` in one transaction with ``secure_delete`` on (the bytes it replaces are zeroed,
    not left in freed pages), then the WAL truncated when it changed anything."""
    with engine.connect() as connection:
        before = int(connection.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
        try:
            changed = work(connection)
            connection.commit()
        finally:
            connection.rollback()  # nothing after a commit; a failure changes nothing
            connection.exec_driver_sql(f"PRAGMA secure_delete = {before}")
            connection.commit()
        if changed and engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.commit()
    return changed


def _reseal_profiles(connection: Connection, cipher: FieldCipher, current: FieldCipher) -> int:
    columns = list(SEALED_COLUMNS)
    rows = connection.exec_driver_sql(f"SELECT id, {', '.join(columns)} FROM buyer_profiles").all()
    count = 0
    for k, (column, field) in enumerate(SEALED_COLUMNS.items(), start=1):
        again = [
            (current.encrypt(cipher.decrypt(r[k], field=field), field=field), r[0])
            for r in rows
            if r[k] is not None
        ]
        if again:
            connection.exec_driver_sql(
                f"UPDATE buyer_profiles SET {column} = ? WHERE id = ?", again
            )
            count += len(again)
    return count


def _reseal_meta(connection: Connection, cipher: FieldCipher, current: FieldCipher) -> int:
    count = 0
    with Session(bind=connection) as session:
        for key in meta.SEALED_KEYS:
            try:
                text = meta.get_sealed(session, key, cipher)
            except (InvalidTag, ValueError):
                continue
            if text is not None:
                meta.put_sealed(session, key, text, current)
                count += 1
        session.flush()
    return count


def _seal_profiles(connection: Connection, cipher: FieldCipher) -> int:
    names = list(SEALED_FIGURES)  # the unsealed table's columns have these names
    rows = connection.exec_driver_sql(
        f"SELECT id, {', '.join(names)} FROM buyer_profiles_unsealed"
    ).all()
    if not rows:
        return 0
    for k, (name, (column, _)) in enumerate(SEALED_FIGURES.items(), start=1):
        sealed = [(seal_figure(cipher, name, int(r[k])), r[0]) for r in rows if r[k] is not None]
        if sealed:
            # only where the profile has none: a value written since (sealed) is newer
            connection.exec_driver_sql(
                f"UPDATE buyer_profiles SET {column} = ? WHERE id = ? AND {column} IS NULL",
                sealed,
            )
    connection.exec_driver_sql(
        "DELETE FROM buyer_profiles_unsealed WHERE id = ?", [(row[0],) for row in rows]
    )
    return len(rows)


def _seal_outbox(
    connection: Connection, cipher: FieldCipher, opening: FieldCipher | None = None
) -> int:
    """Seal the figures of pending profile payloads that are clear; with ``opening``, open
    the sealed ones with it first, so every figure is sealed again with ``cipher``."""
    changed = []
    for entity, names in SEALED_PAYLOAD_FIELDS.items():
        rows = connection.exec_driver_sql(
            "SELECT op_id, entity_id, payload FROM outbox WHERE entity = ?", (entity,)
        ).all()
        for op_id, entity_id, text in rows:
            payload = json.loads(text)
            clear = payload
            if opening is not None and has_sealed(payload):
                clear = open_values(payload, opening, entity=entity, entity_id=entity_id)
            sealed = seal_values(clear, names, cipher, entity=entity, entity_id=entity_id)
            if sealed != payload:
                changed.append((dumps(sealed), op_id))
    if changed:
        connection.exec_driver_sql("UPDATE outbox SET payload = ? WHERE op_id = ?", changed)
    return len(changed)
