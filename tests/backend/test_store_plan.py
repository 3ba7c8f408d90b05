"""The push path's reads are index lookups, never scans: a scan makes every push slower as
the server's tables grow."""

from __future__ import annotations

from sqlalchemy import select

from backend.db import make_engine, migrate
from backend.store import _keys_clause, _records
from tests.backend.factories import new_id


def test_reading_a_batchs_records_searches_the_primary_key_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    keys = [("application", new_id()), ("payment", new_id()), ("application", new_id())]
    query = select(_records).where(_keys_clause(keys))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert not [step for step in plan if step.startswith("SCAN records")], plan
    assert any(step.startswith("SEARCH records USING") for step in plan), plan
