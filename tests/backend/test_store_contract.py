"""The sync store's contract, run against SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import itertools
import threading

import pytest

from backend import store
from backend.rules import Actor
from sync.wire import CATALOGUE_ENTITIES
from tests.backend.factories import (
    DEALER_X,
    DEALER_Y,
    application,
    funded_application,
    make_actor,
    make_op,
    new_id,
    paid_out_journey,
    payment,
)

NOW = 1_800_000_000_000
ADMIN = Actor("00000000-0000-4000-8000-00000000ad01", "admin")


def push(engine, actor, *ops, device="dev-1"):
    return store.push(engine, actor, device, list(ops), NOW)


def pull_all(engine, actor, since=0, limit=1000):
    return store.pull(engine, actor, since, limit).changes


def applied_application(engine, actor, **extra) -> str:
    """The id of a new application ``actor`` pushed (an offer or contract names one; a payment
    names a funded one: ``funded_application``)."""
    app_id = new_id()
    [result] = push(engine, actor, make_op("application", app_id, application(**extra)))
    assert result.status == "applied", result
    return app_id


def test_pushed_changes_are_pulled_in_sequence_order(engine):
    buyer = make_actor()
    ops = [make_op("interaction", payload=_interaction(i)) for i in range(5)]
    results = push(engine, buyer, *ops)
    assert [r.status for r in results] == ["applied"] * 5
    seqs = [r.seq for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    changes = pull_all(engine, buyer)
    assert [c.entity_id for c in changes] == [op.entity_id for op in ops]
    assert [c.seq for c in changes] == seqs


def test_retry_of_the_same_op_gets_the_same_result_and_changes_nothing(engine):
    buyer = make_actor()
    op = make_op("application", payload=application())
    [first] = push(engine, buyer, op)
    [again] = push(engine, buyer, op)
    assert again.replayed and not first.replayed
    assert again.model_dump(exclude={"replayed"}) == first.model_dump(exclude={"replayed"})
    assert len(pull_all(engine, buyer)) == 1


def test_same_op_id_with_a_different_body_is_rejected_and_the_original_stands(engine):
    buyer = make_actor()
    op = make_op("application", payload=application())
    push(engine, buyer, op)
    altered = op.model_copy(update={"payload": application(amount_cents=1)})
    [result] = push(engine, buyer, altered)
    assert (result.status, result.reason) == ("rejected", "op_id_reused")
    [change] = pull_all(engine, buyer)
    assert change.data["amount_cents"] == 15_000_000


def test_same_op_id_twice_in_one_batch_is_applied_once(engine):
    buyer = make_actor()
    op = make_op("interaction", payload=_interaction(1))
    first, second = push(engine, buyer, op, op)
    assert first.status == "applied" and second.replayed and second.seq == first.seq
    assert len(pull_all(engine, buyer)) == 1


def test_another_users_op_id_is_not_replayed_to_them(engine):
    alice, bob = make_actor(), make_actor()
    op = make_op("interaction", payload=_interaction(1))
    push(engine, alice, op)
    [result] = push(engine, bob, op)
    assert (result.status, result.reason) == ("rejected", "op_id_reused")
    assert pull_all(engine, bob) == []


def test_a_failed_transaction_stores_neither_the_effect_nor_the_op_id(engine, monkeypatch):
    buyer = make_actor()
    op = make_op("application", payload=application())

    def crash(*args, **kwargs):
        raise RuntimeError("crash between the change log and the records")

    with monkeypatch.context() as patch:
        patch.setattr(store, "_record_rows", crash)
        with pytest.raises(RuntimeError):
            push(engine, buyer, op)
    assert pull_all(engine, buyer) == []
    [result] = push(engine, buyer, op)
    assert result.status == "applied" and not result.replayed
    assert len(pull_all(engine, buyer)) == 1


def test_pull_pages_with_a_cursor_until_nothing_is_left(engine):
    buyer = make_actor()
    push(engine, buyer, *[make_op("interaction", payload=_interaction(i)) for i in range(7)])
    seen, cursor, pages = [], 0, 0
    while True:
        page = store.pull(engine, buyer, cursor, 3)
        seen += page.changes
        cursor, pages = page.cursor, pages + 1
        if not page.has_more:
            break
    assert len(seen) == 7 and pages == 3
    assert store.pull(engine, buyer, cursor, 3).changes == []


def test_a_device_that_joins_late_pulls_each_row_once_at_its_latest_version(engine):
    buyer = make_actor()
    app_id, note_id = new_id(), new_id()
    push(engine, buyer, make_op("application", app_id, application()))
    push(engine, buyer, make_op("note", note_id, {"text": "call the dealer"}))
    for status in ("prequalified", "submitted"):
        [last] = push(engine, buyer, make_op("application", app_id, {"status": status}))
    changes = pull_all(engine, buyer)
    assert [c.entity_id for c in changes] == [note_id, app_id]  # by their last change
    assert (changes[1].seq, changes[1].data["status"]) == (last.seq, "submitted")


def test_a_row_changed_while_a_device_pages_through_is_met_again_at_its_newer_version(engine):
    buyer = make_actor()
    ids = [new_id() for _ in range(3)]
    for i in ids:
        push(engine, buyer, make_op("application", i, application()))
    first = store.pull(engine, buyer, 0, 2)
    assert [c.entity_id for c in first.changes] == ids[:2] and first.has_more
    push(engine, buyer, make_op("application", ids[0], {"status": "prequalified"}))
    rest = pull_all(engine, buyer, since=first.cursor)
    assert [(c.entity_id, c.data["status"]) for c in rest] == [
        (ids[2], "draft"),
        (ids[0], "prequalified"),
    ]


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        pytest.param("owner", {"application", "payment"}, id="buyer-sees-own-rows"),
        pytest.param("other_buyer", set(), id="other-buyer-sees-only-catalogue"),
        pytest.param("dealer_x", {"application"}, id="dealer-sees-its-applications"),
        pytest.param("dealer_y", set(), id="other-dealer-sees-only-catalogue"),
        pytest.param("admin", {"application", "payment"}, id="admin-sees-all"),
    ],
)
def test_each_reader_pulls_only_their_rows(engine, reader, sees):
    owner = make_actor()
    actors = {
        "owner": owner,
        "other_buyer": make_actor(),
        "dealer_x": make_actor("dealer_staff", DEALER_X),
        "dealer_y": make_actor("dealer_staff", DEALER_Y),
        "admin": ADMIN,
    }
    push(engine, ADMIN, *[make_op(e, payload={"name_en": "BYD Seal"}) for e in CATALOGUE_ENTITIES])
    app_id = funded_application(engine, owner)  # paid out by another of dealer X's staff
    [paid] = push(engine, owner, make_op("payment", payload=payment(app_id)))
    assert paid.status == "applied"
    assert {c.entity for c in pull_all(engine, actors[reader])} == sees | set(CATALOGUE_ENTITIES)


def test_a_payment_made_at_the_desk_is_the_dealerships_and_no_one_elses(engine):
    """Staff record a walk-in's payment for their own dealership: its other staff see it, the
    staff of another dealership do not, and a payment the buyer recorded stays theirs."""
    desk, colleague = make_actor("dealer_staff", DEALER_X), make_actor("dealer_staff", DEALER_X)
    elsewhere, buyer = make_actor("dealer_staff", DEALER_Y), make_actor()
    at_desk, by_buyer = new_id(), new_id()
    app_id = funded_application(engine, desk)  # a walk-in's loan, paid out
    [paid] = push(engine, desk, make_op("payment", at_desk, payment(app_id)))
    own_app = funded_application(engine, buyer)
    [own] = push(engine, buyer, make_op("payment", by_buyer, payment(own_app)))
    assert (paid.status, own.status) == ("applied", "applied")

    def payments(actor) -> set[str]:
        return {c.entity_id for c in pull_all(engine, actor) if c.entity == "payment"}

    assert payments(colleague) == {at_desk} and payments(elsewhere) == set()
    assert payments(buyer) == {by_buyer}


def test_deletes_travel_as_tombstones(engine):
    buyer = make_actor()
    note_id = new_id()
    push(engine, buyer, make_op("note", note_id, {"text": "call the dealer"}))
    push(engine, buyer, make_op("note", note_id, op="delete", created_ms=2_000))
    last = pull_all(engine, buyer)[-1]
    assert (last.entity_id, last.deleted, last.data) == (note_id, True, None)


@pytest.mark.parametrize("entity", CATALOGUE_ENTITIES)
def test_only_admins_write_the_catalogue_server_wins(engine, entity):
    item = new_id()
    push(engine, ADMIN, make_op(entity, item, {"name_en": "BYD Dolphin", "price_cents": 1}))
    for writer in (make_actor(), make_actor("dealer_staff", DEALER_X)):
        [result] = push(engine, writer, make_op(entity, item, {"name_en": "hacked"}))
        assert (result.status, result.reason) == ("rejected", "server_owned")
        [change] = pull_all(engine, writer)
        assert (change.entity, change.data["name_en"]) == (entity, "BYD Dolphin")


def _catalogue(n: int = 3) -> list:
    return [
        make_op(e, payload={"name_en": f"{e} {i}"}) for e in CATALOGUE_ENTITIES for i in range(n)
    ]


def test_a_catalogue_is_published_once_in_its_order(engine):
    ops = _catalogue()
    results = store.publish_once(
        engine, ADMIN, "server", ops, NOW, unless_any_of=CATALOGUE_ENTITIES
    )
    assert [r.status for r in results] == ["applied"] * len(ops)
    changes = pull_all(engine, make_actor())
    assert [(c.entity, c.entity_id) for c in changes] == [(o.entity, o.entity_id) for o in ops]
    again = store.publish_once(
        engine, ADMIN, "server", _catalogue(), NOW + 1, unless_any_of=CATALOGUE_ENTITIES
    )
    assert again is None and pull_all(engine, make_actor()) == changes  # same rows, same seqs


def test_a_tombstone_counts_as_a_published_catalogue(engine):
    dealer = new_id()
    push(engine, ADMIN, make_op("dealer", dealer, {"name_en": "gone"}))
    push(engine, ADMIN, make_op("dealer", dealer, op="delete", created_ms=2_000))
    ops = _catalogue(1)
    assert (
        store.publish_once(engine, ADMIN, "s", ops, NOW, unless_any_of=CATALOGUE_ENTITIES) is None
    )
    assert [c.deleted for c in pull_all(engine, ADMIN)] == [True]


def test_a_catalogue_the_rules_refuse_in_part_is_not_published_at_all(engine):
    ops = [*_catalogue(1), make_op("vehicle", payload={"blob": "x" * 70_000})]  # over 64 KiB
    with pytest.raises(ValueError, match="payload_too_large"):
        store.publish_once(engine, ADMIN, "server", ops, NOW, unless_any_of=CATALOGUE_ENTITIES)
    assert pull_all(engine, ADMIN) == []
    [retry] = push(engine, ADMIN, ops[0])  # its op id was not stored either
    assert (retry.status, retry.replayed) == ("applied", False)


def test_two_servers_starting_at_once_publish_the_catalogue_once(engine):
    barrier = threading.Barrier(3)
    answers = []

    def start():
        ops = _catalogue(20)
        barrier.wait()
        answers.append(
            store.publish_once(engine, ADMIN, "server", ops, NOW, unless_any_of=CATALOGUE_ENTITIES)
        )

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a is None for a in answers) == [False, True, True]
    assert len(pull_all(engine, ADMIN)) == 20 * len(CATALOGUE_ENTITIES)


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=str)
def test_profile_fields_converge_whatever_the_order(engine, order):
    buyer = make_actor()
    profile = new_id()
    edits = [
        ("phone-a", make_op("profile", profile, {"name": "王伟", "city": "上海"}, created_ms=10)),
        ("phone-b", make_op("profile", profile, {"city": "北京"}, created_ms=20)),
        # same millisecond as phone-b: the device id breaks the tie, "tablet" > "phone-b"
        ("tablet", make_op("profile", profile, {"city": "深圳", "income_cents": 2_000_000},
                           created_ms=20)),
    ]  # fmt: skip
    for index in order:
        device, op = edits[index]
        push(engine, buyer, op, device=device)
    record = store.get_record(engine, buyer, "profile", profile)
    import json

    assert json.loads(record.data) == {"name": "王伟", "city": "深圳", "income_cents": 2_000_000}


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        pytest.param(["prequalified", "submitted", "approved", "contracted"], None,
                     id="happy-path"),
        pytest.param(["contracted"], "illegal_transition", id="draft-cannot-jump-to-contracted"),
        pytest.param(["withdrawn", "prequalified"], "illegal_transition", id="withdrawn-is-final"),
        pytest.param(["prequalified", "declined", "submitted"], "illegal_transition",
                     id="declined-is-final"),
    ],
)  # fmt: skip
def test_application_status_follows_the_state_machine(engine, path, reason):
    buyer = make_actor()
    app_id = new_id()
    push(engine, buyer, make_op("application", app_id, application()))
    results = [push(engine, buyer, make_op("application", app_id, {"status": s}))[0] for s in path]
    if reason is None:
        assert all(r.status == "applied" for r in results)
    else:
        assert results[-1].reason == reason
        assert "cannot go from" in results[-1].message


def signed_application(engine, buyer) -> str:
    """A new application of ``buyer``'s stepped to contracted (signed, not paid out)."""
    app_id = new_id()
    push(engine, buyer, make_op("application", app_id, application()))
    for status in ("prequalified", "submitted", "approved", "contracted"):
        push(engine, buyer, make_op("application", app_id, {"status": status}))
    return app_id


