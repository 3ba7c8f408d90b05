"""The server's refusals of this device's operations, as ``sync.local_store`` kept them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, literal_column, select
from sqlmodel import Session

from local_db import meta
from local_db.tables import ContractRow, SyncRefusalRow

#: The server's reason when another application on the same car was signed first
#: (``backend.rules``: a car is financed once).
UNDER_CONTRACT = "under_contract"


def cars_taken(session: Session, application_ids: Collection[str]) -> set[str]:
    """Which of the applications the server refused to sign for, or to pay out, because
    another contract on the same car reached it first: a refusal ``under_contract`` of an op
    on the application or on one of its contracts."""
    if not application_ids:
        return set()
    ids = list(application_ids)
    refused = (SyncRefusalRow.reason == UNDER_CONTRACT,)
    own = select(SyncRefusalRow.entity_id).where(
        SyncRefusalRow.entity == "application", SyncRefusalRow.entity_id.in_(ids), *refused
    )
    by_contract = (
        select(ContractRow.application_id)
        .join(SyncRefusalRow, SyncRefusalRow.entity_id == ContractRow.id)
        .where(SyncRefusalRow.entity == "contract", ContractRow.application_id.in_(ids), *refused)
    )
    return set(session.execute(own.union(by_contract)).scalars())


_ROWID = literal_column("rowid")  # the order they were kept in
#: the refusals counted as unread are those kept after this mark (:func:`mark_read`)
_READ_UP_TO = "sync.refusals_read_up_to"


def unread(session: Session) -> tuple[int, SyncRefusalRow | None]:
    """How many of the server's refusals are unread, and the latest of them."""
    since = int(meta.get(session, _READ_UP_TO) or 0) < _ROWID
    count = session.execute(
        select(func.count()).select_from(SyncRefusalRow).where(since)
    ).scalar_one()
    last = session.execute(
        select(SyncRefusalRow).where(since).order_by(_ROWID.desc()).limit(1)
    ).scalar_one_or_none()
    return count, last


def mark_read(session: Session) -> None:
    """Every refusal kept so far is read (the person dismissed them, or another account signed
    in): :func:`unread` counts only later ones. The caller commits."""
    last = session.execute(
        select(func.coalesce(func.max(_ROWID), 0)).select_from(SyncRefusalRow)
    ).scalar_one()
    meta.put(session, _READ_UP_TO, str(last))
