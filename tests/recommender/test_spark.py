"""The Spark MLlib engine in local mode. Skipped with the reason when pyspark or Java is missing,
except under CI=true, where a missing one fails (CI must install the `spark` extra and a JRE)."""

import os

import numpy as np
import pytest

from recommender.score import Recommender
from tests.recommender.factories import SMALL_PARAMS, small_market


def _require_spark():
    from recommender.spark import SparkUnavailable, check_spark

    try:
        check_spark()
    except SparkUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Spark engine: {exc}")
        pytest.skip(str(exc))


@pytest.mark.slow
def test_spark_engine_exports_a_factor_file_that_finds_the_planted_segments(tmp_path):
    _require_spark()
    from recommender import factors
    from recommender.params import AlsParams
    from recommender.spark import train_spark

    market = small_market()
    params = AlsParams(**{**SMALL_PARAMS.__dict__, "iterations": 5})
    path = tmp_path / "spark.npz"
    factors.save(train_spark(market.interactions, params, segments=market.segments()), path)
    rec = Recommender.load(path)
    assert rec.model.meta["engine"] == "spark"
    inside = 0
    for user in range(market.interactions.n_users):
        best, _ = rec.top_k(rec.user_factors[user], 5)
        inside += np.isin(best, market.segment_items[market.user_segment[user]]).sum()
    assert inside / (5 * market.interactions.n_users) >= 0.85
    ranked = rec.rank("new-buyer", eligible=["p01", "p02"], session_history=["p03"])
    assert [r.source for r in ranked] == ["session", "session"]