def test_only_the_dealerships_staff_confirm_the_lenders_payout(engine):
    buyer = make_actor()
    staff = make_actor("dealer_staff", DEALER_X)
    app_id = signed_application(engine, buyer)
    [by_buyer] = push(engine, buyer, make_op("application", app_id, {"status": "funded"}))
    assert (by_buyer.status, by_buyer.reason) == ("rejected", "forbidden")
    [by_staff] = push(engine, staff, make_op("application", app_id, {"status": "funded"}))
    assert by_staff.status == "applied"


def test_only_the_dealerships_staff_cancel_a_signed_contract_before_its_payout(engine):
    buyer = make_actor()
    staff = make_actor("dealer_staff", DEALER_X)
    app_id = signed_application(engine, buyer)
    [by_buyer] = push(engine, buyer, make_op("application", app_id, {"status": "withdrawn"}))
    assert (by_buyer.status, by_buyer.reason) == ("rejected", "forbidden")
    [by_staff] = push(engine, staff, make_op("application", app_id, {"status": "withdrawn"}))
    assert by_staff.status == "applied"
    [paid_out] = push(engine, staff, make_op("application", app_id, {"status": "funded"}))
    assert paid_out.reason == "illegal_transition"  # cancelled is final


def test_a_paid_out_loan_cannot_be_cancelled(engine):
    staff = make_actor("dealer_staff", DEALER_X)
    app_id = funded_application(engine, make_actor())
    [cancel] = push(engine, staff, make_op("application", app_id, {"status": "withdrawn"}))
    assert (cancel.status, cancel.reason) == ("rejected", "illegal_transition")


