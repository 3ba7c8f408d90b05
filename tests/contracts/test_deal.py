from __future__ import annotations

import pytest

from contracts.deal import parse_deal
from domain.errors import InputError
from domain.privacy import mask_id_number
from tests.contracts.factories import deal_json


def _with(path: str, value):
    data = deal_json()
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is None:
        node.pop(last)
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        pytest.param("buyer.name", None, "buyer.name", "required", id="buyer-name-missing"),
        pytest.param("buyer.id_number", None, "buyer.id_number", "required", id="id-missing"),
        pytest.param("vehicle.year", "2026", "vehicle.year", "year", id="year-as-text"),
        pytest.param(
            "vehicle.price", 150000.0, "vehicle.price", "amount_as_string", id="price-float"
        ),
        pytest.param(
            "terms.cash_price",
            "149000.00",
            "terms.cash_price",
            "equals_vehicle_price",
            id="price-mismatch",
        ),
        pytest.param("terms.annual_rate", None, "terms.annual_rate", "required", id="rate-missing"),
        pytest.param(
            "consent.consented_at",
            "2026-11-30T09:30:00",
            "consent.consented_at",
            "aware",
            id="naive-consent-time",
        ),
        pytest.param(
            "signatures",
            {"buyer": [[[2, 0]]]},
            "signatures.buyer",
            "strokes",
            id="stroke-outside-box",
        ),
        pytest.param("late_fee_rate", "5", "late_fee_rate", "replaced", id="old-late-fee-field"),
        pytest.param(
            "late_fee",
            {"daily_penalty_rate": "150"},
            "late_fee.daily_penalty_rate",
            "at_most",
            id="penalty-over-100",
        ),
        pytest.param(
            "prepayment",
            {"allowed": "yes"},
            "prepayment.allowed",
            "boolean",
            id="prepayment-allowed-not-boolean",
        ),
    ],
)
def test_bad_deal_names_field_and_rule(path, value, field, rule):
    with pytest.raises(InputError) as err:
        parse_deal(_with(path, value))
    assert (err.value.field, err.value.rule) == (field, rule)


def test_document_id_is_stable_and_content_derived():
    assert parse_deal(deal_json()).resolved_id() == parse_deal(deal_json()).resolved_id()
    assert parse_deal(deal_json(document_id="abc")).resolved_id() == "abc"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("110101199003071234", "1101**********1234", id="resident-id"),
        pytest.param("1234567", "*******", id="short"),
    ],
)
def test_id_number_is_masked(raw, shown):
    assert mask_id_number(raw) == shown
