"""``chedai serve --demo`` publishes the demo world's catalogue once, dealers first, and its
staff account works at one of the published dealers (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.settings import Settings
from backend import auth, store
from backend.demo import demo_world, publish_demo_model
from backend.models import ChangeRow
from backend.recommend import model_content
from backend.rules import Actor
from local_db.demo.world import generate
from local_db.repositories.catalog import sync_records
from sync.wire import CATALOGUE_ENTITIES
from tests.backend.factories import FAST_HASHER, make_app, make_op, make_user, new_id

ADMIN = Actor("00000000-0000-4000-8000-00000000ad01", "admin")
OLD_DEMO_DEALER = "00000000-0000-4000-8000-00000000d001"  # the staff's dealer before it published


@pytest.fixture(scope="module")
def world():
    return demo_world(Settings().demo_seed)


def _everything(engine) -> list:
    changes, cursor = [], 0
    while True:
        page = store.pull(engine, ADMIN, cursor, 1000)
        changes += page.changes
        cursor = page.cursor
        if not page.has_more:
            return changes


def _me(api, username: str, password: str) -> dict:
    http = TestClient(api)
    token = http.post("/auth/token", data={"username": username, "password": password})
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http.get("/auth/me").json()


def test_the_demo_server_publishes_the_worlds_catalogue_dealers_first(engine, tmp_path, world):
    make_app(engine, tmp_path, demo=True)
    changes = _everything(engine)
    order = ["dealer"] * len(world.dealers) + ["lender"] * len(world.lenders)
    order += ["product"] * len(world.products) + ["vehicle"] * len(world.vehicles)
    assert [c.entity for c in changes] == order  # the sequence a device applies them in
    records = sync_records(dealers=world.dealers, lenders=world.lenders, products=world.products)
    assert [(c.entity_id, c.data) for c in changes[: len(records)]] == [
        (entity_id, data) for _, entity_id, data in records
    ]
    assert {c.data["picture"] for c in changes if c.entity == "vehicle"} == {""}


def test_restarting_the_demo_server_publishes_nothing_new(engine, tmp_path):
    make_app(engine, tmp_path, demo=True)
    before, history = _everything(engine), _history(engine)
    make_app(engine, tmp_path, demo=True)
    assert _everything(engine) == before  # same records, same sequence numbers
    assert store.pull(engine, ADMIN, before[-1].seq, 1000).changes == []
    assert _history(engine) == history == len(before)


def _history(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ChangeRow)).scalar_one()


def test_a_server_that_has_a_catalogue_gets_no_demo_one(engine, tmp_path):
    vehicle = make_op("vehicle", payload={"model": "Seal"})
    [result] = store.push(engine, ADMIN, "server", [vehicle], 1_000)
    assert result.status == "applied"
    make_app(engine, tmp_path, demo=True)
    assert [(c.entity, c.entity_id) for c in _everything(engine)] == [
        ("vehicle", vehicle.entity_id)
    ]


def test_the_demo_staff_account_works_at_a_published_dealer(engine, tmp_path, world):
    api = make_app(engine, tmp_path, demo=True)
    me = _me(api, "demo-dealer", "demo-dealer-pass")
    assert me["dealer_id"] == world.dealers[0].id
    assert TestClient(api).get(f"/catalogue/dealers/{me['dealer_id']}").status_code == 200


def test_a_demo_staff_account_from_before_moves_to_the_published_dealer(engine, tmp_path, world):
    auth.create_user(engine, FAST_HASHER, username="demo-dealer", password="demo-dealer-pass",
                     role="dealer_staff", dealer_id=OLD_DEMO_DEALER, now_ms=0)  # fmt: skip
    api = make_app(engine, tmp_path, demo=True)
    assert _me(api, "demo-dealer", "demo-dealer-pass")["dealer_id"] == world.dealers[0].id


def test_every_catalogue_entity_of_the_demo_world_is_published(engine, tmp_path):
    make_app(engine, tmp_path, demo=True)
    assert {c.entity for c in _everything(engine)} == set(CATALOGUE_ENTITIES)


def test_the_published_catalogue_is_the_one_a_demo_mode_device_seeds(world):
    seeded = generate(Settings().demo_seed, n_buyers=10)  # the seed draws buyers too
    assert (world.dealers, world.lenders, world.products, world.vehicles) == (
        seeded.dealers, seeded.lenders, seeded.products, seeded.vehicles,
    )  # fmt: skip


def test_the_demo_server_publishes_the_demo_worlds_model_once(engine, tmp_path, world):
    """A demo server's recommender starts from the model the demo world's synthetic buyers
    train (the one a demo-mode device trains), over the published products, and a restart
    or a later start does not publish another."""
    first = publish_demo_model(engine, world.seed, 5_000)
    again = publish_demo_model(engine, world.seed, 6_000)
    assert first is not None and first.version == 1 and again is None
    with np.load(io.BytesIO(model_content(engine, 1))) as model:
        items = set(model["item_ids"].tolist())
        segments = set(model["segment_names"].tolist())
    assert items <= {p.id for p in world.products} and len(items) > len(world.products) // 2
    assert segments  # cold-start popularity per segment travels with it


def test_a_started_demo_server_serves_its_model_without_an_admin(engine, tmp_path):
    """``chedai serve --demo``: the model is trained after the start, in the background, and
    then offered to every signed-in device."""
    with TestClient(make_app(engine, tmp_path, demo=True)) as http:
        token = http.post(
            "/auth/token", data={"username": "demo-buyer", "password": "demo-buyer-pass"}
        ).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 120  # a wait for the worker thread, not a speed check
        while (answer := http.get("/recommender/model")).status_code == 404:
            assert time.monotonic() < deadline, answer.json()
            time.sleep(0.2)
        assert answer.json()["version"] == 1
        assert http.get(answer.json()["url"]).status_code == 200


def test_a_demo_servers_retraining_keeps_the_demo_buyers_and_adds_the_sign_ups(
    engine, tmp_path, world
):
    """An admin's fit on a demo server trains on the demo world's buyers and on what the
    people who signed up did, not on the few sign-ups alone."""
    api = make_app(engine, tmp_path, demo=True)
    buyer, row = make_user(api)
    product = world.products[0].id
    ops = [{"op_id": new_id(), "entity": "interaction", "entity_id": new_id(), "op": "append",
            "payload": {"product_id": product, "kind": "apply", "at_ms": 1_000},
            "created_ms": 1_000}]  # fmt: skip
    pushed = buyer.post("/sync/push", json={"device_id": "phone", "ops": ops})
    assert pushed.json()["results"][0]["status"] == "applied"
    admin, _ = make_user(api, "admin")
    fitted = admin.post("/admin/recommender/fit")
    assert fitted.status_code == 201, fitted.text
    with np.load(io.BytesIO(model_content(engine, fitted.json()["version"]))) as model:
        users = set(model["user_ids"].tolist())
    assert row["id"] in users and len(users) > 1000  # the sign-up among the demo's buyers
