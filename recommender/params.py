"""ALS hyper-parameters (pure Python, cheap to import for the CLI's defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlsParams:
    """ALS knobs. The defaults are the best of a 3x4x3 grid (factors 32/64/128, regularization
    30/100/300/1000, alpha 2/5/10) on the validation split of the demo interactions (generator
    version 2, seed 20261128; the test split untouched; see recommender/README.md).
    Regularisation matters: implicit's default 0.01 loses to popularity on this kind of data."""

    factors: int = 64
    regularization: float = 100.0
    alpha: float = 5.0
    iterations: int = 15
    random_state: int = 20261128


DEFAULT_PARAMS = AlsParams()
