import pytest

from domain.errors import InputError
from recommender.demo import train_demo_model
from recommender.events import EVENTS
from recommender.score import Recommender
from tests.recommender.factories import small_market


def _rows():
    inter = small_market().interactions
    return [
        (inter.user_ids[u], inter.item_ids[i], EVENTS[e], int(t))
        for u, i, e, t in zip(inter.user, inter.item, inter.event, inter.ts, strict=True)
    ]


def test_demo_model_is_written_with_segment_popularity_for_cold_start(tmp_path):
    path = tmp_path / "demo.npz"
    train_demo_model(_rows(), small_market().segments(), path)
    rec = Recommender.load(path)
    assert rec.model.segment_names == ("segment-0", "segment-1", "segment-2", "segment-3")
    ranked = rec.rank("someone-new", eligible=list(rec.item_ids), k=3, segment="segment-1")
    assert [r.source for r in ranked] == ["popular"] * 3
    assert ranked[0].why.params["segment"] == "segment-1"


def test_demo_training_rejects_an_unknown_event(tmp_path):
    with pytest.raises(InputError) as err:
        train_demo_model([("u", "p", "like", 1)], {}, tmp_path / "x.npz")
    assert err.value.rule == "unknown_event"