def _flagged_and_submitted(engine, buyer, review='["fraud.velocity_person"]') -> str:
    app_id = new_id()
    push(engine, buyer, make_op("application", app_id, application(review=review)))
    for status in ("prequalified", "submitted"):
        push(engine, buyer, make_op("application", app_id, {"status": status}))
    return app_id


@pytest.mark.parametrize(
    "review", ['["fraud.velocity_person"]', ["fraud.velocity_person"]], ids=["json-text", "list"]
)
def test_an_application_flagged_for_review_is_approved_only_by_a_reviewer(engine, review):
    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = _flagged_and_submitted(engine, buyer, review)
    approve = {"status": "approved"}
    [by_buyer] = push(engine, buyer, make_op("application", app_id, approve))
    [by_staff] = push(engine, staff, make_op("application", app_id, approve))
    assert (by_buyer.reason, by_staff.reason) == ("forbidden", "forbidden")
    assert "manual review" in by_buyer.message
    [by_admin] = push(engine, ADMIN, make_op("application", app_id, approve))
    assert by_admin.status == "applied"
    [signed] = push(engine, buyer, make_op("application", app_id, {"status": "contracted"}))
    assert signed.status == "applied"


def test_an_unflagged_application_is_approved_by_its_buyers_app(engine):
    buyer = make_actor()
    app_id = _flagged_and_submitted(engine, buyer, review="[]")
    [approved] = push(engine, buyer, make_op("application", app_id, {"status": "approved"}))
    assert approved.status == "applied"


