"""Dealer mode: a walk-in application handed to the customer behind a PIN, the customer's
journey on the tablet, hand-back that clears the customer, the pipeline and customers."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from app.i18n import format_date, local_day
from tests.ui.conftest import signed_in
from tests.ui.test_contract import confirm_identity, draw, open_pdf

pytestmark = pytest.mark.asyncio


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def hand_over(h, world, pin="2468"):
    await h.type_text("customer-name", "张伟")
    await h.type_text("customer-phone", "13912345678")
    await h.select("customer-car", world.vehicles["seal"].id)
    await h.type_text("staff-pin", pin)
    await h.click("hand-over")


async def customer_chooses_an_offer(h, age: str = "35") -> str:
    """On the handed-over tablet: the customer's check, then the cheapest offer's contract."""
    # the customer fills in their own income (a walk-in has no stored profile)
    await h.type_text("prequal-age", age)
    await h.select("prequal-housing", "rent")
    await h.click("prequal-next")
    await h.type_text("prequal-monthly_income", "30000")
    await h.type_text("prequal-employment_months", "60")
    await h.select("prequal-income_type", "salary")
    await h.click("prequal-next")
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/handoff/offers" and h.has("offers-list"))
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    await h.click("offer-contract")
    assert h.top.route == f"/handoff/contract/{pid}"
    return pid


async def test_staff_lands_on_new_application(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    assert h.top.route == "/dealer/new"


async def test_hand_over_needs_a_pin_and_a_car(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.type_text("customer-name", "张伟")
    await h.type_text("staff-pin", "12")
    await h.click("hand-over")
    assert h.find("staff-pin").error == "必须是 4 到 8 位数字"
    assert not h.state.handed_to_customer


async def test_staff_offer_a_walk_in_only_their_own_dealerships_cars(world):
    from app.state import Deal
    from domain.errors import InputError

    h = await signed_in(world, "staff", width=1024, height=768)
    offered = {o.key for o in h.find("customer-car").options}
    ours = {v.id for v in world.vehicles.values() if v.dealer_id == h.state.user.dealer_id}
    assert offered == ours and world.vehicles["camry"].id not in offered  # the other dealer's
    services, staff = world.services, h.state.user
    with pytest.raises(InputError) as refused:  # as the server refuses it
        services.start_draft(staff, "c1", world.vehicles["camry"].id, Deal())
    assert (refused.value.field, refused.value.rule) == ("customer.car", "other_dealership")
    assert str(refused.value.message) == "is another dealership's car"
    with pytest.raises(InputError):
        services.walk_in_trade_in(staff, world.vehicles["camry"].id, Deal(), {})


async def test_customer_mode_is_locked_until_the_staff_pin(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    assert h.state.handed_to_customer and h.top.route == "/handoff"
    assert not h.has("nav-rail")  # no staff destinations for the customer
    await h.route("/dealer/pipeline")  # typing a staff URL does not escape
    assert h.top.route == "/handoff"
    await h.click("handoff-return-action")
    await h.type_text("return-pin", "0000")
    await h.click("return-unlock")
    assert h.find("return-pin").error == "PIN 码错误"
    assert h.state.handed_to_customer
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert not h.state.handed_to_customer
    assert h.top.route == "/dealer/pipeline"
    assert h.state.customer == {} and h.state.prequal_result is None
    assert "张伟" not in h.text()


async def test_wrong_pins_lock_the_tablet_for_longer_each_time(world, monkeypatch):
    import views.dealer

    now = [1000.0]
    monkeypatch.setattr(views.dealer, "clock", lambda: now[0])
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await h.click("handoff-return-action")
    for _ in range(views.dealer.PIN_TRIES):
        await h.type_text("return-pin", "0000")
        await h.click("return-unlock")
    assert h.find("return-pin").error == "PIN 码错误次数过多，请 30 秒后再试"
    await h.type_text("return-pin", "2468")  # the right PIN, while locked: not even tried
    await h.click("return-unlock")
    assert h.state.handed_to_customer
    now[0] += 30
    await h.type_text("return-pin", "1111")  # one more wrong: locked twice as long
    await h.click("return-unlock")
    assert h.find("return-pin").error == "PIN 码错误次数过多，请 60 秒后再试"
    now[0] += 60
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert not h.state.handed_to_customer and h.top.route == "/dealer/pipeline"
    assert (h.state.pin_failures, h.state.pin_locked_until) == (0, 0.0)  # the next starts anew


async def test_dealer_journey_with_hand_off_ends_in_the_pipeline(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await customer_chooses_an_offer(h)
    await confirm_identity(h)  # a walk-in: the tablet does not know their ID number
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)
    # the mobile number the staff typed at the desk is how the lender reaches the borrower
    assert "139****5678" in pdf_text(h.state.contract.record.pdf)  # masked, as on every PDF
    assert h.find("contract-to-loans").content == "完成"  # they have no loans here to go to
    await h.click("contract-to-loans")
    assert h.top.route == "/handoff/done"
    assert h.has("contract-open-signed")  # their copy, to print at the desk
    # a walk-in has no app to look it up in later: the last screen says what comes when
    assert h.find("signed-first-payment").value.startswith("2. 随后开始还款：共 ")
    assert h.has("signed-payout") and h.has("signed-lapse")
    await h.click("handoff-give-back")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert h.top.route == "/dealer/pipeline"
    assert not h.has("signed-first-payment") and h.state.contract is None  # nothing stays
    signed = h.find("col-signed")
    assert "张*" in h.texts(signed)  # initials, never the full name
    assert h.has("col-draft-empty")  # the check completed the draft: no second card
    await h.click(h.find_ids("pipe-", h.find("col-signed"))[0])
    assert h.top.route.startswith("/dealer/applications/")
    assert h.find("application-who").value == "张*" and "张伟" not in h.text()
    # signed, not paid out: nothing is owed yet, so nothing is recorded; the staff (not a
    # demo lender) confirm the payout when the lender's money arrives
    assert not h.has("pay-record") and not h.has("loan-pay-out")
    card = world.services.pipeline(h.state.user.dealer_id)["signed"][0]
    assert h.find("payout-waiting").value == "等待贷款机构放款"
    await h.click("payout-confirm")
    assert h.find("application-status").value == "已放款"
    assert not h.has("payout-confirm") and not h.has("payout-waiting")
    funded = world.services.pipeline(h.state.user.dealer_id)
    assert [c.user_id for c in funded["funded"]] == [card.user_id] and not funded["signed"]
    # the customer pays the first instalment at the desk
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"), timeout=30)
    assert h.find("loan-notice").value == "已记录还款"
    (loan,) = world.services.my_loans(card.user_id)
    assert [p.amount for p in loan.payments] == [loan.quote.schedule[0].payment]
    await h.route("/dealer/customers")
    assert "张*" in h.texts()
    (row,) = h.find_all("customer-")
    await h.event(row, "select_change", "true")  # a row opens the customer's application
    assert h.top.route.startswith("/dealer/applications/") and h.has("pay-record")


async def test_a_walk_in_who_leaves_before_the_check_is_a_draft(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/pipeline")
    assert h.has("pipeline-empty")
    await h.route("/dealer/new")
    await hand_over(h, world)
    await h.click("handoff-return-action")  # the customer gives the tablet back at once
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert h.top.route == "/dealer/pipeline"
    assert "张*" in h.texts(h.find("col-draft"))
    assert "草稿（1）" in h.texts(h.find("col-draft"))  # Chinese brackets around the count
    (card,) = world.services.pipeline(h.state.user.dealer_id)["draft"]
    assert h.value(f"pipe-started-{card.application_id}") == format_date(
        local_day(card.started_at), "zh_CN"
    )
    for column in ("prequalified", "offer_chosen", "signed", "funded"):
        assert h.has(f"col-{column}-empty")  # an empty column says so
    await h.click(h.find_ids("pipe-")[0])
    assert h.find("application-status").value == "草稿" and not h.has("pay-record")
    assert not h.has("application-withdraw")  # no check yet: no consent to withdraw
    await h.route("/dealer/new")  # the next customer's form starts empty
    assert not h.find("customer-name").value and h.find("customer-car").value is None


async def test_a_customer_who_withdrew_leaves_the_board_but_not_the_customers_list(world):
    from domain.catalog import ConsentPurpose
    from local_db.repositories import people as people_repo

    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/new")
    await hand_over(h, world)
    await h.click("handoff-return-action")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    (card,) = world.services.pipeline(h.state.user.dealer_id)["draft"]
    with world.services.session() as s:  # the customer's consent, later withdrawn
        people_repo.record_consent(
            s, user_id=card.user_id, purpose=ConsentPurpose.SOFT_CHECK, text_version="v1"
        )
        s.commit()
    world.services.withdraw_consent(card.user_id, ConsentPurpose.SOFT_CHECK)
    await h.route("/dealer/customers")
    assert "客户已撤回授权" in h.texts(h.find(f"customer-{card.application_id}"))
    # the day the customer came in tells two 张* apart
    started = format_date(local_day(card.started_at), "zh_CN")
    assert started in h.texts(h.find(f"customer-{card.application_id}"))
    # the list's groups: it has ended, and is in progress no longer
    assert h.texts(h.find("customers-group-ended")) == ["已结束（1）"]
    await h.click("customers-group-open")
    assert h.find("customers-group-open").selected and h.has("customers-none")
    await h.click("customers-group-ended")
    assert h.has(f"customer-{card.application_id}")
    await h.route(f"/dealer/applications/{card.application_id}")
    assert h.find("application-status").value == "客户已撤回授权"
    await h.route("/dealer/pipeline")
    assert h.has("pipeline-empty")  # its only application has left the board


async def test_a_buyer_sees_no_dealer_board(world):
    h = await signed_in(world, "buyer")
    await h.route("/dealer/pipeline")
    assert h.has("pipeline-empty")


async def test_a_customer_who_stops_at_the_contract_has_chosen_an_offer(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await customer_chooses_an_offer(h)
    await h.click("handoff-return-action")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert "张*" in h.texts(h.find("col-offer_chosen"))
    assert h.has("col-draft-empty") and h.has("col-signed-empty")


async def test_a_payout_is_confirmed_only_for_a_signed_application_of_ones_own_dealership(world):
    from dataclasses import replace

    from app.state import Deal, SessionUser
    from domain.errors import InputError
    from domain.ids import new_id

    services = world.services
    staff = next(u for u in services.demo_users() if u.role == "staff")
    customer = services.start_walk_in(staff, "李娜", "")
    draft = services.start_draft(staff, customer, world.vehicles["seal"].id, Deal())
    attempts = [
        (staff, "signed"),  # a draft: nothing is signed yet
        (replace(staff, dealer_id=new_id()), "not_found"),  # another dealership's staff
        (SessionUser(customer, "李娜", "buyer"), "not_found"),  # the buyer themself
    ]
    for who, rule in attempts:
        with pytest.raises(InputError) as refused:
            services.confirm_payout(who, draft)
        assert (refused.value.field, refused.value.rule) == ("application", rule)
    assert [c.application_id for c in services.pipeline(staff.dealer_id)["draft"]] == [draft]


async def test_staff_withdraw_a_walk_in_customers_consent_at_their_request(world):
    from domain.catalog import ConsentPurpose
    from local_db.audit import list_entries, verify_chain

    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    pid = await customer_chooses_an_offer(h)  # the customer consented on the tablet
    await h.click("handoff-return-action")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    (card,) = world.services.pipeline(h.state.user.dealer_id)["offer_chosen"]
    await h.route(f"/dealer/applications/{card.application_id}")
    check = world.services.dealer_check(h.state.user, card.application_id)
    (chosen,) = [o for o in check.offers if o.product_id == pid]
    assert h.find("application-chosen").value == "客户所选"  # the check, for the salesperson
    assert f"¥{chosen.payment:,.2f} / 月" in h.texts(h.find("application-chosen-offer"))
    assert h.has(f"saved-offer-{check.offers[0].id}")  # the cheapest, as quoted

    await h.click("application-withdraw")  # says what it does, then asks again
    assert "仅在客户本人要求时操作" in h.find("application-withdraw-consequence").value
    await h.click("application-withdraw-keep")
    assert not h.has("application-withdraw-consequence")
    await h.click("application-withdraw")
    await h.click("application-withdraw-confirm")
    assert h.find("application-notice").value == "客户的授权已撤回"
    assert h.find("application-status").value == "客户已撤回授权"
    assert not h.has("application-withdraw")  # nothing is left to withdraw
    assert not h.has("application-chosen")  # nor are the check's results shown any more
    assert world.services.dealer_check(h.state.user, card.application_id) is None
    assert not any(world.services.pipeline(h.state.user.dealer_id).values())
    (summary,) = world.services.consents(card.user_id)
    assert summary.purpose is ConsentPurpose.SOFT_CHECK and not summary.active

    with world.services.session() as s:
        assert verify_chain(s).ok
        (entry,) = [e for e in list_entries(s) if e.action == "consent.withdrawn"]
    assert entry.actor == h.state.user.id  # the staff member recorded it, for the customer
    assert entry.details["on_behalf_of"] == card.user_id
    assert entry.details["applications_withdrawn"] == [card.application_id]


async def test_staff_withdraw_consent_only_on_their_dealerships_open_applications(world):
    from dataclasses import replace

    from app.state import Deal, SessionUser
    from domain.catalog import ConsentPurpose
    from domain.errors import InputError
    from domain.ids import new_id
    from local_db.repositories import people as people_repo

    services = world.services
    staff = next(u for u in services.demo_users() if u.role == "staff")
    customer = services.start_walk_in(staff, "李娜", "")
    draft = services.start_draft(staff, customer, world.vehicles["seal"].id, Deal())
    with services.session() as s:
        people_repo.record_consent(
            s, user_id=customer, purpose=ConsentPurpose.SOFT_CHECK, text_version="v1"
        )
        s.commit()
    for who in (replace(staff, dealer_id=new_id()), SessionUser(customer, "李娜", "buyer")):
        with pytest.raises(InputError) as refused:  # another dealership's staff; the buyer
            services.withdraw_customer_consent(who, draft)
        assert (refused.value.field, refused.value.rule) == ("application", "not_found")
    assert services.consents(customer)[0].active  # nothing changed

    assert services.withdraw_customer_consent(staff, draft) == 1
    with pytest.raises(InputError) as refused:  # already withdrawn: no longer open
        services.withdraw_customer_consent(staff, draft)
    assert (refused.value.field, refused.value.rule) == ("application", "open")


async def test_the_application_screen_opens_only_the_dealerships_own_applications(world):
    from dataclasses import replace

    from app.state import Deal
    from domain.errors import InputError
    from domain.ids import new_id

    h = await signed_in(world, "staff", width=1024, height=768)
    services, staff = world.services, h.state.user
    customer = services.start_walk_in(staff, "李娜", "")
    draft = services.start_draft(staff, customer, world.vehicles["seal"].id, Deal())
    await h.route(f"/dealer/applications/{draft}")
    assert h.find("application-who").value == "李*" and not h.has("application-missing")
    await h.route(f"/dealer/applications/{new_id()}")
    assert h.has("application-missing") and not h.has("application-who")
    with pytest.raises(InputError) as refused:  # another dealership's staff
        services.dealer_application(replace(staff, dealer_id=new_id()), draft)
    assert (refused.value.field, refused.value.rule) == ("application", "not_found")


def desk_check(world, **typed: str):
    """The Seal's dealership runs a check for the demo buyer with ``typed`` over their
    profile; the dealer's pipeline cards after it."""
    from app.state import Deal

    s, seal = world.services, world.vehicles["seal"]
    values = {**s.prequal_defaults(world.buyer_id), "housing": "rent", **typed}
    s.run_prequal(
        world.buyer_id, seal.id, Deal(), values, dealer_id=seal.dealer_id,
        consented_at=datetime.now(UTC),
    )  # fmt: skip
    return [c for cards in s.pipeline(seal.dealer_id).values() for c in cards]


