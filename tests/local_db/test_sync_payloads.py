"""What the repositories enqueue is what the server's rules accept: every operation of a
buyer's journey, decided by ``backend.rules`` as a push from that buyer would be (with the
lender's payout, which the dealership's staff confirm, between the signing and the first
repayment)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session

from backend.rules import Actor, State, decide
from domain.ids import new_id
from local_db import outbox
from sync.local_store import wire_op
from tests.backend.factories import payout_op
from tests.factories import make_user
from tests.local_db.sync_world import (
    CIPHER,
    SHA,
    catalogue_records,
    install_catalogue,
    make_catalogue,
    pulled_payout,
    write_deal,
)


@pytest.fixture
def sent(engine):
    """(user, catalogue, deal, its outbox ops in order, as sent) of a buyer's whole journey,
    its payout pulled (no server here)."""
    user = make_user()
    cat = make_catalogue()
    with Session(engine) as session:
        install_catalogue(session, cat, user)
        deal = write_deal(session, cat, user, payout=pulled_payout)
        session.commit()
        ops = outbox.peek(session, 100)
    # as sent: the profile's figures wait sealed in the outbox (local_db.outbox.seal_values)
    opened = [
        replace(op, payload=outbox.open_values(op.payload, CIPHER, entity=op.entity,
                                               entity_id=op.entity_id))
        for op in ops
    ]  # fmt: skip
    return user, cat, deal, opened


@pytest.fixture
def journey(sent):
    """:func:`sent` with the last op of each entity."""
    user, cat, deal, opened = sent
    return user, cat, deal, {op.entity: op for op in opened}


def test_every_step_of_a_journey_is_accepted_by_the_servers_rules(sent):
    """Decided in order, each on the records as the earlier ones left them (as a store
    does), the dealership's staff confirming the payout before the first repayment."""
    user, cat, deal, ops = sent
    buyer, staff = Actor(user.id, "buyer"), Actor(new_id(), "dealer_staff", cat.dealer_id)
    steps = [(buyer, wire_op(op)) for op in ops]
    first_payment = next(k for k, (_, op) in enumerate(steps) if op.entity == "payment")
    steps.insert(first_payment, (staff, payout_op(deal.application_id)))
    # the server's catalogue, which lists the car
    records = {(e, i): State(None, None, data) for e, i, data in catalogue_records(cat)}
    outcomes = []
    for actor, op in steps:
        application = records.get(("application", op.payload.get("application_id")))
        key = (op.entity, op.entity_id)
        outcome = decide(actor, op, "phone", records.get(key), None, application, (), records)
        records[key] = outcome.state or records.get(key)
        outcomes.append((op.entity, op.payload.get("status"), outcome.status, outcome.reason))
    assert [o for o in outcomes if o[2:] != ("applied", None)] == []
    assert [status for entity, status, *_ in outcomes if entity == "application"] == [
        "prequalified", "submitted", "approved", "contracted", "funded"
    ]  # fmt: skip
    assert {op.entity for op in ops} == {
        "buyer_profile", "consent", "interaction", "application", "offer", "contract", "payment"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        pytest.param("interaction", {"kind": "offer_open"}, id="interaction-kind"),
        pytest.param("application", {"amount_cents": 12_586_000}, id="application-amount"),
        pytest.param("contract", {"content_sha256": SHA, "version": 1}, id="contract-hash"),
        pytest.param("payment", {"amount_cents": 375_595, "paid_ms": 1_796_083_200_000},
                     id="payment-date-as-ms"),
    ],
)  # fmt: skip
def test_payloads_carry_the_fields_under_the_servers_names(journey, entity, expected):
    _, _, _, ops = journey
    assert {k: ops[entity].payload.get(k) for k in expected} == expected


def test_links_are_filled_from_the_local_rows(journey):
    _, cat, deal, ops = journey
    assert ops["payment"].payload["application_id"] == deal.application_id
    assert ops["application"].payload["dealer_id"] == cat.dealer_id  # the car's dealer
    assert ops["offer"].payload["application_id"] == deal.application_id


def test_no_secret_or_pdf_leaves_the_device(journey):
    _, _, _, ops = journey
    assert not [k for k in ops["buyer_profile"].payload if k.endswith("_enc")]
    assert "pdf" not in ops["contract"].payload


def test_a_second_contract_version_names_the_one_it_supersedes(engine, journey):
    from dataclasses import replace

    from domain.ids import new_id
    from local_db.repositories import deals

    _, _, deal, _ = journey
    with Session(engine) as session:
        first = deals.latest_contract(session, application_id=deal.application_id)
        second = replace(first, id=new_id(), version=2, pdf_sha256="cd" * 32)
        deals.save_contract(session, contract=second)
        session.commit()
        [op] = [o for o in outbox.peek(session, 100) if o.entity_id == second.id]
    assert op.payload["supersedes"] == deal.contract_id
