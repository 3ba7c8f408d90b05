"""Engines and schema migrations. No module-level engine: ``make_engine`` is called by
``create_app`` with the URL from Settings, and tests make their own."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url

from backend import models
from backend.rules import car_key
from local_db.migrations import SchemaTooNewError

#: Marks a connection whose next transaction must take SQLite's write lock up front, so a
#: read-then-write push never fails half way with "database is locked".
WRITE = {"chedai_write": True}


#: SQLite's automatic checkpoint, in pages: its default (1,000), and the backstop used when
#: ``checkpoint_every`` checkpoints in the background (the server).
AUTOCHECKPOINT_PAGES = 1_000
BACKGROUND_AUTOCHECKPOINT_PAGES = 10_000


def make_engine(url: str, *, background_checkpoints: bool = False) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql+psycopg://...``.
    ``background_checkpoints``: the caller runs ``checkpoint_every`` (SQLite only), so a
    commit checkpoints by itself only when the log has grown ten times the usual size."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        pages = BACKGROUND_AUTOCHECKPOINT_PAGES if background_checkpoints else AUTOCHECKPOINT_PAGES
        _configure_sqlite(engine, pages)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine, autocheckpoint_pages: int) -> None:
    # SQLAlchemy's recipe for SQLite transactions: take BEGIN from pysqlite and emit it
    # ourselves, IMMEDIATE for writers (see WRITE) and deferred for readers.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("chedai_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def checkpoint(engine: Engine) -> None:
    """Copy SQLite's write-ahead log into the database file (PASSIVE: never waits for, nor
    blocks, readers and writers)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").close()


async def checkpoint_every(engine: Engine, seconds: float) -> None:
    """Checkpoint in a worker thread every ``seconds``. Otherwise the commit that crosses the
    automatic-checkpoint size pays the copy and its fsyncs: about one push in ten took 25-35 ms
    instead of 7-10 (the p95), and the mean a fifth more."""
    while True:
        await asyncio.sleep(seconds)
        await asyncio.to_thread(checkpoint, engine)


def _create_all(conn: Connection) -> None:
    models.ServerModel.metadata.create_all(conn, tables=[t.__table__ for t in _TABLES])


_TABLES = (
    models.User,
    models.AuthToken,
    models.LoginFailure,
    models.Record,
    models.ChangeRow,
    models.Idempotency,
    models.ModelVersion,
)


