"""The device's :class:`sync.store.Store` over ``local_db``: the outbox that the repositories
fill, the ``sync_cursor`` table, and pulled changes applied into local_db's own tables.

Guarantees (on top of the Store protocol's):
- ``pending`` returns local_db outbox operations in the order they were enqueued, renamed to
  the wire's entity names (:data:`ENTITY_MAP`); an operation the wire cannot carry (an entity
  the server does not sync, or an id that is not a UUID) is *held*: kept in the outbox,
  never sent, counted by :meth:`LocalStore.held` — never silently dropped;
- ``apply_page`` applies a page and stores its cursor in ONE local transaction; a change that
  cannot be applied locally (a missing catalogue row it refers to, a record without the
  columns a local table requires) is rolled back on its own (a SAVEPOINT), reported by
  :meth:`LocalStore.skipped` with the reason and the server's ``seq``, and the page goes on:
  one bad record never stalls sync. A later change to that record applies normally. A change
  naming a record the device does not hold yet (a contract whose application changed after
  it, and so comes later in the pull) is tried again after the rest of its page, and parked
  to be tried with every later page: in the ``sync_parked`` table, in the page's transaction,
  so a pull cut short (the app closed) loses nothing; it leaves ``skipped`` once applied. A
  parked profile waits in memory only (its figures travel in clear and are stored sealed);
- a profile's sensitive figures (``local_db.repositories.people.SEALED_FIGURES``: income, debts,
  credit score) travel in clear but are stored only encrypted, with the store's ``cipher``: in
  their ``*_enc`` columns when pulled, and in the outbox until sent (opened by ``pending``). A
  store without a cipher stores none: a pulled profile is skipped (reason "no field cipher")
  and a sealed outbox operation is held (logged, counted by ``held``), never sent or stored
  in clear. The app always passes one (``app.sync_service``).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from pydantic import ValidationError
from sqlalchemy import Date, Engine, LargeBinary, Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session

from domain.catalog import Role
from local_db import meta, outbox
from local_db.codec import search_text
from local_db.crypto import FieldCipher
from local_db.repositories.people import SEALED_FIGURES, sealed_figures
from local_db.tables import (
    ApplicationRow,
    BuyerProfileRow,
    ConsentRow,
    ContractRow,
    DealerRow,
    InteractionRow,
    LenderRow,
    LoanProductRow,
    OfferRow,
    OutboxRow,
    PaymentRow,
    SyncCursorRow,
    SyncParkedRow,
    SyncRefusalRow,
    UserRow,
    VehicleRow,
)
from sync.store import Rejection
from sync.wire import Change, Op

log = logging.getLogger(__name__)

#: How a pulled record lands in a local table.
SERVER_WINS = "server_wins"  # upsert the server's state (catalogue; application status)
LWW_FIELDS = "lww_fields"  # upsert, but fields with an unsent local edit keep the local value
APPEND = "append"  # insert once, never update (events, immutable records)
NOTE = "note"  # kept whole, with both versions of a conflict (see ENTITY_MAP)


def _payment_fill(data: dict[str, Any]) -> dict[str, Any]:
    if "paid_on" not in data and isinstance(data.get("paid_ms"), int):
        return {"paid_on": datetime.fromtimestamp(data["paid_ms"] / 1000, UTC).date()}
    return {}


def _vehicle_fill(data: dict[str, Any]) -> dict[str, Any]:
    parts = [data.get(k) for k in ("make", "make_zh", "model", "trim")]
    model_zh = data.get("model_zh")  # a server that predates it sends none
    if "search_text" not in data and all(isinstance(p, str) for p in parts):
        return {"search_text": search_text(*parts, model_zh if isinstance(model_zh, str) else "")}
    return {}


def _contract_fill(data: dict[str, Any]) -> dict[str, Any]:
    """The loan a contract signs is an object on the wire and JSON text in its row."""
    loan = data.get("loan")
    return {"loan": json.dumps(loan, sort_keys=True) if isinstance(loan, dict) else ""}


@dataclass(frozen=True)
class EntityMap:
    wire: str
    local: str
    table: Table | None
    rule: str
    aliases: dict[str, str] = field(default_factory=dict)
    owner_column: str | None = None
    fill: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    #: wire fields stored only encrypted: wire name -> column of its ciphertext
    sealed: dict[str, str] = field(default_factory=dict)


#: The wire entities of the catalogue every account pulls.
CATALOGUE = frozenset({"dealer", "vehicle", "lender", "product"})
#: SQLite's reason for a pulled record naming one the device does not hold (yet)
_MISSING_RECORD = "FOREIGN KEY constraint failed"

ENTITY_MAP: tuple[EntityMap, ...] = (
    EntityMap("dealer", "dealer", DealerRow.__table__, SERVER_WINS),
    EntityMap("vehicle", "vehicle", VehicleRow.__table__, SERVER_WINS, fill=_vehicle_fill),
    EntityMap("lender", "lender", LenderRow.__table__, SERVER_WINS),
    EntityMap("product", "product", LoanProductRow.__table__, SERVER_WINS),
    EntityMap(
        "profile",
        "buyer_profile",
        BuyerProfileRow.__table__,
        LWW_FIELDS,
        owner_column="user_id",
        sealed={name: column for name, (column, _) in SEALED_FIGURES.items()},
    ),
    EntityMap(
        "application", "application", ApplicationRow.__table__, SERVER_WINS, owner_column="user_id"
    ),
    EntityMap("payment", "payment", PaymentRow.__table__, APPEND, fill=_payment_fill),
    EntityMap(
        "contract",
        "contract",
        ContractRow.__table__,
        APPEND,
        aliases={"pdf_sha256": "content_sha256"},
        fill=_contract_fill,
    ),
    EntityMap("note", "note", None, NOTE),
    EntityMap(
        "interaction",
        "interaction",
        InteractionRow.__table__,
        APPEND,
        aliases={"event": "kind"},
        owner_column="user_id",
    ),
    EntityMap("offer", "offer", OfferRow.__table__, APPEND),
    EntityMap("consent", "consent", ConsentRow.__table__, SERVER_WINS, owner_column="user_id"),
)
ENTITY_MAP_DOC = """The entity → table mapping, in one place.

