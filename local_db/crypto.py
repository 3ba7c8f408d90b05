"""Encryption at rest for sensitive fields (a buyer's ID number and phone, their income, debt
payments and credit score, and those figures in a pending outbox payload): AES-256-GCM.

The key is 32 random bytes in a file in the data dir, created on first use with 0600
permissions. A ciphertext is ``nonce (12 bytes) || ciphertext || tag`` and is bound to its
column by the associated data, so one field's ciphertext cannot be pasted into another.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE_NAME = "field.key"
_KEY_BYTES = 32
_NONCE_BYTES = 12


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise ValueError("the field key must be 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, field: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), field.encode())

    def decrypt(self, blob: bytes, *, field: str) -> str:
        """Raises ``cryptography.exceptions.InvalidTag`` on a wrong key, field or edited bytes."""
        nonce, body = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, field.encode()).decode("utf-8")


def load_or_create_key(path: Path) -> bytes:
    """Read the key file, or create it (0600, never overwriting a file that appeared
    meanwhile) with a fresh random key."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=_KEY_BYTES * 8)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            return key
    return read_key(path)


def read_key(path: Path) -> bytes:
    """The key in an existing key file (ValueError unless it holds 32 bytes)."""
    key = Path(path).read_bytes()
    if len(key) != _KEY_BYTES:
        raise ValueError(f"{path} does not hold a 32-byte key")
    return key


def cipher_for_dir(data_dir: Path) -> FieldCipher:
    """The cipher whose key lives in ``data_dir`` (created on first use)."""
    return FieldCipher(load_or_create_key(Path(data_dir) / KEY_FILE_NAME))
