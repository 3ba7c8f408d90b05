"""Rank the eligible loan products for a buyer from exported factors, with numpy alone.

This module (and :mod:`recommender.factors`, :mod:`recommender.events`) must import and work
where ``implicit`` and scipy are not installed, as on a phone.

Rules first: the caller passes the products the buyer is eligible for and nothing outside that
set is ever returned. Inside it:

- a returning buyer is scored with their trained factors (``source="als"``);
- a buyer with interactions in this session gets factors solved from them, the ALS
  least-squares step (``source="session"``; what implicit's ``recalculate_user=True`` does);
- a buyer with no history at all gets popularity within the eligible set, in their segment when
  it is known (``source="popular"``).

When the model was tuned with a ``segment_blend``, the factor scores of a buyer whose segment is
known get that weight times their segment's popularity (scaled to 1 at its most popular
product) added: the blend of ALS with segment popularity chosen on the validation split.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recommender import factors as factor_file
from recommender.events import DEFAULT_EVENT_WEIGHTS

SOURCES = ("als", "session", "popular")
EXPLAIN_TOP = 3  # how many of the buyer's own products a "why" names


@dataclass(frozen=True)
class Why:
    """Why a product is ranked where it is.

    ``kind`` is ``own_interactions`` (``items`` are the buyer's own products that contributed
    most to the score, strongest first, with ``weights`` their contributions) or
    ``similar_buyers`` ("buyers like you chose …"; ``params['count']`` buyers of the segment
    in ``params['segment']`` — empty when unknown — chose it, when known). ``message`` is an
    English msgid for app.i18n, filled from ``params``.
    """

    kind: str
    message: str
    items: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    item_id: str
    score: float
    source: str  # "als" | "session" | "popular"
    why: Why | None


@dataclass(frozen=True)
class Candidates:
    """An eligible set resolved against the model once (cache it per buyer to rank faster).

    ``index`` holds the model's item indices, in the caller's order, without duplicates;
    ``unseen`` the eligible ids the model has never seen (new products).
    """

    index: np.ndarray
    unseen: tuple[str, ...]


class Recommender:
    """Scores from a :class:`recommender.factors.FactorModel`. Build with :meth:`load`."""

    def __init__(self, model: factor_file.FactorModel) -> None:
        self.model = model
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self.user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_ids = model.item_ids
        self._item_names: list[str] = model.item_ids.tolist()
        self.item_index = {item: i for i, item in enumerate(self._item_names)}
        self._user_index: dict[str, int] | None = None
        params = model.params
        self.regularization = float(params["regularization"])
        self.alpha = float(params["alpha"])
        self.event_weights = dict(model.meta.get("event_weights", DEFAULT_EVENT_WEIGHTS))
        y = self.item_factors.astype(np.float64)
        self._yty = y.T @ y
        self._eye = np.eye(y.shape[1])
        self._all = np.arange(len(self.item_ids), dtype=np.int64)
        self._segment_index = {name: i for i, name in enumerate(model.segment_names)}
        # segment_blend x each segment's popularity scaled to 1 at its most popular product:
        # the prior added to a buyer's factor scores when their segment is known
        self.segment_blend = float(params.get("segment_blend", 0.0))
        counts = np.asarray(model.segment_popularity, dtype=np.float32)
        top = counts.max(axis=1, keepdims=True) if counts.size else counts[:, :1]
        self._prior = self.segment_blend * counts / np.where(top > 0, top, 1.0)

    @classmethod
    def load(cls, path: str | Path) -> Recommender:
        return cls(factor_file.load(path))

    @property
    def user_index(self) -> dict[str, int]:
        if self._user_index is None:  # 1M buyers take a moment: only when a buyer is looked up
            self._user_index = {u: i for i, u in enumerate(self.model.user_ids.tolist())}
        return self._user_index

    # -- building blocks -------------------------------------------------------------------

    def candidates(self, eligible: Iterable[str]) -> Candidates:
        seen: set[str] = set()
        index: list[int] = []
        unseen: list[str] = []
        for item in eligible:
            if item in seen:
                continue
            seen.add(item)
            position = self.item_index.get(item)
            if position is None:
                unseen.append(item)
            else:
                index.append(position)
        if len(index) == len(self._all) and index == list(range(len(self._all))):
            return Candidates(self._all, tuple(unseen))  # every product: no gather needed
        return Candidates(np.asarray(index, dtype=np.int64), tuple(unseen))

    def prior(self, segment: str | None) -> np.ndarray | None:
        """The segment's popularity prior added to factor scores (None: nothing to add)."""
        code = self._segment_index.get(segment or "")
        if code is None or not self.segment_blend:
            return None
        return self._prior[code]

    def trained_segment(self, row: int | None) -> str | None:
        """The segment a trained buyer had at training time (None when unknown)."""
        if row is None or not len(self.model.user_segment):
            return None
        code = int(self.model.user_segment[row])
        return self.model.segment_names[code] if code >= 0 else None

    def top_k(
        self,
        user_vector: np.ndarray,
        k: int,
        candidates: np.ndarray | None = None,
        prior: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best item indices (best first) and their scores, among ``candidates``
        (item indices; all items when None); ``prior`` (one per item) is added to the
        factor scores."""
        scores = self.item_factors @ user_vector
        if prior is not None:
            scores += prior
        if candidates is None or candidates is self._all:
            return _best(scores, self._all, k)
        return _best(scores[candidates], candidates, k)

    def top_k_batch(
        self,
        user_rows: np.ndarray,
        k: int,
        candidates: np.ndarray | None = None,
        *,
        chunk: int = 256,
        threads: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` for many trained buyers at once (rows of ``user_factors``), best first,
        ties by item order: the same lists as :meth:`top_k` one buyer at a time.

        Returns (items, scores), both ``len(user_rows) x k``. Chunks of ``chunk`` buyers are
        dealt round-robin to ``threads`` threads (default: one per core), each with its own
        buffers; BLAS and numpy's selection steps release the GIL. Buyers whose trained
        segment is known get the segment prior, as in :meth:`rank`.
        """
        user_rows = np.asarray(user_rows, dtype=np.int64)
        y = self.item_factors if candidates is None else self.item_factors[candidates]
        priors = None
        if self.segment_blend and len(self.model.user_segment) and len(self._prior):
            # one extra row of zeros for buyers without a segment (code -1)
            priors = np.vstack([self._prior, np.zeros((1, self._prior.shape[1]), np.float32)])
            if candidates is not None:
                priors = np.ascontiguousarray(priors[:, candidates])
        pool = None if candidates is None or candidates is self._all else candidates
        k = min(k, y.shape[0])
        items = np.empty((len(user_rows), k), dtype=np.int64)
        values = np.empty((len(user_rows), k), dtype=np.float32)
        yt = np.ascontiguousarray(y.T)
        # a run of consecutive rows is sliced (a view), not gathered (a copy per chunk)
        consecutive = len(user_rows) > 0 and bool(
            np.array_equal(user_rows, np.arange(user_rows[0], user_rows[0] + len(user_rows)))
        )
        starts = list(range(0, len(user_rows), chunk))
        workers = max(1, min(threads or os.cpu_count() or 1, len(starts)))

        def run(worker: int) -> None:
            select = _RowSelector(min(chunk, len(user_rows)), yt.shape[1], k)
            for start in starts[worker::workers]:
                stop = min(start + chunk, len(user_rows))
                if consecutive:
                    first = int(user_rows[0]) + start
                    u = self.user_factors[first : first + stop - start]
                else:
                    u = self.user_factors[user_rows[start:stop]]
                prior = None
                if priors is not None:
                    prior = priors[self.model.user_segment[user_rows[start:stop]]]
                best, scores = select(u, yt, prior)
                items[start:stop] = best if pool is None else pool[best]
                values[start:stop] = scores

        if workers == 1:
            run(0)
        else:
            with ThreadPoolExecutor(max_workers=workers) as executor:
                list(executor.map(run, range(workers)))
        return items, values

    def user_vector(self, user_id: str) -> np.ndarray | None:
        row = self.user_index.get(user_id)
        return None if row is None else self.user_factors[row]

    def user_items(self, user_id: str) -> tuple[np.ndarray, np.ndarray]:
        """The buyer's trained (item indices, confidences); empty when not stored."""
        m = self.model
        row = self.user_index.get(user_id)
        if row is None or m.user_items_indptr is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        lo, hi = int(m.user_items_indptr[row]), int(m.user_items_indptr[row + 1])
        return m.user_items_indices[lo:hi].astype(np.int64), m.user_items_data[lo:hi]

    def session_items(
        self, history: Iterable[str | tuple[str, str]], base: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Confidences after adding this session's events to ``base``; entries of ``history``
        are item ids (a view) or ``(item_id, event)``. Products the model lacks are skipped."""
        weight: dict[int, float] = {}
        for entry in history:
            item, event = (entry, "view") if isinstance(entry, str) else entry
            if event not in self.event_weights:
                raise ValueError(f"unknown event {event!r}")
            position = self.item_index.get(item)
            if position is not None:
                weight[position] = weight.get(position, 0.0) + self.event_weights[event]
        conf = {int(i): float(c) for i, c in zip(base[0].tolist(), base[1].tolist(), strict=True)}
        for position, w in weight.items():
            conf[position] = conf.get(position, 1.0) + self.alpha * w
        index = np.fromiter(conf, dtype=np.int64, count=len(conf))
        return index, np.fromiter(conf.values(), dtype=np.float64, count=len(conf))

    def _normal_matrix(self, index: np.ndarray, conf: np.ndarray) -> np.ndarray:
        y = self.item_factors[index].astype(np.float64)
        return self._yty + self.regularization * self._eye + (y.T * (conf - 1.0)) @ y

    def solve_user(self, index: np.ndarray, conf: np.ndarray) -> np.ndarray:
        """The ALS least-squares step for one buyer: ``(YᵀCY + λI)⁻¹ YᵀCp`` with ``C`` the
        confidences on ``index`` (1 elsewhere) and ``p`` 1 on ``index``."""
        a = self._normal_matrix(index, conf)
        b = self.item_factors[index].astype(np.float64).T @ conf
        return np.linalg.solve(a, b).astype(np.float32)

    def explain(
        self, index: np.ndarray, conf: np.ndarray, targets: np.ndarray
    ) -> list[tuple[float, list[tuple[int, float]]]]:
        """For each target item: the score of the buyer solved from (index, conf) and every
        own item's contribution to it, largest first (Hu et al. §5, as implicit's explain)."""
        a = self._normal_matrix(index, conf)
        weighted = np.linalg.solve(a, self.item_factors[targets].astype(np.float64).T)
        contrib = (self.item_factors[index].astype(np.float64) @ weighted) * conf[:, None]
        out = []
        for column in range(len(targets)):
            values = contrib[:, column]
            order = np.argsort(-values, kind="stable")
            pairs = [(int(index[j]), float(values[j])) for j in order]
            out.append((float(values.sum()), pairs))
        return out

    def popularity_for(self, segment: str | None) -> tuple[np.ndarray, str]:
        code = self._segment_index.get(segment or "")
        if code is not None and self.model.segment_popularity[code].sum() > 0:
            return self.model.segment_popularity[code], segment or ""
        return self.model.popularity, ""

    # -- the scoring API ---------------------------------------------------------------------

    def rank(
        self,
        user_id: str | None,
        *,
        eligible: Sequence[str] | Candidates,
        k: int = 10,
        session_history: Sequence[str | tuple[str, str]] = (),
        segment: str | None = None,
        explain: bool = True,
    ) -> list[Ranked]:
        """The best ``k`` of ``eligible`` for the buyer, best first; never outside ``eligible``.

        ``session_history``: this session's events (item ids, or ``(item_id, event)`` pairs).
        ``segment``: the buyer's segment (a returning buyer's trained one when None): the
        popularity a buyer without history is ranked by, and the prior added to factor scores
        when the model blends in segment popularity (``segment_blend``). Products the model has
        never seen come last, as ``popular`` with score 0.
        """
        if k <= 0:
            return []
        cand = eligible if isinstance(eligible, Candidates) else self.candidates(eligible)
        row = self.user_index.get(user_id) if user_id is not None else None
        needs_items = row is not None and (explain or bool(session_history))
        base = self.user_items(user_id) if needs_items else (np.zeros(0, np.int64),) * 2
        vector: np.ndarray | None = None
        source = "popular"
        index = conf = None
        if session_history:
            index, conf = self.session_items(session_history, base)
            if len(index):
                vector, source = self.solve_user(index, conf), "session"
        if vector is None and row is not None:
            vector, source = self.user_factors[row], "als"
            index, conf = base[0], base[1].astype(np.float64)

        ranked: list[Ranked] = []
        if segment is None:
            segment = self.trained_segment(row)
        if vector is not None and len(cand.index):
            best, scores = self.top_k(vector, k, cand.index, self.prior(segment))
            whys = self._whys(index, conf, best) if explain else [None] * len(best)
            ranked = [
                Ranked(self._item_names[i], float(s), source, why)
                for i, s, why in zip(best.tolist(), scores.tolist(), whys, strict=True)
            ]
        elif len(cand.index):
            counts, used = self.popularity_for(segment)
            best, scores = _best(counts[cand.index], cand.index, k)
            ranked = [
                Ranked(
                    self._item_names[i], float(s), "popular",
                    _similar(int(s), used) if explain else None,
                )
                for i, s in zip(best.tolist(), scores.tolist(), strict=True)
            ]  # fmt: skip
        for item in cand.unseen[: max(0, k - len(ranked))]:
            ranked.append(Ranked(item, 0.0, "popular", _similar(0, "") if explain else None))
        return ranked

    def _whys(self, index, conf, best: np.ndarray) -> list[Why]:
        if index is None or not len(index):
            return [_similar(None, "") for _ in range(len(best))]
        out = []
        for _, pairs in self.explain(index, conf, best):
            top = [(i, w) for i, w in pairs[:EXPLAIN_TOP] if w > 0]
            if not top:
                out.append(_similar(None, ""))
                continue
            items = tuple(self._item_names[i] for i, _ in top)
            out.append(
                Why(
                    "own_interactions",
                    "Because of your interest in {items}",
                    items,
                    tuple(w for _, w in top),
                    {"items": ", ".join(items)},
                )
            )
        return out


def _similar(count: int | None, segment: str) -> Why:
    if count is None:
        return Why("similar_buyers", "Buyers like you chose this", params={"segment": segment})
    return Why(
        "similar_buyers",
        "{count} buyers like you chose this",
        params={"count": count, "segment": segment},
    )


def _best(scores: np.ndarray, pool: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    n = scores.shape[0]
    part = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
    # best first; equal scores in the pool's order, so results are deterministic
    order = part[np.lexsort((part, -scores[part]))]
    return pool[order], scores[order]


def _best_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top ``k`` (columns, best first; ties by column) of a (rows x n) score matrix."""
    rows, n = scores.shape
    return _RowSelector(rows, n, k, scores.dtype).select(np.ascontiguousarray(scores))


