"""Training: the only module that imports ``implicit``.

ALS (Hu, Koren & Volinsky) on the confidence matrix ``1 + alpha * weight``, exported with its
metadata as a factor file; and the two baselines evaluation compares it with (implicit's
item-item cosine and BPR).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from recommender import factors as factor_file
from recommender.data import (
    Interactions,
    confidence_matrix,
    popularity,
    segment_codes,
    weight_matrix,
)
from recommender.events import DEFAULT_EVENT_WEIGHTS
from recommender.params import DEFAULT_PARAMS, AlsParams


def fit_als(
    confidence: sp.csr_matrix,
    params: AlsParams,
    *,
    show_progress: bool = False,
    callback: Callable[[int, float, Any], None] | None = None,
    num_threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """(user_factors, item_factors) of ALS on a users x items confidence matrix.

    ``confidence`` already holds ``1 + alpha * weight`` (implicit reads a cell as the
    confidence itself, so implicit's own ``alpha`` stays 1).
    """
    from implicit.cpu.als import AlternatingLeastSquares

    # implicit runs its own threads; a threaded BLAS underneath oversubscribes (and it warns)
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=params.factors,
            regularization=params.regularization,
            alpha=1.0,
            iterations=params.iterations,
            random_state=params.random_state,
            num_threads=num_threads,
        )
        model.fit(confidence, show_progress=show_progress, callback=callback)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)


def build_model(
    inter: Interactions,
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    params: Mapping[str, Any],
    *,
    engine: str,
    segments: Mapping[str, str] | None = None,
    event_weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS,
    keep_user_items: bool = True,
) -> factor_file.FactorModel:
    """The factor model with popularity (overall and per segment) and metadata."""
    weights = weight_matrix(inter, event_weights)
    if segments:
        user_segment, names = segment_codes(inter.user_ids, segments)
    else:
        user_segment, names = np.full(inter.n_users, -1, dtype=np.int32), ()
    overall, per_segment = popularity(weights, user_segment, len(names))
    conf = confidence_matrix(weights, float(params["alpha"]))
    meta = {
        "version": factor_file.FORMAT_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "params": dict(params),
        "event_weights": dict(event_weights),
        "n_interactions": len(inter),
    }
    return factor_file.FactorModel(
        user_factors=user_factors,
        item_factors=item_factors,
        user_ids=inter.user_ids,
        item_ids=inter.item_ids,
        meta=meta,
        popularity=overall,
        segment_names=names,
        segment_popularity=per_segment,
        user_segment=user_segment,
        user_items_indptr=conf.indptr if keep_user_items else None,
        user_items_indices=conf.indices if keep_user_items else None,
        user_items_data=conf.data if keep_user_items else None,
    )


def train(
    inter: Interactions,
    params: AlsParams = DEFAULT_PARAMS,
    *,
    segments: Mapping[str, str] | None = None,
    show_progress: bool = False,
    event_weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS,
) -> factor_file.FactorModel:
    """Fit ALS with implicit on the interactions and return the exportable model."""
    conf = confidence_matrix(weight_matrix(inter, event_weights), params.alpha)
    user_factors, item_factors = fit_als(conf, params, show_progress=show_progress)
    return build_model(
        inter, user_factors, item_factors, asdict(params),
        engine="implicit", segments=segments, event_weights=event_weights,
    )  # fmt: skip


# -- baselines for evaluation --------------------------------------------------------------


def item_cosine_scores(train_weights: sp.csr_matrix, neighbours: int = 20):
    """A scorer ``rows -> dense scores`` from implicit's item-item cosine recommender."""
    from implicit.nearest_neighbours import CosineRecommender

    model = CosineRecommender(K=neighbours)
    with warnings.catch_warnings():
        # CosineRecommender.fit transposes our CSR input itself and then complains about the
        # COO it made (implicit 0.7.3); nothing the caller can pass avoids it.
        warnings.filterwarnings("ignore", message="Method expects CSR input")
        model.fit(train_weights, show_progress=False)
    similarity = model.similarity.tocsr()

    def scores(rows: np.ndarray) -> np.ndarray:
        return np.asarray((train_weights[rows] @ similarity).todense(), dtype=np.float32)

    return scores


def bpr_factors(
    train_weights: sp.csr_matrix,
    *,
    factors: int = 32,
    learning_rate: float = 0.01,
    regularization: float = 0.01,
    iterations: int = 100,
    random_state: int = 20261128,
) -> tuple[np.ndarray, np.ndarray]:
    """(user_factors, item_factors) of implicit's BPR (the item bias rides in the factors)."""
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    with threadpool_limits(1, "blas"):
        model = BayesianPersonalizedRanking(
            factors=factors,
            learning_rate=learning_rate,
            regularization=regularization,
            iterations=iterations,
            random_state=random_state,
        )
        model.fit(train_weights, show_progress=False)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)
