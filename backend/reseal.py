"""Seal, once per database, the buyer's figures that a server from before
``backend.sealing`` stored in clear: in the current records and in the change history (which
the push path never rewrites). Runs at start-up; a marker in ``server_meta`` makes later starts
skip the scan.

It runs under the push lock in one write transaction, so pushes wait for it and a second server
starting at the same time finds the marker. On SQLite ``secure_delete`` is on for it, so the
pages that held the clear values are zeroed; on PostgreSQL the old row versions stay in the
table's files until VACUUM reclaims them.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, Table, bindparam, select, update

from backend.db import WRITE, is_sqlite
from backend.models import ChangeRow, Record, ServerMeta
from backend.sealing import SEALED_FIELDS, seal
from backend.store import _dumps, _lock_pushes
from local_db.crypto import FieldCipher
from local_db.outbox import is_sealed

MARKER = "sealed.clear_figures"
BATCH = 1_000

_meta = ServerMeta.__table__


def seal_clear_figures(engine: Engine, cipher: FieldCipher) -> int | None:
    """Seal every clear figure in ``records`` and ``changes``; the number of rows rewritten, or
    None when a previous start did it."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        _lock_pushes(engine, conn)
        if conn.execute(select(_meta.c.value).where(_meta.c.name == MARKER)).first():
            return None
        if is_sqlite(engine):
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        sealed = sum(
            _seal_table(conn, cipher, entity, table, key)
            for entity in SEALED_FIELDS
            for table, key in ((Record.__table__, "entity_id"), (ChangeRow.__table__, "seq"))
        )
        conn.execute(_meta.insert().values(name=MARKER, value=str(sealed)))
    return sealed


def _seal_table(conn: Connection, cipher: FieldCipher, entity: str, table: Table, key: str) -> int:
    """Rewrite ``entity``'s rows of ``table`` holding a clear figure, a batch at a time in
    ``key`` order (keyset pages: the rows rewritten stay behind the cursor)."""
    names, column = SEALED_FIELDS[entity], table.c[key]
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
            if any(name in data and not is_sealed(data[name]) for name in names):
                batch.append({"k": k, "sealed": _dumps(seal(cipher, entity, entity_id, data))})
        if batch:
            conn.execute(rewrite, batch)
            count += len(batch)
