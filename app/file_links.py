"""Signed, expiring links to the files ``chedai app`` serves: contract PDFs, and a buyer's
copy of their data.

A contract PDF is served only through a link the application issued to one signed-in user
(after checking that the contract is theirs, see ``Services.contract_url``): the link names
the file, the user and an expiry, and carries an HMAC of the three under a key that exists
only in this process. A link cannot be guessed, altered (another file, user or expiry) or
used after it expires, and every link dies when the server restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode

#: How long a link works: long enough to open and download the PDF, short enough that a
#: link left in a shared tablet's browser history is soon useless.
LINK_TTL_SECONDS = 10 * 60
CONTRACT_PREFIX = "/files/contracts/"
#: The buyer's copy of their data (``Services.data_copy``), made when the link is opened.
EXPORT_PREFIX = "/files/export/"
#: A loan's repayment statement (``Services.statement_pdf``), made when the link is opened.
STATEMENT_PREFIX = "/files/statement/"


class FileLinks:
    def __init__(
        self,
        secret: bytes | None = None,
        *,
        ttl: int = LINK_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._ttl = ttl
        self._clock = clock

    def _signature(self, path: str, user_id: str, expires: int) -> str:
        message = f"{path}\n{user_id}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, name: str, user_id: str, *, prefix: str = CONTRACT_PREFIX) -> str:
        """The path (with its query) that serves ``prefix + name`` to ``user_id`` until the
        expiry."""
        expires = int(self._clock()) + self._ttl
        signature = self._signature(prefix + name, user_id, expires)
        return f"{prefix}{name}?{urlencode({'u': user_id, 'e': expires, 's': signature})}"

    def check(self, name: str, query: dict[str, str], *, prefix: str = CONTRACT_PREFIX) -> bool:
        """Whether ``query`` (the request's ``u``, ``e`` and ``s``) is a live link to
        ``prefix + name``."""
        user_id, expires, signature = query.get("u"), query.get("e"), query.get("s")
        if not (user_id and expires and signature and expires.isdigit()):
            return False
        if int(expires) < self._clock():
            return False
        expected = self._signature(prefix + name, user_id, int(expires))
        return hmac.compare_digest(signature, expected)
