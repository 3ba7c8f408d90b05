import csv
import io
import json

import pytest

from app.cli import main
from recommender.synthetic import write_csv
from tests.recommender.factories import small_market


def _run(capsys, *argv):
    code = main(["recommend", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _interactions(tmp_path):
    path = tmp_path / "interactions.csv"
    write_csv(small_market().interactions, path)
    return path


def _fit(tmp_path, capsys):
    model = tmp_path / "model.npz"
    code, out, err = _run(
        capsys, "fit", "--interactions", str(_interactions(tmp_path)), "--out", str(model),
        "--factors", "8", "--iterations", "5",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["users"] == 600
    return model


def test_fit_then_top_prints_ranked_csv_with_sources(tmp_path, capsys):
    model = _fit(tmp_path, capsys)
    users = tmp_path / "users.txt"
    users.write_text("u017\nnew-buyer\nsession-buyer\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    history.write_text("user_id,item_id,event,ts\nsession-buyer,p03,apply,1\n", encoding="utf-8")
    eligible = tmp_path / "eligible.csv"
    eligible.write_text(
        "user_id,item_id\nu017,p01\nu017,p02\nu017,p03\nnew-buyer,p05\nsession-buyer,p07\n"
        "session-buyer,p08\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys, "top", "--model", str(model), "--users", str(users), "--k", "2",
        "--history", str(history), "--eligible", str(eligible),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["user_id", "rank", "item_id", "score", "source"]
    by_user = {}
    for row in rows:
        by_user.setdefault(row["user_id"], []).append((row["rank"], row["item_id"], row["source"]))
    assert [r[0] for r in by_user["u017"]] == ["1", "2"]
    assert {r[1] for r in by_user["u017"]} <= {"p01", "p02", "p03"}
    assert {r[2] for r in by_user["u017"]} == {"als"}
    assert by_user["new-buyer"] == [("1", "p05", "popular")]
    assert {(r[1], r[2]) for r in by_user["session-buyer"]} == {
        ("p07", "session"),
        ("p08", "session"),
    }


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        pytest.param("u1,p1,click,1\n", "interactions[2].event", id="unknown-event"),
        pytest.param("u1,p1,view,1\nu2,p1\n", "interactions[3]", id="short-row"),
        pytest.param("u1,p1,view,not-a-time\n", "interactions[2].ts", id="bad-timestamp"),
    ],
)
def test_fit_exits_2_naming_the_line_of_a_bad_row(tmp_path, capsys, body, needle, monkeypatch):
    monkeypatch.setenv("CHEDAI_LOCALE", "en_US")
    path = tmp_path / "bad.csv"
    path.write_text("user_id,item_id,event,ts\n" + body, encoding="utf-8")
    code, _, err = _run(capsys, "fit", "--interactions", str(path), "--out", str(tmp_path / "m"))
    assert code == 2
    assert needle in err
    assert "line " in err  # the English message names it too
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_top_with_a_missing_model_exits_2(tmp_path, capsys):
    users = tmp_path / "users.txt"
    users.write_text("u1\n", encoding="utf-8")
    code, _, err = _run(capsys, "top", "--model", str(tmp_path / "nope.npz"), "--users", str(users))
    assert code == 2
    assert "无法加载模型" in err  # in the default language


@pytest.mark.slow
def test_evaluate_prints_all_four_models(tmp_path, capsys):
    code, out, err = _run(
        capsys, "evaluate", "--interactions", str(_interactions(tmp_path)), "--quick"
    )
    assert code == 0, err
    report = json.loads(out)
    assert [r["model"] for r in report["rows"]] == ["als", "popularity", "item-item cosine", "bpr"]
    assert report["n_users_evaluated"] > 100
    rows = {r["model"]: r for r in report["rows"]}
    ratio, low, high = report["als_over_popularity"]
    assert ratio == pytest.approx(rows["als"]["ndcg"] / rows["popularity"]["ndcg"])
    assert low < ratio < high


@pytest.mark.slow
def test_evaluate_with_segments_tunes_the_blend_and_reports_segment_popularity(tmp_path, capsys):
    segments = tmp_path / "segments.csv"
    with segments.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["user_id", "segment"])
        out.writerows(small_market().segments().items())
    code, out, err = _run(
        capsys, "evaluate", "--interactions", str(_interactions(tmp_path)),
        "--segments", str(segments), "--quick",
    )  # fmt: skip
    assert code == 0, err
    rows = {r["model"]: r for r in json.loads(out)["rows"]}
    assert list(rows) == ["als", "popularity", "item-item cosine", "bpr", "segment popularity"]
    assert rows["als"]["params"]["segment_blend"] in (0.0, 1.0)  # the quick grid's candidates
    # on the planted market a buyer's segment is most of the story
    assert rows["segment popularity"]["ndcg"] > 2 * rows["popularity"]["ndcg"]


def test_the_ratios_interval_is_the_spread_of_resampled_buyers():
    """Equal per-buyer scores leave no spread; a ratio carried by a few buyers has a wide one;
    the same inputs give the same interval."""
    import numpy as np

    from recommender.evaluate import ratio_interval

    flat = np.full(50, 0.4)
    assert ratio_interval(flat * 2, flat) == pytest.approx((2.0, 2.0, 2.0))
    lumpy = np.r_[np.zeros(45), np.ones(5)]
    ratio, low, high = ratio_interval(lumpy, np.full(50, 0.05))
    assert ratio == pytest.approx(2.0) and low < 1.2 and high > 3.0
    assert ratio_interval(lumpy, np.full(50, 0.05)) == (ratio, low, high)
