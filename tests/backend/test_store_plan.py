"""The push path's reads are index lookups, never scans: a scan makes every push slower as
the server's tables grow."""

from __future__ import annotations

import pytest

from backend.db import make_engine, migrate
from backend.store import _idempotency_query, _records_query
from tests.backend.factories import new_id


def _plan(tmp_path, sql: str, params: tuple) -> list[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    with engine.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]


@pytest.mark.parametrize(
    ("table", "query"),
    [
        pytest.param(
            "records",
            _records_query(
                "?", [("application", new_id()), ("payment", new_id()), ("application", new_id())]
            ),
            id="records-by-entity-and-id",
        ),
        pytest.param(
            "idempotency", _idempotency_query("?", [new_id(), new_id()]), id="idempotency-by-op"
        ),
    ],
)
def test_a_push_reads_by_primary_key_on_sqlite(tmp_path, table, query):
    plan = _plan(tmp_path, *query)
    assert not [step for step in plan if step.startswith(f"SCAN {table}")], plan
    assert any(step.startswith(f"SEARCH {table} USING") for step in plan), plan
