"""The audit log: append-only, each entry's SHA-256 covering its content and the previous
entry's hash, so editing, removing or reordering any entry breaks the chain from there on.
SQLite triggers also refuse UPDATE and DELETE on the table (migration v1)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain.catalog import AuditEntry
from local_db.codec import dumps, from_ms, to_ms
from local_db.tables import AuditLogRow

GENESIS = "0" * 64


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at_ms: int,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: str,
) -> str:
    body = dumps(
        {
            "seq": seq,
            "at_ms": at_ms,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    last = session.execute(
        select(AuditLogRow.seq, AuditLogRow.hash).order_by(AuditLogRow.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at_ms = to_ms(at or datetime.now(UTC))
    details_json = dumps(details or {})
    digest = entry_hash(
        prev_hash=prev_hash,
        seq=seq,
        at_ms=at_ms,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=details_json,
    )
    row = AuditLogRow(
        seq=seq,
        at_ms=at_ms,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=details_json,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(row)
    session.flush()
    return _entry(row)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_seq: int | None = None


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every hash in order; report the first entry that does not match."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for row in session.execute(select(AuditLogRow).order_by(AuditLogRow.seq)).scalars():
        digest = entry_hash(
            prev_hash=prev_hash,
            seq=row.seq,
            at_ms=row.at_ms,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            details=row.details,
        )
        if row.seq != expected_seq or row.prev_hash != prev_hash or row.hash != digest:
            return ChainCheck(ok=False, checked=checked, first_bad_seq=row.seq)
        prev_hash, expected_seq, checked = row.hash, row.seq + 1, checked + 1
    return ChainCheck(ok=True, checked=checked)


def list_entries(session: Session, *, entity_id: str | None = None) -> list[AuditEntry]:
    query = select(AuditLogRow).order_by(AuditLogRow.seq)
    if entity_id is not None:
        query = query.where(AuditLogRow.entity_id == entity_id)
    return [_entry(r) for r in session.execute(query).scalars()]


def _entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=from_ms(row.at_ms),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
