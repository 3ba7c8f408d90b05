"""The same ALS model trained with Apache Spark MLlib (``pip install chedai[spark]``, Java 17+).

Exports the same factor file as :mod:`recommender.train`, so scoring does not change. Local mode
(``local[2]``) in tests; a cluster URL (``spark://…``, ``yarn``) in production.

Spark's implicit ALS uses the same confidence ``1 + alpha * r`` on the summed event weights, but
scales the regularisation of each least-squares problem by the number of the row's observed
cells (ALS-WR). ``regParam`` is therefore set to ``regularization / mean cells per user`` so
that an average buyer is regularised as implicit regularises every buyer; the factors are close
but not identical to implicit's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict

import numpy as np

from recommender import factors as factor_file
from recommender.data import Interactions, weight_matrix
from recommender.events import DEFAULT_EVENT_WEIGHTS
from recommender.params import DEFAULT_PARAMS, AlsParams
from recommender.train import build_model


class SparkUnavailable(RuntimeError):
    """pyspark or a Java runtime is missing; the message says how to install them."""


def check_spark() -> None:
    """Raise :class:`SparkUnavailable` unless pyspark imports and ``java`` runs."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            "the spark engine needs pyspark: pip install 'chedai[spark]'"
        ) from None
    java = shutil.which("java", path=_java_path())
    if java is None:
        raise SparkUnavailable(
            "the spark engine needs Java 17+: apt-get install default-jre-headless"
        )
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SparkUnavailable(f"java -version failed: {done.stderr.strip()[:200]}")


def _java_path() -> str | None:
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin") + os.pathsep + os.environ.get("PATH", "") if home else None


def spark_session(master: str = "local[2]", driver_memory: str = "2g"):
    """A SparkSession bound to 127.0.0.1 with the UI off (tests talk only to localhost)."""
    check_spark()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never bind a public interface
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName("chedai-als")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def fit_spark(
    spark, weights, params: AlsParams, *, partitions: int = 4
) -> tuple[np.ndarray, np.ndarray, dict]:
    """(user_factors, item_factors, spark params) of MLlib ALS on a users x items weight
    matrix (the summed event weights, before confidence). Rows/columns with no cells get zero
    factors (Spark never sees them)."""
    from pyspark.ml.recommendation import ALS

    coo = weights.tocoo()
    per_user = max(coo.nnz / max(np.count_nonzero(np.diff(weights.indptr)), 1), 1.0)
    spark_params = {
        "rank": params.factors,
        "maxIter": params.iterations,
        "regParam": float(params.regularization / per_user),
        "alpha": params.alpha,
        "implicitPrefs": True,
        "seed": params.random_state,
        "numUserBlocks": partitions,
        "numItemBlocks": partitions,
    }
    with tempfile.TemporaryDirectory(prefix="chedai-spark-") as tmp:
        # A file is far faster than pickling millions of tuples through py4j.
        path = os.path.join(tmp, "ratings.csv")
        table = np.column_stack([coo.row, coo.col, coo.data]).astype(np.float64)
        np.savetxt(path, table, fmt=["%d", "%d", "%.6g"], delimiter=",")
        frame = spark.read.csv(path, schema="user INT, item INT, rating FLOAT")
        als = ALS(userCol="user", itemCol="item", ratingCol="rating", **spark_params)
        started = time.perf_counter()
        model = als.fit(frame)
        fitted = time.perf_counter()
        user_factors = _collect(model.userFactors, weights.shape[0], params.factors)
        item_factors = _collect(model.itemFactors, weights.shape[1], params.factors)
    spark_params["fit_seconds"] = round(fitted - started, 3)
    spark_params["collect_seconds"] = round(time.perf_counter() - fitted, 3)
    return user_factors, item_factors, spark_params


def _collect(frame, n: int, rank: int) -> np.ndarray:
    out = np.zeros((n, rank), dtype=np.float32)
    for row in frame.collect():
        out[row["id"]] = row["features"]
    return out


def train_spark(
    inter: Interactions,
    params: AlsParams = DEFAULT_PARAMS,
    *,
    segments: Mapping[str, str] | None = None,
    master: str = "local[2]",
    event_weights: Mapping[str, float] = DEFAULT_EVENT_WEIGHTS,
) -> factor_file.FactorModel:
    """Fit with Spark MLlib and return the same exportable model as the implicit engine."""
    weights = weight_matrix(inter, event_weights)
    spark = spark_session(master)
    try:
        user_factors, item_factors, spark_params = fit_spark(spark, weights, params)
    finally:
        spark.stop()
    meta_params = {**asdict(params), "spark": spark_params, "master": master}
    return build_model(
        inter, user_factors, item_factors, meta_params,
        engine="spark", segments=segments, event_weights=event_weights,
    )  # fmt: skip
