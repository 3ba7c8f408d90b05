"""The contract: open the PDF, consent, draw a signature, sign in the background, verify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.ui.conftest import signed_in
from tests.ui.test_prequal_offers import through_form

pytestmark = pytest.mark.asyncio


async def draw(h, points) -> None:
    pad = h.find("signature-pad")
    (x0, y0), rest = points[0], points[1:]
    await h.event(pad, "pan_start", {"k": "mouse", "l": {"x": x0, "y": y0}, "g": {"x": 0, "y": 0}})
    for x, y in rest:
        await h.event(pad, "pan_update", {"l": {"x": x, "y": y}, "g": {"x": 0, "y": 0}})
    end = {"l": {"x": x, "y": y}, "g": {"x": 0, "y": 0}, "v": {"x": 0, "y": 0}}
    await h.event(pad, "pan_end", end)


#: A valid resident ID number (GB 11643 check character) of someone born in 1990.
SIGNER_ID = "310115199003071239"


async def confirm_identity(h, name: str = "张伟", number: str = SIGNER_ID) -> None:
    """Declare who signs (a signer the device does not know: a new account, a walk-in)."""
    await h.type_text("identity-name", name)
    await h.type_text("identity-number", number)
    await h.select("identity-consent", True)
    await h.click("identity-confirm")


async def open_pdf(h) -> None:
    """Open the contract PDF: rendered in the background, then launched."""
    await h.click("contract-open-pdf")
    await h.wait_until(lambda: not h.find("contract-consent").disabled)  # redrawn


async def at_contract(world, car: str = "seal"):
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles[car].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await through_form(h)
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    await h.click("offer-contract")
    assert h.top.route == f"/contract/{pid}"
    return h, pid


async def test_a_tablet_gives_a_larger_signature_pad_of_the_same_shape(world):
    """A finger signs on a tablet; the strokes are kept as fractions of the pad, so a
    signature looks the same whatever pad drew it."""
    h, _ = await at_contract(world)  # 1280 px wide
    pad = h.find("signature-pad")
    await draw(h, [(280, 124), (560, 249)])  # the centre to the far corner
    assert h.state.contract_draft["strokes"] == [[(0.5, 0.5), (1.0, 1.0)]]
    await h.click("signature-clear")
    await h.resize(390, 844)
    assert h.find("signature-pad") is not pad
    await draw(h, [(180, 80), (360, 160)])
    assert h.state.contract_draft["strokes"] == [[(0.5, 0.5), (1.0, 1.0)]]


async def test_sign_needs_the_pdf_opened_consent_and_ink(world):
    h, _ = await at_contract(world)
    assert h.find("contract-consent").disabled  # the PDF comes first
    await open_pdf(h)
    assert "launch_url" in h.invoked
    assert not h.find("contract-consent").disabled
    await h.select("contract-consent", True)
    assert h.find("contract-sign").disabled  # no signature yet
    await draw(h, [(20, 80), (60, 40), (120, 100), (200, 60)])
    assert len(h.state.contract_draft["strokes"][0]) == 4
    assert not h.find("contract-sign").disabled
    await h.click("signature-clear")
    assert h.find("contract-sign").disabled


async def test_signing_verifies_and_saves_the_contract(world, tmp_path):
    h, _ = await at_contract(world)
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)
    assert h.find("verify-result").value == "签署完成并已验证：文件完整无损。"
    assert h.has("signer-buyer") and h.has("signer-lender")
    signed = h.state.contract
    assert signed.verification.valid and signed.verification.disclosure_matches_engine
    assert (tmp_path / "contracts" / signed.file_name).read_bytes() == signed.record.pdf
    assert h.find("signer-lender").value.startswith("华信银行（贷款机构）")
    h.state.set_locale("en_US")  # the lender named in the reader's language, not the PDF's
    await h.settle()
    assert h.find("signer-lender").value.startswith("Huaxin Bank (lender) signed at")


async def test_the_pdf_opens_through_a_link_signed_for_the_signed_in_buyer(world, tmp_path):
    from urllib.parse import parse_qsl, urlsplit

    issued = []
    issue = world.services.contract_url

    def spy(viewer, application_id, name):
        url = issue(viewer, application_id, name)
        issued.append((viewer.id, url))
        return url

    world.services.contract_url = spy
    h, _ = await at_contract(world)
    await open_pdf(h)
    [(viewer, url)] = issued
    assert viewer == world.buyer_id
    parts = urlsplit(url)
    name = parts.path.removeprefix("/files/contracts/")
    assert name.startswith(h.state.prequal_result.application_id)
    assert (tmp_path / "contracts" / name).is_file()
    assert world.services.links.check(name, dict(parse_qsl(parts.query)))


async def test_a_contracts_consent_and_signature_stay_with_that_contract(world):
    h, pid = await at_contract(world)
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100), (200, 60)])
    other = next(o.product.id for o in h.state.prequal_result.recommended if o.product.id != pid)
    await h.route(f"/offers/{other}")
    await h.click("offer-contract")
    assert h.find("contract-consent").disabled and not h.find("contract-consent").value
    assert h.state.contract_draft["strokes"] == [] and h.find("contract-sign").disabled
    await h.route(f"/contract/{pid}")  # back to the first: leaving it withdrew its consent
    assert not h.find("contract-consent").value and h.state.contract_draft["strokes"] == []


async def test_a_provisional_offer_can_be_read_but_not_signed(world):
    from domain.errors import InputError
    from tests.ui.test_prequal_offers import check_cars

    check_cars(world, "dolphin", "camry", "model3")  # the Seal is a fourth car in 30 days
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await through_form(h)
    result = h.state.prequal_result
    assert result.answer.result.review and result.recommended
    pid = result.recommended[0].product.id
    await h.click(f"offer-open-{pid}")
    await h.click("offer-contract")
    assert h.has("contract-in-review")
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100), (200, 60)])
    assert h.find("contract-sign").disabled
    with pytest.raises(InputError) as refused:
        world.services.sign_contract(
            result, pid, world.buyer_id, consented_at=h.state.contract_draft["consented_at"],
            strokes=[[(0.1, 0.1), (0.2, 0.2)]], locale="zh_CN",
        )  # fmt: skip
    assert (refused.value.field, refused.value.rule) == ("application", "in_review")


async def at_provisional_contract(world):
    """The buyer at the contract of a provisional offer (the Seal is a fourth car in 30 days)."""
    from tests.ui.test_prequal_offers import check_cars

    check_cars(world, "dolphin", "camry", "model3")
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await through_form(h)
    pid = h.state.prequal_result.recommended[0].product.id
    await h.click(f"offer-open-{pid}")
    await h.click("offer-contract")
    return h, pid


def saved_application(world, h):
    from local_db.repositories import deals

    with world.services.session() as s:
        return deals.get_application(s, application_id=h.state.prequal_result.application_id)


async def test_in_demo_mode_the_user_plays_the_reviewer_and_an_approved_offer_is_signed(world):
    import itertools

    from local_db import audit
    from sync.wire import APPLICATION_INITIAL, APPLICATION_TRANSITIONS
    from tests.ui.test_journey import application_statuses_sent

    h, pid = await at_provisional_contract(world)
    assert h.has("contract-demo-reviewer") and str(saved_application(world, h).status) == (
        "submitted"
    )
    await h.click("review-approve")
    assert h.has("contract-reviewed") and not h.has("contract-in-review")
    assert "审核人员已批准本申请。" in h.text()
    assert str(saved_application(world, h).status) == "approved"
    await h.route("/offers")
    assert h.has("offers-review-approved") and not h.has("offers-review-pending")
    await h.route(f"/contract/{pid}")
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100), (200, 60)])
    assert not h.find("contract-sign").disabled
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("contract-signed"))
    assert str(saved_application(world, h).status) == "contracted"
    with world.services.session() as s:
        entries = audit.list_entries(s, entity_id=h.state.prequal_result.application_id)
    (entry,) = [e for e in entries if e.action == "application.reviewed"]
    assert entry.actor == "demo-reviewer"
    assert entry.details == {"decision": "approved", "flags": ["fraud.velocity_person"]}
    sent = application_statuses_sent(world, h.state.prequal_result.application_id)
    assert sent[0] in APPLICATION_INITIAL and sent[-1] == "contracted"
    for before, after in itertools.pairwise(sent):  # every step one the server takes
        assert after == before or after in APPLICATION_TRANSITIONS[before], (before, after)
    assert sent.index("submitted") < sent.index("approved")  # reviewed as submitted


async def test_declining_as_the_reviewer_asks_first_and_then_nothing_can_be_signed(world):
    from domain.errors import InputError

    h, pid = await at_provisional_contract(world)
    asks = h.find("review-decline")  # in the error colour, as every action that ends something
    assert asks.style.color == asks.style.icon_color == "error"
    await h.click("review-decline")
    assert h.has("review-decline-consequence")
    await h.click("review-keep")  # changed their mind: nothing decided
    assert not h.has("review-decline-consequence")
    assert str(saved_application(world, h).status) == "submitted"
    await h.click("review-decline")
    await h.click("review-decline-confirm")
    assert h.has("contract-declined") and not h.has("contract-demo-reviewer")
    assert not h.has("contract-sign") and not h.has("contract-consent")  # nothing to sign
    with pytest.raises(InputError) as refused:
        world.services.sign_contract(
            h.state.prequal_result, pid, world.buyer_id, consented_at=datetime.now(UTC),
            strokes=[[(0.1, 0.1), (0.2, 0.2)]], locale="zh_CN",
        )  # fmt: skip
    assert refused.value.rule == "not_open"
    await h.click("contract-back-to-offers")
    assert h.top.route == "/offers" and h.has("offers-review-declined")
    await h.click("offers-review-check-again")  # a decline ends this application, not the buyer
    seal = world.vehicles["seal"].id
    assert h.top.route == f"/cars/{seal}/prequal" and h.state.prequal.step == 0
    assert h.state.car_id == seal


async def test_reviewing_twice_or_an_unflagged_application_is_refused_by_name(world):
    from domain.errors import InputError

    h, _ = await at_provisional_contract(world)
    application_id = h.state.prequal_result.application_id
    world.services.review_application(application_id, approve=True)
    with pytest.raises(InputError) as twice:
        world.services.review_application(application_id, approve=False)
    assert (twice.value.field, twice.value.rule) == ("application", "not_in_review")
    assert str(saved_application(world, h).status) == "approved"


async def test_outside_demo_mode_the_decision_is_the_lenders_not_the_apps(world):
    from domain.errors import InputError

    services = world.services
    services.settings = services.settings.model_copy(update={"server_url": "http://127.0.0.1:1"})
    assert not services.demo_mode
    with pytest.raises(InputError) as refused:
        services.review_application("any", approve=True)
    assert (refused.value.field, refused.value.rule) == ("review", "demo_only")


async def test_a_buyer_whose_profile_holds_their_identity_sees_who_signs(world):
    h, _ = await at_contract(world)
    assert h.find("contract-who").value == "李明 · 身份证 1101**********1234"
    assert not h.has("identity-number") and not h.find("contract-open-pdf").disabled


async def at_walk_in_contract(world):
    from tests.ui.test_dealer import customer_chooses_an_offer, hand_over

    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    pid = await customer_chooses_an_offer(h)
    return h, pid


async def test_a_signer_the_device_does_not_know_declares_who_signs_before_reading(world):
    from domain.catalog import ConsentPurpose
    from local_db.repositories import people as people_repo

    h, pid = await at_walk_in_contract(world)
    assert h.find("contract-open-pdf").disabled  # who signs comes first
    await h.type_text("identity-name", "张伟")
    await h.type_text("identity-number", SIGNER_ID[:-1] + "0")  # one character off
    await h.click("identity-confirm")
    assert h.find("identity-number").error == "身份证号码校验不通过：请逐位核对"
    assert h.find("identity-number").value == SIGNER_ID[:-1] + "0"  # what was typed stays
    number = h.find("identity-number")  # hidden as typed, on a screen others may see
    assert number.password and number.can_reveal_password
    await h.type_text("identity-number", SIGNER_ID)
    await h.click("identity-confirm")
    assert h.find("identity-consent").error == "请同意处理您的身份证号码，以便写入合同"
    await h.select("identity-consent", True)
    await h.click("identity-confirm")
    assert h.find("contract-who").value == "张伟 · 身份证 3101**********1239"
    assert not h.find("contract-open-pdf").disabled
    customer = h.state.customer_user_id
    with world.services.session() as s:
        consents = people_repo.list_consents(s, user_id=customer)
    assert ConsentPurpose.SENSITIVE_DATA in {c.purpose for c in consents}
    deal = world.services.contract_deal(h.state.prequal_result, pid, customer,
                                        identity=h.state.contract_draft["identity"])  # fmt: skip
    assert (deal.buyer.name, deal.buyer.id_number) == ("张伟", SIGNER_ID)


async def test_no_contract_is_signed_without_knowing_who_signs(world):
    from domain.errors import InputError

    h, pid = await at_walk_in_contract(world)
    with pytest.raises(InputError) as refused:
        world.services.sign_contract(
            h.state.prequal_result, pid, h.state.customer_user_id,
            consented_at=datetime.now(UTC), strokes=[[(1, 1), (2, 2)]], locale="zh_CN",
        )  # fmt: skip
    assert (refused.value.field, refused.value.rule) == ("identity", "required")
