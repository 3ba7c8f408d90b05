"""The sync store: idempotent bulk pushes and sequenced pulls over SQLite or PostgreSQL.

A push is one transaction: read the batch's idempotency rows and current records (two
SELECTs; the records include those the rules compare an op with: the applications, contracts
and reversed payments the payloads name; a third, in a batch that signs, reads the other
applications on its cars, by the records' ``car`` index), decide every op in memory with
``backend.rules``, then write the change log, the records (INSERT ... ON CONFLICT DO UPDATE)
and the idempotency rows with three executemany statements (a fourth, in a batch that
reverses payments, marks them in their ``meta``). The op id and its result therefore commit
or roll back together with the effect.

Sequence numbers are handed out in commit order: SQLite has one writer at a time (the push
takes the write lock with BEGIN IMMEDIATE), and on PostgreSQL a transaction-level advisory
lock serialises pushes, so a client that pulled past ``seq`` n can never miss a change < n.

The change log (``changes``) is the history, a row per applied change, kept; a pull reads the
records, each carrying the sequence of its last change, so a device that joins late downloads
every row once, at its latest version, not the history of every row.

A buyer's figures in a profile are stored sealed (``backend.sealing``): the functions that
write or read stored data take the server's ``cipher`` (None: stored and read as is).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, text, true

from backend.db import WRITE, is_sqlite
from backend.models import ChangeRow, Idempotency, Record, User
from backend.rules import (
    DEALER_VISIBLE,
    OF_AN_APPLICATION,
    Actor,
    State,
    can_read,
    car_key,
    car_marked,
    cars_marked_by,
    cars_signed_for,
    decide,
    is_uuid,
    linked_records,
    named_buyers,
    review_flags,
)
from backend.sealing import open_data, seal
from domain.catalog import review_state
from local_db.crypto import FieldCipher
from sync.wire import CATALOGUE_ENTITIES, MAX_PULL_LIMIT, Change, Op, OpResult, PullResponse

_changes = ChangeRow.__table__
_records = Record.__table__
_users = User.__table__
_idem = Idempotency.__table__
_PUSH_LOCK_KEY = 0x43484544  # "CHED": the advisory lock that orders pushes on PostgreSQL


#: Encoders built once: ``json.dumps`` with keyword arguments builds a new encoder per call,
#: which was a tenth of a push's time (three encodes per op).
_encode = json.JSONEncoder(separators=(",", ":")).encode
_encode_sorted = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def request_hash(op: Op) -> tuple[str, int]:
    """The hash that tells a retry (same body) from a reused op id (different body), and the
    size of the encoded body (the payload limit is checked on it)."""
    encoded = _encode_sorted([op.entity, op.entity_id, op.op, op.payload, op.created_ms]).encode()
    return hashlib.sha256(encoded).hexdigest(), len(encoded)


def dumps_stored(value: Any) -> str:
    """``value`` as the store writes JSON into ``records`` and ``changes`` (a state's data or
    meta); ASCII escapes, so a lone surrogate from a JSON body cannot fail the UTF-8 encode."""
    return _encode(value)


def push(
    engine: Engine,
    actor: Actor,
    device_id: str,
    ops: Sequence[Op],
    now_ms: int,
    *,
    cipher: FieldCipher | None = None,
) -> list[OpResult]:
    """Apply ``ops`` in order for ``actor``; returns one result per op, in the same order."""
    if not ops:
        return []
    hashes = [request_hash(op) for op in ops]  # before the lock: it is held for the writes
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        lock_pushes(engine, conn)
        return _push(engine, conn, actor, device_id, ops, hashes, now_ms, cipher)


def publish_once(
    engine: Engine,
    actor: Actor,
    device_id: str,
    ops: Sequence[Op],
    now_ms: int,
    *,
    unless_any_of: Collection[str],
    cipher: FieldCipher | None = None,
) -> list[OpResult] | None:
    """:func:`push` ``ops`` all or nothing, unless a record of one of the entities
    ``unless_any_of`` exists (a tombstone counts); None when one does and nothing was pushed.
    The check runs in the push's own write transaction, so two servers starting at once
    publish once. An op the rules do not apply rolls every one back (ValueError)."""
    hashes = [request_hash(op) for op in ops]
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        lock_pushes(engine, conn)
        present = conn.execute(
            select(_records.c.entity).where(_records.c.entity.in_(list(unless_any_of))).limit(1)
        ).first()
        if present is not None:
            return None
        results = _push(engine, conn, actor, device_id, ops, hashes, now_ms, cipher) if ops else []
        refused = next((r for r in results if r.status != "applied"), None)
        if refused is not None:
            raise ValueError(f"not published: {refused.op_id} {refused.reason}: {refused.message}")
        return results


def lock_pushes(engine: Engine, conn: Connection) -> None:
    """Serialise pushes, and whatever else rewrites stored records (``backend.reseal``), on
    ``conn``'s transaction (SQLite's BEGIN IMMEDIATE already has: see ``WRITE``)."""
    if not is_sqlite(engine):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUSH_LOCK_KEY})


def _push(
    engine: Engine,
    conn: Connection,
    actor: Actor,
    device_id: str,
    ops: Sequence[Op],
    hashes: Sequence[tuple[str, int]],
    now_ms: int,
    cipher: FieldCipher | None,
) -> list[OpResult]:
    """The body of :func:`push`, in the caller's write transaction (pushes locked);
    ``hashes``: each op's :func:`request_hash`."""
    sql = _sql(engine)
    op_ids = list({op.op_id for op in ops})
    stored = {
        row.op_id: row for row in conn.exec_driver_sql(*_idempotency_query(sql.marker, op_ids))
    }
    keys = list({(op.entity, op.entity_id) for op in ops} | _records_named(ops))
    states: dict[tuple[str, str], State | None] = dict.fromkeys(keys)
    for row in conn.exec_driver_sql(*_records_query(sql.marker, keys)):
        states[(row.entity, row.entity_id)] = _state(row, cipher)
    if cars := cars_signed_for(ops, states):
        for row in conn.exec_driver_sql(*_applications_on_query(sql.marker, cars)):
            states.setdefault((row.entity, row.entity_id), _state(row, cipher))
    if unread_cars := [  # the cars the batch may mark, not read yet
        key for car in cars_marked_by(ops, states) if (key := ("vehicle", car)) not in states
    ]:
        for row in conn.exec_driver_sql(*_records_query(sql.marker, unread_cars)):
            states.setdefault((row.entity, row.entity_id), _state(row, cipher))
    accounts = _accounts(conn, named_buyers(actor, ops))
    # Pushes are serialised (see the module docstring), so the next numbers are
    # MAX(seq)+1.. and can be handed out while deciding: one executemany, no RETURNING.
    seq = conn.execute(select(func.coalesce(func.max(_changes.c.seq), 0))).scalar()

    results: list[OpResult] = []
    changes: list[tuple] = []
    touched: dict[tuple[str, str], tuple] = {}  # key -> its last change row
    marked: dict[tuple[str, str], dict] = {}  # key -> its new meta, no change logged
    new_idem: dict[str, tuple[str, int]] = {}  # op_id -> (hash, result index)
    idem_rows: list[tuple] = []
    for op, (digest, size) in zip(ops, hashes, strict=True):
        previous = stored.get(op.op_id)
        if previous is not None or op.op_id in new_idem:
            results.append(_replay(op, digest, actor, previous, new_idem, results))
            continue
        key = (op.entity, op.entity_id)
        outcome = decide(
            actor, op, device_id, states[key], size, _application(op, states), accounts, states,
            now_ms,
        )  # fmt: skip
        for other, meta in outcome.meta_of:
            states[other] = replace(states[other], meta=meta)
            marked[other] = meta
        op_seq = None
        if outcome.state is not None:
            seq += 1
            op_seq = seq
            states[key] = outcome.state
            change = (seq, *_change_row(key, outcome.state, cipher))
            changes.append(change)
            touched[key] = change
        made_ms = min(op.created_ms, now_ms)  # a device's clock ahead frees no car early
        changed = [*outcome.changed, *_cars_marked(key, outcome, states, made_ms)]
        for other, state in changed:
            seq += 1
            states[other] = state
            change = (seq, *_change_row(other, state, cipher))
            changes.append(change)
            touched[other] = change
        result = OpResult(
            op_id=op.op_id,
            status=outcome.status,
            seq=op_seq,
            reason=outcome.reason,
            message=outcome.message,
        )
        new_idem[op.op_id] = (digest, len(results))
        results.append(result)
        stored_result = {
            "op_id": op.op_id,
            "status": outcome.status,
            "seq": op_seq,
            "reason": outcome.reason,
            "message": outcome.message,
        }
        idem_rows.append((op.op_id, actor.user_id, digest, _encode(stored_result), now_ms))

    if changes:
        conn.exec_driver_sql(sql.insert_changes, changes)
        conn.exec_driver_sql(sql.upsert_records, _record_rows(states, touched))
    if marked:  # after the upsert: a payment may be new in this batch
        rows = [(dumps_stored(meta), *key) for key, meta in marked.items()]
        conn.exec_driver_sql(sql.update_meta, rows)
    if idem_rows:
        conn.exec_driver_sql(sql.insert_idempotency, idem_rows)
    return results


