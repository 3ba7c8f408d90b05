import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.data import confidence_matrix, weight_matrix
from recommender.score import Candidates, Recommender
from tests.recommender.factories import SMALL_PARAMS, make_recommender, small_market, small_model


def _implicit_model(rec: Recommender):
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(
        factors=rec.item_factors.shape[1], regularization=rec.regularization, alpha=1.0
    )
    model.user_factors = rec.user_factors.copy()
    model.item_factors = rec.item_factors.copy()
    return model


def _user_items(rec: Recommender) -> sp.csr_matrix:
    m = rec.model
    shape = (len(m.user_ids), len(m.item_ids))
    return sp.csr_matrix((m.user_items_data, m.user_items_indices, m.user_items_indptr), shape)


def test_returning_buyers_get_their_planted_segment_first():
    market, rec = small_market(), make_recommender()
    inside = 0
    for user in range(market.interactions.n_users):
        best, _ = rec.top_k(rec.user_factors[user], 5)
        inside += np.isin(best, market.segment_items[market.user_segment[user]]).sum()
    # 80% of each buyer's events come from their segment's block; popularity alone would put
    # about a quarter of the top 5 there
    assert inside / (5 * market.interactions.n_users) >= 0.85


def test_numpy_top_k_equals_implicit_recommend_for_the_same_factors():
    rec = make_recommender()
    model = _implicit_model(rec)
    allowed = np.arange(0, 40, 3)
    for user in (0, 17, 321):
        ids, scores = model.recommend(
            user, _user_items(rec)[user], N=5, filter_already_liked_items=False, items=allowed
        )
        ours, our_scores = rec.top_k(rec.user_factors[user], 5, allowed)
        assert ours.tolist() == ids.tolist()
        np.testing.assert_allclose(our_scores, scores, rtol=1e-5)


def test_session_factors_equal_implicit_recalculate_user():
    rec = make_recommender()
    model = _implicit_model(rec)
    index, conf = rec.session_items([("p03", "apply"), "p07", ("p03", "view")], rec.user_items("x"))
    row = sp.csr_matrix((conf, index, [0, len(index)]), shape=(1, len(rec.item_ids)))
    expected = model.recalculate_user(0, row)
    np.testing.assert_allclose(rec.solve_user(index, conf), np.ravel(expected), rtol=1e-4)


def test_explanation_contributions_equal_implicit_explain():
    rec = make_recommender()
    model = _implicit_model(rec)
    index, conf = rec.user_items("u017")
    target = 5
    total, top, _ = model.explain(0, _row(index, conf, len(rec.item_ids)), target, N=3)
    [(our_total, pairs)] = rec.explain(index, conf.astype(np.float64), np.array([target]))
    assert our_total == pytest.approx(total, rel=1e-4)
    assert [i for i, _ in pairs[:3]] == [i for i, _ in top]


def _row(index, conf, n_items):
    return sp.csr_matrix((conf, index, [0, len(index)]), shape=(1, n_items))


@pytest.mark.parametrize(
    ("user", "history", "source"),
    [
        pytest.param("u017", (), "als", id="returning-buyer-uses-trained-factors"),
        pytest.param("new-buyer", (("p03", "apply"),), "session", id="session-solves-factors"),
        pytest.param("u017", ("p03",), "session", id="returning-buyer-with-session"),
        pytest.param("new-buyer", (), "popular", id="no-history-falls-back-to-popular"),
        pytest.param("new-buyer", ("unknown-product",), "popular", id="unknown-session-items"),
    ],
)
def test_rank_picks_the_source_by_what_is_known_of_the_buyer(user, history, source):
    ranked = make_recommender().rank(user, eligible=["p01", "p02", "p03"], session_history=history)
    assert {r.source for r in ranked} == {source}


