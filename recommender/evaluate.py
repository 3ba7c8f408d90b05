"""Offline evaluation on a time-based split: ALS against popularity, item-item cosine and BPR.

Protocol: events before the test cutoff train, the rest test. Hyper-parameters (ALS's α,
factors and regularisation; the baselines' own knobs) are tuned on a validation split carved,
by time again, out of the training events only — the test events are touched once, at the
end. A buyer is evaluated when they have training events and at least one product in the
held-out period they had not touched before; products already touched in training are
filtered from their list (implicit's ``ranking_metrics_at_k`` convention). Metrics are binary:
precision@k = hits / k, recall@k = hits / relevant, nDCG@k with the ideal over min(k, relevant).

With the buyers' segments, ALS may blend in segment popularity (``AlsParams.segment_blend``,
a weight on each segment's buyers-per-product counts scaled to 1 at its top product, counted on
the split's training events): the weight is tuned on validation with the other knobs, 0 among
the candidates; "segment popularity" is then reported too, as the bar ALS has to clear.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender import train as trainer
from recommender.data import (
    Interactions,
    confidence_matrix,
    popularity,
    time_cutoff,
    weight_matrix,
)
from recommender.search import SearchResult, grid_then_edges

Scorer = Callable[[np.ndarray], np.ndarray]  # user rows -> dense scores (rows x items)


@dataclass(frozen=True)
class Grid:
    """The values tried on the validation split."""

    factors: Sequence[int] = (32, 64, 128)
    regularization: Sequence[float] = (30.0, 100.0, 300.0, 1000.0)
    alpha: Sequence[float] = (2.0, 5.0, 10.0)
    iterations: int = 15
    bpr: Sequence[dict[str, Any]] = (
        {"factors": 32, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100},
        {"factors": 64, "learning_rate": 0.05, "regularization": 0.01, "iterations": 100},
    )
    cosine_neighbours: Sequence[int] = (20, 100)
    segment_blend: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 2.0)  # used when segments are known
    #: values ALS may try past the grid's edges when its best sits on one (0: the grid only)
    edge_steps: int = 8


SMALL_GRID = Grid(
    factors=(8, 16), regularization=(1.0, 30.0), alpha=(2.0,), iterations=10,
    bpr=({"factors": 16, "learning_rate": 0.05, "regularization": 0.01, "iterations": 60},),
    cosine_neighbours=(20,), segment_blend=(0.0, 1.0), edge_steps=0,
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    model: str
    params: dict[str, Any]
    precision: float
    recall: float
    ndcg: float


@dataclass(frozen=True)
class Report:
    k: int
    cutoff_ms: int
    validation_cutoff_ms: int
    n_train: int
    n_test: int
    n_users_evaluated: int
    rows: list[Row] = field(default_factory=list)
    #: ALS's nDCG@k over popularity's, with its 95% paired bootstrap interval over the
    #: evaluated buyers: (ratio, low, high)
    als_over_popularity: tuple[float, float, float] | None = None
    #: ALS's values tried past the grid's edges on validation, per knob
    als_grid_extended: dict[str, list[Any]] = field(default_factory=dict)

    def row(self, model: str) -> Row:
        return next(r for r in self.rows if r.model == model)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def markdown(self) -> str:
        k = self.k
        lines = [
            f"| model | nDCG@{k} | precision@{k} | recall@{k} | tuned on validation |",
            "|---|---|---|---|---|",
        ]
        for r in self.rows:
            params = ", ".join(f"{key}={value}" for key, value in r.params.items())
            lines.append(
                f"| {r.model} | {r.ndcg:.4f} | {r.precision:.4f} | {r.recall:.4f} | {params} |"
            )
        if self.als_grid_extended:
            tried = "; ".join(
                f"{name} {', '.join(map(str, values))}"
                for name, values in self.als_grid_extended.items()
            )
            lines += ["", f"ALS's best sat on a grid edge; tried past it on validation: {tried}"]
        if self.als_over_popularity is not None:
            ratio, low, high = self.als_over_popularity
            lines += [
                "",
                f"ALS / popularity, nDCG@{k}: {ratio:.3f}× (95% paired bootstrap interval over "
                f"the {self.n_users_evaluated} buyers evaluated: {low:.3f}–{high:.3f}×)",
            ]
        return "\n".join(lines)


def ranking_metrics(
    scorer: Scorer, train: sp.csr_matrix, test: sp.csr_matrix, k: int, chunk: int = 2048
) -> tuple[float, float, float, int]:
    """(precision@k, recall@k, nDCG@k, users evaluated) averaged over the evaluated users."""
    precision, recall, ndcg = per_user_metrics(scorer, train, test, k, chunk)
    return _mean(precision), _mean(recall), _mean(ndcg), len(ndcg)


def per_user_metrics(
    scorer: Scorer, train: sp.csr_matrix, test: sp.csr_matrix, k: int, chunk: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """precision@k, recall@k and nDCG@k of each evaluated user (see the module docstring),
    in the order of their rows: the same users for every scorer on the same split."""
    test = test.tocsr().copy()
    test.data[:] = 1.0
    seen = train.tocsr().copy()
    seen.data[:] = 1.0
    new = (test - test.multiply(seen)).tocsr()
    new.eliminate_zeros()
    has_train = np.diff(train.tocsr().indptr) > 0
    users = np.flatnonzero((np.diff(new.indptr) > 0) & has_train)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)
    precision, recall, ndcg = [], [], []
    for start in range(0, len(users), chunk):
        rows = users[start : start + chunk]
        scores = np.asarray(scorer(rows), dtype=np.float64)
        scores[seen[rows].nonzero()] = -np.inf
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        relevant = new[rows]
        hit = np.take_along_axis(relevant.toarray(), top, axis=1) > 0
        n_relevant = np.diff(relevant.indptr)
        hits = hit.sum(axis=1)
        precision.append(hits / k)
        recall.append(hits / n_relevant)
        ndcg.append((hit * discounts).sum(axis=1) / ideal[np.minimum(n_relevant, k) - 1])
    if not users.size:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return np.concatenate(precision), np.concatenate(recall), np.concatenate(ndcg)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else 0.0


def ratio_interval(
    ours: np.ndarray, base: np.ndarray, *, resamples: int = 2000, seed: int = 20261128
) -> tuple[float, float, float]:
    """mean(ours) / mean(base) over the same users, and its 95% paired bootstrap interval
    (the users drawn with replacement, ``resamples`` times): how far the ratio would move
    with another draw of buyers like these."""
    ratio = float(ours.mean() / base.mean())
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ours), size=(resamples, len(ours)))
    ratios = ours[draws].mean(axis=1) / base[draws].mean(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return ratio, float(low), float(high)


def _factor_scorer(
    user_factors: np.ndarray, item_factors: np.ndarray, prior: np.ndarray | None = None
) -> Scorer:
    """Dot products of the factors, plus ``prior`` (one row per user) when given."""
    yt = np.ascontiguousarray(item_factors.T)
    if prior is None:
        return lambda rows: user_factors[rows] @ yt
    return lambda rows: user_factors[rows] @ yt + prior[rows]


def _popularity_scorer(train: sp.csr_matrix) -> Scorer:
    counts = np.diff(train.tocsc().indptr).astype(np.float64)
    return lambda rows: np.broadcast_to(counts, (len(rows), counts.shape[0])).copy()


def segment_prior(train: sp.csr_matrix, user_segment: np.ndarray, n_segments: int) -> np.ndarray:
    """users x items: the user's segment's buyers per product on ``train``, scaled to 1 at the
    segment's top product (zeros for a user without a segment); what the scorer adds."""
    _, per_segment = popularity(train, user_segment, n_segments)
    top = per_segment.max(axis=1, keepdims=True)
    scaled = np.vstack([per_segment / np.where(top > 0, top, 1.0), np.zeros(train.shape[1])])
    return scaled[np.where(user_segment >= 0, user_segment, n_segments)].astype(np.float32)


