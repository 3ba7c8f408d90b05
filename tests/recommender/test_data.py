import numpy as np
import pytest

from domain.errors import InputError
from recommender.data import read_interactions_csv, time_split, weight_matrix
from recommender.synthetic import planted_market


def _csv(tmp_path, body):
    path = tmp_path / "interactions.csv"
    path.write_text("user_id,item_id,event,ts\n" + body, encoding="utf-8")
    return path


def test_reads_iso_and_epoch_millisecond_timestamps(tmp_path):
    inter = read_interactions_csv(
        _csv(tmp_path, "u1,p1,view,2026-03-01T10:00:00+08:00\nu1,p2,fund,1772330400000\n")
    )
    assert inter.ts.tolist() == [1772330400000, 1772330400000]
    assert inter.user_ids.tolist() == ["u1"]
    assert inter.item_ids.tolist() == ["p1", "p2"]


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        pytest.param(
            "u1,p1,view,1\nu1,p1,like,2\n",
            "interactions[3].event",
            "unknown_event",
            id="unknown-event",
        ),
        pytest.param(
            "u1,p1,view,1\nu1,p1,view\n", "interactions[3]", "malformed_row", id="missing-field"
        ),
        pytest.param("u1,p1,view,1,extra\n", "interactions[2]", "malformed_row", id="extra-field"),
        pytest.param(",p1,view,1\n", "interactions[2]", "malformed_row", id="empty-user"),
        pytest.param(
            "u1,p1,view,yesterday\n", "interactions[2].ts", "not_a_timestamp", id="bad-ts"
        ),
    ],
)
def test_bad_rows_raise_input_error_naming_the_line(tmp_path, body, field, rule):
    with pytest.raises(InputError) as err:
        read_interactions_csv(_csv(tmp_path, body))
    assert (err.value.field, err.value.rule) == (field, rule)
    assert f"line {field.split('[')[1].split(']')[0]}" in str(err.value)


def test_missing_header_is_rejected(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("u1,p1,view,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        read_interactions_csv(path)


def test_repeated_events_add_up_in_the_weight_matrix(tmp_path):
    inter = read_interactions_csv(_csv(tmp_path, "u1,p1,view,1\nu1,p1,apply,2\nu2,p1,save,3\n"))
    assert weight_matrix(inter).toarray().tolist() == [[9.0], [2.0]]


def test_time_split_puts_every_later_event_after_every_earlier_one():
    inter = planted_market().interactions
    before, after = time_split(inter, 0.2)
    assert before.ts.max() < after.ts.min()
    assert len(after) / len(inter) == pytest.approx(0.2, abs=0.01)


def test_planted_market_is_deterministic():
    a, b = planted_market(seed=7), planted_market(seed=7)
    for name in ("user", "item", "event", "ts"):
        assert np.array_equal(getattr(a.interactions, name), getattr(b.interactions, name))
    assert len(a.interactions) == 40_000
