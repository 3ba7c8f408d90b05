"""/sync/push reads and validates its body itself (the hot path): its answers must be those of
every other route — 401 before 422, the ErrorBody shape with dotted ``body.…`` fields, and the
request schema still published for clients and the fuzzer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.backend.factories import application, make_user, new_id, server_app


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return server_app(tmp_path_factory.mktemp("push_route"))


def _op(**overrides) -> dict:
    op = {"op_id": new_id(), "entity": "application", "entity_id": new_id(),
          "payload": application(), "created_ms": 1_000}  # fmt: skip
    return {**op, **overrides}


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        pytest.param(b"{not json", "body", "json_invalid", id="malformed-json"),
        pytest.param(b"", "body", "json_invalid", id="empty-body"),
        pytest.param(b'{"ops": []}', "body.device_id", "missing", id="missing-device"),
        pytest.param(
            b'{"device_id": "p", "ops": [{"op_id": "x"}]}',
            "body.ops.0.op_id",
            "string_pattern_mismatch",
            id="bad-op-id",
        ),
        pytest.param(
            b'{"device_id": "p", "ops": [], "x": 1}',
            "body.x",
            "extra_forbidden",
            id="unknown-field",
        ),
    ],
)
def test_an_invalid_body_is_a_422_naming_the_field(api, body, field, rule):
    client, _ = make_user(api)
    response = client.post("/sync/push", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert (field, rule) in {(f["field"], f["rule"]) for f in response.json()["fields"]}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="unknown-token"),
    ],
)
def test_without_a_valid_token_even_an_invalid_body_is_a_401(api, headers):
    response = TestClient(api).post("/sync/push", content=b"{not json", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_valid_push_answers_one_result_per_op_with_its_seq(api):
    client, _ = make_user(api)
    ops = [_op(), _op()]
    response = client.post("/sync/push", json={"device_id": "phone", "ops": ops})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["op_id"] for r in results] == [op["op_id"] for op in ops]
    assert results[1]["seq"] == results[0]["seq"] + 1


def test_the_push_body_schema_is_published_with_the_models_it_refers_to(api):
    schema = TestClient(api).get("/openapi.json").json()
    body = schema["paths"]["/sync/push"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/PushRequest"
    components = schema["components"]["schemas"]
    assert components["PushRequest"]["properties"]["ops"]["items"] == {
        "$ref": "#/components/schemas/Op"
    }
    assert "op_id" in components["Op"]["properties"]
