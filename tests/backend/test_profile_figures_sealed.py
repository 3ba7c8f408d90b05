"""A buyer's income, debt payments and credit score are stored sealed on the server
(backend.sealing): neither ``records.data`` nor ``changes.data`` holds them in clear, while
the wire carries them in clear both ways and the per-field merge still sees them. Run against
SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from app.settings import Settings
from backend import store
from backend.rules import Actor
from backend.sealing import KEY_FILE_NAME, open_data, seal, server_cipher
from local_db.crypto import FieldCipher
from tests.backend.factories import make_app, make_op, make_user, new_id

INCOME, DEBT, SCORE = 2_345_678, 456_789, 734
FIGURES = {"monthly_income_cents": INCOME, "monthly_debt_cents": DEBT, "credit_score": SCORE}


def _push(client, device: str, entity: str, entity_id: str, payload: dict, created_ms: int):
    op = {"op_id": new_id(), "entity": entity, "entity_id": entity_id, "payload": payload,
          "created_ms": created_ms}  # fmt: skip
    response = client.post("/sync/push", json={"device_id": device, "ops": [op]})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied", response.text


def _pulled(client, entity_id: str) -> dict:
    changes = client.get("/sync/pull", params={"since": 0}).json()["changes"]
    [change] = [c for c in changes if c["entity_id"] == entity_id]
    return change["data"]


def _raw(engine, table: str, entity_id: str) -> list[str]:
    order = "seq" if table == "changes" else "entity_id"
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(f"SELECT data FROM {table} WHERE entity_id = :id ORDER BY {order}"),
                {"id": entity_id},
            ).scalars()
        )


def _assert_sealed(raw: str) -> None:
    assert str(INCOME) not in raw and str(DEBT) not in raw
    data = json.loads(raw)
    for name in FIGURES:
        assert set(data[name]) == {"$sealed"}, name


@pytest.fixture
def api(engine, tmp_path):
    return make_app(engine, tmp_path)


def test_stored_figures_are_sealed_and_travel_in_clear(engine, api, tmp_path):
    client, _ = make_user(api)
    profile = new_id()
    _push(client, "phone", "profile", profile, {"city": "上海", **FIGURES}, 1_000)

    [record] = _raw(engine, "records", profile)
    changes = _raw(engine, "changes", profile)
    assert len(changes) == 1
    for raw in (record, *changes):
        _assert_sealed(raw)
        assert json.loads(raw)["city"] == "上海"  # the other fields stay readable
    assert _pulled(client, profile) == {"city": "上海", **FIGURES}
    got = client.get(f"/records/profile/{profile}").json()["data"]
    assert got == {"city": "上海", **FIGURES}
    assert os.stat(tmp_path / KEY_FILE_NAME).st_mode & 0o777 == 0o600


def test_two_devices_editing_different_figures_merge_per_field(engine, api):
    client, _ = make_user(api)
    profile = new_id()
    _push(client, "phone", "profile", profile, FIGURES, 1_000)
    _push(client, "tablet", "profile", profile, {"monthly_income_cents": 3_000_000}, 2_000)
    _push(client, "phone", "profile", profile, {"credit_score": 700}, 3_000)
    # an older edit of the income (the phone was offline): the tablet's newer value stands
    _push(client, "phone", "profile", profile, {"monthly_income_cents": 1}, 1_500)

    merged = {"monthly_income_cents": 3_000_000, "monthly_debt_cents": DEBT, "credit_score": 700}
    assert _pulled(client, profile) == merged
    [record] = _raw(engine, "records", profile)
    _assert_sealed(record)
    assert "3000000" not in record
    for raw in _raw(engine, "changes", profile):
        _assert_sealed(raw)


def test_a_legacy_clear_row_reads_merges_and_is_sealed_at_its_next_write(engine, api):
    client, user = make_user(api)
    profile = new_id()
    owner = Actor(user["id"], "buyer", None)
    # what a server before sealing stored: the figures in clear
    legacy = make_op("profile", profile, {"city": "上海", **FIGURES}, created_ms=1_000)
    [result] = store.push(engine, owner, "phone", [legacy], 1_000)
    assert result.status == "applied"
    [record] = _raw(engine, "records", profile)
    assert json.loads(record)["monthly_income_cents"] == INCOME

    assert _pulled(client, profile) == {"city": "上海", **FIGURES}
    _push(client, "tablet", "profile", profile, {"city": "北京", "credit_score": 701}, 2_000)
    _push(client, "phone", "profile", profile, {"credit_score": 1}, 1_500)  # older: loses

    assert _pulled(client, profile) == {"city": "北京", **FIGURES, "credit_score": 701}
    [record] = _raw(engine, "records", profile)
    _assert_sealed(record)  # resealed on the write, untouched figures included
    _assert_sealed(_raw(engine, "changes", profile)[-1])


def test_other_entities_are_stored_as_before(engine, api):
    client, _ = make_user(api)
    profile, interaction = new_id(), new_id()
    payload = {"product_id": new_id(), "kind": "view", "at_ms": 5}
    _push(client, "phone", "profile", profile, FIGURES, 1_000)
    _push(client, "phone", "interaction", interaction, payload, 1_000)

    _assert_sealed(_raw(engine, "records", profile)[0])
    for table in ("records", "changes"):
        [raw] = _raw(engine, table, interaction)
        assert "$sealed" not in raw
        assert raw == store.dumps_stored(json.loads(raw)) and json.loads(raw) == payload
    assert _pulled(client, interaction) == payload


def test_a_sealed_figure_cannot_be_moved_and_a_look_alike_value_round_trips(tmp_path):
    cipher = server_cipher(Settings(data_dir=tmp_path))
    a, b = new_id(), new_id()
    sealed = store.dumps_stored(seal(cipher, "profile", a, {"credit_score": SCORE}))
    assert open_data(cipher, "profile", a, sealed) == {"credit_score": SCORE}
    with pytest.raises(InvalidTag):
        open_data(cipher, "profile", b, sealed)  # pasted into another buyer's profile
    with pytest.raises(InvalidTag):
        open_data(FieldCipher(os.urandom(32)), "profile", a, sealed)  # another key
    # a client's value shaped like a sealed one is sealed like any other, and comes back
    look_alike = {"credit_score": {"$sealed": "AAAA"}}
    stored = store.dumps_stored(seal(cipher, "profile", a, look_alike))
    assert open_data(cipher, "profile", a, stored) == look_alike
    # the key file is reused, and an explicit key file is used as is (never created)
    assert open_data(server_cipher(Settings(data_dir=tmp_path)), "profile", a, sealed)
    key_file = tmp_path / "deploy.key"
    with pytest.raises(FileNotFoundError):
        server_cipher(Settings(data_dir=tmp_path, server_field_key_file=key_file))
    key_file.write_bytes((tmp_path / KEY_FILE_NAME).read_bytes())
    shared = server_cipher(Settings(data_dir=tmp_path / "other", server_field_key_file=key_file))
    assert open_data(shared, "profile", a, sealed) == {"credit_score": SCORE}
