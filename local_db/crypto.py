"""Encryption at rest for sensitive fields (a buyer's ID number and phone, their income, debt
payments and credit score, and those figures in a pending outbox payload): AES-256-GCM.

The key is 32 random bytes in a file in the data dir, created on first use with 0600
permissions. A ciphertext is ``nonce (12 bytes) || ciphertext || tag`` and is bound to its
column by the associated data, so one field's ciphertext cannot be pasted into another.

A key file may hold older keys after the current one (32 bytes each): a rotation
(:func:`rotate_key_file`, with ``local_db.sealing.reseal`` or ``backend.reseal.reseal_all``)
puts a new key first, reseals everything with it and then drops the old ones, so a rotation
stopped half way leaves every value readable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from local_db.files import write_private

KEY_FILE_NAME = "field.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12


class FieldCipher:
    """Seals with the first of ``keys`` and opens with whichever of them sealed a value."""

    def __init__(self, *keys: bytes) -> None:
        if not keys or any(len(key) != _KEY_BYTES for key in keys):
            raise ValueError("a field key must be 32 bytes")
        self.keys = keys
        self._aeads = [AESGCM(key) for key in keys]

    def encrypt(self, plaintext: str, *, field: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aeads[0].encrypt(nonce, plaintext.encode("utf-8"), field.encode())

    def decrypt(self, blob: bytes, *, field: str) -> str:
        """Raises ``cryptography.exceptions.InvalidTag`` on a wrong key, field or edited bytes."""
        nonce, body = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        for aead in self._aeads[:-1]:
            try:
                return aead.decrypt(nonce, body, field.encode()).decode("utf-8")
            except InvalidTag:
                continue  # sealed with an older key (a rotation under way)
        return self._aeads[-1].decrypt(nonce, body, field.encode()).decode("utf-8")

    def current(self) -> FieldCipher:
        """This cipher without its older keys: what a rotation reseals with."""
        return FieldCipher(self.keys[0])


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=_KEY_BYTES * 8)


def load_or_create_keys(path: Path) -> tuple[bytes, ...]:
    """The keys in the key file (the current one first), or a fresh random key in a new file
    (0600, never overwriting a file that appeared meanwhile)."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = new_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            return (key,)
    return read_keys(path)


def read_keys(path: Path) -> tuple[bytes, ...]:
    """The keys in an existing key file, the current one first (ValueError unless it holds
    one or more 32-byte keys)."""
    data = Path(path).read_bytes()
    if not data or len(data) % _KEY_BYTES:
        raise ValueError(f"{path} does not hold 32-byte keys")
    return tuple(data[i : i + _KEY_BYTES] for i in range(0, len(data), _KEY_BYTES))


def write_keys(path: Path, keys: tuple[bytes, ...]) -> None:
    """Replace the key file with ``keys`` (the current one first), atomically, 0600."""
    write_private(path, b"".join(keys))


def rotate_key_file(path: Path, reseal: Callable[[FieldCipher], int]) -> int:
    """Replace the key in the key file ``path`` with a fresh one: the fresh key goes first in
    the file, ``reseal`` (given a cipher that seals with it and opens with every key) reseals
    everything, then the file keeps the fresh key alone. Stopped half way, the file still
    holds every key a value may be sealed with. Returns what ``reseal`` returns."""
    keys = read_keys(path)
    fresh = new_key()
    write_keys(path, (fresh, *keys))
    count = reseal(FieldCipher(fresh, *keys))
    write_keys(path, (fresh,))
    return count


def cipher_for_dir(data_dir: Path) -> FieldCipher:
    """The cipher whose keys live in ``data_dir`` (created on first use)."""
    return FieldCipher(*load_or_create_keys(Path(data_dir) / KEY_FILE_NAME))