async def test_a_pipeline_card_counts_the_trade_in_out_of_the_loan(world):
    from app.state import Deal

    seal = world.vehicles["seal"]
    (card,) = desk_check(world, trade_in="20000")
    assert card.column == "prequalified"
    assert card.amount == seal.price - Deal().down_payment(seal.price) - 20000


async def test_a_trade_in_the_staff_appraised_goes_into_the_draft_and_the_customers_form(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    seal = world.vehicles["seal"]
    await h.type_text("deal-trade-in", "200000")  # more than the car: refused, kept
    await hand_over(h, world)
    field = h.find("deal-trade-in")
    assert (field.error, field.value) == ("置换抵扣与首付合计必须低于车价", "200000")
    assert not h.state.handed_to_customer
    assert not world.services.pipeline(seal.dealer_id)["draft"]  # nobody was created
    await h.type_text("deal-trade-in", "20000")
    await h.click("hand-over")
    assert h.state.handed_to_customer
    (card,) = world.services.pipeline(seal.dealer_id)["draft"]
    assert card.amount == seal.price - h.state.deal.down_payment(seal.price) - 20000
    await h.type_text("prequal-age", "35")  # the customer's own details, as in the journey
    await h.select("prequal-housing", "rent")
    await h.click("prequal-next")
    assert h.find("prequal-trade_in").value == "20000"
    # what moves the score is the customer's to say: nothing the desk assumed for them
    assert h.find("prequal-income_type").value is None


async def test_a_check_no_lender_offered_says_so_on_its_card_and_its_page(world):
    (card,) = desk_check(world, monthly_income="2000")
    assert card.column == "prequalified"
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/pipeline")
    assert h.find(f"pipe-no-offer-{card.application_id}").value == "已查询 · 无机构报价"
    await h.route(f"/dealer/applications/{card.application_id}")
    assert h.find("application-status").value == "已查询 · 无机构报价"


async def test_the_customer_holding_the_tablet_can_switch_its_language(world):
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await h.click("handoff-language")
    assert h.state.locale == "en_US" and h.top.route == "/handoff"
    assert h.find("handoff-language").content == "中文"
    await h.click("handoff-return-action")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    assert h.state.locale == "zh_CN"  # the staff's own, back with the tablet


def flagged_desk_check(world):
    """The Seal checked at its dealership as the buyer's fourth car in 30 days: offers, but
    provisional (velocity); its pipeline card."""
    from tests.ui.test_prequal_offers import check_cars

    check_cars(world, "dolphin", "camry", "model3")
    seal = world.vehicles["seal"]
    (card,) = [c for c in desk_check(world) if c.vehicle.id == seal.id]
    return card


async def test_a_provisional_check_is_marked_on_its_pipeline_card(world):
    card = flagged_desk_check(world)
    assert card.review == ("fraud.velocity_person",) and card.status == "prequalified"
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/pipeline")
    assert h.find(f"pipe-review-{card.application_id}").value == "初步报价 · 待人工审核"


async def test_a_check_no_lender_offered_has_no_review_waiting(world):
    (card,) = desk_check(world, monthly_debt_payments="30000")  # more than the income
    assert card.review == ("consistency.debts_over_income",) and card.status == "declined"
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/pipeline")
    assert h.has(f"pipe-no-offer-{card.application_id}")
    assert not h.has(f"pipe-review-{card.application_id}")


@pytest.mark.parametrize(
    ("approve", "said"),
    [(True, "已审核 · 批准"), (False, "审核后拒绝")],
    ids=["approved", "declined"],
)
async def test_a_pipeline_card_says_what_the_review_decided(world, approve, said):
    card = flagged_desk_check(world)
    world.services.review_application(card.application_id, approve=approve)
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route("/dealer/pipeline")
    assert h.find(f"pipe-review-{card.application_id}").value == said
    assert not h.has(f"pipe-no-offer-{card.application_id}")  # a person declined, not the check
    await h.route(f"/dealer/applications/{card.application_id}")
    assert h.find("application-status").value == ("已选报价" if approve else "审核后拒绝")


async def test_a_walk_in_consents_to_a_text_that_says_how_they_can_withdraw(world):
    from domain.catalog import ConsentPurpose
    from local_db.repositories import people as people_repo

    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await h.type_text("prequal-age", "35")
    await h.select("prequal-housing", "rent")
    await h.click("prequal-next")
    await h.type_text("prequal-monthly_income", "30000")
    await h.type_text("prequal-employment_months", "60")
    await h.select("prequal-income_type", "salary")
    await h.click("prequal-next")
    assert "请经销商工作人员为我撤回" in h.find("consent-text").value
    assert "设置" not in h.find("consent-text").value  # a walk-in has no Settings
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.state.prequal_result is not None)
    with world.services.session() as s:
        (given,) = [
            c for c in people_repo.list_consents(s, user_id=h.state.customer_user_id)
            if c.purpose is ConsentPurpose.SOFT_CHECK
        ]  # fmt: skip
    assert given.text_version == "soft-check-desk-2026-12"


