"""``chedai recommend fit|top|evaluate``: train, score and evaluate loan-product rankings.

- ``fit --interactions FILE.csv --out model.npz [--segments FILE.csv] [--engine implicit|spark]``
- ``top --model model.npz --users users.txt --k 10 [--history FILE.csv] [--eligible FILE.csv]``
  prints CSV ``user_id,rank,item_id,score,source``. With ``--eligible`` (``user_id,item_id``
  rows), a user's candidates are exactly their rows there (none listed: nothing is eligible).
- ``evaluate --interactions FILE.csv [--segments FILE.csv]`` prints the comparison (JSON, or
  ``--format markdown``); with segments, ALS may blend in segment popularity (tuned on
  validation) and segment popularity is reported beside the other models.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

from app.cli import UsageError, fraction, non_negative, print_json, read_text, whole

ENGINES = ("implicit", "spark")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("recommend", help="loan-product recommendations (ALS)")
    sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

    fit = sub.add_parser("fit", help="train ALS on interactions and export the factor file")
    fit.add_argument("--interactions", required=True, help="CSV user_id,item_id,event,ts")
    fit.add_argument("--out", required=True, help="factor file to write (.npz)")
    fit.add_argument("--segments", help="CSV user_id,segment (for segment popularity)")
    fit.add_argument("--engine", choices=ENGINES, default="implicit")
    fit.add_argument("--spark-master", default="local[2]", help="Spark master URL (spark only)")
    _als_options(fit)
    fit.set_defaults(func=run_fit)

    top = sub.add_parser("top", help="print each user's top-k eligible products as CSV")
    top.add_argument("--model", required=True)
    top.add_argument("--users", required=True, help="file with one user id per line, or -")
    top.add_argument("--k", type=whole(1), default=10)
    top.add_argument("--history", help="this session's events, CSV user_id,item_id,event,ts")
    top.add_argument("--eligible", help="CSV user_id,item_id restricting each user's candidates")
    top.set_defaults(func=run_top)

    ev = sub.add_parser("evaluate", help="ALS vs popularity, item-item cosine and BPR")
    ev.add_argument("--interactions", required=True)
    ev.add_argument("--segments", help="CSV user_id,segment (segment blend and its baseline)")
    ev.add_argument("--k", type=whole(1), default=10)
    ev.add_argument("--test-fraction", type=fraction, default=0.2)
    ev.add_argument("--validation-fraction", type=fraction, default=0.2)
    ev.add_argument("--quick", action="store_true", help="a small tuning grid (for smoke tests)")
    ev.add_argument("--format", choices=("json", "markdown"), default="json")
    ev.set_defaults(func=run_evaluate)


def _als_options(parser: argparse.ArgumentParser) -> None:
    from recommender.params import AlsParams

    d = AlsParams()
    parser.add_argument("--factors", type=whole(1), default=d.factors)
    parser.add_argument("--regularization", type=non_negative, default=d.regularization)
    parser.add_argument("--alpha", type=non_negative, default=d.alpha)
    parser.add_argument("--iterations", type=whole(1), default=d.iterations)
    parser.add_argument("--seed", type=whole(0, 2**32 - 1), default=d.random_state)
    parser.add_argument(
        "--segment-blend", type=non_negative, default=d.segment_blend,
        help="weight of segment popularity added to ALS scores (needs --segments)",
    )  # fmt: skip


def run_fit(args: argparse.Namespace) -> int:
    from recommender import factors
    from recommender.data import read_interactions_csv, read_segments_csv
    from recommender.params import AlsParams

    if Path(args.out).is_dir():  # found before the training, not after it
        raise UsageError("cannot write {path}: {reason}", path=args.out, reason="Is a directory")
    params = AlsParams(
        args.factors, args.regularization, args.alpha, args.iterations, args.seed,
        segment_blend=args.segment_blend,
    )  # fmt: skip
    inter = read_interactions_csv(args.interactions)
    if len(inter) == 0:
        raise UsageError("{path} has no interactions", path=args.interactions)
    segments = read_segments_csv(args.segments) if args.segments else None
    if args.engine == "spark":
        from recommender.spark import SparkUnavailable, train_spark

        try:
            model = train_spark(inter, params, segments=segments, master=args.spark_master)
        except SparkUnavailable as exc:
            raise UsageError("{reason}", reason=str(exc)) from None
    else:
        from recommender.train import train

        model = train(inter, params, segments=segments, show_progress=sys.stderr.isatty())
    try:
        factors.save(model, args.out)
    except OSError as exc:
        raise UsageError(
            "cannot write {path}: {reason}", path=args.out, reason=exc.strerror
        ) from None
    print_json(
        {
            "out": str(args.out),
            "engine": model.meta["engine"],
            "users": len(model.user_ids),
            "items": len(model.item_ids),
            "interactions": len(inter),
            "params": model.meta["params"],
        }
    )
    return 0


def _read_lines(source: str) -> list[str]:
    return [line.strip() for line in read_text(source).splitlines() if line.strip()]


def _read_eligible(path: str) -> dict[str, list[str]]:
    lines = _read_lines(path)
    out: dict[str, list[str]] = defaultdict(list)
    rows = csv.reader(lines)
    for lineno, row in enumerate(rows, start=1):
        if lineno == 1 and [c.strip() for c in row] == ["user_id", "item_id"]:
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise UsageError(
                "{path}: line {line}: expected user_id,item_id", path=path, line=lineno
            )
        out[row[0].strip()].append(row[1].strip())
    return out


def _read_history(path: str) -> dict[str, list[tuple[str, str]]]:
    from recommender.data import iter_csv_rows

    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for user, item, event, _ in iter_csv_rows(path, "history"):
        out[user].append((item, event))
    return out


def run_top(args: argparse.Namespace) -> int:
    from recommender.score import Recommender

    try:
        rec = Recommender.load(args.model)
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(
            "cannot load model {path}: {reason}", path=args.model, reason=exc
        ) from None
    users = _read_lines(args.users)
    history = _read_history(args.history) if args.history else {}
    eligible = _read_eligible(args.eligible) if args.eligible else None
    everything = rec.candidates(rec.item_ids.tolist())
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["user_id", "rank", "item_id", "score", "source"])
    for user in users:
        candidates = everything if eligible is None else eligible.get(user, [])
        ranked = rec.rank(
            user, eligible=candidates, k=args.k, session_history=history.get(user, ()),
            explain=False,
        )  # fmt: skip
        for position, item in enumerate(ranked, start=1):
            out.writerow([user, position, item.item_id, f"{item.score:.6g}", item.source])
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from recommender.data import read_interactions_csv, read_segments_csv, segment_codes
    from recommender.evaluate import SMALL_GRID, Grid, evaluate

    inter = read_interactions_csv(args.interactions)
    if len(inter) < 10:
        raise UsageError("{path} has too few interactions to evaluate", path=args.interactions)
    user_segment = None
    if args.segments:
        user_segment, _ = segment_codes(inter.user_ids, read_segments_csv(args.segments))
    report = evaluate(
        inter,
        user_segment=user_segment,
        k=args.k,
        test_fraction=args.test_fraction,
        validation_fraction=args.validation_fraction,
        grid=SMALL_GRID if args.quick else Grid(),
    )
    if args.format == "markdown":
        print(report.markdown())
    else:
        print_json(report.as_dict())
    return 0
