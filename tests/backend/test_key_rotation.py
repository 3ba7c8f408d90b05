"""``chedai keys rotate --server``: the server's field key is replaced by a fresh one and
every figure in the records and the change history is sealed again with it (an older
server's clear ones too); the old key opens none of them and the wire is unchanged. Run
against SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import json

import pytest
from cryptography.exceptions import InvalidTag
from fastapi.testclient import TestClient

from backend import store
from backend.rules import Actor
from backend.sealing import KEY_FILE_NAME, open_data
from local_db.crypto import FieldCipher, read_keys
from tests.app.cli_run import run_main
from tests.backend.factories import make_app, make_op, make_user, new_id
from tests.backend.test_profile_figures_sealed import FIGURES, _assert_sealed, _pulled, _raw


def _push(client, entity_id: str, payload: dict, created_ms: int) -> None:
    op = {"op_id": new_id(), "entity": "profile", "entity_id": entity_id, "payload": payload,
          "created_ms": created_ms}  # fmt: skip
    response = client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    assert response.json()["results"][0]["status"] == "applied", response.text


def test_rotating_the_servers_key_reseals_records_and_history(engine, tmp_path, capsys,
                                                              monkeypatch):  # fmt: skip
    api = make_app(engine, tmp_path)
    client, user = make_user(api)
    old = api.state.backend.cipher
    profile, legacy = new_id(), new_id()
    _push(client, profile, FIGURES, 1_000)
    _push(client, profile, {"credit_score": 702}, 2_000)
    owner = Actor(user["id"], "buyer", None)  # a row only an older server could have written
    store.push(engine, owner, "phone", [make_op("profile", legacy, FIGURES, created_ms=1)], 1)
    rows = {key: _raw(engine, table, key) for key in (profile, legacy)
            for table in ("records", "changes")}  # fmt: skip
    assert rows  # what the rotation must reseal: 2 + 3 rows

    api.state.key_in_use.release()  # the server stopped: a running one refuses the rotation
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path))
    url = engine.url.render_as_string(hide_password=False)
    code, out, err = run_main(capsys, ["keys", "rotate", "--server", "--database-url", url])
    assert (code, err) == (0, "")
    assert json.loads(out)["resealed"] == 5
    [fresh] = read_keys(tmp_path / KEY_FILE_NAME)
    assert fresh not in old.keys

    for key in (profile, legacy):
        for raw in _raw(engine, "records", key) + _raw(engine, "changes", key):
            _assert_sealed(raw)
            with pytest.raises(InvalidTag):
                open_data(old, "profile", key, raw)
            assert open_data(FieldCipher(fresh), "profile", key, raw)
    restarted = make_app(engine, tmp_path)  # reads the new key
    assert restarted.state.backend.cipher.keys == (fresh,)
    again = TestClient(restarted)
    again.headers["Authorization"] = client.headers["Authorization"]
    assert _pulled(again, profile) == {**FIGURES, "credit_score": 702}
    assert _pulled(again, legacy) == FIGURES


def test_without_a_key_file_the_server_has_nothing_to_rotate(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path))
    code, out, err = run_main(capsys, ["keys", "rotate", "--server"])
    assert code == 2 and out == "" and KEY_FILE_NAME in err and "Traceback" not in err
