"""Prequalification: a consented soft check that returns every product's offer, or the
reasons it declined with what would change the answer.

    from domain.prequal import prequalify, parse_request
    result = prequalify(applicant, vehicle, deal, products, consent=..., today=..., now=...)

Pure: no I/O. Products come from the caller (app.prequal_service loads them from local_db).
"""

from domain.prequal.applicant import (
    Accident,
    Applicant,
    ConsentGiven,
    Deal,
    Housing,
    IncomeType,
    Occupation,
    VehicleFacts,
    parse_applicant,
    parse_consent,
    parse_deal,
    parse_vehicle,
)
from domain.prequal.core import (
    APR_FLAG,
    Application,
    Decline,
    Offer,
    PrequalResult,
    prequalify,
    prequalify_batch,
)
from domain.prequal.fraud import PriorApplication
from domain.prequal.hints import Hint
from domain.prequal.scorecard import SCORECARD, ScoreResult, score
from domain.prequal.text import Reason
from domain.prequal.valuation import DEPRECIATION, Valuation, value_vehicle

__all__ = [
    "APR_FLAG",
    "DEPRECIATION",
    "SCORECARD",
    "Accident",
    "Applicant",
    "Application",
    "ConsentGiven",
    "Deal",
    "Decline",
    "Hint",
    "Housing",
    "IncomeType",
    "Occupation",
    "Offer",
    "PrequalResult",
    "PriorApplication",
    "Reason",
    "ScoreResult",
    "Valuation",
    "VehicleFacts",
    "parse_applicant",
    "parse_consent",
    "parse_deal",
    "parse_vehicle",
    "prequalify",
    "prequalify_batch",
    "score",
    "value_vehicle",
]