def _pull_from_records(conn: Connection) -> None:
    """Pulls read the current records by sequence (each row once, at its latest version)
    instead of the change history, whose indexes for pulls go (a new database has the
    records' indexes from ``_create_all``)."""
    for index in models.Record.__table__.indexes:
        index.create(conn, checkfirst=True)
    for name in ("ix_changes_owner_seq", "ix_changes_dealer_seq"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def _server_meta(conn: Connection) -> None:
    models.ServerMeta.__table__.create(conn, checkfirst=True)


def _mark_reversed_payments(conn: Connection) -> None:
    """A payment is reversed once (``backend.rules``): a push reads whether it is from the
    payment's ``meta.reversed_by``, which a reversal sets. Reversals stored before set none:
    each payment one of them names gets the mark, the first reversal's (by sequence)."""
    records = models.Record.__table__
    rows = conn.execute(
        select(records.c.entity_id, records.c.data, records.c.meta)
        .where(records.c.entity == "payment")
        .order_by(records.c.seq)
    )
    metas: dict[str, dict] = {}  # payments with bookkeeping already (none, so far)
    reversed_by: dict[str, str] = {}
    for entity_id, data, meta in rows:
        if meta and meta != "{}":
            metas[entity_id] = json.loads(meta)
        payload = json.loads(data) if data else {}
        target = payload.get("reverses")
        if payload.get("event_kind") == "reversal" and isinstance(target, str):
            reversed_by.setdefault(target, entity_id)
    marks = [
        {"target": target, "new_meta": json.dumps({**metas.get(target, {}), "reversed_by": by})}
        for target, by in reversed_by.items()
        if "reversed_by" not in metas.get(target, {})
    ]
    if marks:
        conn.execute(
            update(records)
            .where(records.c.entity == "payment", records.c.entity_id == bindparam("target"))
            .values(meta=bindparam("new_meta")),
            marks,
        )


def _records_car(conn: Connection) -> None:
    """Each application's car in its record (``records.car``, indexed), for the rule that a car
    is financed once: the column and its index, and the car of every application stored
    before them (a push keeps it from now on). A new database has both from ``_create_all``."""
    records = models.Record.__table__
    if "car" not in {column["name"] for column in inspect(conn).get_columns("records")}:
        conn.exec_driver_sql("ALTER TABLE records ADD COLUMN car VARCHAR(36)")
    for index in records.indexes:
        index.create(conn, checkfirst=True)
    rows = conn.execute(
        select(records.c.entity_id, records.c.data).where(
            records.c.entity == "application", records.c.data.is_not(None)
        )
    )
    cars = [
        {"k_id": entity_id, "k_car": car}
        for entity_id, data in rows
        if (car := car_key(json.loads(data).get("vehicle_id"))) is not None
    ]
    if cars:
        conn.execute(
            update(records)
            .where(records.c.entity == "application", records.c.entity_id == bindparam("k_id"))
            .values(car=bindparam("k_car")),
            cars,
        )


def _republish(conn: Connection, last_seq: int, row: Mapping[str, object], **values) -> int:
    """Republish a record so that every device pulls it again: the record takes ``values`` and
    the next sequence number after ``last_seq`` (returned), and the history a change row at
    that number, ``row`` (the record's entity, entity_id, owner_id, dealer_id, deleted, data
    and updated_ms as the change names them) with those of ``values`` it has."""
    records, changes = models.Record.__table__, models.ChangeRow.__table__
    seq = last_seq + 1
    change = {**row, **{name: value for name, value in values.items() if name in changes.c}}
    conn.execute(changes.insert().values(seq=seq, **change))
    conn.execute(
        update(records)
        .where(records.c.entity == row["entity"], records.c.entity_id == row["entity_id"])
        .values(**values, seq=seq)
    )
    return seq


def _marked_cars(conn: Connection, now_ms: int | None = None) -> None:
    """Mark the cars that applications hold as this version arrives (``held_until`` in the
    car's catalogue record, the holder in its meta: ``backend.rules.car_marked``), each as a
    change every device pulls; from now on each push keeps the marks. ``now_ms``: when
    (default: the clock), as the holds are judged."""
    from backend.rules import State, car_marked
    from backend.store import dumps_stored

    records, changes = models.Record.__table__, models.ChangeRow.__table__
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    columns = (records.c.entity_id, records.c.owner_id, records.c.dealer_id, records.c.data,
               records.c.meta, records.c.updated_ms, records.c.car)  # fmt: skip
    holders = conn.execute(
        select(*columns).where(
            records.c.entity == "application",
            records.c.deleted.is_(False),
            records.c.car.is_not(None),
        )
    ).all()
    if not holders:
        return
    vehicles = {
        row.entity_id: State(None, None, json.loads(row.data), json.loads(row.meta), False,
                             row.updated_ms)
        for row in conn.execute(select(*columns).where(
            records.c.entity == "vehicle", records.c.deleted.is_(False),
            records.c.entity_id.in_({row.car for row in holders})))
        if row.data is not None
    }  # fmt: skip
    marked: dict[str, State] = {}
    for row in holders:
        application = State(row.owner_id, row.dealer_id, json.loads(row.data or "{}"),
                            json.loads(row.meta), False, row.updated_ms)  # fmt: skip
        vehicle = marked.get(row.car) or vehicles.get(row.car)
        if vehicle is not None and (new := car_marked(vehicle, row.entity_id, application, now_ms)):
            marked[row.car] = new
    seq = conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar()
    for car, state in marked.items():
        row = dict(entity="vehicle", entity_id=car, owner_id=None, dealer_id=None, deleted=False)
        data, meta = dumps_stored(state.data), dumps_stored(state.meta)
        seq = _republish(conn, seq, row, data=data, meta=meta, updated_ms=state.updated_ms)


def _lower_case_dealer_ids(conn: Connection) -> None:
    """A dealership's id is its lower-case UUID wherever it is stored, since staff find their
    dealership's records by it exactly (``backend.rules``): accounts, records and their
    payloads stored in capitals before the rule are rewritten, each record as a change every
    device pulls (the staff's devices never had it)."""
    from backend.store import dumps_stored

    users, records, changes = (models.User.__table__, models.Record.__table__,
                               models.ChangeRow.__table__)  # fmt: skip
    conn.execute(
        update(users)
        .where(users.c.dealer_id != func.lower(users.c.dealer_id))
        .values(dealer_id=func.lower(users.c.dealer_id))
    )
    columns = (records.c.entity, records.c.entity_id, records.c.owner_id, records.c.dealer_id,
               records.c.data, records.c.deleted, records.c.updated_ms)  # fmt: skip
    rows = conn.execute(
        select(*columns)
        .where(
            (records.c.dealer_id != func.lower(records.c.dealer_id))
            | (records.c.entity == "vehicle")  # a car names its dealership in its payload only
        )
        .order_by(records.c.seq)
    ).all()
    seq = conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar()
    for row in rows:
        payload = json.loads(row.data) if row.data else None
        named = payload.get("dealer_id") if isinstance(payload, dict) else None
        fixed = isinstance(named, str) and named != named.lower()
        if fixed:
            payload["dealer_id"] = named.lower()
        dealer = row.dealer_id.lower() if row.dealer_id else row.dealer_id
        if not fixed and dealer == row.dealer_id:
            continue
        data = dumps_stored(payload) if fixed else row.data
        seq = _republish(conn, seq, row._mapping, dealer_id=dealer, data=data)


#: Ordered schema migrations; append, never edit one that has shipped.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _create_all,
    _pull_from_records,
    _server_meta,
    _mark_reversed_payments,
    _records_car,
    _marked_cars,
    _lower_case_dealer_ids,
)


def migrate(engine: Engine) -> int:
    """Bring the schema up to date; returns the schema version. Safe to call on every start.
    A database a newer Chedai wrote (its version above ``len(MIGRATIONS)``: a schema this
    version does not know) is refused with :class:`SchemaTooNewError`, nothing written to it."""
    latest = len(MIGRATIONS)
    version_table = models.SchemaVersion.__table__
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        versioned = inspect(conn).has_table(version_table.name)
        current = 0
        if versioned:
            current = (
                conn.execute(
                    select(version_table.c.version)
                    .order_by(version_table.c.version.desc())
                    .limit(1)
                ).scalar()
                or 0
            )
        if current > latest:
            raise SchemaTooNewError(current, latest=latest, path=shown_url(engine))
        if not versioned:
            version_table.create(conn)
        for number, step in enumerate(MIGRATIONS, start=1):
            if number > current:
                step(conn)
                conn.execute(
                    version_table.insert().values(
                        version=number, applied_ms=int(time.time() * 1000)
                    )
                )
        return latest


def shown_url(engine: Engine) -> str:
    """The database as a message names it: a SQLite file's path, another database's URL
    without its password."""
    if is_sqlite(engine) and engine.url.database:
        return engine.url.database
    return engine.url.render_as_string(hide_password=True)
