"""The meta table: key/value facts about this database (the device id, the signed-in session,
pulled notes), read and written inside the caller's session."""

from __future__ import annotations

import base64

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from local_db.crypto import FieldCipher
from local_db.tables import MetaRow

__all__ = ["SEALED_KEYS", "drop", "get", "get_sealed", "put", "put_sealed"]

#: The entries whose value is sealed with the device's field key (:func:`put_sealed`): the
#: signed-in session's token. A key rotation reseals them (``local_db.sealing.reseal``).
SEALED_KEYS = ("account.session",)


def get(session: Session, key: str) -> str | None:
    row = session.get(MetaRow, key)
    return None if row is None else row.value


def put(session: Session, key: str, value: str) -> None:
    """Set ``key`` to ``value``, replacing what was there."""
    statement = sqlite_insert(MetaRow.__table__).values(key=key, value=value)
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def drop(session: Session, key: str) -> None:
    session.execute(delete(MetaRow).where(MetaRow.key == key))


def put_sealed(session: Session, key: str, text: str, cipher: FieldCipher) -> None:
    """Set ``key`` (one of :data:`SEALED_KEYS`) to ``text`` sealed, bound to the key."""
    if key not in SEALED_KEYS:
        raise ValueError(f"{key} is not a sealed meta entry")
    blob = cipher.encrypt(text, field=key)
    put(session, key, base64.b64encode(blob).decode("ascii"))


def get_sealed(session: Session, key: str, cipher: FieldCipher) -> str | None:
    """The text :func:`put_sealed` stored (None when unset). Raises ``InvalidTag`` for a value
    sealed with another key, ``ValueError`` for one that is not base64."""
    stored = get(session, key)
    if stored is None:
        return None
    return cipher.decrypt(base64.b64decode(stored, validate=True), field=key)