wire name    local_db outbox name   local table       rule on pull
dealer       dealer                 dealers           server wins (upsert); published
                                                      before the vehicles naming them
vehicle      vehicle                vehicles          server wins (upsert)
lender       lender                 lenders           server wins
product      product                loan_products     server wins
profile      buyer_profile          buyer_profiles    LWW per field: the server's merged
                                                      fields, except those with an unsent
                                                      local edit (they win when pushed)
application  application            applications      server's state (its status passed the
                                                      server's state machine)
payment      payment                payments          append-only: insert once by id
                                                      (op-id dedup is the server's)
contract     contract               contracts         immutable: insert once; a change is a
                                                      new version (the PDF stays local, the
                                                      loan it signs travels)
note         note                   meta["note:<id>"] the server's note whole, its text and
                                                      the kept conflicting versions
                                                      (local_db has no notes table yet)
interaction  interaction            interactions      append
offer        offer                  offers            immutable: insert once
consent      consent                consents          server's state (a withdrawal)

A tombstone marks the local row deleted (``deleted`` = 1; a note's meta row is removed).
Rows are built from the change's data by column name; ``aliases`` read a wire name when the
column's own is absent, ``owner_column`` defaults to the signed-in user, dates travel as ISO
text and bytes as base64; a ``sealed`` field (a profile's income, debts, credit score) is
required and lands encrypted in its ``*_enc`` column (an unsent local edit of it is kept, as
any LWW field). The ``user`` entity stays local (users are provisioned).
"""
__doc__ = (__doc__ or "") + "\n" + ENTITY_MAP_DOC
BY_WIRE = {m.wire: m for m in ENTITY_MAP}
BY_LOCAL = {m.local: m for m in ENTITY_MAP}


def wire_op(op: outbox.OutboxOp) -> Op:
    """A local_db outbox operation as the wire's :class:`Op` (ValidationError/KeyError when
    the wire cannot carry it)."""
    return Op(
        op_id=op.op_id,
        entity=BY_LOCAL[op.entity].wire,
        entity_id=op.entity_id,
        op=op.op,
        payload=op.payload,
        created_ms=op.created_ms,
    )


@dataclass(frozen=True)
class Skipped:
    """A pulled change that could not be applied locally."""

    seq: int
    entity: str
    entity_id: str
    reason: str


class LocalStore:
    """``engine``: the device's local_db engine (migrated). ``user_id``: the signed-in buyer,
    used as the owner of pulled records that do not name one. ``cipher``: the device's field
    cipher (``local_db.crypto.cipher_for_dir``), which a profile's figures are stored with;
    without one, pulled profiles are skipped and sealed outbox operations held (module doc)."""

    def __init__(
        self, engine: Engine, *, user_id: str | None = None, cipher: FieldCipher | None = None
    ) -> None:
        self.engine = engine
        self.user_id = user_id
        self.cipher = cipher
        self._held: set[str] = set()
        self._skipped: deque[Skipped] = deque(maxlen=100)
        #: pulled profiles naming a record not here yet, tried again with every later page
        #: (every other such change waits in the ``sync_parked`` table)
        self._parked: list[Change] = []
        self._lock = threading.Lock()
        #: how many pulled pages changed the catalogue (dealers, cars, lenders, products):
        #: what the app's catalogue caches are keyed by
        self.catalogue_version = 0

    # -- the outbox ----------------------------------------------------------------------

    def pending(self, limit: int) -> list[Op]:
        ops: list[Op] = []
        offset = 0
        with Session(self.engine) as session:
            while len(ops) < limit:
                rows = session.execute(
                    select(OutboxRow).order_by(OutboxRow.seq).offset(offset).limit(limit)
                ).scalars().all()  # fmt: skip
                if not rows:
                    break
                offset += len(rows)
                for row in rows:
                    op = self._sendable(row)
                    if op is not None and len(ops) < limit:
                        ops.append(op)
        return ops

    def _sendable(self, row: OutboxRow) -> Op | None:
        if row.op_id in self._held or row.entity not in BY_LOCAL:
            return None
        payload = json.loads(row.payload)
        try:
            payload = self._opened(row, payload)
            item = outbox.OutboxOp(
                row.op_id, row.seq, row.entity, row.entity_id, row.op, payload, row.created_ms,
            )  # fmt: skip
            return wire_op(item)
        except (KeyError, ValidationError, ValueError, InvalidTag) as exc:
            with self._lock:
                self._held.add(row.op_id)
            log.warning("outbox op %s (%s) cannot be sent: %s", row.op_id, row.entity, exc)
            return None

    def _opened(self, row: OutboxRow, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as it travels: its sealed fields opened (ValueError without a cipher)."""
        if not outbox.has_sealed(payload):
            return payload
        if self.cipher is None:
            raise ValueError("sealed fields and no field cipher to open them")
        return outbox.open_values(payload, self.cipher, entity=row.entity, entity_id=row.entity_id)

    def ack(self, op_ids: Sequence[str], refused: Sequence[Rejection] = ()) -> None:
        """Forget the answered operations and keep the refusals among them (``sync_refusals``,
        read by ``local_db.repositories.refusals``), in one transaction."""
        with Session(self.engine) as session:
            outbox.ack(session, op_ids)
            if refused:
                rows = [{"op_id": r.op_id, "entity": r.entity, "entity_id": r.entity_id,
                         "reason": r.reason, "message": r.message} for r in refused]  # fmt: skip
                statement = sqlite_insert(SyncRefusalRow.__table__).values(rows)
                session.execute(statement.on_conflict_do_nothing(index_elements=["op_id"]))
            session.commit()

    def count_pending(self) -> int:
        """Operations waiting to be sent: the outbox's rows the wire can carry."""
        return self._counts()[0]

    def held(self) -> int:
        """Operations kept in the outbox that the wire cannot carry (see the module doc): of
        an entity it does not carry (e.g. a user, provisioned per device), or found
        malformed when last read."""
        return self._counts()[1]

    def _counts(self) -> tuple[int, int]:
        with Session(self.engine) as session:
            by_entity = session.execute(
                select(OutboxRow.entity, func.count()).group_by(OutboxRow.entity)
            ).all()
        carried = sum(n for entity, n in by_entity if entity in BY_LOCAL)
        with self._lock:
            malformed = len(self._held)
        return max(0, carried - malformed), sum(n for _, n in by_entity) - carried + malformed

    # -- the cursor and pulled pages -----------------------------------------------------

    def get_cursor(self, stream: str) -> int:
        with Session(self.engine) as session:
            value = session.execute(
                select(SyncCursorRow.cursor).where(SyncCursorRow.stream == stream)
            ).scalar_one_or_none()
        return value or 0

    def skipped(self) -> list[Skipped]:
        """The latest pulled changes that could not be applied locally (most recent last)."""
        with self._lock:
            return list(self._skipped)

    def apply_page(self, stream: str, changes: Sequence[Change], cursor: int) -> None:
        with Session(self.engine) as session:
            # The cursor is written first: it opens the transaction the savepoints nest in,
            # and it commits together with the page or not at all.
            statement = sqlite_insert(SyncCursorRow.__table__).values(stream=stream, cursor=cursor)
            session.execute(
                statement.on_conflict_do_update(index_elements=["stream"], set_={"cursor": cursor})
            )
            unsent = self._unsent_fields(session)
            # an earlier page's, newer versions of which this page replaces
            parked = _key(self._stored_parked(session, stream))
            with self._lock:
                parked.update(_key(self._parked))
            waiting = [*{**parked, **_key(changes)}.values()]
            still = []
            # again while any applies: a record may come before one it names (a pull sends
            # each at its latest change, and an application changes after its contract)
            while waiting:
                failed = []
                for change in waiting:
                    if (reason := self._apply_one(session, change, unsent)) is not None:
                        failed.append((change, reason))
                if len(failed) == len(waiting):
                    still = failed
                    break
                waiting = [change for change, _ in failed]
            park = [c for c, reason in still if reason.startswith(_MISSING_RECORD)]
            self._store_parked(session, stream, [c for c in park if not _carries_sealed(c)])
            session.commit()
        applied = parked.keys() - {(c.entity, c.entity_id) for c, _ in still}
        with self._lock:
            self._parked = [c for c in park if _carries_sealed(c)]
            kept = [x for x in self._skipped if (x.entity, x.entity_id) not in applied]
            self._skipped = deque(kept, maxlen=self._skipped.maxlen)
        for change, reason in still:
            if (change.entity, change.entity_id) not in parked:  # said once, when first met
                self._skip(change, reason)
        if any(change.entity in CATALOGUE for change in changes):
            self.catalogue_version += 1

    @staticmethod
    def _stored_parked(session: Session, stream: str) -> list[Change]:
        rows = session.execute(select(SyncParkedRow.change).where(SyncParkedRow.stream == stream))
        return [Change.model_validate_json(text) for text in rows.scalars()]

    @staticmethod
    def _store_parked(session: Session, stream: str, changes: list[Change]) -> None:
        session.execute(delete(SyncParkedRow).where(SyncParkedRow.stream == stream))
        session.add_all(
            SyncParkedRow(stream=stream, entity=c.entity, entity_id=c.entity_id, seq=c.seq,
                          change=c.model_dump_json())
            for c in changes
        )  # fmt: skip

    def _apply_one(self, session: Session, change: Change, unsent) -> str | None:
        """Apply ``change`` in a savepoint of its own; why not, or None."""
        mapping = BY_WIRE.get(change.entity)
        if mapping is None:
            return "no local table for this entity"
        try:
            with session.begin_nested():
                _apply(session, mapping, change, self.user_id, unsent, self.cipher)
        except (IntegrityError, StatementError, ValueError, TypeError) as exc:
            return str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return None

    def _skip(self, change: Change, reason: str) -> None:
        log.warning("pulled %s %s (seq %s) not applied: %s", change.entity, change.entity_id,
                    change.seq, reason)  # fmt: skip
        with self._lock:
            self._skipped.append(Skipped(change.seq, change.entity, change.entity_id, reason))

    def _unsent_fields(self, session: Session) -> dict[tuple[str, str], set[str]]:
        lww = [m.local for m in ENTITY_MAP if m.rule == LWW_FIELDS]
        rows = session.execute(
            select(OutboxRow.entity, OutboxRow.entity_id, OutboxRow.payload).where(
                OutboxRow.entity.in_(lww)
            )
        )
        out: dict[tuple[str, str], set[str]] = {}
        for entity, entity_id, payload in rows:
            out.setdefault((BY_LOCAL[entity].wire, entity_id), set()).update(json.loads(payload))
        return out


def _key(changes: Sequence[Change]) -> dict[tuple[str, str], Change]:
    return {(c.entity, c.entity_id): c for c in changes}


def _carries_sealed(change: Change) -> bool:
    """The change carries figures stored only sealed (a profile's): never parked on disk."""
    mapping = BY_WIRE.get(change.entity)
    return bool(mapping and mapping.sealed)


def _apply(
    session: Session,
    mapping: EntityMap,
    change: Change,
    user_id: str | None,
    unsent: dict[tuple[str, str], set[str]],
    cipher: FieldCipher | None = None,
) -> None:
    table = mapping.table
    if mapping.rule == NOTE:
        key = f"note:{change.entity_id}"
        if change.deleted:
            meta.drop(session, key)
            return
        meta.put(session, key, json.dumps(change.data, ensure_ascii=False, sort_keys=True))
        return
    assert table is not None
    if change.deleted:
        session.execute(
            update(table)
            .where(table.c.id == change.entity_id)
            .values(deleted=True, updated_ms=func.max(table.c.updated_ms, change.updated_ms))
        )
        return
    row = _row(table, mapping, change, user_id)
    if mapping.sealed:
        row.update(_sealed(mapping, change, cipher))
    if mapping.owner_column is not None and row.get(mapping.owner_column):
        _known_owner(session, row[mapping.owner_column])
    statement = sqlite_insert(table).values(**row)
    if mapping.rule == APPEND:
        session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))
        return
    keep = (
        unsent.get((change.entity, change.entity_id), set())
        if mapping.rule == LWW_FIELDS
        else set()
    )
    # an unsent local edit of a sealed field keeps its column (the wire names the field)
    keep = keep | {mapping.sealed[name] for name in keep if name in mapping.sealed}
    columns = {k: statement.excluded[k] for k in row if k != "id" and k not in keep}
    if columns:
        statement = statement.on_conflict_do_update(index_elements=["id"], set_=columns)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["id"])
    session.execute(statement)


