"""Sync throughput: `chedai serve` under uvicorn on 127.0.0.1, SQLite and PostgreSQL.

Measures push throughput (operations/s, batches of 100), the median and p99 latency of a
100-operation push, and pull throughput (changes/s, pages of 1,000); the peer figure is a
trivial FastAPI endpoint (GET /health) on the same server, measured in the same run, as the
ceiling: ratio = push requests/s ÷ /health requests/s.

    .venv/bin/python bench/bench_sync.py [--batches 60] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEALER = "00000000-0000-4000-8000-00000000d001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, data_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CHEDAI_DATA_DIR": data_dir}
    cmd = [sys.executable, "-m", "app", "serve", "--port", str(port), "--demo",
           "--database-url", database_url]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _op(entity: str, entity_id: str, payload: dict, created_ms: int) -> dict:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "entity_id": entity_id,
            "payload": payload, "created_ms": created_ms}  # fmt: skip


def _push_applied(http: httpx.Client, ops: list[dict]) -> None:
    for start in range(0, len(ops), 500):  # sync.wire.MAX_OPS_PER_PUSH
        body = {"device_id": "bench", "ops": ops[start : start + 500]}
        response = http.post("/sync/push", json=body)
        assert response.status_code == 200, response.text
        assert all(r["status"] == "applied" for r in response.json()["results"]), response.text


def paid_out_loans(buyer: httpx.Client, payout: httpx.Client, n: int) -> list[str]:
    """``n`` loans the lender has paid out (untimed set-up): ``buyer`` pushes each application
    from a draft through each legal status to signed, ``payout`` (an admin, as the
    dealership's staff would) confirms the payout. A repayment is taken only then (the rules'
    ``not_paid_out``), so the measured pushes' payments name these."""
    loans = [str(uuid.uuid4()) for _ in range(n)]
    draft = {"status": "draft", "dealer_id": DEALER, "amount_cents": 15_000_000}
    statuses = ("prequalified", "submitted", "approved", "contracted")  # the legal path
    signing = [draft, *({"status": s} for s in statuses)]
    _push_applied(buyer, [_op("application", a, body, 1) for a in loans for body in signing])
    _push_applied(payout, [_op("application", a, {"status": "funded"}, 1) for a in loans])
    return loans


def ops_batch(n: int, clock: list[int], loans: list[str], cars: list) -> list[dict]:
    """A realistic mix: new applications (for the catalogue's ``cars``), their status moves,
    repayments (on ``loans``, paid out), interactions, profiles."""
    ops = []
    while len(ops) < n:
        clock[0] += 1
        app_id = str(uuid.uuid4())
        loan = loans[clock[0] % len(loans)]
        car, dealer = cars[clock[0] % len(cars)]
        items = [
            ("application", app_id, {"status": "draft", "dealer_id": dealer, "vehicle_id": car, "amount_cents": 15_000_000}),  # noqa: E501
            ("application", app_id, {"status": "prequalified"}),
            ("payment", str(uuid.uuid4()), {"application_id": loan, "amount_cents": 375_595, "paid_ms": clock[0]}),  # noqa: E501
            ("interaction", str(uuid.uuid4()), {"product_id": str(uuid.uuid4()), "kind": "view", "at_ms": clock[0]}),  # noqa: E501
            ("profile", "11111111-1111-4111-8111-111111111111", {"city": f"c{clock[0]}"}),
        ]  # fmt: skip
        ops += [_op(entity, entity_id, payload, clock[0]) for entity, entity_id, payload in items]
    return ops[:n]


def pull_all(http: httpx.Client, since: int, cars: dict | None = None) -> tuple[int, int]:
    """Pull every change after ``since`` in pages of 1,000: (how many, the last cursor);
    keeps the cars on sale in ``cars`` (vehicle id -> its dealership's id)."""
    pulled, cursor = 0, since
    while True:
        page = http.get("/sync/pull", params={"since": cursor, "limit": 1000}).json()
        pulled += len(page["changes"])
        for c in page["changes"] if cars is not None else ():
            if c["entity"] == "vehicle" and c["data"]:
                cars[c["entity_id"]] = c["data"]["dealer_id"]
            elif c["entity"] == "vehicle":  # delisted
                cars.pop(c["entity_id"], None)
        cursor = page["cursor"]
        if not page["has_more"]:
            return pulled, cursor