def _cars_marked(key, outcome, states, made_ms: int) -> list[tuple[tuple[str, str], State]]:
    """The catalogue records of the cars whose applications ``outcome`` changed, marked held
    or freed (``backend.rules.car_marked``; only the cars the batch read: those it may mark)."""
    own = [(key, outcome.state)] if outcome.state is not None else []
    marked = []
    for app_key, application in [*own, *outcome.changed]:
        if app_key[0] != "application":
            continue
        car_record = ("vehicle", car_key((application.data or {}).get("vehicle_id")))
        vehicle = states.get(car_record) if car_record[1] is not None else None
        if vehicle is not None and (new := car_marked(vehicle, app_key[1], application, made_ms)):
            states[car_record] = new  # a later op of the batch sees the mark
            marked.append((car_record, new))
    return marked


def _state(row, cipher: FieldCipher | None) -> State:
    """A stored record as the rules see it."""
    return State(
        row.owner_id,
        row.dealer_id,
        open_data(cipher, row.entity, row.entity_id, row.data),
        json.loads(row.meta),
        bool(row.deleted),
        row.updated_ms,
    )


def _records_named(ops: Sequence[Op]) -> set[tuple[str, str]]:
    """The keys of the records that the batch's ops name and the rules read: the
    applications of its contracts, offers and payments, the payments' contracts and
    reversed payments, and the applications' cars (``backend.rules.linked_records``)."""
    return {
        ("application", op.payload["application_id"])
        for op in ops
        if op.entity in OF_AN_APPLICATION and is_uuid(op.payload.get("application_id"))
    }.union(*(linked_records(op) for op in ops))