async def test_a_customer_holding_the_tablet_cannot_play_the_reviewer(world):
    """Demo mode: 60 months in work at 20 refers the check to manual review; on the
    handed-over tablet the contract says so, with no reviewer's buttons for the customer."""
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await customer_chooses_an_offer(h, age="20")
    assert h.has("contract-in-review") and h.has("contract-demo-reviewer-staff")
    assert not h.has("review-approve") and not h.has("contract-demo-reviewer")
    assert "交回平板后，由销售人员" in h.text()


async def test_staff_play_the_reviewer_on_the_flagged_applications_screen(world):
    card = flagged_desk_check(world)
    h = await signed_in(world, "staff", width=1024, height=768)
    await h.route(f"/dealer/applications/{card.application_id}")
    assert h.has("contract-in-review") and h.has("contract-demo-reviewer")
    assert "您现在可以先阅读合同" not in h.text()  # the staff have no contract to read
    await h.click("review-approve")
    assert h.find("application-status").value == "已选报价"
    assert not h.has("review-approve")
    await h.route("/dealer/pipeline")
    assert h.find(f"pipe-review-{card.application_id}").value == "已审核 · 批准"


async def signed_walk_in(world):
    """The staff's tablet back in staff hands on a walk-in's signed application."""
    h = await signed_in(world, "staff", width=1024, height=768)
    await hand_over(h, world)
    await customer_chooses_an_offer(h)
    await confirm_identity(h)
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)
    await h.click("contract-to-loans")
    await h.click("handoff-give-back")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    await h.click(h.find_ids("pipe-", h.find("col-signed"))[0])
    return h


