from decimal import Decimal

import pytest

from domain.errors import InputError
from recommender.guardrail import Guardrail, apply_guardrail
from recommender.score import Ranked


def _ranked(*items):
    return [Ranked(item, 1.0 - n / 10, "als", None) for n, item in enumerate(items)]


COSTS = {"a": Decimal("12000.00"), "b": Decimal("9850.50"), "c": Decimal("15000.00")}


@pytest.mark.parametrize(
    ("ranked", "costs", "expected"),
    [
        pytest.param(
            _ranked("a", "b"), COSTS, Guardrail("b", Decimal("2149.50")), id="costlier-top-flagged"
        ),
        pytest.param(
            _ranked("b", "a"), COSTS, Guardrail("b", None), id="cheapest-on-top-not-flagged"
        ),
        pytest.param(
            _ranked("c"),
            COSTS,
            Guardrail("b", Decimal("5149.50")),
            id="cheapest-named-even-if-not-ranked",
        ),
        pytest.param([], COSTS, Guardrail("b", None), id="nothing-ranked-still-names-cheapest"),
        pytest.param(
            _ranked("x"),
            {"x": Decimal("5"), "y": Decimal("5")},
            Guardrail("x", None),
            id="tie-is-not-steering",
        ),
        pytest.param([], {}, Guardrail(None, None), id="nothing-eligible"),
    ],
)
def test_guardrail_names_the_cheapest_and_flags_a_costlier_top_pick(ranked, costs, expected):
    assert apply_guardrail(ranked, costs) == expected


def test_guardrail_difference_is_decimal_money():
    result = apply_guardrail(_ranked("a"), {"a": Decimal("10.005"), "b": Decimal("10")})
    assert result.top_costs_more_by == Decimal("0.01")
    assert isinstance(result.top_costs_more_by, Decimal)


@pytest.mark.parametrize(
    ("costs", "rule"),
    [
        pytest.param({"a": 12.5}, "not_money", id="float-refused"),
        pytest.param({"b": Decimal("1")}, "required", id="top-pick-without-cost"),
    ],
)
def test_guardrail_rejects_bad_costs(costs, rule):
    with pytest.raises(InputError) as err:
        apply_guardrail(_ranked("a"), costs)
    assert err.value.rule == rule
