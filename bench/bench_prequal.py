"""Prequalification speed on the demo market, beside a naive peer measured in the same run.

    .venv/bin/python bench/bench_prequal.py [--single 300] [--batch 10000]

- single: one applicant against every product of the demo market (48 products), the quote cache
  cleared before each applicant (cold): median and p99 in ms. Targets: < 10 ms.
- batch: --batch applicants drawn from the demo catalogue's cars with common down-payment shares
  and terms (cache warm, as in a running marketplace): applicants per second on one core, and
  the quote-cache hit rate. Target: > 1,000/s.
- peer: the naive approach — quote every product that prices the buyer's tier at the wished
  term with domain.loans.quote (no screening, no hints) — on the same applicants.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from domain.catalog import Condition, ConsentPurpose
from domain.loans import quote
from domain.prequal import (
    Applicant,
    ConsentGiven,
    Deal,
    Housing,
    IncomeType,
    VehicleFacts,
    prequalify,
    score,
)
from domain.prequal.pricing import cached_quote, terms_for

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
CONSENT = ConsentGiven(ConsentPurpose.SOFT_CHECK, "bench", datetime(2026, 11, 28, 9, tzinfo=UTC))
C = Decimal("0.01")


def market():
    from local_db.demo.world import generate

    world = generate(20261128, n_buyers=10)
    products = [p for p in world.products if p.is_active_on(TODAY)]
    return products, world.vehicles


def facts(v) -> VehicleFacts:
    used = v.condition is Condition.USED
    return VehicleFacts(
        price=v.price,
        energy=v.energy,
        condition=v.condition,
        age_years=max(Decimal(0), v.age_years(TODAY)) if used else Decimal(0),
        mileage_km=v.mileage_km,
        make=v.make,
    )


def draw(rng: random.Random, cars: list[VehicleFacts]):
    car = rng.choice(cars)
    income = Decimal(rng.randrange(5000, 40000, 500)).quantize(C)
    a = Applicant(
        age=rng.randrange(22, 60),
        monthly_income=income,
        income_type=rng.choice(list(IncomeType)),
        employment_months=rng.randrange(0, 120),
        housing=rng.choice(list(Housing)),
        monthly_debt_payments=(income * Decimal(rng.randrange(0, 40)) / 100).quantize(C),
        credit_score=rng.choice([None, *range(520, 820, 10)]),
        city="Shanghai",
    )
    share = Decimal(rng.choice([20, 30, 40, 50])) / 100
    d = Deal(
        down_payment=(car.price * share).quantize(Decimal(1)).quantize(C),
        term_months=rng.choice([12, 24, 36, 48, 60]),
    )
    return a, car, d


def ours(products, a, v, d, **options):
    return prequalify(a, v, d, products, consent=CONSENT, today=TODAY, now=NOW, **options)


def peer(products, a, v, d):
    tier = score(a).tier
    out = []
    for p in products:
        line = p.rate_for(tier, d.term_months) if tier else None
        if line is None:
            continue
        terms = terms_for(
            p,
            line,
            price=v.price,
            down_payment=d.down_payment,
            trade_in=d.trade_in,
            term=d.term_months,
            today=TODAY,
        )
        with contextlib.suppress(ValueError):
            out.append(quote(terms))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10000)
    args = parser.parse_args()
    products, vehicles = market()
    cars = [facts(v) for v in vehicles]
    rng = random.Random(7)
    apps = [draw(rng, cars) for _ in range(args.single)]
    ours(products, *apps[0])  # warm imports

    def timed(fn, cold: bool) -> list[float]:
        samples = []
        for a, v, d in apps:
            if cold:
                cached_quote.cache_clear()
            t = time.perf_counter()
            fn(products, a, v, d)
            samples.append((time.perf_counter() - t) * 1000)
        return samples

    mine, theirs = timed(ours, True), timed(peer, True)
    offers = statistics.mean(len(ours(products, *x).offers) for x in apps[:50])

    def p99(xs):
        return sorted(xs)[int(len(xs) * 0.99) - 1]

    print(
        f"demo market: {len(products)} active products, {len(cars)} cars; "
        f"{offers:.1f} offers per applicant"
    )
    print("single applicant, every product, cold quote cache (ms):")
    print(
        f"  ours (screen, quote offers, hints): median {statistics.median(mine):7.2f}"
        f"  p99 {p99(mine):7.2f}"
    )
    print(
        f"  peer (quote every priced product):  median {statistics.median(theirs):7.2f}"
        f"  p99 {p99(theirs):7.2f}"
    )
    print(
        f"  ratio ours/peer (median): {statistics.median(mine) / statistics.median(theirs):.2f}"
        "   target < 10 ms"
    )

    rng = random.Random(11)
    batch = [draw(rng, cars) for _ in range(args.batch)]
    print(f"batch of {len(batch)} applicants, one core (CPU time), quote cache warm:")
    modes = (
        ("hints confirmed by a quote (default)", {}),
        ("hints from the rules only", {"confirm_hints": False}),
        ("no hints (decisions and offers)", {"hints": False}),
    )
    for label, options in modes:
        cached_quote.cache_clear()
        t = time.process_time()
        for a, v, d in batch:
            ours(products, a, v, d, **options)
        rate = len(batch) / (time.process_time() - t)
        info = cached_quote.cache_info()
        hit = info.hits / max(1, info.hits + info.misses)
        print(f"  ours, {label:38s} {rate:7.0f} applicants/s (cache hits {hit:.0%})")
    sample = batch[: max(1, args.batch // 10)]
    t = time.process_time()
    for a, v, d in sample:
        peer(products, a, v, d)
    peer_rate = len(sample) / (time.process_time() - t)
    print(
        f"  peer (quote every priced product, first {len(sample)}): {peer_rate:7.0f} applicants/s"
    )
    print("  target > 1,000 applicants/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