def _application(op: Op, states: dict[tuple[str, str], State | None]) -> State | None:
    """The current state of the application ``op`` names (earlier ops of the batch included)."""
    application_id = op.payload.get("application_id")
    if op.entity not in OF_AN_APPLICATION or not isinstance(application_id, str):
        return None  # not text: the rules refuse it by name
    return states.get(("application", application_id))


def _accounts(conn: Connection, ids: Collection[str]) -> set[str]:
    """Which of ``ids`` are registered accounts' user ids."""
    if not ids:
        return set()
    return set(conn.execute(select(_users.c.id).where(_users.c.id.in_(list(ids)))).scalars())


def _markers(marker: str, n: int) -> str:
    return ", ".join([marker] * n)


def _idempotency_query(marker: str, op_ids: Sequence[str]) -> tuple[str, tuple]:
    """The stored answers for these op ids (driver SQL: no expression tree per push)."""
    return (
        "SELECT op_id, user_id, request_hash, result FROM idempotency "
        f"WHERE op_id IN ({_markers(marker, len(op_ids))})",
        tuple(op_ids),
    )


def _records_query(marker: str, keys: Sequence[tuple[str, str]]) -> tuple[str, tuple]:
    """The current rows for ``(entity, entity_id)`` keys, as one ``entity = ? AND entity_id IN
    (...)`` per entity: SQLite answers a row-value IN list with a scan of the whole table (a
    push slowed down as the records grew), this form with primary-key lookups."""
    ids: dict[str, list[str]] = {}
    for entity, entity_id in keys:
        ids.setdefault(entity, []).append(entity_id)
    where = " OR ".join(
        f"(entity = {marker} AND entity_id IN ({_markers(marker, len(v))}))" for v in ids.values()
    )
    params = tuple(x for entity, entity_ids in ids.items() for x in (entity, *entity_ids))
    columns = "entity, entity_id, owner_id, dealer_id, data, meta, deleted, updated_ms"
    return f"SELECT {columns} FROM records WHERE {where}", params