async def test_a_contract_not_paid_out_by_its_first_repayment_date_lapses_and_is_cancelled(
    world,
):
    from datetime import timedelta

    from domain.errors import InputError

    h = await signed_walk_in(world)
    route, staff = h.top.route, h.state.user
    application_id = route.rsplit("/", 1)[-1]
    loan = world.services.staff_loan(staff, application_id)
    first = loan.pay_out_by
    assert h.value("payout-by") == f"须在首期还款日 {first:%Y年%-m月%-d日} 之前放款"
    world.services._today = first - timedelta(days=1)  # the last day it can be paid out
    assert not world.services.staff_loan(staff, application_id).lapsed
    world.services._today = first  # the schedule's first payment would be owed today
    await h.route("/dealer/pipeline")
    await h.route(route)
    assert h.value("payout-lapsed").startswith(f"已失效：首期还款日 {first:%Y年%-m月%-d日}")
    assert not h.has("payout-confirm")
    with pytest.raises(InputError) as refused:
        world.services.confirm_payout(staff, application_id)
    assert refused.value.rule == "lapsed"
    await h.click("contract-cancel")  # asked twice: it ends the contract
    assert "无需还款" in h.find("contract-cancel-consequence").value
    await h.click("contract-cancel-confirm")
    assert not world.services.pipeline(staff.dealer_id)["signed"]
    (cancelled,) = world.services.my_loans(loan.application.user_id)
    assert cancelled.cancelled and not cancelled.paid_out
    with pytest.raises(InputError) as no_payment:
        world.services.record_payment(cancelled.contract.id, "100.00")
    assert no_payment.value.rule == "paid_out"


