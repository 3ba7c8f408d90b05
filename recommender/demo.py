"""Train the demo world's model at seed time (called by the seed step)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from recommender import factors
from recommender.data import from_rows
from recommender.params import DEFAULT_PARAMS, AlsParams
from recommender.train import train

# The defaults were tuned on the demo interactions' validation split (recommender/README.md).
DEMO_PARAMS = DEFAULT_PARAMS


def train_demo_model(
    interactions: Iterable[tuple[str, str, str, int]],
    segments: Mapping[str, str],
    out_path: str | Path,
    *,
    params: AlsParams = DEMO_PARAMS,
) -> factors.FactorModel:
    """Fit ALS on ``(user_id, product_id, event, at_ms)`` rows (as
    ``local_db.repositories.interactions.interaction_events`` returns them), with the buyers'
    segments for cold-start popularity, and write the factor file to ``out_path``.

    Raises InputError for an unknown event and ValueError when there are no interactions.
    """
    inter = from_rows(interactions)
    if len(inter) == 0:
        raise ValueError("no interactions to train the demo model on")
    model = train(inter, params, segments=segments)
    factors.save(model, out_path)
    return model
