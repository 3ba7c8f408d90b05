"""Recommender benchmark: our figures beside implicit's, measured in the same run (medians).

    .venv/bin/python bench/bench_recommender.py                 # the issue's size (minutes, ~3 GB)
    .venv/bin/python bench/bench_recommender.py --users 100000 --items 400 --interactions 2000000
    .venv/bin/python bench/bench_recommender.py --users 20000 --items 400 \
        --interactions 400000 --spark                             # adds Spark MLlib, same data
    .venv/bin/python bench/bench_recommender.py --iterations 3 --save-factors /tmp/f.npz
    .venv/bin/python bench/bench_recommender.py --scoring-only /tmp/f.npz   # 2. and 3. only

1. fit: seconds per ALS iteration through recommender.train.fit_als vs implicit called directly
   on the same confidence matrix (target: within 10%);
2. one buyer's top-10 among all products from the exported factors (ours: numpy on
   item_factors; peer: implicit's ``recommend`` on the same factors; target < 0.1 ms);
3. batch scoring in buyers per second of wall clock and per CPU second (target >= 50,000;
   implicit's batch ``recommend``), the batch top-10 checked against the one-buyer scorer.
"""

from __future__ import annotations

import functools
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: implicit wants 1 BLAS thread

import argparse
import gc
import resource
import statistics
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recommender.data import confidence_matrix, weight_matrix
from recommender.factors import FactorModel
from recommender.params import AlsParams
from recommender.score import Recommender
from recommender.synthetic import planted_market
from recommender.train import fit_als


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _line(what: str, ours: float, peer: float, unit: str, better: str) -> None:
    ratio = ours / peer if peer else float("nan")
    print(f"{what:<44} ours {ours:>12.4f} {unit:<10} implicit {peer:>12.4f} {unit:<10} "
          f"ours/implicit {ratio:6.3f} ({better} is better)")  # fmt: skip


def bench_fit(conf, params: AlsParams):
    from implicit.cpu.als import AlternatingLeastSquares

    ours: list[float] = []
    t = time.perf_counter()
    fit_als(conf, params, callback=lambda it, elapsed, loss: ours.append(elapsed))
    ours_total = time.perf_counter() - t
    print(f"  ours: {ours_total:.1f} s, per iteration {[round(x, 1) for x in ours]}", flush=True)
    gc.collect()

    peer: list[float] = []
    with threadpool_limits(1, "blas"):  # as fit_als does: implicit threads, BLAS single
        model = AlternatingLeastSquares(
            factors=params.factors,
            regularization=params.regularization,
            alpha=1.0,
            iterations=params.iterations,
            random_state=params.random_state,
        )
        t = time.perf_counter()
        model.fit(conf, show_progress=False, callback=lambda it, el, loss: peer.append(el))
        peer_total = time.perf_counter() - t
    print(f"  implicit: {peer_total:.1f} s, per iteration {[round(x, 1) for x in peer]}")
    print(f"fit: {params.iterations} iterations, factors={params.factors}; "
          f"total ours {ours_total:.1f} s, implicit {peer_total:.1f} s")  # fmt: skip
    _line("fit, seconds per iteration (median)", statistics.median(ours),
          statistics.median(peer), "s", "lower")  # fmt: skip
    return model