@pytest.mark.parametrize("user", ["u017", "u333", "new-buyer"])
@pytest.mark.parametrize("history", [(), ("p10",)])
@pytest.mark.parametrize("seed", range(5))
def test_rank_never_returns_a_product_outside_the_eligible_set(user, history, seed):
    rec = make_recommender()
    rng = np.random.default_rng(seed)
    eligible = [*rng.choice(rec.item_ids, size=rng.integers(0, 12), replace=False), "new-p"]
    ranked = rec.rank(user, eligible=eligible, k=10, session_history=history)
    assert {r.item_id for r in ranked} <= set(eligible)
    assert len(ranked) == min(10, len(set(eligible)))
    assert len({r.item_id for r in ranked}) == len(ranked)


def test_cold_start_ranks_by_popularity_in_the_buyers_segment():
    market, rec = small_market(), make_recommender()
    segment = 2
    ranked = rec.rank(None, eligible=list(rec.item_ids), k=5, segment=f"segment-{segment}")
    counts = rec.model.segment_popularity[segment]
    assert [r.score for r in ranked] == sorted(counts, reverse=True)[:5]
    assert np.isin([rec.item_index[r.item_id] for r in ranked], market.segment_items[segment]).all()
    assert ranked[0].why.kind == "similar_buyers"
    assert ranked[0].why.params == {"count": int(counts.max()), "segment": "segment-2"}


def test_cold_start_without_a_segment_uses_overall_popularity():
    rec = make_recommender()
    ranked = rec.rank(None, eligible=["p01", "p02", "p03"], k=3)
    counts = [rec.model.popularity[rec.item_index[i]] for i in ("p01", "p02", "p03")]
    assert [r.score for r in ranked] == sorted(counts, reverse=True)


def test_products_the_model_never_saw_come_last():
    ranked = make_recommender().rank("u017", eligible=["brand-new", "p01", "p02"], k=3)
    assert [r.item_id for r in ranked][-1] == "brand-new"
    assert ranked[-1].source == "popular"


def test_why_names_the_buyers_own_products_that_contributed_most():
    rec = make_recommender()
    own = set(rec.item_ids[rec.user_items("u017")[0]].tolist())
    for ranked in rec.rank("u017", eligible=list(rec.item_ids), k=5):
        assert ranked.why.kind == "own_interactions"
        assert set(ranked.why.items) <= own
        assert list(ranked.why.weights) == sorted(ranked.why.weights, reverse=True)


def test_precomputed_candidates_rank_like_the_id_list():
    rec = make_recommender()
    eligible = ["p05", "p06", "p07", "p08"]
    assert rec.rank("u001", eligible=rec.candidates(eligible)) == rec.rank(
        "u001", eligible=eligible
    )
    assert isinstance(rec.candidates(eligible), Candidates)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(np.arange(0, 600, 7), id="scattered"),
        pytest.param(np.arange(37, 437), id="a-run-of-consecutive-buyers"),
        pytest.param(np.arange(5, 0, -1), id="consecutive-backwards"),
    ],
)
@pytest.mark.parametrize("allow", [None, np.arange(3, 40, 2)], ids=["all", "allow-list"])
def test_batch_top_k_equals_one_by_one(rows, allow):
    rec = make_recommender()
    items, scores = rec.top_k_batch(rows, 5, allow, chunk=16, threads=2)
    for row, got, got_scores in zip(rows, items, scores, strict=True):
        best, best_scores = rec.top_k(rec.user_factors[row], 5, allow)
        assert got.tolist() == best.tolist()
        np.testing.assert_allclose(got_scores, best_scores, rtol=1e-5)  # GEMM vs GEMV rounding
        if allow is not None:
            assert set(got.tolist()) <= set(allow.tolist())


def test_factor_file_round_trips(tmp_path):
    from recommender import factors

    path = tmp_path / "model.npz"
    factors.save(small_model(), path)
    loaded = Recommender.load(path)
    assert loaded.model.meta["params"]["regularization"] == SMALL_PARAMS.regularization
    assert set(loaded.model.meta) >= {"version", "trained_at", "params", "event_weights"}
    assert loaded.rank("u017", eligible=["p01", "p09"]) == make_recommender().rank(
        "u017", eligible=["p01", "p09"]
    )


