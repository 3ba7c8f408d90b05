"""Writes that sync: the row and its outbox operation in the caller's transaction."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from local_db import outbox


def wire_payload(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON-ready data: dates as ISO text, bytes as base64."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out[key] = value
    return out


def upsert(session: Session, table, row: dict[str, Any], key: str = "id") -> None:
    upsert_many(session, table, [row], key)


def upsert_many(session: Session, table, rows: list[dict[str, Any]], key: str = "id") -> None:
    """Insert or update ``rows`` (all with the same columns) in one executemany."""
    if not rows:
        return
    statement = sqlite_insert(table)
    update = {c.name: statement.excluded[c.name] for c in table.columns if c.name != key}
    session.execute(statement.on_conflict_do_update(index_elements=[key], set_=update), rows)


def write(
    session: Session,
    table,
    row: dict[str, Any],
    *,
    entity: str,
    op: str = "upsert",
    enqueue: bool = True,
    payload: dict[str, Any] | None = None,
) -> None:
    """Upsert ``row``; with ``enqueue`` also queue it for sync (``enqueue=False`` is for rows
    that arrived *from* sync). ``payload`` is what travels (default: the row itself); the
    fields the server requires are listed in ``sync.wire``'s rules and ``sync.local_store``."""
    write_many(
        session, table, [row], entity=entity, op=op, enqueue=enqueue,
        payloads=None if payload is None else [payload],
    )  # fmt: skip


def write_many(
    session: Session,
    table,
    rows: list[dict[str, Any]],
    *,
    entity: str,
    op: str = "upsert",
    enqueue: bool = True,
    payloads: list[dict[str, Any]] | None = None,
) -> None:
    """:func:`write` for many rows of one table: one upsert and one outbox insert."""
    upsert_many(session, table, rows)
    if enqueue:
        outbox.enqueue_many(
            session,
            entity=entity,
            op=op,
            items=[
                (row["id"], wire_payload(row if payloads is None else payloads[k]))
                for k, row in enumerate(rows)
            ],
        )
