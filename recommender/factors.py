"""The factor file: everything scoring needs, in one ``.npz`` readable with numpy alone.

Arrays: ``user_factors`` (users x f, float32), ``item_factors`` (items x f, float32),
``user_ids``, ``item_ids`` (str), ``popularity`` (buyers per item), ``segment_names``,
``segment_popularity`` (segments x items), ``user_segment`` (code per user, -1 unknown), the
training confidences as CSR arrays (``user_items_indptr``/``_indices``/``_data``, used to
explain a returning buyer's ranking) and ``meta``: JSON with ``version``, ``trained_at``,
``engine``, ``params`` (factors, regularization, alpha, iterations, random_state) and
``event_weights``.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FactorModel:
    user_factors: np.ndarray
    item_factors: np.ndarray
    user_ids: np.ndarray
    item_ids: np.ndarray
    meta: dict[str, Any]
    popularity: np.ndarray
    segment_names: tuple[str, ...] = ()
    segment_popularity: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    user_segment: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    user_items_indptr: np.ndarray | None = None
    user_items_indices: np.ndarray | None = None
    user_items_data: np.ndarray | None = None

    @property
    def params(self) -> dict[str, Any]:
        return self.meta["params"]


def save(model: FactorModel, path: str | Path) -> None:
    """Write atomically (a temporary file renamed over ``path``)."""
    arrays: dict[str, np.ndarray] = {
        "user_factors": np.ascontiguousarray(model.user_factors, dtype=np.float32),
        "item_factors": np.ascontiguousarray(model.item_factors, dtype=np.float32),
        "user_ids": np.asarray(model.user_ids, dtype=str),
        "item_ids": np.asarray(model.item_ids, dtype=str),
        "popularity": np.asarray(model.popularity, dtype=np.float64),
        "segment_names": np.asarray(model.segment_names, dtype=str),
        "segment_popularity": np.asarray(model.segment_popularity, dtype=np.float64),
        "user_segment": np.asarray(model.user_segment, dtype=np.int32),
        "meta": np.asarray(json.dumps(model.meta, sort_keys=True)),
    }
    if model.user_items_indptr is not None:
        arrays["user_items_indptr"] = np.asarray(model.user_items_indptr, dtype=np.int64)
        arrays["user_items_indices"] = np.asarray(model.user_items_indices, dtype=np.int32)
        arrays["user_items_data"] = np.asarray(model.user_items_data, dtype=np.float32)
    path = Path(path)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)


def load(path: str | Path) -> FactorModel:
    """Read a factor file; raises ValueError if it is not one (or a newer version)."""
    with open(path, "rb") as handle:  # closed even when numpy refuses the file
        try:
            return _load(handle, path)
        except (EOFError, zipfile.BadZipFile):  # empty, or cut short
            raise ValueError(f"{path} is not a Chedai factor file") from None


def _load(handle, path: str | Path) -> FactorModel:
    with np.load(handle, allow_pickle=False) as data:
        if "meta" not in data or "item_factors" not in data:
            raise ValueError(f"{path} is not a Chedai factor file")
        meta = json.loads(str(data["meta"]))
        if meta.get("version", 0) > FORMAT_VERSION:
            raise ValueError(f"{path} has factor-file version {meta['version']}")
        has_items = "user_items_indptr" in data
        return FactorModel(
            user_factors=data["user_factors"],
            item_factors=data["item_factors"],
            user_ids=data["user_ids"],
            item_ids=data["item_ids"],
            meta=meta,
            popularity=data["popularity"],
            segment_names=tuple(data["segment_names"].tolist()),
            segment_popularity=data["segment_popularity"],
            user_segment=data["user_segment"],
            user_items_indptr=data["user_items_indptr"] if has_items else None,
            user_items_indices=data["user_items_indices"] if has_items else None,
            user_items_data=data["user_items_data"] if has_items else None,
        )
