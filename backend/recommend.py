"""The recommender on the server: retrain on the synced interactions and publish a versioned
factor file (the ``recommender`` package's ``.npz``) that clients GET and score offline."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Literal, overload

from sqlalchemy import Engine, func, select

from backend.db import WRITE
from backend.models import ModelVersion, Record
from sync.wire import ModelInfo

log = logging.getLogger(__name__)
_models = ModelVersion.__table__
_records = Record.__table__


class RecommenderUnavailable(Exception):
    """Training is impossible: the recommender is not installed or there is nothing to learn."""


def interaction_rows(engine: Engine) -> list[tuple[str, str, str, int]]:
    """``(buyer_id, product_id, event, at_ms)`` of every synced interaction, oldest first."""
    query = (
        select(_records.c.owner_id, _records.c.data)
        .where(
            _records.c.entity == "interaction",
            _records.c.deleted.is_(False),
            _records.c.owner_id.is_not(None),
        )
        .order_by(_records.c.seq)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for owner, data in rows:
        item = json.loads(data)
        out.append((owner, item["product_id"], item["kind"], int(item["at_ms"])))
    return out


def fit_and_publish(engine: Engine, now_ms: int) -> ModelInfo:
    """Train ALS on every synced interaction and store the factor file as the next version."""
    try:
        from recommender.data import from_rows
        from recommender.train import train
    except ImportError as exc:
        raise RecommenderUnavailable(f"the recommender is not installed ({exc.name})") from None
    rows = interaction_rows(engine)
    if not rows:
        raise RecommenderUnavailable("there are no interactions to train on yet")
    return publish(engine, train(from_rows(rows)), now_ms)


@overload
def publish(engine: Engine, model, now_ms: int) -> ModelInfo: ...
@overload
def publish(
    engine: Engine, model, now_ms: int, *, unless_any: Literal[True]
) -> ModelInfo | None: ...
def publish(engine: Engine, model, now_ms: int, *, unless_any: bool = False) -> ModelInfo | None:
    """Store ``model`` (a ``recommender.factors.FactorModel``) as the next version; with
    ``unless_any``, only when no version exists yet (None then), checked in the write
    transaction so two servers starting at once publish one."""
    from recommender import factors as factor_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "factors.npz"
        factor_file.save(model, path)
        content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        newest = conn.execute(select(func.max(_models.c.version))).scalar()
        if unless_any and newest is not None:
            return None
        version = (newest or 0) + 1
        conn.execute(
            _models.insert().values(
                version=version, created_ms=now_ms, sha256=digest, content=content
            )
        )
    return _info(version, now_ms, digest)


def _info(version: int, created_ms: int, digest: str) -> ModelInfo:
    return ModelInfo(
        version=version, created_ms=created_ms, sha256=digest, url=f"/recommender/model/{version}"
    )


def latest_info(engine: Engine) -> ModelInfo | None:
    query = select(_models.c.version, _models.c.created_ms, _models.c.sha256)
    with engine.connect() as conn:
        row = conn.execute(query.order_by(_models.c.version.desc()).limit(1)).first()
    return None if row is None else _info(row.version, row.created_ms, row.sha256)


def model_content(engine: Engine, version: int) -> bytes | None:
    with engine.connect() as conn:
        return conn.execute(select(_models.c.content).where(_models.c.version == version)).scalar()


def retrain_once(fit, engine: Engine, now_ms: int) -> ModelInfo | None:
    """One scheduled retraining: the new version, or None when there is nothing to learn yet
    (logged). Any other failure is logged too: a schedule must outlive one bad round."""
    try:
        info = fit(engine, now_ms)
    except RecommenderUnavailable as exc:
        log.info("scheduled retraining skipped: %s", exc)
        return None
    except Exception:
        log.exception("scheduled retraining failed")
        return None
    log.info("scheduled retraining published version %s", info.version)
    return info


async def retrain_every(backend, interval_s: float) -> None:
    """Retrain every ``interval_s`` seconds (first after one interval) until cancelled; the
    training runs in a worker thread so requests keep being served."""
    while True:
        await asyncio.sleep(interval_s)
        await asyncio.to_thread(retrain_once, backend.fit_model, backend.engine, backend.clock())