def test_a_buyer_cannot_clear_the_review_flags_to_approve(engine):
    buyer = make_actor()
    app_id = _flagged_and_submitted(engine, buyer)
    cleared = {"status": "approved", "review": "[]"}
    [result] = push(engine, buyer, make_op("application", app_id, cleared))
    assert (result.status, result.reason) == ("rejected", "immutable_field")
    same = {"status": "withdrawn", "review": '["fraud.velocity_person"]'}
    [unchanged] = push(engine, buyer, make_op("application", app_id, same))
    assert unchanged.status == "applied"  # the app sends its row whole: the same flags pass


def test_a_walk_ins_draft_takes_its_flags_from_the_check_that_completes_it(engine):
    staff = make_actor("dealer_staff", DEALER_X)
    app_id = new_id()
    push(engine, staff, make_op("application", app_id, application(buyer_id=new_id())))
    checked = {"status": "prequalified", "review": '["fraud.velocity_person"]'}
    [result] = push(engine, staff, make_op("application", app_id, checked))
    assert result.status == "applied"
    later = {"status": "submitted", "review": "[]"}
    [refused] = push(engine, staff, make_op("application", app_id, later))
    assert (refused.status, refused.reason) == ("rejected", "immutable_field")


def test_only_a_reviewer_records_a_review_decision(engine):
    buyer = make_actor()
    app_id = _flagged_and_submitted(engine, buyer)
    decided = {"status": "approved", "review_decision": "approved"}
    [by_buyer] = push(engine, buyer, make_op("application", app_id, decided))
    assert (by_buyer.status, by_buyer.reason) == ("rejected", "forbidden")
    [by_admin] = push(engine, ADMIN, make_op("application", app_id, decided))
    assert by_admin.status == "applied"
    # the buyer's device, not yet told of the decision, sends its row with none: it stands
    signed = {"status": "contracted", "review_decision": None}
    [result] = push(engine, buyer, make_op("application", app_id, signed))
    assert result.status == "applied"
    record = store.get_record(engine, buyer, "application", app_id)
    import json

    assert json.loads(record.data)["review_decision"] == "approved"