def _split(inter: Interactions, holdout: float) -> tuple[sp.csr_matrix, sp.csr_matrix, int]:
    cutoff = time_cutoff(inter, holdout)
    before = inter.ts < cutoff
    return (
        weight_matrix(inter.subset(before)),
        weight_matrix(inter.subset(~before)),
        cutoff,
    )


def _search_als(
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    prior: np.ndarray | None,
    grid: Grid,
    base: trainer.AlsParams,
    k: int,
) -> SearchResult:
    """ALS's knobs by validation nDCG@k: the grid, then past the edges the best sits on
    (``search.grid_then_edges``); never more factors than products, which would add no rank."""
    axes: dict[str, Sequence[Any]] = {
        "factors": grid.factors,
        "regularization": grid.regularization,
        "alpha": grid.alpha,
    }
    if prior is not None:
        axes["segment_blend"] = grid.segment_blend

    @functools.lru_cache(maxsize=4)  # the grid walks the blends of one fit in a row
    def fitted(factors: int, regularization: float, alpha: float):
        params = replace(base, factors=factors, regularization=regularization, alpha=alpha)
        return trainer.fit_als(confidence_matrix(train, alpha), params)

    def score(point: dict[str, Any]) -> float:
        user_factors, item_factors = fitted(
            point["factors"], point["regularization"], point["alpha"]
        )
        blend = None if prior is None else point["segment_blend"] * prior
        scorer = _factor_scorer(user_factors, item_factors, blend)
        return ranking_metrics(scorer, train, valid, k)[2]

    return grid_then_edges(
        axes, score, upper={"factors": train.shape[1]}, max_steps=grid.edge_steps
    )


