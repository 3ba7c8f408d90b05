"""Figures a server from before sealing stored in clear — in the records and in the change
history, which pushes never rewrite — are sealed at the next start, once per database
(backend.reseal). Run against SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import json

from sqlalchemy import text

from backend import store
from backend.reseal import seal_clear_figures
from backend.rules import Actor
from tests.backend.factories import make_app, make_op, make_user, new_id
from tests.backend.test_profile_figures_sealed import (
    DEBT,
    FIGURES,
    INCOME,
    _assert_sealed,
    _pulled,
    _raw,
)


def _legacy_profile(engine, owner: Actor, *edits: dict) -> str:
    """A profile pushed through a server that did not seal (no cipher), edit by edit."""
    profile = new_id()
    for n, payload in enumerate(edits, start=1):
        [result] = store.push(
            engine, owner, "phone", [make_op("profile", profile, payload, created_ms=n * 1_000)],
            n * 1_000,
        )  # fmt: skip
        assert result.status == "applied", result
    return profile


def _forget_the_step(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM server_meta"))


def test_a_start_seals_the_clear_figures_of_records_and_history(engine, tmp_path):
    api = make_app(engine, tmp_path)
    client, user = make_user(api)
    _forget_the_step(engine)  # a database from before sealing: its rows below are clear
    owner = Actor(user["id"], "buyer", None)
    profile = _legacy_profile(
        engine, owner, {"city": "上海", **FIGURES}, {"monthly_income_cents": INCOME + 1}
    )
    interaction = new_id()
    payload = {"product_id": new_id(), "kind": "view", "at_ms": 5}
    store.push(engine, owner, "phone", [make_op("interaction", interaction, payload)], 1)
    assert str(INCOME) in _raw(engine, "changes", profile)[0]  # as the old server left it

    api = make_app(engine, tmp_path)  # the next start
    rows = [*_raw(engine, "records", profile), *_raw(engine, "changes", profile)]
    assert len(rows) == 3
    for raw in rows:
        _assert_sealed(raw)
        assert str(INCOME + 1) not in raw and json.loads(raw)["city"] == "上海"
    assert _pulled(client, profile) == {"city": "上海", **FIGURES,
                                        "monthly_income_cents": INCOME + 1}  # fmt: skip
    assert json.loads(_raw(engine, "records", interaction)[0]) == payload  # untouched
    assert seal_clear_figures(engine, api.state.backend.cipher) is None  # done once


def test_rows_sealed_already_are_left_as_they_are(engine, tmp_path):
    api = make_app(engine, tmp_path)
    client, _ = make_user(api)
    profile = new_id()
    op = {"op_id": new_id(), "entity": "profile", "entity_id": profile,
          "payload": {"monthly_debt_cents": DEBT}, "created_ms": 1_000}  # fmt: skip
    assert client.post("/sync/push", json={"device_id": "p", "ops": [op]}).status_code == 200
    before = _raw(engine, "records", profile) + _raw(engine, "changes", profile)
    _forget_the_step(engine)
    assert seal_clear_figures(engine, api.state.backend.cipher) == 0
    assert _raw(engine, "records", profile) + _raw(engine, "changes", profile) == before


def test_more_rows_than_a_batch_are_all_sealed(engine, tmp_path, monkeypatch):
    from backend import reseal

    monkeypatch.setattr(reseal, "BATCH", 2)
    api = make_app(engine, tmp_path)
    _, user = make_user(api)
    owner = Actor(user["id"], "buyer", None)
    _forget_the_step(engine)
    profiles = [_legacy_profile(engine, owner, FIGURES) for _ in range(5)]
    assert seal_clear_figures(engine, api.state.backend.cipher) == 10  # 5 records, 5 changes
    for profile in profiles:
        for raw in _raw(engine, "records", profile) + _raw(engine, "changes", profile):
            _assert_sealed(raw)
