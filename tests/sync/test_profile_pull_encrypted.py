"""A pulled profile's income, debts and credit score land encrypted (with the device's own
key) and read back; the per-field rule still keeps an unsent local edit; the wire carries the
figures in clear, as before, so the server and other devices are unchanged."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from backend.db import make_engine as server_engine
from backend.db import migrate as server_migrate
from backend.models import Record
from backend.sealing import open_data
from domain.catalog import Role, User
from local_db import outbox
from local_db.crypto import FieldCipher
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import people
from local_db.tables import BuyerProfileRow
from sync.client import SyncClient
from sync.local_store import LocalStore
from sync.wire import Change
from tests.backend.factories import make_app, make_user
from tests.local_db.test_profile_encryption import (
    DEBT_CENTS,
    INCOME_CENTS,
    SCORE,
    figures,
    raw,
    wide_forms,
    wide_profile,
)

PHONE_KEY = FieldCipher(bytes(range(32)))
TABLET_KEY = FieldCipher(bytes(range(32, 64)))
PROFILE_ID = str(uuid.uuid4())


@pytest.fixture
def device(tmp_path):
    engine = make_engine(tmp_path / "chedai.db")
    migrate(engine)
    user = User(id=str(uuid.uuid4()), username="li", role=Role.BUYER)
    with Session(engine) as session:
        people.save_user(session, user=user)
        session.commit()
    yield engine, user
    engine.dispose()


def pulled(user_id: str, seq: int = 1, **fields) -> Change:
    """The server's state of the profile, as a pull delivers it (the figures in clear)."""
    data = {
        "id": PROFILE_ID, "user_id": user_id, "full_name": "李明", "birth_year": 1992,
        "city": "Shanghai", "monthly_income_cents": INCOME_CENTS,
        "monthly_debt_cents": DEBT_CENTS, "credit_score": SCORE, "employment": "employed",
        "years_employed": 5, "use": "private", "segment": None, "updated_ms": 1_000,
        "deleted": False, **fields,
    }  # fmt: skip
    return Change(seq=seq, entity="profile", entity_id=PROFILE_ID, data=data, updated_ms=1_000)


def read(engine, user_id, cipher=PHONE_KEY):
    with Session(engine) as session:
        return people.get_buyer_profile(session, user_id=user_id, cipher=cipher)


def test_a_pulled_profile_is_stored_encrypted_and_reads_back(device, tmp_path):
    engine, user = device
    store = LocalStore(engine, user_id=user.id, cipher=PHONE_KEY)
    store.apply_page("main", [pulled(user.id)], 1)
    assert store.skipped() == []
    profile = read(engine, user.id)
    assert figures(profile) == (INCOME_CENTS, DEBT_CENTS, SCORE) and profile.city == "Shanghai"
    with Session(engine) as session:
        row = session.execute(select(BuyerProfileRow)).scalar_one()
    assert all(
        isinstance(b, bytes) for b in (row.monthly_income_enc, row.monthly_debt_enc,
                                       row.credit_score_enc)
    )  # fmt: skip
    live = raw(tmp_path)
    engine.dispose()
    for data in (live, raw(tmp_path)):
        assert "李明".encode() in data
        assert [f for f in wide_forms() if f in data] == []


def _local_income_edit(engine, user_id: str, cents: int) -> None:
    """An edit of the income alone, not sent yet: the row's sealed column and an outbox
    operation naming only that field (as the app's save of that one edit does)."""
    with Session(engine) as session:
        session.execute(
            BuyerProfileRow.__table__.update()
            .where(BuyerProfileRow.id == PROFILE_ID)
            .values(people.sealed_figures({"monthly_income_cents": cents}, PHONE_KEY))
        )
        payload = outbox.seal_values(
            {"id": PROFILE_ID, "monthly_income_cents": cents}, ["monthly_income_cents"],
            PHONE_KEY, entity="buyer_profile", entity_id=PROFILE_ID,
        )  # fmt: skip
        outbox.enqueue(
            session, entity="buyer_profile", entity_id=PROFILE_ID, op="upsert", payload=payload
        )
        session.commit()


def test_an_unsent_income_edit_survives_a_pull_and_the_other_fields_apply(device):
    engine, user = device
    store = LocalStore(engine, user_id=user.id, cipher=PHONE_KEY)
    store.apply_page("main", [pulled(user.id)], 1)
    _local_income_edit(engine, user.id, 2_600_000)
    # another device changed the city, the score and the income meanwhile
    store.apply_page(
        "main", [pulled(user.id, 2, city="Hangzhou", credit_score=702,
                        monthly_income_cents=1_900_000)], 2
    )  # fmt: skip
    assert store.skipped() == []
    profile = read(engine, user.id)
    assert (profile.monthly_income, profile.city, profile.credit_score) == (
        Decimal("26000.00"), "Hangzhou", 702,
    )  # fmt: skip
    [op] = store.pending(10)
    assert op.payload == {"id": PROFILE_ID, "monthly_income_cents": 2_600_000}
    store.ack([op.op_id])  # sent: the next pull's income applies
    store.apply_page("main", [pulled(user.id, 3, monthly_income_cents=2_700_000)], 3)
    assert read(engine, user.id).monthly_income == Decimal("27000.00")


