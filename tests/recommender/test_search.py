"""The hyper-parameter search steps past a grid edge its best point sits on, and only then."""

import math
from dataclasses import replace

import pytest

from recommender.search import grid_then_edges


def _peak_at(**optimum):
    """A score that falls as each knob moves from ``optimum`` (in log(1 + x)); records its
    calls."""
    calls = []

    def score(point):
        calls.append(dict(point))
        return -sum(abs(math.log1p(point[n]) - math.log1p(v)) for n, v in optimum.items())

    return score, calls


def test_an_interior_best_is_the_grids_own():
    score, calls = _peak_at(alpha=5.0, factors=64)
    result = grid_then_edges({"alpha": (2.0, 5.0, 10.0), "factors": (32, 64, 128)}, score)
    assert result.best == {"alpha": 5.0, "factors": 64}
    assert result.extended == {}
    assert len(calls) == 9


def test_a_best_on_the_upper_edge_is_followed_out_by_the_axis_ratio():
    score, calls = _peak_at(alpha=40.0, factors=64)
    result = grid_then_edges({"alpha": (2.0, 5.0, 10.0), "factors": (32, 64, 128)}, score)
    assert result.best == {"alpha": 40.0, "factors": 64}
    assert result.extended == {"alpha": [20.0, 40.0, 80.0]}
    # each step out holds the other knobs at their best
    assert calls[9:] == [{"alpha": a, "factors": 64} for a in (20.0, 40.0, 80.0)]


def test_a_best_on_the_lower_edge_is_followed_down_and_ints_stay_ints():
    score, _ = _peak_at(factors=8)
    result = grid_then_edges({"factors": (32, 64, 128)}, score)
    assert result.best == {"factors": 8}
    assert result.extended == {"factors": [16, 8, 4]}
    assert all(isinstance(f, int) for f in result.extended["factors"])


def test_a_step_past_the_knobs_bound_tries_the_bound_and_none_steps_from_zero():
    score, _ = _peak_at(factors=1000, blend=10.0)
    result = grid_then_edges(
        {"factors": (16, 32), "blend": (0.0, 1.0)}, score, upper={"factors": 48}
    )
    # 64 would pass the bound, so the bound itself; 1.0 has 0 beside it: no ratio to step by
    assert result.best == {"factors": 48, "blend": 1.0}
    assert result.extended == {"factors": [48]}


def test_an_int_knob_never_steps_below_one_and_floats_are_rounded():
    score, _ = _peak_at(factors=0.01, alpha=1e6)
    result = grid_then_edges({"factors": (2, 4, 8), "alpha": (3.0, 10.0)}, score, max_steps=3)
    assert result.extended["factors"] == [1]  # then 0.5, which is no number of factors
    assert result.extended["alpha"][0] == 33.3333


def test_a_grid_with_nothing_to_score_says_so():
    with pytest.raises(ValueError, match="no point"):
        grid_then_edges({"alpha": ()}, lambda point: 0.0)
    with pytest.raises(ValueError, match="no point"):
        grid_then_edges({"alpha": (1.0, 2.0)}, lambda point: float("nan"))


def test_the_steps_past_the_edges_are_bounded():
    score, calls = _peak_at(alpha=1e9)
    result = grid_then_edges({"alpha": (1.0, 2.0)}, score, max_steps=3)
    assert result.extended == {"alpha": [4.0, 8.0, 16.0]}
    assert result.best == {"alpha": 16.0}
    assert len(calls) == 2 + 3
    assert result.score == pytest.approx(score({"alpha": 16.0}))


def test_a_tie_keeps_the_earlier_point():
    result = grid_then_edges({"alpha": (2.0, 5.0, 10.0)}, lambda point: 0.5)
    assert result.best == {"alpha": 2.0}
    # the earlier point sits on the lower edge, and the flat score never beats it
    assert result.extended == {"alpha": [0.8]}


@pytest.mark.slow
def test_evaluate_follows_als_past_a_grid_edge_and_says_so():
    """Both factor counts are edges of a two-value axis, so one step out is tried; the
    single-valued knobs have no ratio to step by. The pick is among the values tried."""
    from recommender.evaluate import SMALL_GRID, evaluate
    from tests.recommender.factories import small_market

    grid = replace(SMALL_GRID, factors=(8, 16), regularization=(30.0,), edge_steps=1)
    report = evaluate(small_market().interactions, grid=grid)
    assert report.als_grid_extended in ({"factors": [4]}, {"factors": [32]})
    assert "tried past it on validation: factors" in report.markdown()


def test_a_knob_already_past_its_bound_is_not_stepped_back_inside():
    score, _ = _peak_at(factors=1000)
    result = grid_then_edges({"factors": (64, 128)}, score, upper={"factors": 48})
    assert result.best == {"factors": 128} and result.extended == {}
