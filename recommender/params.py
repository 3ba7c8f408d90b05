"""ALS hyper-parameters (pure Python, cheap to import for the CLI's defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlsParams:
    """Defaults tuned on the planted-segment market's validation split (see evaluate)."""

    factors: int = 32
    regularization: float = 10.0
    alpha: float = 2.0
    iterations: int = 15
    random_state: int = 20261128


DEFAULT_PARAMS = AlsParams()
