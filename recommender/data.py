"""Interactions in, a users x products confidence matrix out; id maps and a time-based split.

Columnar (numpy arrays of integer codes) so that 20M interactions fit in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from domain.errors import InputError
from recommender.events import DEFAULT_EVENT_WEIGHTS, EVENTS

COLUMNS = ("user_id", "item_id", "event", "ts")


@dataclass(frozen=True)
class Interactions:
    """One row per event: ``user``/``item`` index ``user_ids``/``item_ids``; ``event`` indexes
    :data:`EVENTS`; ``ts`` is epoch milliseconds (UTC)."""

    user: np.ndarray  # int32
    item: np.ndarray  # int32
    event: np.ndarray  # int8
    ts: np.ndarray  # int64
    user_ids: np.ndarray  # str
    item_ids: np.ndarray  # str

    def __len__(self) -> int:
        return int(self.user.shape[0])

    @property
    def n_users(self) -> int:
        return int(self.user_ids.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.item_ids.shape[0])

    def subset(self, mask: np.ndarray) -> Interactions:
        """The rows where ``mask`` holds, keeping the same id maps (codes stay comparable)."""
        return Interactions(
            self.user[mask], self.item[mask], self.event[mask], self.ts[mask],
            self.user_ids, self.item_ids,
        )  # fmt: skip


def _parse_ts(text: str, lineno: int, field: str = "interactions") -> int:
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{field}[{lineno}].ts",
            "not_a_timestamp",
            "line {line}: {value!r} is neither ISO-8601 nor epoch milliseconds",
            {"line": lineno, "value": text},
        ) from None
    if moment.tzinfo is None:  # a naive export is taken as UTC, the project's clock
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_rows(rows: Iterable[tuple[str, str, str, int]]) -> Interactions:
    """Build :class:`Interactions` from ``(user_id, item_id, event, ts_ms)`` tuples (``n`` in an
    error is the 0-based row)."""
    event_code = {name: code for code, name in enumerate(EVENTS)}
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    u, i, e, t = [], [], [], []
    for n, (user_id, item_id, event, ts) in enumerate(rows):
        code = event_code.get(event)
        if code is None:
            raise InputError(
                f"interactions[{n}].event", "unknown_event",
                "line {line}: unknown event {value!r} (expected one of {expected})",
                {"line": n, "value": event, "expected": ", ".join(EVENTS)},
            )  # fmt: skip
        u.append(users.setdefault(str(user_id), len(users)))
        i.append(items.setdefault(str(item_id), len(items)))
        e.append(code)
        t.append(int(ts))
    return Interactions(
        np.asarray(u, dtype=np.int32),
        np.asarray(i, dtype=np.int32),
        np.asarray(e, dtype=np.int8),
        np.asarray(t, dtype=np.int64),
        np.asarray(list(users), dtype=str),
        np.asarray(list(items), dtype=str),
    )


def read_interactions_csv(path: str | Path) -> Interactions:
    """Read ``user_id,item_id,event,ts`` (a header line is required).

    Raises InputError naming the line for an unknown event, a malformed row or a bad timestamp.
    """
    return from_rows(iter_csv_rows(path))


def _csv_rows(path: str | Path, field: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of a UTF-8 CSV file (a byte-order mark allowed, as
    spreadsheet programs write one); InputError naming ``field`` when it cannot be read."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(
            field, "unreadable", "cannot read {path}: {reason}",
            {"path": str(path), "reason": exc.strerror},
        ) from None  # fmt: skip
    with handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise InputError(
                field, "not_utf8", "{path} is not UTF-8 text", {"path": str(path)}
            ) from None


def iter_csv_rows(path: str | Path, field: str = "interactions"):
    """Validated ``(user_id, item_id, event, ts_ms)`` rows of an interactions CSV; errors
    name ``field`` (the option the file was given to) and the line."""
    known = set(EVENTS)
    rows = _csv_rows(path, field)
    header = next(rows, (1, None))[1]
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise InputError(
            f"{field}[1]", "bad_header", "line {line}: the header must be {expected}",
            {"line": 1, "expected": ",".join(COLUMNS)},
        )  # fmt: skip
    for lineno, row in rows:
        if not row:
            continue
        if len(row) != 4 or not row[0].strip() or not row[1].strip():
            raise InputError(
                f"{field}[{lineno}]", "malformed_row",
                "line {line}: expected 4 fields user_id,item_id,event,ts",
                {"line": lineno},
            )  # fmt: skip
        user_id, item_id, event, ts = (value.strip() for value in row)
        if event not in known:
            raise InputError(
                f"{field}[{lineno}].event", "unknown_event",
                "line {line}: unknown event {value!r} (expected one of {expected})",
                {"line": lineno, "value": event, "expected": ", ".join(EVENTS)},
            )  # fmt: skip
        yield user_id, item_id, event, _parse_ts(ts, lineno, field)


def weight_vector(event_weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS) -> np.ndarray:
    return np.asarray([event_weights[name] for name in EVENTS], dtype=np.float32)


def weight_matrix(
    inter: Interactions, event_weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS
) -> sp.csr_matrix:
    """Users x items, each cell the sum of its events' weights (duplicates summed)."""
    w = weight_vector(event_weights)[inter.event]
    matrix = sp.csr_matrix(
        (w, (inter.user, inter.item)), shape=(inter.n_users, inter.n_items), dtype=np.float32
    )
    matrix.sum_duplicates()
    return matrix


