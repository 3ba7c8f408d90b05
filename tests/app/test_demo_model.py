"""The demo model is trained from the database's own interactions and scores offline."""

from __future__ import annotations

from sqlmodel import Session

from app.demo_model import model_path, train_from_database
from app.settings import Settings
from local_db.crypto import FieldCipher
from local_db.demo import seed_database
from local_db.engine import make_engine
from local_db.repositories import catalog
from recommender import Recommender


def test_seeded_interactions_train_a_model_the_offers_screen_can_load(tmp_path):
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.local_db_path)
    seed_database(engine, seed=7, data_dir=tmp_path, cipher=FieldCipher(bytes(32)), n_buyers=120)
    with Session(engine) as session:
        assert train_from_database(session, model_path(settings))
        products = [p.id for p in catalog.list_products(session)]
    engine.dispose()
    ranked = Recommender.load(model_path(settings)).rank("someone-new", eligible=products[:5], k=3)
    assert len(ranked) == 3 and {r.item_id for r in ranked} <= set(products[:5])


def test_an_empty_database_trains_nothing(tmp_path):
    engine = make_engine(tmp_path / "empty.db")
    from local_db.migrations import migrate

    migrate(engine)
    with Session(engine) as session:
        assert not train_from_database(session, tmp_path / "m.npz")
    engine.dispose()
    assert not (tmp_path / "m.npz").exists()
