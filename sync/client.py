"""The device's sync client: drain the outbox in order, then pull the server's changes.

Guarantees:
- an operation leaves the outbox only after the server answered it (applied, conflict or
  rejected — a rejection is the server's final word: reported in ``status().rejected`` and
  kept by the store with the acknowledgement, ``Store.ack``);
- timeouts, connection errors, 429 and 5xx are retried with exponential backoff; the same
  batch (same op ids) is re-sent, which the server answers idempotently;
- the cursor advances only together with applying its page (``Store.apply_page``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import httpx
from pydantic import ValidationError

from sync.store import DEFAULT_STREAM, Rejection, Store
from sync.wire import PullResponse, PushRequest, PushResponse

_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


class SyncError(Exception):
    """Sync stopped; nothing was lost (the outbox keeps every unanswered operation).
    ``kind`` says which way, for the words the app shows: failed | unavailable | auth."""

    kind = "failed"


class SyncUnavailable(SyncError):
    """The server could not be reached (or kept failing) after all retries."""

    kind = "unavailable"


class SyncAuthError(SyncError):
    """The token was refused: sign in again."""

    kind = "auth"


class AccountClosedError(SyncAuthError):
    """The token was refused because its account was closed (on another device): the device
    should forget the account's data."""

    kind = "closed"


@dataclass(frozen=True)
class SyncStatus:
    """What the UI shows: operations waiting, the last success and the last error."""

    pending: int
    last_success_ms: int | None
    last_error: str | None
    syncing: bool
    last_error_kind: str | None = None  # the SyncError's kind
    rejected: tuple[Rejection, ...] = field(default_factory=tuple)


def login(http: httpx.Client, username: str, password: str) -> str:
    """The OAuth2 password flow; returns the bearer token (raises SyncAuthError)."""
    response = http.post("/auth/token", data={"username": username, "password": password})
    if response.status_code != 200:
        raise SyncAuthError(f"sign-in failed ({response.status_code})")
    return response.json()["access_token"]


class SyncClient:
    """``http`` is an ``httpx.Client`` with the server's base URL and the bearer token set
    (any transport: tests pass an in-process one); ``store`` is a :class:`sync.store.Store`."""

    def __init__(
        self,
        http: httpx.Client,
        store: Store,
        *,
        device_id: str,
        batch_size: int = 100,
        page_size: int = 500,
        max_attempts: int = 5,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        stream: str = DEFAULT_STREAM,
    ) -> None:
        self.http = http
        self.store = store
        self.device_id = device_id
        self.batch_size = batch_size
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._clock_ms = clock_ms
        self.stream = stream
        self._lock = threading.Lock()  # one sync at a time per device
        self._syncing = False
        self._last_success_ms: int | None = None
        self._last_error: SyncError | None = None
        self._rejected: deque[Rejection] = deque(maxlen=50)

    # -- status --------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        return SyncStatus(
            pending=self.store.count_pending(),
            last_success_ms=self._last_success_ms,
            last_error=None if self._last_error is None else str(self._last_error),
            last_error_kind=None if self._last_error is None else self._last_error.kind,
            syncing=self._syncing,
            rejected=tuple(self._rejected),
        )

    def between_rounds(self) -> AbstractContextManager:
        """``with`` it, sync rounds are held off (one under way is waited for) while the
        caller changes who the device syncs as: no page pulled before can land after. (The
        round lock itself: a generator-based manager would re-raise a frozen InputError by
        setting its traceback, which a frozen dataclass refuses.)"""
        return self._lock

    # -- the round trip ------------------------------------------------------------------

    def sync_once(self) -> bool:
        """Push everything pending, then pull everything new. True on success; on failure
        the error is in ``status().last_error`` and nothing is lost."""
        with self._lock:
            self._syncing = True
            try:
                self.push()
                self.pull()
            except SyncError as exc:
                self._last_error = exc
                return False
            finally:
                self._syncing = False
            self._last_success_ms = self._clock_ms()
            self._last_error = None
            return True

    def push(self) -> int:
        """Send the outbox in batches, in order; returns how many operations were answered."""
        answered = 0
        while True:
            ops = self.store.pending(self.batch_size)
            if not ops:
                return answered
            body = PushRequest(device_id=self.device_id, ops=ops).model_dump(mode="json")
            response = self._request("POST", "/sync/push", json=body)
            try:
                results = PushResponse.model_validate_json(response.content).results
            except ValidationError:
                raise SyncError("the server answered the push with an unreadable body") from None
            by_id = {op.op_id: op for op in ops}
            done = [r.op_id for r in results if r.op_id in by_id]
            refused = [
                Rejection(op.op_id, op.entity, op.entity_id, result.reason, result.message)
                for result in results
                if result.status == "rejected" and (op := by_id.get(result.op_id)) is not None
            ]
            self.store.ack(done, refused)
            self._rejected.extend(refused)
            answered += len(done)
            if len(done) < len(ops):  # the server skipped some: stop rather than loop forever
                raise SyncError("the server did not answer every operation of the batch")

    def pull(self) -> int:
        """Fetch and apply pages until the server has nothing newer; returns changes applied."""
        applied = 0
        cursor = self.store.get_cursor(self.stream)
        while True:
            params = {"since": cursor, "limit": self.page_size}
            response = self._request("GET", "/sync/pull", params=params)
            try:
                page = PullResponse.model_validate_json(response.content)
            except ValidationError:
                raise SyncError("the server answered the pull with an unreadable body") from None
            self.store.apply_page(self.stream, page.changes, page.cursor)
            applied += len(page.changes)
            if not page.has_more or page.cursor <= cursor:
                return applied
            cursor = page.cursor

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        delay = self.backoff_s
        problem = "no attempt"
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.http.request(method, url, **kwargs)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return response
                if response.status_code == 401:
                    if error_code(response) == "account_closed":
                        raise AccountClosedError("the account was closed")
                    raise SyncAuthError("the server refused the token; sign in again")
                if response.status_code not in _TRANSIENT_STATUS:
                    raise SyncError(f"{method} {url} answered {response.status_code}")
                problem = f"{method} {url} answered {response.status_code}"
            if attempt < self.max_attempts:
                self._sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)
        raise SyncUnavailable(f"gave up after {self.max_attempts} attempts ({problem})")


def error_code(response: httpx.Response) -> str | None:
    """The server's error code (``{"code": ...}``), None when the body has none."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


class BackgroundSync:
    """Runs ``client.sync_once()`` on a daemon thread every ``interval_s`` seconds, or at once
    when :meth:`trigger` is called (e.g. after a user action). Never blocks the caller."""

    def __init__(self, client: SyncClient, interval_s: float = 30.0) -> None:
        self.client = client
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="chedai-sync", daemon=True)
            self._thread.start()

    def trigger(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.client.sync_once()
            self.rounds += 1
            self._wake.wait(self.interval_s)
            self._wake.clear()