def _applications_on_query(marker: str, cars: Collection[str]) -> tuple[str, tuple]:
    """The application records on ``cars`` (only an application names one), by the ``car``
    index (SQLite chose the entity index over it when the query named the entity too)."""
    columns = "entity, entity_id, owner_id, dealer_id, data, meta, deleted, updated_ms"
    return (
        f"SELECT {columns} FROM records WHERE car IN ({_markers(marker, len(cars))})",
        tuple(cars),
    )


def _replay(op, digest, actor, previous, new_idem, results) -> OpResult:
    if previous is not None:
        same = previous.user_id == actor.user_id and previous.request_hash == digest
        if same:
            return OpResult.model_validate_json(previous.result).model_copy(
                update={"replayed": True}
            )
    else:
        first_digest, index = new_idem[op.op_id]
        if first_digest == digest:
            return results[index].model_copy(update={"replayed": True})
    return OpResult(
        op_id=op.op_id,
        status="rejected",
        reason="op_id_reused",
        message="this operation id was already used for a different operation",
    )


def _change_row(key: tuple[str, str], state: State, cipher: FieldCipher | None) -> tuple:
    """The ``changes`` row (without its seq) of ``state``, its data encoded as stored."""
    data = None if state.data is None else dumps_stored(seal(cipher, *key, state.data))
    return (key[0], key[1], state.owner_id, state.dealer_id, state.deleted, data, state.updated_ms)


def _record_rows(states, touched) -> list[tuple]:
    """The records' new rows, from each key's last change row (its data already encoded)."""
    rows = []
    for key, (
        seq,
        entity,
        entity_id,
        owner_id,
        dealer_id,
        deleted,
        data,
        updated_ms,
    ) in touched.items():
        state = states[key]
        car = car_key((state.data or {}).get("vehicle_id")) if entity == "application" else None
        rows.append((entity, entity_id, owner_id, dealer_id, data,
                     dumps_stored(state.meta) if state.meta else "{}", deleted, updated_ms, seq,
                     car))  # fmt: skip
    return rows


@dataclass(frozen=True)
class _Statements:
    """The push path's writes as driver SQL: executemany without SQLAlchemy's
    per-row parameter processing (the same statements on SQLite and PostgreSQL)."""

    marker: str
    insert_changes: str
    upsert_records: str
    insert_idempotency: str
    update_meta: str


@cache
def _statements(marker: str) -> _Statements:
    def values(n: int) -> str:
        return ", ".join([marker] * n)

    columns = ("owner_id", "dealer_id", "data", "meta", "deleted", "updated_ms", "seq", "car")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    return _Statements(
        marker=marker,
        insert_changes="INSERT INTO changes (seq, entity, entity_id, owner_id, dealer_id, "
        f"deleted, data, updated_ms) VALUES ({values(8)})",
        upsert_records="INSERT INTO records (entity, entity_id, owner_id, dealer_id, data, meta, "
        f"deleted, updated_ms, seq, car) VALUES ({values(10)}) "
        f"ON CONFLICT (entity, entity_id) DO UPDATE SET {updates}",
        insert_idempotency="INSERT INTO idempotency (op_id, user_id, request_hash, result, "
        f"created_ms) VALUES ({values(5)})",
        update_meta=f"UPDATE records SET meta = {marker} "
        f"WHERE entity = {marker} AND entity_id = {marker}",
    )