def test_a_new_application_cannot_arrive_already_decided_nor_with_an_unknown_decision(engine):
    [decided] = push(
        engine,
        make_actor(),
        make_op("application", payload=application(review_decision="approved")),
    )
    assert (decided.status, decided.reason) == ("rejected", "forbidden")
    [odd] = push(
        engine, make_actor(), make_op("application", payload=application(review_decision="maybe"))
    )
    assert (odd.reason, "payload.review_decision" in odd.message) == ("invalid_payload", True)


@pytest.mark.parametrize("review", ["{not json", '{"a": 1}', "[1, 2]"])
def test_malformed_review_flags_are_rejected_naming_the_field(engine, review):
    [result] = push(
        engine, make_actor(), make_op("application", payload=application(review=review))
    )
    assert (result.status, result.reason) == ("rejected", "invalid_payload")
    assert "payload.review" in result.message


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        pytest.param("draft", None, id="draft"),
        pytest.param("prequalified", None, id="prequalified-offline"),
        pytest.param("declined", None, id="declined-offline"),
        pytest.param("submitted", "illegal_transition", id="not-submitted"),
        pytest.param("contracted", "illegal_transition", id="not-contracted"),
    ],
)
def test_a_new_application_starts_where_an_offline_soft_check_can_leave_it(engine, status, reason):
    [result] = push(engine, make_actor(), make_op("application", None, application(status=status)))
    assert result.reason == reason


def test_the_state_machine_speaks_the_domains_statuses():
    from domain.catalog import ApplicationStatus
    from sync.wire import APPLICATION_INITIAL, APPLICATION_TRANSITIONS

    statuses = {s.value for s in ApplicationStatus}
    assert set(APPLICATION_TRANSITIONS) == statuses
    assert set().union(*APPLICATION_TRANSITIONS.values()) <= statuses
    assert statuses >= APPLICATION_INITIAL


def test_an_application_must_start_as_draft_and_cannot_be_deleted(engine):
    buyer = make_actor()
    app_id = new_id()
    [first] = push(engine, buyer, make_op("application", app_id, application(status="funded")))
    assert first.reason == "illegal_transition"
    push(engine, buyer, make_op("application", app_id, application()))
    [delete] = push(engine, buyer, make_op("application", app_id, op="delete"))
    assert delete.reason == "not_deletable"


def test_payments_are_append_only(engine):
    buyer = make_actor()
    app_id, pay_id = funded_application(engine, buyer), new_id()
    [first] = push(engine, buyer, make_op("payment", pay_id, payment(app_id)))
    assert first.status == "applied"
    # the same event delivered again under a new op id changes nothing
    [same] = push(engine, buyer, make_op("payment", pay_id, payment(app_id)))
    [edit] = push(engine, buyer, make_op("payment", pay_id, payment(app_id, amount_cents=1)))
    [delete] = push(engine, buyer, make_op("payment", pay_id, op="delete"))
    assert (same.status, same.seq) == ("applied", None)
    assert [edit.reason, delete.reason] == ["append_only", "not_deletable"]
    assert len([c for c in pull_all(engine, buyer) if c.entity == "payment"]) == 1


def test_a_reversal_is_a_new_payment_event_naming_the_payment_it_undoes(engine):
    buyer = make_actor()
    app_id, pay_id, rev_id = funded_application(engine, buyer), new_id(), new_id()
    [paid] = push(engine, buyer, make_op("payment", pay_id, payment(app_id)))
    assert paid.status == "applied"
    reversal = payment(app_id, amount_cents=0, event_kind="reversal", reverses=pay_id)
    [ok] = push(engine, buyer, make_op("payment", rev_id, reversal))
    [nameless] = push(engine, buyer, make_op("payment", new_id(), {**reversal, "reverses": None}))
    [zero] = push(engine, buyer, make_op("payment", new_id(), payment(app_id, amount_cents=0)))
    assert ok.status == "applied"
    assert [nameless.reason, zero.reason] == ["invalid_payload", "invalid_payload"]


def test_a_stored_contract_is_immutable_and_a_change_is_a_new_version(engine):
    buyer = make_actor()
    app_id, v1, v2 = applied_application(engine, buyer), new_id(), new_id()
    body = {"application_id": app_id, "version": 1, "content_sha256": "a" * 64}
    push(engine, buyer, make_op("contract", v1, body))
    [edit] = push(engine, buyer, make_op("contract", v1, {**body, "content_sha256": "b" * 64}))
    [version2] = push(
        engine,
        buyer,
        make_op(
            "contract", v2, {**body, "version": 2, "content_sha256": "b" * 64, "supersedes": v1}
        ),
    )
    assert edit.reason == "contract_immutable"
    assert version2.status == "applied"


