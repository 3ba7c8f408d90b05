"""The sync outbox: operations waiting to be sent, in order, deleted only once acknowledged.

``enqueue`` writes in the caller's transaction, so a user action's rows and its outbox row
commit together (or not at all). ``seq`` comes from a counter that never goes back, even when
the outbox has been drained empty.

Sensitive payload fields are sealed at rest (:func:`seal_values`: a buyer's income, debts and
credit score wait here until sent, in demo mode for ever): such a field's value is
``{"$sealed": "<base64 AES-GCM of its JSON>"}``, bound to the entity, its id and the field.
The field names stay readable (sync's per-field rule reads which fields are unsent);
:func:`peek` returns payloads as stored, and the sender opens them (:func:`open_values`,
``sync.local_store``).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlmodel import Session

from local_db.codec import dumps
from local_db.crypto import FieldCipher
from local_db.tables import OutboxRow

OPS = ("upsert", "delete", "append", "transition")
SEALED = "$sealed"


def is_sealed(value: Any) -> bool:
    """A field value as :func:`seal_values` stores it."""
    return isinstance(value, dict) and len(value) == 1 and SEALED in value


def _aad(scope: str, entity: str, entity_id: str, name: str) -> str:
    return f"{scope}.{entity}.{entity_id}.{name}"


def seal_values(
    payload: dict[str, Any],
    names: Iterable[str],
    cipher: FieldCipher,
    *,
    entity: str,
    entity_id: str,
    scope: str = "outbox",
    again: bool = False,
) -> dict[str, Any]:
    """``payload`` with the fields ``names`` (those it has; not those sealed already, unless
    ``again``) sealed, bound to ``scope`` (where they are kept), the entity, its id and the
    field."""
    out = dict(payload)
    for name in names:
        if name in out and (again or not is_sealed(out[name])):
            blob = cipher.encrypt(json.dumps(out[name]), field=_aad(scope, entity, entity_id, name))
            out[name] = {SEALED: base64.b64encode(blob).decode("ascii")}
    return out


def has_sealed(payload: dict[str, Any]) -> bool:
    return any(is_sealed(v) for v in payload.values())


def open_values(
    payload: dict[str, Any],
    cipher: FieldCipher,
    *,
    entity: str,
    entity_id: str,
    scope: str = "outbox",
    names: Iterable[str] | None = None,
) -> dict[str, Any]:
    """``payload`` with its sealed fields (of ``names``, when given) opened: what travels.
    Raises ``cryptography.exceptions.InvalidTag`` (another key, or a value moved or edited)
    or ``ValueError`` (not base64)."""
    out = dict(payload)
    for name in payload if names is None else [n for n in names if n in payload]:
        value = payload[name]
        if is_sealed(value):
            blob = base64.b64decode(value[SEALED], validate=True)
            field = _aad(scope, entity, entity_id, name)
            out[name] = json.loads(cipher.decrypt(blob, field=field))
    return out


@dataclass(frozen=True)
class OutboxOp:
    op_id: str
    seq: int
    entity: str
    entity_id: str
    op: str
    payload: dict[str, Any]
    created_ms: int


def next_counter(session: Session, name: str, count: int = 1) -> int:
    """Advance a named counter (starting at 1) by ``count`` in the caller's transaction and
    return its new value: the last of the ``count`` numbers taken."""
    session.execute(
        text("INSERT INTO counters (name, value) VALUES (:n, 0) ON CONFLICT (name) DO NOTHING"),
        {"n": name},
    )
    return session.execute(
        text("UPDATE counters SET value = value + :k WHERE name = :n RETURNING value"),
        {"n": name, "k": count},
    ).scalar_one()


def enqueue(
    session: Session,
    *,
    entity: str,
    entity_id: str,
    op: str,
    payload: dict[str, Any],
    op_id: str | None = None,
) -> OutboxOp:
    """Add one operation to the outbox (not committed: the caller's transaction decides)."""
    [queued] = enqueue_many(
        session, entity=entity, op=op, items=[(entity_id, payload)], op_ids=[op_id]
    )
    return queued


def enqueue_many(
    session: Session,
    *,
    entity: str,
    op: str,
    items: list[tuple[str, dict[str, Any]]],
    op_ids: list[str | None] | None = None,
) -> list[OutboxOp]:
    """Add one operation per ``(entity_id, payload)``, in order, with one counter update and one
    insert (not committed: the caller's transaction decides)."""
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}, not {op!r}")
    if not items:
        return []
    last = next_counter(session, "outbox", len(items))
    now = int(time.time() * 1000)
    ids = op_ids or [None] * len(items)
    rows = [
        {
            "op_id": op_id or str(uuid.uuid4()),
            "seq": last - len(items) + 1 + k,
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "payload": dumps(payload),
            "created_ms": now,
        }
        for k, ((entity_id, payload), op_id) in enumerate(zip(items, ids, strict=True))
    ]
    session.execute(insert(OutboxRow), rows)
    return [_op(OutboxRow(**row)) for row in rows]


def peek(session: Session, limit: int = 100) -> list[OutboxOp]:
    """The oldest ``limit`` operations, in the order they were enqueued."""
    rows = session.execute(select(OutboxRow).order_by(OutboxRow.seq).limit(limit)).scalars()
    return [_op(r) for r in rows]


def ack(session: Session, op_ids: Iterable[str]) -> int:
    """Remove acknowledged operations; returns how many were removed (unknown ids are fine,
    so a repeated acknowledgement changes nothing)."""
    ids = list(op_ids)
    if not ids:
        return 0
    result = session.execute(delete(OutboxRow).where(OutboxRow.op_id.in_(ids)))
    return result.rowcount or 0


def pending_count(session: Session) -> int:
    return session.execute(text("SELECT count(*) FROM outbox")).scalar_one()


def _op(row: OutboxRow) -> OutboxOp:
    return OutboxOp(
        row.op_id,
        row.seq,
        row.entity,
        row.entity_id,
        row.op,
        json.loads(row.payload),
        row.created_ms,
    )
