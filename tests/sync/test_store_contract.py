"""The Store protocol's contract, run against MemoryStore and the SQLite LocalStore alike."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select
from sqlmodel import Session

from local_db import outbox
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.tables import MetaRow
from sync import local_store
from sync.local_store import LocalStore
from sync.store import MemoryStore
from sync.wire import Change


def new_id() -> str:
    return str(uuid.uuid4())


class LocalDevice:
    """A LocalStore plus the two things the contract needs a device to do: enqueue an
    operation as a user action would, and read back a pulled record (notes: no foreign keys)."""

    def __init__(self, engine) -> None:
        self.store = LocalStore(engine)
        self.engine = engine

    def record(self, entity: str, entity_id: str, payload: dict) -> str:
        with Session(self.engine) as session:
            local = local_store.BY_WIRE[entity].local
            op = outbox.enqueue(
                session, entity=local, entity_id=entity_id, op="upsert", payload=payload
            )
            session.commit()
        return op.op_id

    def read(self, entity: str, entity_id: str):
        with Session(self.engine) as session:
            value = session.execute(
                select(MetaRow.value).where(MetaRow.key == f"{entity}:{entity_id}")
            ).scalar_one_or_none()
        return None if value is None else json.loads(value)


class MemoryDevice:
    def __init__(self) -> None:
        self.store = MemoryStore()

    def record(self, entity: str, entity_id: str, payload: dict) -> str:
        return self.store.record(entity, entity_id, payload).op_id

    def read(self, entity: str, entity_id: str):
        return self.store.records.get((entity, entity_id))


@pytest.fixture(params=[pytest.param("memory"), pytest.param("sqlite")])
def device(request, tmp_path):
    if request.param == "memory":
        yield MemoryDevice()
        return
    engine = make_engine(tmp_path / "device.db")
    migrate(engine)
    yield LocalDevice(engine)
    engine.dispose()


def _note(seq: int, entity_id: str, text: str | None) -> Change:
    data = None if text is None else {"text": text, "version": 1, "conflicts": []}
    return Change(seq=seq, entity="note", entity_id=entity_id, deleted=text is None, data=data,
                  updated_ms=seq)  # fmt: skip


def test_pending_returns_operations_in_the_order_they_were_made(device):
    made = [device.record("note", new_id(), {"text": str(i)}) for i in range(5)]
    assert [op.op_id for op in device.store.pending(3)] == made[:3]
    assert [op.op_id for op in device.store.pending(10)] == made
    assert device.store.count_pending() == 5


def test_ack_forgets_exactly_the_answered_operations_and_repeats_change_nothing(device):
    made = [device.record("note", new_id(), {"text": str(i)}) for i in range(3)]
    device.store.ack([made[1], new_id()])
    device.store.ack([made[1]])
    assert [op.op_id for op in device.store.pending(10)] == [made[0], made[2]]
    assert device.store.count_pending() == 2


def test_the_cursor_starts_at_zero_and_moves_only_with_its_page(device):
    note = new_id()
    assert device.store.get_cursor("main") == 0
    device.store.apply_page("main", [_note(7, note, "hello")], 7)
    assert device.store.get_cursor("main") == 7 and device.store.get_cursor("other") == 0
    assert device.read("note", note)["text"] == "hello"


def test_a_tombstone_removes_the_record(device):
    note = new_id()
    device.store.apply_page("main", [_note(1, note, "x")], 1)
    device.store.apply_page("main", [_note(2, note, None)], 2)
    assert device.read("note", note) is None and device.store.get_cursor("main") == 2


def test_applying_the_same_page_twice_changes_nothing(device):
    note = new_id()
    page = [_note(1, note, "a"), _note(2, note, "b")]
    device.store.apply_page("main", page, 2)
    first = device.read("note", note)
    device.store.apply_page("main", page, 2)
    assert device.read("note", note) == first == {"text": "b", "version": 1, "conflicts": []}


def test_a_page_that_fails_midway_leaves_records_and_cursor_as_they_were(tmp_path, monkeypatch):
    engine = make_engine(tmp_path / "device.db")
    migrate(engine)
    device = LocalDevice(engine)
    real = local_store._apply

    def crash_on_second(session, mapping, change, *args):
        if change.seq == 2:
            raise RuntimeError("the app was killed mid-page")
        return real(session, mapping, change, *args)

    monkeypatch.setattr(local_store, "_apply", crash_on_second)
    first, second = new_id(), new_id()
    with pytest.raises(RuntimeError):
        device.store.apply_page("main", [_note(1, first, "a"), _note(2, second, "b")], 2)
    assert device.read("note", first) is None and device.store.get_cursor("main") == 0
    engine.dispose()


def test_an_operation_the_wire_cannot_carry_is_held_not_sent_and_not_dropped(tmp_path):
    engine = make_engine(tmp_path / "device.db")
    migrate(engine)
    device = LocalDevice(engine)
    with Session(engine) as session:
        outbox.enqueue(session, entity="user", entity_id=new_id(), op="upsert", payload={})
        session.commit()
    sendable = device.record("note", new_id(), {"text": "x"})
    assert device.store.held() == 1 and device.store.count_pending() == 1  # before any send
    assert [op.op_id for op in device.store.pending(10)] == [sendable]
    assert device.store.held() == 1 and device.store.count_pending() == 1
    with Session(engine) as session:
        assert outbox.pending_count(session) == 2
    engine.dispose()