def test_notes_edited_on_two_devices_keep_both_until_resolved(engine):
    buyer = make_actor()
    note = new_id()
    push(engine, buyer, make_op("note", note, {"text": "v1"}))  # version 1
    [a] = push(
        engine, buyer, make_op("note", note, {"text": "from A", "base_version": 1}), device="a"
    )
    [b] = push(
        engine, buyer, make_op("note", note, {"text": "from B", "base_version": 1}), device="b"
    )
    assert (a.status, b.status) == ("applied", "conflict")
    data = pull_all(engine, buyer)[-1].data
    assert data["text"] == "from A"
    assert [c["text"] for c in data["conflicts"]] == ["from B"]
    resolve = {"text": "A and B", "base_version": data["version"], "resolve": True}
    push(engine, buyer, make_op("note", note, resolve))
    data = pull_all(engine, buyer)[-1].data
    assert (data["text"], data["conflicts"]) == ("A and B", [])


def test_a_buyer_cannot_touch_another_buyers_record(engine):
    alice, bob = make_actor(), make_actor()
    app_id = new_id()
    push(engine, alice, make_op("application", app_id, application()))
    [result] = push(engine, bob, make_op("application", app_id, {"status": "withdrawn"}))
    assert (result.status, result.reason) == ("rejected", "not_found")
    assert store.get_record(engine, bob, "application", app_id) is None


def test_dealer_staff_write_only_for_their_dealership(engine):
    staff = make_actor("dealer_staff", DEALER_X)
    [other] = push(engine, staff, make_op("application", payload=application(dealer_id=DEALER_Y)))
    [own] = push(engine, staff, make_op("application", payload=application(dealer_id=DEALER_X)))
    assert (other.reason, own.status) == ("forbidden", "applied")