def test_a_profile_saved_in_the_app_keeps_its_edited_field_and_takes_the_others(device):
    engine, user = device
    store = LocalStore(engine, user_id=user.id, cipher=PHONE_KEY)
    store.apply_page("main", [pulled(user.id)], 1)
    mine = replace(read(engine, user.id), monthly_debt_payments=Decimal("1234.00"))
    with Session(engine) as session:
        people.save_buyer_profile(session, profile=mine, cipher=PHONE_KEY)
        session.commit()
    [op] = store.pending(10)
    assert op.payload == {"id": PROFILE_ID, "user_id": user.id, "monthly_debt_cents": 123_400}
    store.apply_page("main", [pulled(user.id, 2, monthly_debt_cents=99, city="Hangzhou")], 2)
    assert read(engine, user.id) == replace(mine, city="Hangzhou")


def test_without_a_cipher_a_pulled_profile_is_skipped_not_stored_in_clear(device):
    engine, user = device
    store = LocalStore(engine, user_id=user.id)
    store.apply_page("main", [pulled(user.id)], 1)
    [skipped] = store.skipped()
    assert skipped.entity_id == PROFILE_ID and "no field cipher" in skipped.reason
    assert read(engine, user.id) is None
    assert store.get_cursor("main") == 1  # the page goes on


@pytest.mark.parametrize("missing", ["monthly_income_cents", "credit_score"])
def test_a_pulled_profile_without_a_figure_is_skipped_as_before(device, missing):
    engine, user = device
    store = LocalStore(engine, user_id=user.id, cipher=PHONE_KEY)
    change = pulled(user.id)
    data = {k: v for k, v in change.data.items() if k != missing}
    store.apply_page("main", [change.model_copy(update={"data": data})], 1)
    assert [s.entity_id for s in store.skipped()] == [PROFILE_ID]
    assert read(engine, user.id) is None


# --- through the server: the wire is unchanged ----------------------------------------------


@pytest.fixture
def server(tmp_path):
    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server_migrate(engine)
    yield make_app(engine, tmp_path), engine
    engine.dispose()


def test_two_devices_with_their_own_keys_exchange_the_figures_in_clear(tmp_path, server):
    api, server_db = server
    signed_in, row = make_user(api)
    user = User(id=row["id"], username=row["username"], role=Role.BUYER)
    devices = {}
    for name, key in (("phone", PHONE_KEY), ("tablet", TABLET_KEY)):
        folder = tmp_path / name
        folder.mkdir()
        engine = make_engine(folder / "chedai.db")
        migrate(engine)
        with Session(engine) as session:
            people.save_user(session, user=user)
            session.commit()
        http = TestClient(api)
        http.headers.update(signed_in.headers)
        store = LocalStore(engine, user_id=user.id, cipher=key)
        devices[name] = (SyncClient(http, store, device_id=name, sleep=lambda _s: None), engine)
    (phone, phone_db), (tablet, tablet_db) = devices["phone"], devices["tablet"]
    profile = replace(wide_profile(user.id), id_number="", phone="")
    with Session(phone_db) as session:
        people.save_buyer_profile(session, profile=profile, cipher=PHONE_KEY)
        session.commit()
    assert phone.sync_once(), phone.status().last_error
    assert phone.status().pending == 0 and phone.status().rejected == ()
    with Session(server_db) as session:
        [record] = session.execute(select(Record).where(Record.entity == "profile")).scalars()
    # the server keeps the figures sealed with its own key (backend.sealing), and opens them
    assert all(set(json.loads(record.data)[f]) == {outbox.SEALED} for f in people.SEALED_FIGURES)
    data = open_data(api.state.backend.cipher, "profile", record.entity_id, record.data)
    assert (data["monthly_income_cents"], data["monthly_debt_cents"], data["credit_score"]) == (
        INCOME_CENTS, DEBT_CENTS, SCORE,
    )  # fmt: skip
    assert tablet.sync_once(), tablet.status().last_error
    assert read(tablet_db, user.id, TABLET_KEY) == profile
    tablet_db.dispose()
    phone_db.dispose()
    for name in ("phone", "tablet"):
        data = raw(tmp_path / name)
        assert [f for f in wide_forms() if f in data] == []


def test_the_apps_sync_opens_what_the_apps_repositories_sealed(tmp_path, device):
    from app.settings import Settings
    from app.sync_service import start_background_sync
    from local_db.crypto import cipher_for_dir

    engine, user = device
    settings = Settings(data_dir=tmp_path, server_url="http://127.0.0.1:9")
    profile = wide_profile(user.id)
    with Session(engine) as session:
        people.save_buyer_profile(session, profile=profile, cipher=cipher_for_dir(tmp_path))
        session.commit()
    handle = start_background_sync(settings, engine, http=TestClient(make_app_stub()), start=False)
    try:
        [op] = handle._runner.store.pending(10)
    finally:
        handle.stop()
    assert op.payload["monthly_income_cents"] == INCOME_CENTS


def make_app_stub():
    from fastapi import FastAPI

    return FastAPI()
