"""The demo market's ALS model: trained from the local database's interactions and kept in the
data folder, where the offers screen loads it (numpy scoring, no implicit needed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import Settings

if TYPE_CHECKING:  # `chedai app` checks model_path before serving: no sqlmodel import for it
    from sqlmodel import Session


def model_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "model" / "als.npz"


def train_from_database(session: Session, path: Path) -> bool:
    """Fit ALS on every interaction in the database (with the buyers' segments for cold-start
    popularity) and write the factor file to ``path``. False when there is nothing to learn."""
    from threadpoolctl import threadpool_limits

    from local_db.files import private_dir, tighten
    from local_db.repositories import interactions as interactions_repo
    from local_db.repositories import people as people_repo
    from recommender.demo import train_demo_model

    rows = interactions_repo.interaction_events(session)
    if not rows:
        return False
    private_dir(path.parent)  # a model of the buyers' choices: owner-only, as the data dir
    with threadpool_limits(1, "blas"):  # implicit is slower, and warns, on threaded BLAS
        train_demo_model(rows, people_repo.buyer_segments(session), path)
    tighten(path)
    return True
