"""What :class:`sync.client.SyncClient` needs from the device's database, and an in-memory
implementation for tests. The SQLite one (over ``local_db``) is :mod:`sync.local_store`."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sync.wire import Change, Op

DEFAULT_STREAM = "main"


@dataclass(frozen=True)
class Rejection:
    """The server's refusal of one operation: final (``reason`` a stable code)."""

    op_id: str
    entity: str
    entity_id: str
    reason: str | None
    message: str | None


class Store(Protocol):
    """The device side of sync.

    - ``pending(limit)``: the oldest unacknowledged operations, in the order they were made;
    - ``ack(op_ids, refused)``: forget operations the server answered (applied or rejected),
      and keep its refusals among them (:class:`Rejection`), in one local transaction;
    - ``apply_page(stream, changes, cursor)``: apply pulled changes *and* store the new cursor
      in one local transaction, so a crash never advances the cursor past unapplied changes;
    - ``get_cursor(stream)``: the last stored cursor (0 when never pulled);
    - ``count_pending()``: how many operations wait to be sent (for the UI).
    """

    def pending(self, limit: int) -> list[Op]: ...

    def ack(self, op_ids: Sequence[str], refused: Sequence[Rejection] = ()) -> None: ...

    def apply_page(self, stream: str, changes: Sequence[Change], cursor: int) -> None: ...

    def get_cursor(self, stream: str) -> int: ...

    def count_pending(self) -> int: ...


@dataclass
class MemoryStore:
    """A device in memory: an outbox, a cursor and the records as last seen from the server
    (with the device's own unsent edits applied on top by :meth:`record`)."""

    outbox: list[Op] = field(default_factory=list)
    records: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)
    refusals: list[Rejection] = field(default_factory=list)
    clock_ms: int = 1_000
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(
        self, entity: str, entity_id: str, payload: dict[str, Any], op: str = "upsert"
    ) -> Op:
        """A local user action: enqueue an operation (the UI would also write its rows)."""
        with self._lock:
            self.clock_ms += 1
            item = Op(
                op_id=str(uuid.uuid4()),
                entity=entity,
                entity_id=entity_id,
                op=op,
                payload=payload,
                created_ms=self.clock_ms,
            )
            self.outbox.append(item)
            return item

    def pending(self, limit: int) -> list[Op]:
        with self._lock:
            return list(self.outbox[:limit])

    def ack(self, op_ids: Sequence[str], refused: Sequence[Rejection] = ()) -> None:
        done = set(op_ids)
        with self._lock:
            self.outbox = [op for op in self.outbox if op.op_id not in done]
            self.refusals.extend(refused)

    def apply_page(self, stream: str, changes: Sequence[Change], cursor: int) -> None:
        with self._lock:
            for change in changes:
                key = (change.entity, change.entity_id)
                self.records[key] = None if change.deleted else change.data
            self.cursors[stream] = cursor

    def get_cursor(self, stream: str) -> int:
        with self._lock:
            return self.cursors.get(stream, 0)

    def count_pending(self) -> int:
        with self._lock:
            return len(self.outbox)

    def live_records(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The records that are not tombstones."""
        with self._lock:
            return {k: v for k, v in self.records.items() if v is not None}
