"""The push and pull paths' reads are index lookups, never scans: a scan makes every push and
pull slower as the server's tables grow."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.dialects import sqlite

from backend.db import make_engine, migrate
from backend.models import Record
from backend.rules import Actor
from backend.store import _idempotency_query, _pull_query, _records_query
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


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(Actor(new_id(), "admin"), id="admin"),
        pytest.param(Actor(new_id(), "buyer"), id="buyer"),
        pytest.param(Actor(new_id(), "dealer_staff", new_id()), id="dealer-staff"),
    ],
)
def test_a_pull_reads_the_records_after_the_cursor_by_index_on_sqlite(tmp_path, actor):
    query = _pull_query(actor, 5, 1000).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    plan = _plan(tmp_path, str(query), ())
    assert not [step for step in plan if step.startswith("SCAN records")], plan
    assert all("seq>?" in step for step in plan if step.startswith("SEARCH records")), plan


def test_a_server_from_before_gets_the_pulls_indexes_when_it_migrates(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    names = {i.name for i in Record.__table__.indexes if "seq" in i.name}
    with engine.begin() as conn:  # as a server on schema version 1 had it
        for name in names:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("CREATE INDEX ix_changes_owner_seq ON changes (owner_id, seq)")
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version > 1")
    migrate(engine)
    assert names <= {i["name"] for i in inspect(engine).get_indexes("records")}
    assert not inspect(engine).get_indexes("changes")  # the history's pull indexes went