def bench_single(rec: Recommender, model, user_items, queries: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    users = rng.integers(0, rec.user_factors.shape[0], size=queries)
    everything = rec.candidates(rec.item_ids.tolist())
    user_ids = rec.model.user_ids[users].tolist()
    rec.user_index  # noqa: B018 - build the id map outside the timed loop

    def timed(fn) -> float:
        samples = []
        for u, uid in zip(users.tolist(), user_ids, strict=True):
            t = time.perf_counter_ns()
            fn(u, uid)
            samples.append(time.perf_counter_ns() - t)
        return statistics.median(samples) / 1e6

    def peer_fn(u, _):
        model.recommend(u, user_items[u], N=10, filter_already_liked_items=False)

    peer = timed(peer_fn)
    top = timed(lambda u, _: rec.top_k(rec.user_factors[u], 10))
    ranked = timed(lambda _, uid: rec.rank(uid, eligible=everything, k=10, explain=False))
    explained = timed(lambda _, uid: rec.rank(uid, eligible=everything, k=10))
    n = rec.item_factors.shape[0]
    _line(f"top-10 of {n}, one buyer, ms (top_k)", top, peer, "ms", "lower")
    _line("  same through rank(id, eligible=all)", ranked, peer, "ms", "lower")
    _line("  rank() with 'why' explanations", explained, peer, "ms", "lower")

    some = np.arange(0, rec.user_factors.shape[0], max(1, rec.user_factors.shape[0] // 50))
    for u in some.tolist():
        theirs, _ = model.recommend(u, user_items[u], N=10, filter_already_liked_items=False)
        ours, _ = rec.top_k(rec.user_factors[u], 10)
        # ties at float32 precision may order differently; the sets must agree
        assert set(ours.tolist()) == set(theirs.tolist()), (u, ours, theirs)


def bench_batch(rec: Recommender, model, user_items, batch_users: int, repeat: int) -> None:
    """Buyers per second of wall clock and per CPU second (all threads; steadier on a shared
    machine), medians of ``repeat`` interleaved runs; and a check that the batch scorer's
    top-10 is the exact one (one buyer at a time, ``top_k``)."""
    rows = np.arange(min(batch_users, rec.user_factors.shape[0]))
    peer_rows = rows[: max(1, len(rows) // 5)]  # implicit is slower: a fifth of the buyers
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "implicit": []}

    def timed(name: str, n: int, fn):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        runs[name].append((n / (time.perf_counter() - t), n / (time.process_time() - c)))
        return out

    for _ in range(repeat):
        items, _ = timed("ours", len(rows), lambda: rec.top_k_batch(rows, 10))
        timed("implicit", len(peer_rows), lambda: model.recommend(
            peer_rows, user_items[peer_rows], N=10, filter_already_liked_items=False))  # fmt: skip
    for name, values in runs.items():
        print(f"  {name} batch runs, buyers/s wall: {[round(w) for w, _ in values]}, "
              f"per CPU second: {[round(c) for _, c in values]}")  # fmt: skip
    median = {name: np.median(np.asarray(v), axis=0) for name, v in runs.items()}
    _line("batch top-10, buyers per second (wall)", median["ours"][0],
          median["implicit"][0], "buyers/s", "higher")  # fmt: skip
    _line("batch top-10, buyers per CPU second", median["ours"][1],
          median["implicit"][1], "buyers/s", "higher")  # fmt: skip
    checked = rows[:: max(1, len(rows) // 2000)]
    for u in checked.tolist():
        exact, _ = rec.top_k(rec.user_factors[u], 10)
        assert items[u].tolist() == exact.tolist(), (u, items[u], exact)
    print(f"  batch top-10 equals the one-buyer scorer's for {len(checked)} buyers checked")


def bench_spark(weights, params: AlsParams, implicit_seconds_per_iteration: float) -> None:
    from recommender.spark import fit_spark, spark_session

    spark = spark_session("local[2]", driver_memory="4g")
    try:
        t = time.perf_counter()
        _, _, info = fit_spark(spark, weights, params)
        total = time.perf_counter() - t
    finally:
        spark.stop()
    per_iteration = info["fit_seconds"] / params.iterations
    print(f"spark: fit {info['fit_seconds']:.1f} s, collect {info['collect_seconds']:.1f} s, "
          f"total with export/import {total:.1f} s")  # fmt: skip
    _line("spark local[2] vs implicit, s per iteration", per_iteration,
          implicit_seconds_per_iteration, "s", "lower")  # fmt: skip


def _peer_model(rec: Recommender):
    """implicit's ALS holding the exported factors (its ``recommend`` scores them)."""
    from implicit.cpu.als import AlternatingLeastSquares

    params = rec.model.params
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=rec.item_factors.shape[1], regularization=params["regularization"]
        )
    model.user_factors = rec.user_factors
    model.item_factors = rec.item_factors
    return model


def bench_scoring_only(args) -> None:
    rec = Recommender.load(args.scoring_only)
    m = rec.model
    user_items = sp.csr_matrix(
        (m.user_items_data, m.user_items_indices, m.user_items_indptr),
        shape=(len(m.user_ids), len(m.item_ids)),
    )
    model = _peer_model(rec)
    print(f"factors from {args.scoring_only}: {len(m.user_ids):,} users x "
          f"{len(m.item_ids):,} products, factors={rec.item_factors.shape[1]}; "
          f"cores: {os.cpu_count()}")  # fmt: skip
    bench_single(rec, model, user_items, args.queries, args.seed)
    bench_batch(rec, model, user_items, args.batch_users, args.repeat)
    print(f"peak memory: {_rss_gb():.2f} GB")


def save_factors(model: FactorModel, path: str) -> None:
    from recommender import factors

    factors.save(model, path)
    print(f"factor file written to {path}")


print = functools.partial(print, flush=True)  # progress shows in a log as it runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--interactions", type=int, default=20_000_000)
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--queries", type=int, default=2_000, help="single-buyer queries")
    parser.add_argument("--batch-users", type=int, default=200_000)
    parser.add_argument("--spark", action="store_true", help="also fit with Spark MLlib")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--save-factors", metavar="FILE", help="write the fitted factor file")
    parser.add_argument(
        "--scoring-only", metavar="FILE",
        help="skip data and fit: score from a factor file written by --save-factors",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="batch runs (median reported)")
    args = parser.parse_args()
    if args.scoring_only:
        bench_scoring_only(args)
        return

    t = time.perf_counter()
    market = planted_market(
        args.users, args.items, args.interactions, args.segments, seed=args.seed
    )
    inter = market.interactions
    weights = weight_matrix(inter)
    params = AlsParams(
        factors=args.factors, regularization=10.0, alpha=2.0, iterations=args.iterations,
        random_state=args.seed,
    )  # fmt: skip
    conf = confidence_matrix(weights, params.alpha)
    took = time.perf_counter() - t
    print(f"data: {args.users:,} users x {args.items:,} products, {len(inter):,} interactions "
          f"({conf.nnz:,} cells) in {took:.1f} s; cores: {os.cpu_count()}")  # fmt: skip

    model = bench_fit(conf, params)
    fit_iteration = None
    if args.spark:
        ours: list[float] = []
        fit_als(conf, params, callback=lambda it, el, loss: ours.append(el))
        fit_iteration = statistics.median(ours)
    factor_model = FactorModel(
        user_factors=np.asarray(model.user_factors),
        item_factors=np.asarray(model.item_factors),
        user_ids=inter.user_ids,
        item_ids=inter.item_ids,
        meta={"params": {"regularization": params.regularization, "alpha": params.alpha}},
        popularity=np.zeros(inter.n_items),
        user_items_indptr=conf.indptr,
        user_items_indices=conf.indices,
        user_items_data=conf.data,
    )
    if args.save_factors:
        save_factors(factor_model, args.save_factors)
    rec = Recommender(factor_model)
    del market
    gc.collect()
    bench_single(rec, model, conf, args.queries, args.seed)
    bench_batch(rec, model, conf, args.batch_users, args.repeat)
    if args.spark:
        bench_spark(weights, params, fit_iteration)
    print(f"peak memory: {_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
