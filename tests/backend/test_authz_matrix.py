"""Every role × every route (each catalogue kind), including another buyer's ids and another
dealership's staff."""

from __future__ import annotations

from typing import get_args

import pytest
from fastapi.testclient import TestClient

from backend.app import CatalogueKind
from backend.db import make_engine, migrate
from sync.wire import CATALOGUE_ENTITIES
from tests.backend.factories import (
    DEALER_X,
    DEALER_Y,
    application,
    funded_application_over_http,
    make_app,
    make_user,
    new_id,
)
from tests.backend.factories import payment as payment_body

ROLES = ("anonymous", "owner", "other_buyer", "dealer_x", "dealer_y", "admin")
KINDS = get_args(CatalogueKind)  # vehicles, lenders, products, dealers


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A buyer ("owner") with a profile, an application at dealer X (signed, and paid out by
    dealer X's staff) and a payment on it; built once per module (building the app is the slow
    part), every test signs in afresh."""
    tmp = tmp_path_factory.mktemp("authz")
    engine = make_engine(f"sqlite:///{tmp / 'server.db'}")
    migrate(engine)
    api = make_app(engine, tmp)
    users = {
        "owner": make_user(api)[1],
        "other_buyer": make_user(api)[1],
        "dealer_x": make_user(api, "dealer_staff", DEALER_X)[1],
        "dealer_y": make_user(api, "dealer_staff", DEALER_Y)[1],
        "admin": make_user(api, "admin")[1],
    }
    ids = {"app": new_id(), "profile": new_id(), "payment": new_id(), "scratch": new_id(),
           **{kind: new_id() for kind in KINDS}}  # fmt: skip
    owner = _signed_in(api, users["owner"])
    payout = _signed_in(api, users["dealer_x"])
    funded_application_over_http(owner, payout, app_id=ids["app"])
    owner_ops = [
        _op("profile", ids["profile"], {"name": "张敏"}),
        _op("payment", ids["payment"], payment_body(ids["app"])),
    ]
    push = owner.post("/sync/push", json={"device_id": "phone", "ops": owner_ops})
    assert [r["status"] for r in push.json()["results"]] == ["applied"] * 2
    admin = _signed_in(api, users["admin"])
    for kind in KINDS:  # one published item of each kind
        put = admin.put(f"/catalogue/{kind}/{ids[kind]}", json={"name_en": f"a {kind}"})
        assert put.status_code == 200
    yield api, users, ids
    engine.dispose()


@pytest.fixture
def clients(world):
    api, users, ids = world
    signed = {role: _signed_in(api, user) for role, user in users.items()}
    return {"anonymous": TestClient(api), **signed}, ids


def _signed_in(api, user):
    client = TestClient(api)
    form = {"username": user["username"], "password": "password-123"}
    token = client.post("/auth/token", data=form).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _op(entity, entity_id, payload, created_ms=1_000):
    return {"op_id": new_id(), "entity": entity, "entity_id": entity_id, "payload": payload,
            "created_ms": created_ms}  # fmt: skip


def _row(*codes):
    return dict(zip(ROLES, codes, strict=True))


# route -> expected status per role (anonymous, owner, other buyer, dealer X, dealer Y, admin)
MATRIX = {
    ("GET", "/health"): _row(200, 200, 200, 200, 200, 200),
    ("GET", "/openapi.json"): _row(200, 200, 200, 200, 200, 200),
    ("GET", "/catalogue/{kind}"): _row(200, 200, 200, 200, 200, 200),
    ("GET", "/catalogue/{kind}/{entity_id}"): _row(200, 200, 200, 200, 200, 200),
    ("PUT", "/catalogue/{kind}/{entity_id}"): _row(401, 403, 403, 403, 403, 200),
    ("DELETE", "/catalogue/{kind}/{entity_id}"): _row(401, 403, 403, 403, 403, 204),
    ("GET", "/records/application/{id}"): _row(401, 200, 404, 200, 404, 200),
    ("GET", "/records/profile/{id}"): _row(401, 200, 404, 404, 404, 200),
    ("GET", "/records/payment/{id}"): _row(401, 200, 404, 404, 404, 200),
    ("GET", "/records/{entity}"): _row(401, 200, 200, 200, 200, 200),
    ("POST", "/sync/push"): _row(401, 200, 200, 200, 200, 200),
    ("GET", "/sync/pull"): _row(401, 200, 200, 200, 200, 200),
    ("POST", "/auth/register"): _row(201, 201, 201, 201, 201, 201),
    ("POST", "/auth/token"): _row(401, 401, 401, 401, 401, 401),
    ("POST", "/auth/logout"): _row(401, 204, 204, 204, 204, 204),
    ("GET", "/auth/me"): _row(401, 200, 200, 200, 200, 200),
    # asked with a wrong password (the world is shared: no account may close); staff and
    # admins are refused before their password is looked at
    ("POST", "/account/close"): _row(401, 403, 403, 403, 403, 403),
    ("POST", "/admin/users"): _row(401, 403, 403, 403, 403, 201),
    ("POST", "/admin/recommender/fit"): _row(401, 403, 403, 403, 403, 409),
    ("GET", "/admin/reviews"): _row(401, 403, 403, 403, 403, 200),
    # the world's application raised no flag: nothing for the reviewer to decide
    ("POST", "/admin/reviews/{application_id}"): _row(401, 403, 403, 403, 403, 409),
    ("GET", "/recommender/model"): _row(401, 404, 404, 404, 404, 404),
    ("GET", "/recommender/model/{version}"): _row(401, 404, 404, 404, 404, 404),
}


def _call(client, method, route, ids, kind=None):
    kind = kind or "vehicles"
    path = (
        route.replace("{kind}/{entity_id}", f"{kind}/{ids['scratch' if method != 'GET' else kind]}")
        .replace("{kind}", kind)
        .replace("application/{id}", f"application/{ids['app']}")
        .replace("profile/{id}", f"profile/{ids['profile']}")
        .replace("payment/{id}", f"payment/{ids['payment']}")
        .replace("{entity}", "application")
        .replace("{version}", "1")
        .replace("{application_id}", ids["app"])
    )
    kwargs = {}
    if route == "/sync/push":
        kwargs["json"] = {"device_id": "d", "ops": [_op("application", ids["app"],
                                                       {"amount_cents": 15_000_000})]}  # fmt: skip
    elif route == "/auth/register":
        kwargs["json"] = {"username": f"new-{new_id()[:8]}", "password": "long-enough"}
    elif route == "/auth/token":
        kwargs["data"] = {"username": f"nobody-{new_id()[:8]}", "password": "wrong-password"}
    elif route == "/admin/users":
        kwargs["json"] = {"username": f"staff-{new_id()[:8]}", "password": "long-enough",
                          "role": "dealer_staff", "dealer_id": DEALER_X}  # fmt: skip
    elif route == "/account/close":
        kwargs["json"] = {"password": "not-the-password"}
    elif route.startswith("/admin/reviews/"):
        kwargs["json"] = {"decision": "approved"}
    elif method == "PUT":
        kwargs["json"] = {"name_en": "changed"}
    return client.request(method, path, **kwargs)


#: every route once; a catalogue route once per kind
CALLS = [
    pytest.param(method, route, kind, id=f"{method} {route.replace('{kind}', kind or '{kind}')}")
    for method, route in MATRIX
    for kind in (KINDS if "{kind}" in route else (None,))
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route", "kind"), CALLS)
def test_route_answers_each_role_as_the_matrix_says(clients, role, method, route, kind):
    clients, ids = clients
    response = _call(clients[role], method, route, ids, kind)
    assert response.status_code == MATRIX[(method, route)][role], response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "fields"}


def test_every_catalogue_entity_has_a_public_route_kind():
    assert sorted(kind.removesuffix("s") for kind in KINDS) == sorted(CATALOGUE_ENTITIES)


@pytest.mark.parametrize("kind", KINDS)
def test_the_public_catalogue_lists_each_kind(clients, kind):
    clients, ids = clients
    listed = clients["anonymous"].get(f"/catalogue/{kind}").json()
    assert ids[kind] in {r["entity_id"] for r in listed}
    assert {r["entity"] for r in listed} == {kind.removesuffix("s")}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        pytest.param("owner", "applied", id="owner-may-edit"),
        pytest.param("other_buyer", "rejected", id="other-buyer-may-not"),
        pytest.param("dealer_x", "applied", id="dealer-of-the-application-may"),
        pytest.param("dealer_y", "rejected", id="other-dealer-may-not"),
        pytest.param("admin", "applied", id="admin-may"),
    ],
)
def test_push_onto_the_owners_application_is_allowed_only_for_its_parties(clients, role, status):
    clients, _ = clients
    app_id = new_id()
    create = {"device_id": "d", "ops": [_op("application", app_id, application())]}
    assert clients["owner"].post("/sync/push", json=create).status_code == 200
    body = {"device_id": "d", "ops": [_op("application", app_id, {"status": "withdrawn"})]}
    [result] = clients[role].post("/sync/push", json=body).json()["results"]
    assert result["status"] == status
    if status == "rejected":
        assert result["reason"] == "not_found"  # the same answer as for an unknown id


@pytest.mark.parametrize(
    ("role", "entities"),
    [
        pytest.param("owner", {"application", "profile", "payment"}, id="owner"),
        pytest.param("other_buyer", set(), id="other-buyer"),
        pytest.param("dealer_x", {"application"}, id="dealer-x"),
        pytest.param("dealer_y", set(), id="dealer-y"),
        pytest.param("admin", {"application", "profile", "payment"}, id="admin"),
    ],
)
def test_pull_shows_each_role_only_its_rows_and_the_catalogue(clients, role, entities):
    clients, _ = clients
    changes = clients[role].get("/sync/pull").json()["changes"]
    assert {c["entity"] for c in changes} == entities | set(CATALOGUE_ENTITIES)


def test_the_matrix_covers_every_route_of_the_app(clients):
    clients, _ = clients
    schema = clients["anonymous"].get("/openapi.json").json()
    routes = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    covered = {(m, r) for m, r in MATRIX} | {("GET", "/records/{entity}/{entity_id}")}
    assert routes | {("GET", "/openapi.json")} == covered - {
        ("GET", "/records/application/{id}"),
        ("GET", "/records/profile/{id}"),
        ("GET", "/records/payment/{id}"),
    }