def test_scoring_works_when_implicit_and_scipy_cannot_be_imported(tmp_path):
    from recommender import factors

    path = tmp_path / "model.npz"
    factors.save(small_model(), path)
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["implicit"] = None  # an import now raises ImportError
        sys.modules["scipy"] = None
        from recommender import Recommender, apply_guardrail
        rec = Recommender.load({str(path)!r})
        ranked = rec.rank("u017", eligible=["p01", "p02"], session_history=["p03"])
        assert [r.source for r in ranked] == ["session", "session"], ranked
        assert "implicit" not in [m for m in sys.modules if sys.modules[m] is not None]
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_confidence_is_one_plus_alpha_times_the_summed_event_weights():
    inter = small_market().interactions
    weights = weight_matrix(inter)
    conf = confidence_matrix(weights, SMALL_PARAMS.alpha)
    np.testing.assert_allclose(conf.data, 1.0 + SMALL_PARAMS.alpha * weights.data)


@pytest.mark.parametrize(
    ("n", "k"),
    [
        pytest.param(2000, 10, id="two-thousand-products"),
        pytest.param(2001, 50, id="ragged-blocks"),
        pytest.param(15, 10, id="k-near-n"),
        pytest.param(100, 1, id="k-one"),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_top_k_selection_equals_a_full_stable_sort(n, k, dtype):
    from recommender.score import _best_rows

    scores = np.random.default_rng(n).standard_normal((40, n)).astype(dtype)
    scores[0, :6] = scores[0, 6]  # ties resolve by column
    scores[1, -k - 3 :] = scores[1].max()  # ties at the top, in the ragged last round
    best, values = _best_rows(scores, k)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    assert np.array_equal(best, expected)
    assert np.array_equal(values, np.take_along_axis(scores, expected, axis=1))


def _blended(weight: float) -> Recommender:
    from dataclasses import replace

    model = small_model()
    return Recommender(replace(model, meta={**model.meta, "params": {
        **model.params, "segment_blend": weight}}))  # fmt: skip


def test_segment_blend_adds_the_scaled_segment_popularity_to_factor_scores():
    rec = _blended(0.5)
    row = rec.user_index["u001"]
    segment = rec.trained_segment(row)
    counts = rec.model.segment_popularity[rec.model.segment_names.index(segment)]
    expected = rec.item_factors @ rec.user_factors[row] + 0.5 * counts / counts.max()
    ranked = rec.rank("u001", eligible=list(rec.item_ids), k=5, explain=False)
    order = np.argsort(-expected, kind="stable")[:5]
    assert [r.item_id for r in ranked] == rec.item_ids[order].tolist()
    np.testing.assert_allclose([r.score for r in ranked], expected[order], rtol=1e-5)
    plain = _blended(0.0).rank("u001", eligible=list(rec.item_ids), k=5, explain=False)
    np.testing.assert_allclose(
        [r.score for r in plain], (rec.item_factors @ rec.user_factors[row])[
            [rec.item_index[r.item_id] for r in plain]], rtol=1e-5)  # fmt: skip


@pytest.mark.parametrize("allow", [None, np.arange(3, 40, 2)], ids=["all", "allow-list"])
def test_batch_top_k_with_a_segment_blend_equals_rank(allow):
    rec = _blended(1.0)
    rows = np.arange(0, 600, 11)
    items, _ = rec.top_k_batch(rows, 5, allow, chunk=16, threads=2)
    eligible = rec.item_ids.tolist() if allow is None else rec.item_ids[allow].tolist()
    for row, got in zip(rows, items, strict=True):
        user = rec.model.user_ids[row]
        ranked = rec.rank(user, eligible=eligible, k=5, explain=False)
        assert rec.item_ids[got].tolist() == [r.item_id for r in ranked]
