from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from local_db import outbox
from local_db.repositories import deals, people
from tests.factories import make_application, make_dealer, make_user, make_vehicle


def test_operations_come_back_in_enqueue_order(session):
    for n in range(5):
        outbox.enqueue(session, entity="note", entity_id=f"n{n}", op="upsert", payload={"n": n})
    assert [op.entity_id for op in outbox.peek(session, limit=3)] == ["n0", "n1", "n2"]


def test_a_batch_takes_consecutive_places_after_single_operations(session):
    single = outbox.enqueue(session, entity="note", entity_id="a", op="upsert", payload={})
    batch = outbox.enqueue_many(
        session, entity="offer", op="upsert", items=[(f"o{n}", {"n": n}) for n in range(3)]
    )
    after = outbox.enqueue(session, entity="note", entity_id="b", op="upsert", payload={})
    assert [op.seq for op in batch] == [single.seq + 1, single.seq + 2, single.seq + 3]
    assert after.seq == single.seq + 4
    assert [op.entity_id for op in outbox.peek(session)] == ["a", "o0", "o1", "o2", "b"]
    assert outbox.peek(session)[2].payload == {"n": 1}


def test_ack_removes_only_acknowledged_operations_and_is_repeatable(session):
    ops = [
        outbox.enqueue(session, entity="note", entity_id=f"n{n}", op="append", payload={})
        for n in range(3)
    ]
    assert outbox.ack(session, [ops[0].op_id, ops[2].op_id]) == 2
    assert outbox.ack(session, [ops[0].op_id]) == 0
    assert [op.op_id for op in outbox.peek(session)] == [ops[1].op_id]


def test_sequence_never_goes_back_after_the_outbox_drains(session):
    first = outbox.enqueue(session, entity="e", entity_id="1", op="upsert", payload={})
    outbox.ack(session, [first.op_id])
    second = outbox.enqueue(session, entity="e", entity_id="2", op="upsert", payload={})
    assert second.seq > first.seq


def test_a_rolled_back_action_leaves_no_outbox_row(engine):
    from sqlmodel import Session

    with Session(engine) as session:
        user = make_user()
        people.save_user(session, user=user)
        session.commit()
    with Session(engine) as session:
        outbox.enqueue(session, entity="note", entity_id="n", op="upsert", payload={})
        with pytest.raises(IntegrityError):  # the vehicle does not exist
            deals.save_application(session, application=make_application(user_id=user.id))
        session.rollback()  # the action fails as a whole
    with Session(engine) as session:
        assert outbox.pending_count(session) == 0


def test_saving_an_application_queues_it_in_the_same_transaction(engine):
    from sqlmodel import Session

    from local_db.repositories import catalog

    with Session(engine) as session:
        dealer = make_dealer()
        catalog.save_dealers(session, dealers=[dealer])
        vehicle = make_vehicle(dealer_id=dealer.id)
        catalog.save_vehicles(session, vehicles=[vehicle])
        user = make_user()
        people.save_user(session, user=user)
        application = make_application(user_id=user.id, vehicle_id=vehicle.id)
        deals.save_application(session, application=application)
        session.commit()
    with Session(engine) as session:
        [op] = outbox.peek(session)
    assert (op.entity, op.entity_id, op.op) == ("application", application.id, "upsert")
    assert op.payload["cash_price_cents"] == 17980000