async def test_a_walk_in_contract_the_server_refused_for_its_car_is_cancelled_not_paid_out(
    world,
):
    from domain.errors import InputError
    from tests.ui.world import refuse_signing

    h = await signed_walk_in(world)
    route, staff = h.top.route, h.state.user
    application_id = route.rsplit("/", 1)[-1]
    refuse_signing(world.services, application_id)
    await h.route("/dealer/pipeline")
    await h.route(route)
    taken = h.value("payout-car-taken")
    assert taken.startswith("未被接受：这辆车的另一份贷款合同先提交到「车贷」")
    assert not h.has("payout-confirm") and not h.has("payout-lapsed")
    with pytest.raises(InputError) as refused:
        world.services.confirm_payout(staff, application_id)
    assert refused.value.rule == "under_contract"
    await h.click("contract-cancel")
    await h.click("contract-cancel-confirm")
    assert not world.services.pipeline(staff.dealer_id)["signed"]


async def test_a_payout_confirmed_offline_on_a_refused_contract_takes_no_payment(world):
    from domain.errors import InputError
    from tests.ui.world import refuse_signing

    h = await signed_walk_in(world)
    staff, application_id = h.state.user, h.top.route.rsplit("/", 1)[-1]
    world.services.confirm_payout(staff, application_id)  # offline: the server not heard yet
    refuse_signing(world.services, application_id)  # ... then it refused the whole signing
    loan = world.services.staff_loan(staff, application_id)
    assert loan.car_taken and not loan.paid_out and loan.never_paid_out
    with pytest.raises(InputError) as refused:
        world.services.record_payment(loan.contract.id, "100.00")
    assert refused.value.rule == "paid_out"


