"""Background sync for the app: the one entry point the UI calls.

API (for app/services.py, app/state.py and views/)::

    handle = start_background_sync(settings, engine)   # at start-up, never blocks
    handle.status() -> SyncInfo                        # poll for the UI (cheap)
    handle.sync_now() -> bool                          # one round now, on the caller's thread
    handle.trigger()                                   # wake the background round (after a
                                                       # user action); returns at once
    handle.stop()                                      # at shutdown
    handle.sign_in(username, password, create=False) -> Account   # the person's account
    handle.use(account)                                # sync as it (None: as nobody)
    handle.resume(account)                             # the same, unless already so
    handle.sign_out() -> bool                          # stop, and revoke its token
    handle.revoke(account) -> bool                     # revoke a token not to be used
    handle.close_account(password) -> AccountClosed    # close it on the server (or raises)
    handle.needs_sign_in() -> bool                     # the account's token was refused
    handle.account_closed() -> bool                    # ... because the account was closed
    handle.catalogue_version() -> int                  # changes when a pull changed the catalogue
    handle.fetch_model(folder) -> Path | None          # the server's latest recommender
    newest_model(folder) -> Path | None                # the newest one kept (offline)
    handle.server_is_demo() -> bool | None             # its market is made up

``SyncInfo``: ``enabled`` (False in demo mode: no ``Settings.server_url``), ``signed_in``,
``user_id`` (the server's id of the account; local rows should use it as their user id),
``pending`` (operations waiting to be sent), ``last_success_ms``, ``last_error`` (English text,
None after a success) and its ``last_error_kind`` (``SyncError.kind``: failed, unavailable or
auth), ``syncing``, ``rejected`` (the server's recent refusals, with reasons), ``held`` (outbox
operations the wire cannot carry) and ``skipped`` (pulled changes that could not be applied
locally, with reasons).

Sync runs as the account the person signed in with in the app (``use``); a device with no such
account but an operator's ``Settings.server_username`` / ``server_password``
(``CHEDAI_SERVER_USERNAME``, ``CHEDAI_SERVER_PASSWORD``) signs in with those on the first round,
in the background, and again whenever the server refuses the token. A refused token of the
person's own account waits for them to sign in again (``last_error_kind`` auth). No network
call is made on the caller's thread except in :meth:`SyncHandle.sync_now` and the account's
``sign_in`` / ``sign_out``.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.settings import Settings
from domain.errors import InputError
from local_db.crypto import cipher_for_dir
from local_db.files import write_private
from local_db.tables import MetaRow
from sync import account as account_api
from sync.account import Account
from sync.client import (
    AccountClosedError,
    BackgroundSync,
    SyncAuthError,
    SyncClient,
    SyncError,
    SyncUnavailable,
    login,
)
from sync.local_store import LocalStore, Skipped
from sync.store import DEFAULT_STREAM, Rejection
from sync.wire import AccountClosed, ModelInfo

DEVICE_ID_KEY = "sync.device_id"


@dataclass(frozen=True)
class SyncInfo:
    enabled: bool
    signed_in: bool
    user_id: str | None
    pending: int
    last_success_ms: int | None
    last_error: str | None
    syncing: bool
    rejected: tuple[Rejection, ...] = ()
    held: int = 0
    skipped: tuple[Skipped, ...] = field(default_factory=tuple)
    last_error_kind: str | None = None  # sync.client.SyncError.kind of ``last_error``


_MODEL_FILE = "server-{}.npz"  # a published recommender model, by version


def newest_model(folder: Path) -> Path | None:
    """The newest server model :meth:`SyncHandle.fetch_model` kept in ``folder`` (offline)."""
    found = [(int(p.stem.removeprefix("server-")), p) for p in folder.glob("server-*.npz")
             if p.stem.removeprefix("server-").isdigit()]  # fmt: skip
    return max(found)[1] if found else None


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def device_id(engine: Engine) -> str:
    """This database's device id, made once and kept in local_db's meta table."""
    with Session(engine) as session:
        fresh = f"dev-{uuid.uuid4()}"
        statement = sqlite_insert(MetaRow.__table__).values(key=DEVICE_ID_KEY, value=fresh)
        session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
        value = session.execute(select(MetaRow.value).where(MetaRow.key == DEVICE_ID_KEY))
        result = value.scalar_one()
        session.commit()
    return result


class _SignedInClient:
    """A SyncClient that syncs as the account signed in on this device (:meth:`use`), or,
    with no such account, signs in with the operator's ``server_username`` before its first
    round and after a refused token. Each account pulls on a stream of its own, so the next
    account to sign in on the device gets everything it may see, not only what changed since
    the last one's cursor."""

    def __init__(self, http: httpx.Client, store: LocalStore, settings: Settings, dev: str):
        self.http = http
        self.store = store
        self.settings = settings
        self.client = SyncClient(http, store, device_id=dev)
        self.user_id: str | None = None
        self.account: Account | None = None  # signed in through the app
        self.refused = False  # the server refused the account's token: they must sign in
        self.closed = False  # ... because the account was closed (on another device)
        self._sign_in_error: SyncError | None = None

    def use(self, account: Account | None) -> None:
        """Sync as ``account`` from the next round (None: as nobody)."""
        self.account = account
        self.refused = self.closed = False
        if account is None:
            self.user_id = None
            self.http.headers.pop("Authorization", None)
            return
        self._signed_in(account.token, account.user_id, account.role)
        self._sign_in_error = None

    def _signed_in(self, token: str, user_id: str, role: str) -> None:
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.user_id = user_id
        self.store.user_id = user_id if role == "buyer" else None
        self.client.stream = f"{DEFAULT_STREAM}:{user_id}"

    def _sign_in(self) -> None:
        if self.account is not None:  # its token was refused: only the person can sign in
            raise SyncAuthError("the server refused the sign-in: sign in again")
        if not self.settings.server_username or not self.settings.server_password:
            raise SyncAuthError("not signed in")
        try:
            token = login(self.http, self.settings.server_username, self.settings.server_password)
            me = self.http.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise SyncUnavailable(f"cannot reach the server: {type(exc).__name__}") from None
        if me.status_code != 200:
            raise SyncAuthError(f"sign-in failed ({me.status_code})")
        self._signed_in(token, me.json()["id"], me.json()["role"])

    def sync_once(self) -> bool:
        if self.user_id is None:
            try:
                self._sign_in()
            except SyncError as exc:
                self._sign_in_error = exc
                return False
            self._sign_in_error = None
        ok = self.client.sync_once()
        refused_as = self.client.status().last_error_kind if not ok else None
        if refused_as in (SyncAuthError.kind, AccountClosedError.kind):  # the token refused
            self.user_id = None  # sign in afresh on the next round
            self.http.headers.pop("Authorization", None)
            self.refused = self.account is not None  # expired or revoked: only they can
            self.closed = self.refused and refused_as == AccountClosedError.kind
        return ok

    def sign_in(self, username: str, password: str, *, create: bool = False) -> Account:
        """Sign in (``create``: create a buyer account first) through the server's account
        API; raises InputError naming the field. Sync does not use it until :meth:`use`."""
        return (account_api.register if create else account_api.sign_in)(
            self.http, username, password
        )

    def sign_out(self) -> bool:
        """Stop syncing as the signed-in account and revoke its token (False: the server could
        not be told; the token expires on its own)."""
        account = self.account
        self.use(None)
        return account is None or account_api.sign_out(self.http, account.token)

    @property
    def last_error(self) -> tuple[str, str] | None:
        """The last round's error: (kind, English detail), None after a success."""
        if self._sign_in_error is not None:
            return self._sign_in_error.kind, str(self._sign_in_error)
        status = self.client.status()
        if status.last_error is None:
            return None
        return status.last_error_kind or "failed", status.last_error


