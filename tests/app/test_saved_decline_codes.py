"""A saved decline keeps every rule it failed, so "My offers" can tell, after the app is
reopened, a product that never finances the car from one that declined the buyer."""

from __future__ import annotations

from types import SimpleNamespace

from app.services import failed_codes
from views.offers import about_the_car


def decline(named: list[str], failed: set[str]):
    return SimpleNamespace(
        reasons=[SimpleNamespace(code=c) for c in named], failed=frozenset(failed)
    )


def test_the_named_reasons_come_first_then_every_other_rule_failed():
    named = ["tier", "income", "dti", "pti"]  # a decline names at most four
    d = decline(named, {*named, "vehicle.max_age", "ltv"})
    assert failed_codes(d) == ("tier", "income", "dti", "pti", "ltv", "vehicle.max_age")


def test_a_car_rule_beyond_the_named_four_still_marks_the_decline_as_the_cars():
    named = ["tier", "income", "dti", "pti"]
    saved = failed_codes(decline(named, {*named, "vehicle.max_age"}))
    assert about_the_car(saved) and not about_the_car(named)