def test_concurrent_pushes_get_unique_sequence_numbers_in_commit_order(engine):
    buyers = [make_actor() for _ in range(4)]

    def work(buyer):
        for _ in range(5):
            push(
                engine, buyer, *[make_op("interaction", payload=_interaction(i)) for i in range(10)]
            )

    threads = [threading.Thread(target=work, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    changes = pull_all(engine, ADMIN)
    seqs = [c.seq for c in changes]
    assert len(changes) == 200 and seqs == sorted(set(seqs))


def _interaction(i: int) -> dict:
    return {"product_id": new_id(), "kind": "view", "at_ms": 1_000 + i}


def test_local_db_op_kinds_append_and_transition_follow_the_entity_rules(engine):
    buyer = make_actor()
    app_id = new_id()
    [created] = push(engine, buyer, make_op("application", app_id, application()))
    [moved] = push(engine, buyer, make_op("application", app_id, {"status": "prequalified"},
                                          op="transition"))  # fmt: skip
    [illegal] = push(engine, buyer, make_op("application", app_id, {"status": "funded"},
                                            op="transition"))  # fmt: skip
    paid_out = funded_application(engine, buyer)  # a payment waits for the lender's payout
    [paid] = push(engine, buyer, make_op("payment", payload=payment(paid_out), op="append"))
    assert [created.status, moved.status, paid.status] == ["applied"] * 3
    assert illegal.reason == "illegal_transition"


def _offer(app_id: str, **extra) -> dict:
    return {"application_id": app_id, "product_id": new_id(), "payment_cents": 375_595, **extra}


def test_a_stored_offer_is_immutable(engine):
    buyer = make_actor()
    offer_id, body = new_id(), _offer(applied_application(engine, buyer))
    [first] = push(engine, buyer, make_op("offer", offer_id, body, op="upsert"))
    [again] = push(engine, buyer, make_op("offer", offer_id, body))
    [edit] = push(engine, buyer, make_op("offer", offer_id, {**body, "payment_cents": 1}))
    [delete] = push(engine, buyer, make_op("offer", offer_id, op="delete"))
    assert (first.status, again.status, again.seq) == ("applied", "applied", None)
    assert [edit.reason, delete.reason] == ["offer_immutable", "offer_immutable"]


@pytest.mark.parametrize(
    ("entity", "body"),
    [
        pytest.param("payment", lambda app: payment(app), id="payment"),
        pytest.param("offer", lambda app: _offer(app), id="offer"),
        pytest.param(
            "contract",
            lambda app: {"application_id": app, "version": 1, "content_sha256": "a" * 64},
            id="contract",
        ),
    ],
)
def test_a_record_of_a_loan_names_an_application_its_writer_may_write(engine, entity, body):
    """A buyer attaches records to their own applications only, staff to their dealership's,
    and a missing application gets the same answer as someone else's."""
    buyer, other, desk = make_actor(), make_actor(), make_actor("dealer_staff", DEALER_X)
    elsewhere = make_actor("dealer_staff", DEALER_Y)
    loan = funded_application if entity == "payment" else applied_application  # paid out
    theirs = loan(engine, other, dealer_id=DEALER_X)

    def attempt(actor, app_id):
        [result] = push(engine, actor, make_op(entity, new_id(), body(app_id)))
        return result.status, result.reason

    assert attempt(buyer, theirs) == ("rejected", "not_found")
    assert attempt(buyer, new_id()) == ("rejected", "not_found")
    assert attempt(elsewhere, theirs) == ("rejected", "not_found")
    assert attempt(desk, theirs) == ("applied", None)
    assert attempt(other, theirs) == ("applied", None)


def test_a_record_staff_attach_to_a_loan_is_that_buyers_not_the_one_they_name(engine):
    """Staff cannot plant a payment in another buyer's account: the record is the
    application's buyer's, and naming someone else is refused."""
    owner, stranger = make_actor(), make_actor()
    desk = make_actor("dealer_staff", DEALER_X)
    app_id = funded_application(engine, owner, dealer_id=DEALER_X)
    planted = {**payment(app_id), "buyer_id": stranger.user_id}
    [refused] = push(engine, desk, make_op("payment", new_id(), planted))
    [paid] = push(engine, desk, make_op("payment", paid_id := new_id(), payment(app_id)))
    assert (refused.status, refused.reason) == ("rejected", "forbidden")
    assert paid.status == "applied"
    assert [c.entity_id for c in pull_all(engine, owner) if c.entity == "payment"] == [paid_id]
    assert not [c for c in pull_all(engine, stranger) if c.entity == "payment"]


def test_a_walk_ins_deal_and_its_first_payment_can_travel_in_one_push(engine):
    """A staff tablet that was offline at the desk: the walk-in's application, each status up
    to the payout (staff confirm it) and the first payment, in one push: each op is decided
    with the earlier ones applied."""
    desk = make_actor("dealer_staff", DEALER_X)
    app_id = new_id()
    steps, funded = paid_out_journey(app_id)
    results = push(engine, desk, *steps, funded, make_op("payment", new_id(), payment(app_id)))
    assert [r.status for r in results] == ["applied"] * (len(steps) + 2)


def _consent(**extra) -> dict:
    return {"purpose": "soft_check", "text_version": "v1", "given_ms": 1_000, **extra}


@pytest.mark.parametrize(
    ("second", "status", "reason"),
    [
        pytest.param({"withdrawn_ms": 2_000}, "applied", None, id="withdrawal"),
        pytest.param({"text_version": "v2"}, "rejected", "consent_immutable", id="terms"),
        pytest.param({}, "applied", None, id="same-again"),
    ],
)
def test_a_consents_terms_are_immutable_and_only_a_withdrawal_changes_it(
    engine, second, status, reason
):
    buyer = make_actor()
    consent_id = new_id()
    push(engine, buyer, make_op("consent", consent_id, _consent(), op="append"))
    [result] = push(engine, buyer, make_op("consent", consent_id, second, op="transition"))
    assert (result.status, result.reason) == (status, reason)


def test_a_consent_is_withdrawn_once_and_never_deleted(engine):
    buyer = make_actor()
    consent_id = new_id()
    push(engine, buyer, make_op("consent", consent_id, _consent(withdrawn_ms=2_000)))
    [again] = push(engine, buyer, make_op("consent", consent_id, {"withdrawn_ms": 3_000}))
    [delete] = push(engine, buyer, make_op("consent", consent_id, op="delete"))
    [missing] = push(engine, buyer, make_op("consent", None, {"purpose": "soft_check"}))
    assert [again.reason, delete.reason, missing.reason] == [
        "consent_withdrawn", "not_deletable", "invalid_payload"
    ]  # fmt: skip


def test_a_contract_carries_the_loan_it_signs_to_the_buyers_other_devices(engine):
    from sync.contract_loan import from_wire, to_wire
    from tests.factories import SIGNED_LOAN as LOAN

    buyer = make_actor()
    app_id, contract_id = applied_application(engine, buyer), new_id()
    body = {"application_id": app_id, "version": 1, "content_sha256": "a" * 64,
            "loan": to_wire(LOAN)}  # fmt: skip
    [stored] = push(engine, buyer, make_op("contract", contract_id, body))
    assert stored.status == "applied", stored
    [pulled] = [c for c in pull_all(engine, buyer) if c.entity == "contract"]
    assert from_wire(pulled.data["loan"]) == LOAN


def _signed_with_loan(engine, buyer, loan_dates, app_id=None) -> str:
    """``signed_application`` whose contract versions each carry a loan with one of
    ``loan_dates`` (in the order pushed; the versions numbered 1, 2, ...)."""
    from dataclasses import replace

    from sync.contract_loan import to_wire
    from tests.factories import SIGNED_LOAN

    app_id = app_id or signed_application(engine, buyer)
    for version, loan_date in loan_dates:
        loan = replace(SIGNED_LOAN, terms=replace(SIGNED_LOAN.terms, loan_date=loan_date))
        body = {"application_id": app_id, "version": version, "content_sha256": "a" * 64,
                "loan": to_wire(loan)}  # fmt: skip
        [stored] = push(engine, buyer, make_op("contract", new_id(), body))
        assert stored.status == "applied", stored
    return app_id


def _ms(day) -> int:
    from datetime import UTC, datetime, time

    return int(datetime.combine(day, time(12), tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("days_after_first_due", "status"), [(-1, "applied"), (0, "rejected")])
def test_a_payout_on_or_after_the_first_repayment_date_is_refused_as_lapsed(
    engine, days_after_first_due, status
):
    from datetime import date, timedelta

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = _signed_with_loan(engine, buyer, [(1, date(2026, 11, 30))])  # first due 12-30
    when = _ms(date(2026, 12, 30) + timedelta(days=days_after_first_due))
    [payout] = push(
        engine, staff, make_op("application", app_id, {"status": "funded"}, created_ms=when)
    )
    assert payout.status == status
    if status == "rejected":
        assert payout.reason == "lapsed" and "2026-12-30" in payout.message
        [cancel] = push(engine, staff, make_op("application", app_id, {"status": "withdrawn"}))
        assert cancel.status == "applied"


def test_a_payout_confirmed_after_midnight_in_china_is_on_the_first_repayment_date(engine):
    """The day is the market's: 17:00 UTC the day before is already the first due date in
    China (the server's own zone, or UTC's day, does not decide it)."""
    from datetime import UTC, date, datetime

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = _signed_with_loan(engine, buyer, [(1, date(2026, 11, 30))])  # first due 12-30
    just_after = int(datetime(2026, 12, 29, 17, 0, tzinfo=UTC).timestamp() * 1000)
    [payout] = push(
        engine, staff, make_op("application", app_id, {"status": "funded"}, created_ms=just_after)
    )
    assert payout.reason == "lapsed"


def test_the_latest_contract_version_sets_the_date_whatever_order_they_arrive_in(engine):
    from datetime import date

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    # version 2 (first due 2027-01-20) arrives before version 1 (first due 2026-12-30)
    app_id = _signed_with_loan(engine, buyer, [(2, date(2026, 12, 20)), (1, date(2026, 11, 30))])
    on_the_first_ones_date = _ms(date(2027, 1, 5))
    [payout] = push(
        engine,
        staff,
        make_op("application", app_id, {"status": "funded"}, created_ms=on_the_first_ones_date),
    )
    assert payout.status == "applied", payout


def test_the_contracted_step_pushed_after_its_contract_keeps_the_date(engine):
    from datetime import date

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = new_id()
    push(engine, buyer, make_op("application", app_id, application()))
    for status in ("prequalified", "submitted", "approved"):
        push(engine, buyer, make_op("application", app_id, {"status": status}))
    _signed_with_loan(engine, buyer, [(1, date(2026, 11, 30))], app_id=app_id)
    push(engine, buyer, make_op("application", app_id, {"status": "contracted"}))  # as devices
    late = make_op("application", app_id, {"status": "funded"}, created_ms=_ms(date(2027, 1, 2)))
    [payout] = push(engine, staff, late)
    assert payout.reason == "lapsed"


def test_the_dealership_learns_the_pay_out_date_of_a_contract_it_cannot_read(engine):
    from datetime import date

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = _signed_with_loan(engine, buyer, [(1, date(2026, 11, 30))])
    pulled = {(c.entity, c.entity_id): c for c in pull_all(engine, staff)}
    assert not [key for key in pulled if key[0] == "contract"]  # a buyer's own stays theirs
    application = pulled[("application", app_id)]
    assert application.data["pay_out_by"] == "2026-12-30"
    assert application.data["status"] == "contracted"


def test_a_device_cannot_move_the_pay_out_date(engine):
    from datetime import date

    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = _signed_with_loan(engine, buyer, [(1, date(2026, 11, 30))])
    late = _ms(date(2027, 1, 2))
    [moved] = push(engine, staff, make_op("application", app_id, {"pay_out_by": "2027-06-30"}))
    [payout] = push(
        engine,
        staff,
        make_op("application", app_id, {"status": "funded", "pay_out_by": "2027-06-30"},
                created_ms=late),
    )  # fmt: skip
    assert moved.status == "applied"  # nothing changed
    assert payout.reason == "lapsed"
    [application] = [c for c in pull_all(engine, buyer) if c.entity == "application"]
    assert application.data["pay_out_by"] == "2026-12-30"