class _RowSelector:
    """Row-wise top ``k`` of score matrices of up to ``rows`` x ``n``, best first, ties by
    column, reusing its buffers from call to call (one selector per thread).

    Column ``c`` belongs to block ``c % nb``. The k-th largest block maximum is a threshold
    no higher than the row's k-th best score (the k largest maxima are k distinct cells), so
    the cells at or above it hold the top ``k`` and are few (about k for n = 2,000). That
    replaces a per-row partition of ``n`` columns, the cost that dominates batch scoring.
    """

    def __init__(self, rows: int, n: int, k: int, dtype=np.float32) -> None:
        self.n, self.k = n, k
        self.nb = min(n, max(2 * k, int(1.8 * np.sqrt(n))))
        self.full = n - n % self.nb  # columns in whole rounds of nb
        self.scores = np.empty((rows, n), dtype=dtype)
        self.maxima = np.empty((rows, self.nb), dtype=dtype)
        self.mask = np.empty((rows, n), dtype=bool)

    def __call__(
        self, user_factors: np.ndarray, yt: np.ndarray, prior: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` of ``user_factors @ yt (+ prior)`` (yt: factors x n, float32)."""
        scores = self.scores[: user_factors.shape[0]]
        np.matmul(user_factors, yt, out=scores)
        if prior is not None:
            scores += prior
        return self.select(scores)

    def select(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, n, k, nb = scores.shape[0], self.n, self.k, self.nb
        if k >= nb or rows == 0:
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            return order, np.take_along_axis(scores, order, axis=1)
        maxima = self.maxima[:rows]
        np.max(scores[:, : self.full].reshape(rows, -1, nb), axis=1, out=maxima)
        tail = scores[:, self.full :]  # the ragged last round joins blocks 0 .. n % nb - 1
        np.maximum(maxima[:, : tail.shape[1]], tail, out=maxima[:, : tail.shape[1]])
        threshold = np.partition(maxima, nb - k, axis=1)[:, nb - k]
        mask = self.mask[:rows]
        np.greater_equal(scores, threshold[:, None], out=mask)
        flat = np.flatnonzero(mask)  # row-major: by row, then column
        value = scores.ravel()[flat]
        order = np.argsort(-value, kind="stable")  # best first, ties keep column order
        row = (flat[order] // n).astype(np.int16 if rows < 2**15 else np.int64)
        by_row = np.argsort(row, kind="stable")  # a radix sort for int16
        order, row = order[by_row], row[by_row]
        at = np.searchsorted(row, np.arange(rows))[:, None] + np.arange(k)
        return flat[order[at]] % n, value[order[at]]
