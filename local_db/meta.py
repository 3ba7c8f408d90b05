"""The meta table: key/value facts about this database (the device id, the signed-in session,
pulled notes), read and written inside the caller's session."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from local_db.tables import MetaRow

__all__ = ["drop", "get", "put"]


def get(session: Session, key: str) -> str | None:
    row = session.get(MetaRow, key)
    return None if row is None else row.value


def put(session: Session, key: str, value: str) -> None:
    """Set ``key`` to ``value``, replacing what was there."""
    statement = sqlite_insert(MetaRow.__table__).values(key=key, value=value)
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def drop(session: Session, key: str) -> None:
    session.execute(delete(MetaRow).where(MetaRow.key == key))