class SyncHandle:
    """What :func:`start_background_sync` returns; see the module docstring."""

    def __init__(self, runner: _SignedInClient | None, interval_s: float) -> None:
        self._runner = runner
        self._background = BackgroundSync(runner, interval_s) if runner else None  # type: ignore[arg-type]
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._background is not None:
            self._background.start()

    def status(self) -> SyncInfo:
        if self._runner is None:
            return SyncInfo(False, False, None, 0, None, None, False)
        base = self._runner.client.status()
        store = self._runner.store
        return SyncInfo(
            enabled=True,
            signed_in=self._runner.user_id is not None,
            user_id=self._runner.user_id,
            pending=base.pending,
            last_success_ms=base.last_success_ms,
            last_error=error[1] if (error := self._runner.last_error) else None,
            last_error_kind=error[0] if error else None,
            syncing=base.syncing,
            rejected=base.rejected,
            held=store.held(),
            skipped=tuple(store.skipped()),
        )

    def sync_now(self) -> bool:
        """One round (sign in if needed, push, pull) on the caller's thread; False when sync
        is off or the round failed (the reason is in ``status().last_error``)."""
        return self._runner is not None and self._runner.sync_once()

    def catalogue_version(self) -> int:
        """A number that changes whenever a pull changed the catalogue (0 with sync off)."""
        return 0 if self._runner is None else self._runner.store.catalogue_version

    def needs_sign_in(self) -> bool:
        """The server refused the signed-in account's token (expired, or revoked elsewhere):
        sync waits until the person signs in again."""
        return self._runner is not None and self._runner.refused

    def account_closed(self) -> bool:
        """The server refused the account's token because the account was closed (on another
        of the person's devices): what this device holds of it is to be forgotten."""
        return self._runner is not None and self._runner.closed

    def sign_in(self, username: str, password: str, *, create: bool = False) -> Account:
        """Check the person's account with the server (``create``: create a buyer account
        first); raises InputError naming the field. Sync uses it after :meth:`use`."""
        if self._runner is None:
            raise InputError("server", "demo_only", "Demo mode has no server to sign in to")
        return self._runner.sign_in(username, password, create=create)

    def use(self, account: Account | None) -> None:
        """Sync as ``account`` from the next round (None: stop syncing as anyone)."""
        if self._runner is not None:
            self._runner.use(account)

    def resume(self, account: Account) -> None:
        """:meth:`use` ``account`` unless sync already runs as it (a page reloaded: what the
        server said of its token still stands)."""
        if self._runner is not None and self._runner.account != account:
            self._runner.use(account)

    def sign_out(self) -> bool:
        """Stop syncing as the account and revoke its token; False when the server could not
        be told (the token then expires on its own)."""
        return self._runner is None or self._runner.sign_out()

    def close_account(self, password: str) -> AccountClosed:
        """Close the signed-in account on the server, then stop syncing as it; InputError
        naming the field when the server refuses (``sync.account.close_account``)."""
        runner = self._runner
        if runner is None or runner.account is None:
            raise InputError("server", "demo_only", "Demo mode has no server to sign in to")
        with runner.client.between_rounds():  # a round under way would pull as them after
            closed = account_api.close_account(runner.http, runner.account.token, password)
            runner.use(None)
        return closed

    def revoke(self, account: Account) -> bool:
        """Revoke the token of an account that signed in but is not to be used here (sync
        goes on as before)."""
        return self._runner is None or account_api.sign_out(self._runner.http, account.token)

    def server_is_demo(self) -> bool | None:
        """Whether the server's market is a demo's (None: no server, or not reachable)."""
        return None if self._runner is None else account_api.server_is_demo(self._runner.http)

    def fetch_model(self, folder: Path) -> Path | None:
        """The server's latest recommender factor file in ``folder`` (``server-<version>.npz``),
        downloaded when this device does not have it yet and its SHA-256 checked; None when
        the server has published none or cannot be asked (no server, no one signed in,
        offline)."""
        runner = self._runner
        if runner is None or runner.user_id is None:
            return None
        try:
            latest = runner.http.get("/recommender/model")
            if latest.status_code != 200:
                return None
            info = ModelInfo.model_validate(latest.json())
            path = folder / _MODEL_FILE.format(info.version)
            if path.exists() and _sha256(path.read_bytes()) == info.sha256:
                return path
            content = runner.http.get(info.url)
        except (httpx.HTTPError, ValueError):
            return None
        if content.status_code != 200 or _sha256(content.content) != info.sha256:
            return None
        write_private(path, content.content)  # 0600, atomic: a reader never meets half a file
        return path

    def trigger(self) -> None:
        if self._background is not None:
            self._background.trigger()

    def stop(self) -> None:
        if self._background is not None:
            self._background.stop()
        if self._runner is not None:
            self._runner.http.close()


def start_background_sync(
    settings: Settings,
    engine: Engine,
    *,
    http: httpx.Client | None = None,
    interval_s: float = 30.0,
    start: bool = True,
) -> SyncHandle:
    """Start syncing ``engine``'s local database with ``settings.server_url`` in the background.
    In demo mode (no server_url) the handle is inert and reports ``enabled=False``. ``http``
    replaces the real client (tests pass an in-process one)."""
    if not settings.server_url:
        return SyncHandle(None, interval_s)
    http = http or httpx.Client(base_url=settings.server_url, timeout=10.0)
    store = LocalStore(engine, cipher=cipher_for_dir(settings.data_dir))
    runner = _SignedInClient(http, store, settings, device_id(engine))
    handle = SyncHandle(runner, interval_s)
    if start:
        handle.start()
    return handle
