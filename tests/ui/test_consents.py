"""The buyer's consents in Settings: what they agreed to, and withdrawing it, which stops the
checks and applications made under it (a signed contract stands)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.catalog import ApplicationStatus, ConsentPurpose
from domain.errors import InputError
from local_db.audit import list_entries, verify_chain
from local_db.repositories import deals as deals_repo
from tests.ui.conftest import signed_in
from tests.ui.test_prequal_offers import through_form, to_prequal

pytestmark = pytest.mark.asyncio


def statuses(world) -> list[ApplicationStatus]:
    with world.services.session() as s:
        return [a.status for a in deals_repo.list_applications(s, user_id=world.buyer_id)]


async def test_withdrawing_the_soft_check_consent_stops_the_checks_made_under_it(world):
    h = await to_prequal(world)
    await through_form(h)
    await h.route("/settings")
    assert "征信软查询" in h.text(h.find("consent-soft_check"))
    assert h.find("consent-soft_check-status").value.endswith("· 有效")
    assert h.value("consent-soft_check-status").startswith("授权 1 次 · 最近一次 ")
    h.state.set_locale("en_US")
    assert h.value("consent-soft_check-status").startswith("Given 1 time · last on ")
    h.state.set_locale("zh_CN")

    await h.click("consent-withdraw-soft_check")  # says what it changes, then asks again
    assert "尚未签约的查询和申请将被撤回" in h.find("consent-soft_check-consequence").value
    await h.click("consent-keep-soft_check")
    assert statuses(world) == [ApplicationStatus.PREQUALIFIED]

    await h.click("consent-withdraw-soft_check")
    await h.click("consent-confirm-soft_check")
    await h.wait_until(lambda: h.has("settings-notice"))
    assert h.find("settings-notice").value == "授权已撤回"
    assert "撤回" in h.find("consent-soft_check-status").value
    assert not h.has("consent-withdraw-soft_check")
    assert statuses(world) == [ApplicationStatus.WITHDRAWN]
    await h.route("/offers")
    assert h.has("offers-empty")  # neither the check in memory nor the saved one is shown

    with world.services.session() as s:
        assert verify_chain(s).ok
        (entry,) = [e for e in list_entries(s) if e.action == "consent.withdrawn"]
    assert entry.actor == world.buyer_id and entry.details["purpose"] == "soft_check"

    h.state.prequal.step = 0  # a new check asks for consent again, and is shown again
    await h.route(f"/cars/{h.state.car_id}/prequal")
    await h.select("prequal-housing", "rent")
    await through_form(h)
    assert len(world.services.saved_checks(world.buyer_id)) == 1
    assert statuses(world) == [ApplicationStatus.PREQUALIFIED, ApplicationStatus.WITHDRAWN]


async def test_a_signed_contract_stands_when_the_consent_is_withdrawn(world):
    from tests.ui.test_contract import at_contract
    from tests.ui.test_journey import sign

    h, _ = await at_contract(world)
    await sign(h)
    world.services.withdraw_consent(world.buyer_id, ConsentPurpose.SOFT_CHECK)
    assert statuses(world) == [ApplicationStatus.CONTRACTED]
    await h.route("/settings")  # withdrawing the e-signing consent says the contract stands
    await h.click("consent-withdraw-electronic_records")
    said = h.find("consent-electronic_records-consequence").value
    assert said.startswith("您已签署的合同及其电子副本仍然有效")


async def test_nothing_to_withdraw_is_an_error_naming_the_consent(world):
    h = await signed_in(world)
    await h.route("/settings")
    assert h.has("consents-none")
    with pytest.raises(InputError) as refused:
        world.services.withdraw_consent(world.buyer_id, ConsentPurpose.SOFT_CHECK)
    assert (refused.value.field, refused.value.rule) == ("consent", "not_active")


async def test_a_check_withdrawn_elsewhere_cannot_then_be_signed(world):
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result  # still on this screen, as on a second device
    world.services.withdraw_consent(world.buyer_id, ConsentPurpose.SOFT_CHECK)
    with pytest.raises(InputError) as refused:
        world.services.sign_contract(
            result, result.cheapest_id, world.buyer_id, consented_at=datetime.now(UTC),
            strokes=[[(0.1, 0.1), (0.2, 0.2)]], locale="zh_CN",
        )  # fmt: skip
    assert (refused.value.field, refused.value.rule) == ("application", "not_open")
    assert statuses(world) == [ApplicationStatus.WITHDRAWN]
