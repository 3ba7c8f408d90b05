"""Loan-product recommendations: ALS inside the eligibility rules.

The public surface below imports numpy only (it runs where implicit and scipy are absent).
Training (:mod:`recommender.train`, the only module importing implicit), data loading
(:mod:`recommender.data`), evaluation (:mod:`recommender.evaluate`) and the Spark engine
(:mod:`recommender.spark`) are imported explicitly by those who need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recommender.guardrail import Guardrail, apply_guardrail
    from recommender.score import Candidates, Ranked, Recommender, Why

#: Where each public name lives: imported on first use, so that importing a light module of
#: the package (``recommender.params`` for the command line's defaults) does not load numpy.
_PUBLIC = {
    "Candidates": "recommender.score", "Ranked": "recommender.score",
    "Recommender": "recommender.score", "Why": "recommender.score",
    "Guardrail": "recommender.guardrail", "apply_guardrail": "recommender.guardrail",
}  # fmt: skip

__all__ = ["Candidates", "Guardrail", "Ranked", "Recommender", "Why", "apply_guardrail"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
