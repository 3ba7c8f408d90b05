"""Factories for recommender tests: a small planted-segment market and a model trained on it."""

from __future__ import annotations

from functools import cache

from recommender.factors import FactorModel
from recommender.score import Recommender
from recommender.synthetic import Market, planted_market
from recommender.train import AlsParams, train

SMALL_PARAMS = AlsParams(factors=8, regularization=5.0, alpha=2.0, iterations=10, segment_blend=0.0)


@cache
def small_market() -> Market:
    return planted_market(n_users=600, n_items=40, n_interactions=12_000, n_segments=4)


@cache
def small_model() -> FactorModel:
    market = small_market()
    return train(market.interactions, SMALL_PARAMS, segments=market.segments())


def make_recommender() -> Recommender:
    return Recommender(small_model())
