"""Reseal the buyer's figures stored on the server, in the records and in the change history
(which the push path never rewrites):

- :func:`seal_clear_figures`, at start-up, once per database (a marker in ``server_meta``):
  what a server from before ``backend.sealing`` stored in clear;
- :func:`reseal_all`, a key rotation (``chedai keys rotate --server``): every figure opened
  with whichever key sealed it and sealed again with the current key.

Each runs under the push lock in one write transaction, so pushes wait for it and a second
server starting at the same time finds the marker. On SQLite ``secure_delete`` is on for it, so
the pages that held the old values are zeroed; on PostgreSQL the old row versions stay in the
table's files until VACUUM reclaims them.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, Table, bindparam, select, update

from backend.db import WRITE, is_sqlite
from backend.models import ChangeRow, Record, ServerMeta
from backend.sealing import SEALED_FIELDS, open_data, seal
from backend.store import dumps_stored, lock_pushes
from local_db.crypto import FieldCipher
from local_db.outbox import is_sealed

MARKER = "sealed.clear_figures"
BATCH = 1_000

_meta = ServerMeta.__table__


def seal_clear_figures(engine: Engine, cipher: FieldCipher) -> int | None:
    """Seal every clear figure in ``records`` and ``changes``; the number of rows rewritten, or
    None when a previous start did it."""
    return _rewrite(engine, cipher, only_clear=True)


def reseal_all(engine: Engine, cipher: FieldCipher) -> int:
    """Seal every figure again with ``cipher``'s current key (clear ones included), opening
    each with whichever of its keys sealed it; the number of rows rewritten."""
    return _rewrite(engine, cipher, only_clear=False) or 0


def _rewrite(engine: Engine, cipher: FieldCipher, *, only_clear: bool) -> int | None:
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        lock_pushes(engine, conn)
        done = conn.execute(select(_meta.c.value).where(_meta.c.name == MARKER)).first()
        if only_clear and done:
            return None
        if is_sqlite(engine):
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        count = sum(
            _rewrite_table(conn, cipher, entity, table, key, only_clear)
            for entity in SEALED_FIELDS
            for table, key in ((Record.__table__, "entity_id"), (ChangeRow.__table__, "seq"))
        )
        if not done:
            conn.execute(_meta.insert().values(name=MARKER, value=str(count)))
    return count


def _rewrite_table(
    conn: Connection, cipher: FieldCipher, entity: str, table: Table, key: str, only_clear: bool
) -> int:
    """Rewrite ``entity``'s rows of ``table`` that hold a figure (with ``only_clear``: a clear
    one), a batch at a time in ``key`` order (keyset pages: the rows rewritten stay behind)."""
    names, column, current = SEALED_FIELDS[entity], table.c[key], cipher.current()
    rewrite = (
        update(table)
        .where(table.c.entity == entity, column == bindparam("k"))
        .values(data=bindparam("sealed"))
    )
    last, count = None, 0
    while True:
        query = select(column, table.c.entity_id, table.c.data).where(
            table.c.entity == entity, table.c.data.is_not(None)
        )
        if last is not None:
            query = query.where(column > last)
        rows = conn.execute(query.order_by(column).limit(BATCH)).all()
        if not rows:
            return count
        last = rows[-1][0]
        batch = []
        for k, entity_id, raw in rows:
            data = json.loads(raw)
            present = [data[name] for name in names if name in data]
            sealed = bool(present) and all(is_sealed(v) for v in present)
            if not present or (only_clear and sealed):
                continue
            # a sealing server seals every figure it stores: a row with any clear one is an
            # older server's, all as the client sent it (a value shaped like a sealed one too)
            clear = open_data(cipher, entity, entity_id, raw) if sealed else data
            batch.append({"k": k, "sealed": dumps_stored(seal(current, entity, entity_id, clear))})
        if batch:
            conn.execute(rewrite, batch)
            count += len(batch)