def wait_for_start_up(http: httpx.Client, timeout_s: float = 300) -> None:
    """A demo server trains and publishes its first recommender model in a worker thread after
    the start; wait for it (untimed), so that the figures are the steady state's, not those
    of pushes competing with the training for the interpreter."""
    deadline = time.monotonic() + timeout_s
    while http.get("/recommender/model").status_code == 404:
        if time.monotonic() > deadline:
            raise SystemExit("the demo server published no model")
        time.sleep(0.2)


def sign_in(http: httpx.Client, username: str) -> httpx.Client:
    """``http`` signed in as the demo account ``username`` (its password is public)."""
    form = {"username": username, "password": f"{username}-pass"}
    token = http.post("/auth/token", data=form).json()
    http.headers["Authorization"] = f"Bearer {token['access_token']}"
    return http


def measure(base: str, batches: int) -> dict[str, float]:
    with (
        httpx.Client(base_url=base, timeout=30) as http,
        httpx.Client(base_url=base, timeout=30) as admin,
    ):
        sign_in(http, "demo-buyer")
        # the demo server's catalogue comes first (untimed): the pull measured is that of
        # the pushed records, as a device that has the catalogue already syncs them
        on_sale: dict[str, str] = {}
        after_catalogue = pull_all(http, 0, on_sale)[1]
        cars = sorted(on_sale.items())
        assert cars, "the demo server's catalogue lists no car to apply for"
        wait_for_start_up(http)
        loans = paid_out_loans(http, sign_in(admin, "demo-admin"), 100)
        clock = [1_000]
        bodies = [{"device_id": "bench", "ops": ops_batch(100, clock, loans, cars)}
                  for _ in range(batches)]  # fmt: skip
        for body in bodies[:3]:  # warm-up (not timed)
            http.post("/sync/push", json=body)
        latencies = []
        start = time.perf_counter()
        for body in bodies[3:]:
            t0 = time.perf_counter()
            response = http.post("/sync/push", json=body)
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.text
            assert all(r["status"] != "rejected" for r in response.json()["results"])
        push_s = time.perf_counter() - start
        pushed = 100 * (batches - 3)

        start = time.perf_counter()
        pulled, _ = pull_all(http, after_catalogue)
        pull_s = time.perf_counter() - start

        health = []
        for _ in range(300):
            t0 = time.perf_counter()
            http.get("/health")
            health.append(time.perf_counter() - t0)
    latencies.sort()
    return {
        "push_ops_s": pushed / push_s,
        "push_req_s": len(latencies) / push_s,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "pull_changes_s": pulled / pull_s,
        "health_req_s": 1 / statistics.median(health),
    }


def run(label: str, database_url: str, batches: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        if database_url == "sqlite":
            database_url = f"sqlite:///{data_dir}/server.db"
        proc, base = start_server(database_url, data_dir)
        try:
            m = measure(base, batches)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"{label:<10} push {m['push_ops_s']:8.0f} ops/s  ({m['push_req_s']:.1f} req/s of 100; "
          f"p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms)  "
          f"pull {m['pull_changes_s']:8.0f} changes/s  |  peer: GET /health "
          f"{m['health_req_s']:.0f} req/s, push/health ratio {m['push_req_s'] / m['health_req_s']:.2f}"  # noqa: E501
          f"  target ≥ 5000 ops/s on SQLite: {'met' if m['push_ops_s'] >= 5000 else 'NOT met'}"
          if label == "sqlite" else
          f"{label:<10} push {m['push_ops_s']:8.0f} ops/s  ({m['push_req_s']:.1f} req/s of 100; "
          f"p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms)  "
          f"pull {m['pull_changes_s']:8.0f} changes/s  |  peer: GET /health "
          f"{m['health_req_s']:.0f} req/s, push/health ratio {m['push_req_s'] / m['health_req_s']:.2f}")  # fmt: skip  # noqa: E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    run("sqlite", "sqlite", args.batches)
    if args.no_postgres:
        return
    script = ROOT / "scripts" / "start_postgres.sh"
    started = subprocess.run([str(script)], capture_output=True, text=True)
    if started.returncode != 0:
        print(f"postgresql skipped: {started.stderr.strip()}")
        return
    datadir = started.stderr.split("PGDATA=", 1)[1].split()[0]
    try:
        run("postgresql", started.stdout.strip(), args.batches)
    finally:
        subprocess.run([str(script), "--stop", datadir], check=False)


if __name__ == "__main__":
    main()
