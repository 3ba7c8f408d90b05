"""Dealership ids stored in capitals before the rule that they are lower case: the migration
rewrites them, so staff see their dealership's records again. Run against SQLite and
PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text, update

from backend import db, store
from backend.models import Record, User
from tests.backend.factories import (
    DEALER_X,
    application,
    listed_cars,
    make_actor,
    make_app,
    make_op,
    make_user,
    new_id,
)

CAR = "0b7c4a53-6b7e-4c39-9a51-0c1f1e2d3a4b"


def stored_in_capitals(engine) -> str:
    """A buyer's application and its car, both naming ``DEALER_X`` in capitals, as a server
    from before the rule could have stored them; returns the application's id."""
    listed_cars(engine, {CAR: DEALER_X})
    buyer, app_id = make_actor(), new_id()
    [result] = store.push(
        engine, buyer, "phone", [make_op("application", app_id, application(vehicle_id=CAR))], 1
    )
    assert result.status == "applied"
    records = Record.__table__
    upper = DEALER_X.upper()
    with engine.begin() as conn:
        conn.execute(
            update(records)
            .where(records.c.entity_id == app_id)
            .values(dealer_id=upper, data=json.dumps(application(upper, vehicle_id=CAR)))
        )
        conn.execute(
            update(records)
            .where(records.c.entity_id == CAR)
            .values(data=json.dumps({"dealer_id": upper}))
        )
    return app_id


def pulled(engine, actor, since: int) -> dict[str, dict]:
    return {c.entity_id: c.data for c in store.pull(engine, actor, since, 1000).changes}


def test_the_migration_gives_staff_back_the_records_stored_with_their_dealer_in_capitals(engine):
    app_id = stored_in_capitals(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    before = store.pull(engine, staff, 0, 1000)
    assert app_id not in {c.entity_id for c in before.changes}  # hidden from them
    with engine.begin() as conn:
        db._lower_case_dealer_ids(conn)
    # pulled again from where they had got to: the rewrite is a change, not a silent edit
    after = pulled(engine, staff, before.cursor)
    assert after[app_id]["dealer_id"] == DEALER_X
    assert pulled(engine, make_actor(), before.cursor)[CAR]["dealer_id"] == DEALER_X


def test_the_migration_gives_a_staff_account_stored_in_capitals_its_dealerships_records(
    engine, tmp_path
):
    api = make_app(engine, tmp_path)
    client, row = make_user(api, "dealer_staff", DEALER_X)
    users, records = User.__table__, Record.__table__
    with engine.begin() as conn:  # as an account created before the rule
        conn.execute(
            update(users).where(users.c.id == row["id"]).values(dealer_id=DEALER_X.upper())
        )
    listed_cars(engine, {CAR: DEALER_X})
    app_id = new_id()
    ops = [make_op("application", app_id, application(vehicle_id=CAR))]
    assert store.push(engine, make_actor(), "phone", ops, 1)[0].status == "applied"

    def seen() -> set[str]:
        response = client.get("/sync/pull", params={"since": 0})
        assert response.status_code == 200, response.text
        return {c["entity_id"] for c in response.json()["changes"]}

    assert app_id not in seen()
    with engine.connect() as conn:
        seq_before = conn.execute(select(func.max(records.c.seq))).scalar()
    with engine.begin() as conn:
        db._lower_case_dealer_ids(conn)
    assert app_id in seen()
    with engine.connect() as conn:  # the records were in lower case already: none rewritten
        assert conn.execute(select(func.max(records.c.seq))).scalar() == seq_before


def test_a_database_from_before_the_rule_is_brought_up_to_it_on_start(engine):
    app_id = stored_in_capitals(engine)
    step = db.MIGRATIONS.index(db._lower_case_dealer_ids) + 1
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM schema_version WHERE version >= :n"), {"n": step})
    db.migrate(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    assert pulled(engine, staff, 0)[app_id]["dealer_id"] == DEALER_X
