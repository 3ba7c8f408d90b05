"""The recommender on the server: interactions synced by buyers train a model that is
published as a versioned factor file a client can GET and score with numpy."""

from __future__ import annotations

import json
import os
import time

import pytest
from fastapi.testclient import TestClient

from app.cli import main as cli_main
from backend.recommend import RecommenderUnavailable, latest_info, retrain_once
from tests.backend.factories import make_app, make_user, new_id

# implicit warns (and would oversubscribe the 2 cores) when OpenBLAS is multithreaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PRODUCTS = [new_id() for _ in range(6)]
SEGMENTS = (PRODUCTS[:3], PRODUCTS[3:])  # two kinds of buyer, each liking its own products


def _push_interactions(api, buyers: int = 8) -> list[str]:
    """Synthetic history: buyer i likes segment i % 2's products (apply on the first)."""
    ids = []
    for i in range(buyers):
        client, row = make_user(api)
        liked = SEGMENTS[i % 2]
        ops = [
            {"op_id": new_id(), "entity": "interaction", "entity_id": new_id(), "op": "append",
             "payload": {"product_id": p, "kind": "view" if n else "apply", "at_ms": 1_000 + n},
             "created_ms": 1_000}
            for n, p in enumerate(liked[(i // 2) % 3:] + liked[: (i // 2) % 3])
        ]  # fmt: skip
        response = client.post("/sync/push", json={"device_id": "phone", "ops": ops})
        assert {r["status"] for r in response.json()["results"]} == {"applied"}
        ids.append(row["id"])
    return ids


def test_fit_publishes_a_factor_file_a_client_loads_and_scores(sqlite_engine, tmp_path):
    from recommender.score import Recommender

    api = make_app(sqlite_engine, tmp_path)
    buyers = _push_interactions(api)
    admin, _ = make_user(api, "admin")
    fitted = admin.post("/admin/recommender/fit")
    assert fitted.status_code == 201, fitted.text
    buyer, _ = make_user(api)
    info = buyer.get("/recommender/model").json()
    assert info == fitted.json() and info["version"] == 1
    content = buyer.get(info["url"]).content
    import hashlib

    assert hashlib.sha256(content).hexdigest() == info["sha256"]
    path = tmp_path / "factors.npz"
    path.write_bytes(content)
    model = Recommender.load(path)
    ranked = model.rank(buyers[0], eligible=PRODUCTS, k=3, explain=False)
    assert {r.item_id for r in ranked} <= set(PRODUCTS) and len(ranked) == 3
    assert sorted(model.item_ids.tolist()) == sorted(PRODUCTS)


def test_fit_without_interactions_is_a_409_not_a_500(sqlite_engine, tmp_path):
    api = make_app(sqlite_engine, tmp_path)
    admin, _ = make_user(api, "admin")
    response = admin.post("/admin/recommender/fit")
    assert (response.status_code, response.json()["code"]) == (409, "recommender_unavailable")


def test_a_scheduled_round_with_nothing_to_learn_is_skipped_not_fatal(sqlite_engine):
    def fit(_engine, _now):
        raise RecommenderUnavailable("there are no interactions to train on yet")

    assert retrain_once(fit, sqlite_engine, 1) is None


def test_the_schedule_retrains_while_the_server_runs(sqlite_engine, tmp_path):
    api = make_app(sqlite_engine, tmp_path, retrain_every_s=0.05)
    _push_interactions(api, buyers=4)
    with TestClient(api):  # runs the lifespan, hence the schedule
        deadline = time.monotonic() + 60  # a bound on waiting, not a timing assertion
        while latest_info(sqlite_engine) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert latest_info(sqlite_engine) is not None


def test_chedai_serve_fit_trains_on_the_servers_database(sqlite_engine, tmp_path, capsys):
    api = make_app(sqlite_engine, tmp_path)
    _push_interactions(api, buyers=4)
    url = str(sqlite_engine.url)
    assert cli_main(["serve", "--database-url", url, "--fit"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["version"] == 1 and printed["url"] == "/recommender/model/1"


def test_chedai_serve_fit_on_an_empty_database_exits_2(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli_main(["serve", "--database-url", url, "--fit"]) == 2
    assert "no interactions" in capsys.readouterr().err


@pytest.mark.parametrize("value", [pytest.param("0", id="zero"), pytest.param("-5", id="neg")])
def test_a_non_positive_retrain_interval_is_a_usage_error(value, capsys):
    assert cli_main(["serve", "--retrain-every", value]) == 2
    assert "--retrain-every" in capsys.readouterr().err