def _sql(engine: Engine) -> _Statements:
    return _statements("?" if engine.dialect.paramstyle == "qmark" else "%s")


def _visible(actor: Actor, table):
    if actor.role == "admin":
        return true()
    catalogue = table.c.entity.in_(CATALOGUE_ENTITIES)
    if actor.role == "buyer":
        return or_(catalogue, table.c.owner_id == actor.user_id)
    if actor.role == "dealer_staff" and actor.dealer_id:
        return or_(
            catalogue,
            and_(table.c.dealer_id == actor.dealer_id, table.c.entity.in_(DEALER_VISIBLE)),
        )
    return catalogue


def pull(
    engine: Engine, actor: Actor, since: int, limit: int, *, cipher: FieldCipher | None = None
) -> PullResponse:
    """The rows changed after ``since`` that ``actor`` may see, each once at its latest
    version (its record carries the sequence of its last change), oldest change first, at
    most ``limit``: a device that joins late downloads the current rows, not their history.

    A row changed again while a device pages through moves past the device's cursor, so the
    device meets it again, at the newer version, before it is done."""
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    with engine.connect() as conn:
        rows = conn.execute(_pull_query(actor, since, limit)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        Change(
            seq=r.seq,
            entity=r.entity,
            entity_id=r.entity_id,
            deleted=r.deleted,
            data=open_data(cipher, r.entity, r.entity_id, r.data),
            updated_ms=r.updated_ms,
        )
        for r in rows
    ]
    return PullResponse(changes=changes, cursor=rows[-1].seq if rows else since, has_more=has_more)


def _pull_query(actor: Actor, since: int, limit: int):
    """One more than ``limit`` rows, to tell whether more are left."""
    return (
        select(
            _records.c.seq,
            _records.c.entity,
            _records.c.entity_id,
            _records.c.deleted,
            _records.c.data,
            _records.c.updated_ms,
        )
        .where(_records.c.seq > since, _visible(actor, _records))
        .order_by(_records.c.seq)
        .limit(limit + 1)
    )


def get_record(engine: Engine, actor: Actor | None, entity: str, entity_id: str):
    """The current row if ``actor`` (None: anonymous) may read it, else None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(_records).where(_records.c.entity == entity, _records.c.entity_id == entity_id)
        ).first()
    if row is None:
        return None
    if actor is None:
        return row if entity in CATALOGUE_ENTITIES else None
    return row if can_read(actor, entity, row.owner_id, row.dealer_id) else None


def list_records(engine: Engine, actor: Actor | None, entity: str, limit: int, offset: int):
    query = select(_records).where(_records.c.entity == entity, _records.c.deleted.is_(False))
    if actor is None:
        if entity not in CATALOGUE_ENTITIES:
            return []
    else:
        query = query.where(_visible(actor, _records))
    query = query.order_by(_records.c.seq).limit(limit).offset(offset)
    with engine.connect() as conn:
        return conn.execute(query).all()


def pending_reviews(engine: Engine, limit: int) -> list:
    """The live applications their check referred to manual review on which no reviewer has
    decided yet (domain.catalog.review_state "pending"), oldest change first. The flags live
    in each record's JSON, so the live applications are read in order until ``limit`` are
    found (the queue is read by a reviewer, not on the sync path)."""
    query = (
        select(_records)
        .where(_records.c.entity == "application", _records.c.deleted.is_(False))
        .order_by(_records.c.seq)
    )
    found = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            data = json.loads(row.data) if row.data else {}  # an application: nothing sealed
            flags, decision = review_flags(data), data.get("review_decision")
            if review_state(data.get("status"), flags, decision) == "pending":
                found.append(row)
            if len(found) == limit:
                break
    return found