def _bpr_scorer(train: sp.csr_matrix, params: dict[str, Any]) -> Scorer:
    return _factor_scorer(*trainer.bpr_factors(train, **params))


def _tune(candidates, fit: Callable[[Any], Scorer], train, valid, k):
    best, best_ndcg = None, -1.0
    for candidate in candidates:
        ndcg = ranking_metrics(fit(candidate), train, valid, k)[2]
        if ndcg > best_ndcg:
            best, best_ndcg = candidate, ndcg
    return best


def evaluate(
    inter: Interactions,
    *,
    k: int = 10,
    test_fraction: float = 0.2,
    validation_fraction: float = 0.2,
    grid: Grid = Grid(),
    random_state: int = 20261128,
    user_segment: np.ndarray | None = None,
) -> Report:
    """Tune on validation, then score every model once on the test split.

    ``user_segment``: each user's segment code (-1 unknown; ``data.segment_codes``), or None.
    """
    train_full, test, cutoff = _split(inter, test_fraction)
    earlier = inter.subset(inter.ts < cutoff)
    fit_part, valid, valid_cutoff = _split(earlier, validation_fraction)
    n_segments = int(user_segment.max()) + 1 if user_segment is not None else 0
    segmented = n_segments > 0

    def prior(train: sp.csr_matrix) -> np.ndarray | None:
        return segment_prior(train, user_segment, n_segments) if segmented else None

    base = trainer.AlsParams(iterations=grid.iterations, random_state=random_state)
    als_search = _search_als(fit_part, valid, prior(fit_part), grid, base, k)
    best_als = replace(base, **{"segment_blend": 0.0, **als_search.best})
    bpr_grid = [{**p, "random_state": random_state} for p in grid.bpr]
    best_bpr = _tune(bpr_grid, lambda p: _bpr_scorer(fit_part, p), fit_part, valid, k)
    best_k = _tune(
        grid.cosine_neighbours,
        lambda n: trainer.item_cosine_scores(fit_part, n),
        fit_part, valid, k,
    )  # fmt: skip

    test_prior = prior(train_full)
    als = _factor_scorer(
        *trainer.fit_als(confidence_matrix(train_full, best_als.alpha), best_als),
        None if test_prior is None else best_als.segment_blend * test_prior,
    )
    models: list[tuple[str, dict[str, Any], Scorer]] = [
        ("als", asdict(best_als), als),
        ("popularity", {}, _popularity_scorer(train_full)),
        ("item-item cosine", {"K": best_k}, trainer.item_cosine_scores(train_full, best_k)),
        ("bpr", best_bpr, _bpr_scorer(train_full, best_bpr)),
    ]
    if segmented:
        models.append(("segment popularity", {}, lambda rows: test_prior[rows].copy()))
    rows, per_user = [], {}
    for name, params, scorer in models:
        p, r, n = per_user_metrics(scorer, train_full, test, k)
        per_user[name] = n
        rows.append(Row(name, params, _mean(p), _mean(r), _mean(n)))
    als_ndcg, popular_ndcg = per_user["als"], per_user["popularity"]
    evaluated = len(als_ndcg)
    return Report(
        k=k,
        cutoff_ms=cutoff,
        validation_cutoff_ms=valid_cutoff,
        n_train=int((inter.ts < cutoff).sum()),
        n_test=int((inter.ts >= cutoff).sum()),
        n_users_evaluated=evaluated,
        rows=rows,
        als_over_popularity=(
            ratio_interval(als_ndcg, popular_ndcg) if evaluated and popular_ndcg.sum() else None
        ),
        als_grid_extended=als_search.extended,
    )