def _sealed(mapping: EntityMap, change: Change, cipher: FieldCipher | None) -> dict[str, bytes]:
    """The ciphertexts of the change's sealed fields, by column. Each is required (as a
    NOT NULL column is): ValueError/TypeError (the change is skipped) without them or a
    cipher."""
    if cipher is None:
        raise ValueError(f"no field cipher: a {change.entity}'s figures are stored encrypted")
    data = change.data or {}
    missing = [name for name in mapping.sealed if name not in data]
    if missing:
        raise ValueError(f"{change.entity} without {', '.join(missing)}")
    return sealed_figures(data, cipher)


def _known_owner(session: Session, owner_id: str) -> None:
    """Users are not pulled (each device provisions its own), so a dealership's tablet meets
    its customers only through their records: each unknown owner is kept as a nameless buyer
    row (no name, no password), which their records' foreign keys need."""
    statement = sqlite_insert(UserRow.__table__).values(
        id=owner_id, username=owner_id, role=Role.BUYER.value, display_name=""
    )
    session.execute(statement.on_conflict_do_nothing())


def _row(table: Table, mapping: EntityMap, change: Change, user_id: str | None) -> dict:
    data = dict(change.data or {})
    if mapping.fill is not None:
        data.update(mapping.fill(data))
    row: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if name in data:
            value = data[name]
        elif name in mapping.aliases and mapping.aliases[name] in data:
            value = data[mapping.aliases[name]]
        elif name == mapping.owner_column and user_id is not None:
            value = user_id
        else:
            continue
        if isinstance(column.type, Date) and isinstance(value, str):
            value = date.fromisoformat(value)
        elif isinstance(column.type, LargeBinary) and isinstance(value, str):
            value = base64.b64decode(value)
        row[name] = value
    row["id"] = change.entity_id
    row["deleted"] = False
    row.setdefault("updated_ms", change.updated_ms)
    return row
