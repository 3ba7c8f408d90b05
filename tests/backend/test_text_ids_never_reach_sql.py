"""Ids that are not UUIDs are refused by name before any lookup: PostgreSQL refuses a text
holding NUL characters outright, so a lookup of one answered 500. Run against SQLite and
PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.backend.factories import DEALER_X, application, make_app, make_user, new_id, payment

NUL = "\u0000" * 36


@pytest.fixture
def api(engine, tmp_path):
    return make_app(engine, tmp_path)


def _quiet(api, role="buyer", dealer_id=None) -> TestClient:
    client, _ = make_user(api, role, dealer_id)
    quiet = TestClient(api, raise_server_exceptions=False)
    quiet.headers["Authorization"] = client.headers["Authorization"]
    return quiet


def _push(client, entity, payload) -> dict:
    op = {"op_id": new_id(), "entity": entity, "entity_id": new_id(), "payload": payload,
          "created_ms": 1_000}  # fmt: skip
    response = client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return result


@pytest.mark.parametrize("entity", ["payment", "contract", "offer"])
def test_an_application_id_with_nul_characters_is_refused_by_name(api, entity):
    result = _push(_quiet(api), entity, {**payment(NUL), "application_id": NUL})
    assert result["status"] == "rejected"
    assert "application_id" in result["message"]


def test_a_staff_members_buyer_id_with_nul_characters_is_refused_by_name(api):
    staff = _quiet(api, "dealer_staff", DEALER_X)
    result = _push(staff, "application", {**application(), "buyer_id": NUL})
    assert result["status"] == "rejected"
    assert "buyer_id" in result["message"]
