"""A buyer's figures (income, debt payments, credit score) sealed at rest on the server.

They travel in clear (the wire is unchanged: the per-field rules and the devices read them),
but ``records.data`` and ``changes.data`` hold each as ``{"$sealed": "<base64 AES-GCM of its
JSON>"}`` (the marker of ``local_db.outbox``), bound by the associated data to the entity, the
record's id and the field, so a ciphertext cannot be moved to another record or field.

:func:`seal` is applied where a state is encoded for storage and :func:`open_data` where stored
data is decoded (``backend.store``); both return other entities' data untouched, after one
dict lookup. Opening accepts a clear value (a row written before this existed); such rows,
current and historical, are sealed at the next start (``backend.reseal``).

The key: ``Settings.server_field_key_file`` (``CHEDAI_SERVER_FIELD_KEY_FILE``, which must exist:
several servers sharing one database must share it), else ``server-field.key`` in the data
dir, created 0600 on first use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.settings import Settings
from local_db.crypto import FieldCipher, load_or_create_keys, read_keys
from local_db.files import private_dir
from local_db.outbox import is_sealed, open_values, seal_values
from local_db.repositories.people import SEALED_FIGURES

KEY_FILE_NAME = "server-field.key"
#: entity -> the fields of its data stored sealed
SEALED_FIELDS: dict[str, tuple[str, ...]] = {"profile": tuple(SEALED_FIGURES)}
SCOPE = "server"  # what the ciphertexts are bound to, beside the record and the field


def server_cipher(settings: Settings) -> FieldCipher:
    """The server's field cipher (see the module docstring for where its key lives)."""
    override = settings.server_field_key_file
    if override is not None:
        return FieldCipher(*read_keys(Path(override)))  # a missing file is an error: no fresh key
    return FieldCipher(*load_or_create_keys(key_file(settings)))


def key_file(settings: Settings) -> Path:
    """Where the server's keys live (see the module docstring)."""
    if settings.server_field_key_file is not None:
        return Path(settings.server_field_key_file)
    return private_dir(settings.data_dir) / KEY_FILE_NAME


def seal(
    cipher: FieldCipher | None, entity: str, entity_id: str, data: dict[str, Any] | None
) -> dict[str, Any] | None:
    """``data`` (clear, as the rules hold it) as stored: its sensitive fields sealed. Every
    such value is sealed, even one that looks sealed (a client's), so opening gives it back.
    ``cipher`` None (store-level tests): stored as is."""
    names = SEALED_FIELDS.get(entity)
    if names is None or cipher is None or not data or not any(n in data for n in names):
        return data
    return seal_values(
        data, names, cipher, entity=entity, entity_id=entity_id, scope=SCOPE, again=True
    )


def open_data(
    cipher: FieldCipher | None, entity: str, entity_id: str, raw: str | None
) -> dict[str, Any] | None:
    """Stored data (JSON text, or None) decoded, its sealed fields opened; a clear value (a
    row written before sealing) is returned as is. Raises ``ValueError`` for a sealed value
    without a cipher, ``cryptography.exceptions.InvalidTag`` for another key or a moved or
    edited value."""
    if not raw:
        return None
    data = json.loads(raw)
    names = SEALED_FIELDS.get(entity)
    if names is None or not any(is_sealed(data.get(n)) for n in names):
        return data
    if cipher is None:
        raise ValueError(f"{entity} {entity_id}: its figures are sealed and no key was given")
    return open_values(data, cipher, entity=entity, entity_id=entity_id, scope=SCOPE, names=names)
