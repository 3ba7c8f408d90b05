"""Loan-product recommendations: ALS inside the eligibility rules.

The public surface below imports numpy only (it runs where implicit and scipy are absent).
Training (:mod:`recommender.train`, the only module importing implicit), data loading
(:mod:`recommender.data`), evaluation (:mod:`recommender.evaluate`) and the Spark engine
(:mod:`recommender.spark`) are imported explicitly by those who need them.
"""

from recommender.guardrail import Guardrail, apply_guardrail
from recommender.score import Candidates, Ranked, Recommender, Why

__all__ = ["Candidates", "Guardrail", "Ranked", "Recommender", "Why", "apply_guardrail"]
