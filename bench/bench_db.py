"""Benchmark the local database: seeding the demo world, and the catalogue query (filters +
sort + a page of 20, with its total) through the repositories, beside the same query through
raw ``sqlite3`` (the ceiling) in the same run.

    .venv/bin/python bench/bench_db.py [--seed N] [--runs 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session

from local_db.crypto import FieldCipher
from local_db.demo import seed_database
from local_db.engine import make_engine
from local_db.repositories.catalog import _UNDER_CONTRACT, list_vehicles

#: the app asks for the cars on sale that day: those a live contract holds are left out
TODAY = date(2026, 12, 1)

QUERIES = (  # (repository keywords, raw SQL WHERE, raw params, ORDER BY)
    (
        {"energy": ("BEV", "PHEV"), "condition": "new", "price_min": Decimal("100000"),
         "price_max": Decimal("300000"), "sort": "price_asc"},
        "energy IN (?, ?) AND condition = ? AND price_cents >= ? AND price_cents <= ?",
        ("BEV", "PHEV", "new", 10_000_000, 30_000_000),
        "price_cents ASC, id ASC",
    ),
    (
        {"brands": ("BYD", "Geely", "Toyota"), "body": ("suv", "sedan"), "sort": "price_desc"},
        "make IN (?, ?, ?) AND body IN (?, ?)",
        ("BYD", "Geely", "Toyota", "suv", "sedan"),
        "price_cents DESC, id ASC",
    ),
    (
        {"query": "model", "condition": "used", "sort": "mileage_asc"},
        "search_text LIKE ? ESCAPE '\\' AND condition = ?",
        ("%model%", "used"),
        "mileage_km ASC, price_cents ASC, id ASC",
    ),
    (
        {"price_max": Decimal("150000"), "sort": "year_desc", "offset": 20},
        "price_cents <= ?",
        (15_000_000,),
        "year DESC, price_cents ASC, id ASC",
    ),
)  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_calls(fn, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chedai.db"
        engine = make_engine(path)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        report = seed_database(
            engine, seed=args.seed, data_dir=Path(tmp), cipher=FieldCipher(bytes(32))
        )
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        print(f"seeding: {wall:.1f} s wall, {cpu:.1f} s CPU for {report.counts}")

        with Session(engine) as session:

            def ours(i: int) -> None:
                kw = QUERIES[i % len(QUERIES)][0]
                page = list_vehicles(session, limit=20, available_on=TODAY, **kw)
                assert page.total >= len(page.items)

            ours(0)  # warm the connection and compiled-statement cache
            ours_ms = time_calls(ours, args.runs)

        raw = sqlite3.connect(path)
        raw.execute("PRAGMA cache_size=-32768")

        def ceiling(i: int) -> None:
            _, where, params, order = QUERIES[i % len(QUERIES)]
            offset = QUERIES[i % len(QUERIES)][0].get("offset", 0)
            where = f"deleted = 0 AND {where} AND id NOT IN ({_UNDER_CONTRACT})"
            params = (*params, *[TODAY.isoformat()] * _UNDER_CONTRACT.count("?"))
            raw.execute(f"SELECT count(*) FROM vehicles WHERE {where}", params).fetchone()
            raw.execute(
                f"SELECT * FROM vehicles WHERE {where} ORDER BY {order} LIMIT 20 OFFSET ?",
                (*params, offset),
            ).fetchall()

        ceiling(0)
        raw_ms = time_calls(ceiling, args.runs)
        raw.close()
        engine.dispose()

    ours_med, raw_med = statistics.median(ours_ms), statistics.median(raw_ms)
    print(
        f"catalogue query ({len(QUERIES)} filter/sort variants, "
        f"page of 20 + total, {args.runs} runs)"
    )
    print(f"  repositories : median {ours_med:.3f} ms   p99 {percentile(ours_ms, 0.99):.3f} ms")
    print(f"  raw sqlite3  : median {raw_med:.3f} ms   p99 {percentile(raw_ms, 0.99):.3f} ms")
    print(f"  ratio (ours / raw, medians): {ours_med / raw_med:.2f}x   target: median < 5 ms")
    return 0 if ours_med < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
