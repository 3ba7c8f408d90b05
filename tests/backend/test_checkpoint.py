"""SQLite's write-ahead log is copied into the database file off the request path."""

from __future__ import annotations

import pytest

from backend import store
from backend.db import checkpoint, make_engine, migrate
from tests.backend.factories import application, make_actor, make_op


@pytest.mark.parametrize(
    ("background", "pages"),
    [pytest.param(False, 1_000, id="default"), pytest.param(True, 10_000, id="server")],
)
def test_the_automatic_checkpoint_is_a_backstop_only_when_checkpoints_run_apart(
    tmp_path, background, pages
):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}", background_checkpoints=background)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == pages


def test_a_checkpoint_moves_pushed_records_into_the_database_file(tmp_path):
    path = tmp_path / "s.db"
    engine = make_engine(f"sqlite:///{path}", background_checkpoints=True)
    migrate(engine)
    checkpoint(engine)
    before = path.stat().st_size
    ops = [make_op("application", payload=application()) for _ in range(100)]
    assert {r.status for r in store.push(engine, make_actor(), "phone", ops, 1)} == {"applied"}
    assert path.stat().st_size == before  # the push is in the log only
    checkpoint(engine)
    assert path.stat().st_size > before
