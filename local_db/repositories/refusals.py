"""The server's refusals of this device's operations, as ``sync.local_store`` kept them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, literal_column, select
from sqlmodel import Session

from local_db.tables import SyncRefusalRow

#: The server's reason when another application on the same car was signed first
#: (``backend.rules``: a car is financed once).
UNDER_CONTRACT = "under_contract"


def refused_ids(session: Session, *, entity: str, ids: Collection[str], reason: str) -> set[str]:
    """Which of the ``entity`` records ``ids`` (the wire's entity name) the server refused
    an operation on for ``reason``."""
    if not ids:
        return set()
    query = select(SyncRefusalRow.entity_id).where(
        SyncRefusalRow.entity == entity,
        SyncRefusalRow.entity_id.in_(list(ids)),
        SyncRefusalRow.reason == reason,
    )
    return set(session.execute(query).scalars())


def latest(session: Session) -> tuple[int, SyncRefusalRow | None]:
    """How many of this device's operations the server refused, and the latest refusal."""
    count = session.execute(select(func.count()).select_from(SyncRefusalRow)).scalar_one()
    last = session.execute(
        select(SyncRefusalRow)  # rowid: the order kept, within one millisecond too
        .order_by(SyncRefusalRow.at_ms.desc(), literal_column("rowid").desc())
        .limit(1)
    ).scalar_one_or_none()
    return count, last
