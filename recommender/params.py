"""ALS hyper-parameters (pure Python, cheap to import for the CLI's defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlsParams:
    """ALS knobs. The defaults are the evaluation's pick on the validation split of the demo
    interactions (generator version 7, seed 20261128; the test split scores the pick once; see
    recommender/README.md): the best of its grid (factors 32/64/128, regularization
    30/100/300/1000, alpha 2/5/10, segment blend 0/0.25/0.5/1/2) and of the steps past the
    edges that best sat on (alpha 20, 40). Regularisation matters: implicit's default 0.01
    loses to popularity on this kind of data."""

    factors: int = 128
    regularization: float = 100.0
    alpha: float = 20.0
    iterations: int = 15
    random_state: int = 20261128
    #: weight of the buyer's segment popularity (each segment's most popular product = 1)
    #: added to the ALS score when the segment is known; 0 scores by the factors alone
    segment_blend: float = 1.0


DEFAULT_PARAMS = AlsParams()