def confidence_matrix(weights: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """``1 + alpha * weight`` on the observed cells (implicit reads the cell as the confidence)."""
    conf = weights.copy()
    conf.data = (1.0 + alpha * conf.data).astype(np.float32)
    return conf


def time_cutoff(inter: Interactions, holdout_fraction: float) -> int:
    """The timestamp before which ``1 - holdout_fraction`` of the events happened."""
    if not 0.0 < holdout_fraction < 1.0:
        raise InputError(
            "holdout_fraction", "between_0_and_1", "must be strictly between 0 and 1", {}
        )
    return int(np.quantile(inter.ts, 1.0 - holdout_fraction, method="lower")) + 1


def time_split(inter: Interactions, holdout_fraction: float) -> tuple[Interactions, Interactions]:
    """(earlier, later): events strictly before the cutoff, and the rest."""
    cutoff = time_cutoff(inter, holdout_fraction)
    before = inter.ts < cutoff
    return inter.subset(before), inter.subset(~before)


def popularity(
    weights: sp.csr_matrix, user_segment: np.ndarray | None = None, n_segments: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """How many distinct buyers touched each item: overall, and per segment (rows).

    ``user_segment`` gives each user's segment code (-1 when unknown).
    """
    touched = (weights > 0).astype(np.float32).tocsr()
    overall = np.asarray(touched.sum(axis=0)).ravel().astype(np.float64)
    per_segment = np.zeros((n_segments, weights.shape[1]), dtype=np.float64)
    if user_segment is not None and n_segments:
        known = user_segment >= 0
        seg = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32),
             (user_segment[known], np.flatnonzero(known))),
            shape=(n_segments, weights.shape[0]),
        )  # fmt: skip
        per_segment = np.asarray((seg @ touched).todense(), dtype=np.float64)
    return overall, per_segment


def segment_codes(
    user_ids: np.ndarray, segments: Mapping[str, str]
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each user's segment code (-1 when unknown) and the segment names, sorted."""
    names = tuple(sorted(set(segments.values())))
    code = {name: index for index, name in enumerate(names)}
    out = np.fromiter(
        (code.get(segments.get(str(u), ""), -1) for u in user_ids), dtype=np.int32,
        count=len(user_ids),
    )  # fmt: skip
    return out, names


def read_segments_csv(path: str | Path) -> dict[str, str]:
    """``user_id,segment`` with a header line."""
    out: dict[str, str] = {}
    rows = _csv_rows(path, "segments")
    next(rows, None)
    for lineno, row in rows:
        if not row:
            continue
        if len(row) != 2 or not row[0].strip():
            raise InputError(
                f"segments[{lineno}]", "malformed_row",
                "line {line}: expected 2 fields user_id,segment", {"line": lineno},
            )  # fmt: skip
        out[row[0].strip()] = row[1].strip()
    return out