async def test_a_loan_signed_on_another_device_shows_from_the_terms_its_contract_carried(world):
    from sqlalchemy import update

    from local_db.tables import ContractRow

    h = await signed_walk_in(world)
    route, staff = h.top.route, h.state.user
    application_id = route.rsplit("/", 1)[-1]
    signed_here = world.services.staff_loan(staff, application_id)

    def pulled(**row) -> None:  # as a second tablet holds it: the PDF stays where it was signed
        with world.services.session() as s:
            s.execute(update(ContractRow).values(pdf=b"", **row))
            s.commit()

    pulled()
    elsewhere = world.services.staff_loan(staff, application_id)
    assert elsewhere.quote == signed_here.quote and elsewhere.lender == signed_here.lender
    assert elsewhere.servicing == signed_here.servicing
    await h.route("/dealer/pipeline")
    await h.route(route)
    assert h.value("payout-by").startswith("须在首期还款日")
    (mine,) = world.services.my_loans(signed_here.application.user_id)
    assert mine.quote == signed_here.quote
    pulled(loan="")  # a contract from before its terms travelled with it
    await h.route("/dealer/pipeline")
    await h.route(route)
    assert h.has("payout-waiting") and world.services.staff_loan(staff, application_id) is None
    assert world.services.my_loans(signed_here.application.user_id) == []


async def test_staff_know_by_when_to_pay_out_a_loan_whose_contract_they_do_not_hold(world):
    """A buyer's own contract, signed on their phone, is never the dealership's to pull; the
    application carries its first repayment date (the server sets it from the contract)."""
    from datetime import timedelta

    from sqlalchemy import delete

    from domain.errors import InputError
    from local_db.tables import ContractRow

    h = await signed_walk_in(world)
    route, staff = h.top.route, h.state.user
    application_id = route.rsplit("/", 1)[-1]
    first = world.services.staff_loan(staff, application_id).pay_out_by
    with world.services.session() as s:
        s.execute(delete(ContractRow))
        s.commit()
    assert world.services.staff_loan(staff, application_id) is None
    await h.route("/dealer/pipeline")
    await h.route(route)
    assert h.value("payout-by") == f"须在首期还款日 {first:%Y年%-m月%-d日} 之前放款"
    world.services._today = first + timedelta(days=3)
    await h.route("/dealer/pipeline")
    await h.route(route)
    assert h.value("payout-lapsed").startswith(f"已失效：首期还款日 {first:%Y年%-m月%-d日}")
    with pytest.raises(InputError) as refused:
        world.services.confirm_payout(staff, application_id)
    assert refused.value.rule == "lapsed"
