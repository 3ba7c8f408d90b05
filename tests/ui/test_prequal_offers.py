"""Prequalification form, consent, the soft check in the background, offers and detail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import flet as ft
import pytest

from domain.catalog import ConsentPurpose
from local_db.repositories import people as people_repo
from tests.ui.conftest import signed_in
from tests.ui.flet_harness import _key, visible, walk
from views.prequal import CHOICES

pytestmark = pytest.mark.asyncio


async def to_prequal(world, **kw):
    h = await signed_in(world, **kw)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    assert h.top.route == f"/cars/{world.vehicles['seal'].id}/prequal"
    return h


async def through_form(h, **second_step: str):
    """Through the form to the offers, typing ``second_step``'s fields (name: text) there."""
    await h.click("prequal-next")
    for name, text in second_step.items():
        if name in CHOICES:
            await h.select(f"prequal-{name}", text)
        else:
            await h.type_text(f"prequal-{name}", text)
    await h.click("prequal-next")
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/offers" and h.has("offers-list"))


async def test_form_is_prefilled_from_the_buyers_profile(world):
    h = await to_prequal(world)
    price = world.vehicles["seal"].price
    down = (price * 3 / 10).quantize(1)
    assert h.find("deal-down-label").value == f"首付 30% · ¥{down:,}"
    assert h.find("prequal-age").value == str(2026 - 1992)
    city = h.find("prequal-city")  # picked from the dealers' cities, named in the language
    assert city.value == "Shanghai"
    assert [(o.key, o.text) for o in city.options] == [("Shanghai", "上海")]
    await h.click("prequal-next")
    assert h.find("prequal-monthly_income").value == "25000.00"


async def test_inline_error_names_the_field_and_keeps_what_was_typed(world):
    h = await to_prequal(world)
    await h.click("prequal-next")
    await h.type_text("prequal-monthly_income", "abc")
    await h.click("prequal-next")
    field = h.find("prequal-monthly_income")
    assert field.error == "必须是数字，例如“1234.50”"
    assert field.value == "abc"
    assert h.state.prequal.step == 1


async def test_a_trade_in_that_leaves_no_loan_is_refused_next_to_it_and_kept(world):
    h = await to_prequal(world)  # the Seal, ¥179,800, 30% down: ¥53,940
    await h.click("prequal-next")
    await h.type_text("prequal-trade_in", "125860")  # with the down payment: the whole price
    await h.click("prequal-next")
    field = h.find("prequal-trade_in")
    assert field.error == "置换抵扣与首付合计必须低于车价"
    assert field.value == "125860"
    assert h.state.prequal.step == 1
    await h.type_text("prequal-trade_in", "125859.99")  # a cent of loan is left
    await h.click("prequal-next")
    assert h.state.prequal.step == 2


async def test_a_trade_in_left_without_a_loan_by_a_later_down_payment_is_sent_back_to(world):
    h = await to_prequal(world)
    await h.click("prequal-next")
    await h.type_text("prequal-trade_in", "100000")  # with 30% down (¥53,940) a loan is left
    await h.click("prequal-next")
    await h.slide("deal-down", 70.0)  # ¥125,860 down: with the trade-in, more than the car
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.state.prequal.step == 1)
    assert h.find("prequal-trade_in").error == "置换抵扣与首付合计必须低于车价"
    assert h.find("prequal-trade_in").value == "100000"


async def test_a_trade_in_is_credited_in_every_offer_and_shown_in_its_disclosure(world):
    h = await to_prequal(world)
    await through_form(h, trade_in="30000")
    result = h.state.prequal_result
    assert h.find("offers-deal").value == "首付 ¥53,940.00 · 置换抵扣 ¥30,000.00 · 36 期"
    values = {k: v for k, v in h.state.prequal.values.items() if k != "trade_in"}
    without = world.services.run_prequal(
        world.buyer_id,
        world.vehicles["seal"].id,
        h.state.deal,
        values,
        consented_at=datetime.now(UTC),
    )
    assert result.recommended
    for offer in result.recommended:  # credited like down payment: a smaller loan
        terms = offer.quote.terms
        assert (terms.down_payment, terms.trade_in) == (Decimal("53940.00"), Decimal("30000.00"))
        plain = without.offer(offer.product.id).quote
        assert offer.quote.amount_financed <= plain.amount_financed - 30000
        assert offer.quote.payment < plain.payment
    pid = result.cheapest_id
    await h.click(f"offer-open-{pid}")
    assert h.find("disc-trade-in").value == "¥30,000.00"
    saved = [c.application for c in world.services.saved_checks(world.buyer_id)]
    assert [a.trade_in for a in saved] == [Decimal(0), Decimal("30000.00")]  # newest first
    again = await signed_in(world)  # "Check again" brings the trade-in back into the form
    await again.route("/offers")
    await again.click(f"saved-again-{result.application_id}")
    values = again.state.prequal.values
    assert values["trade_in"] == "30000.00" and values["monthly_income"] == "25000.00"


async def test_submit_needs_explicit_consent(world):
    h = await to_prequal(world)
    await h.click("prequal-next")
    await h.click("prequal-next")
    assert "不查询中国人民银行征信报告" in h.find("consent-text").value
    assert h.find("prequal-submit").disabled
    await h.select("consent-agree", True)
    assert not h.find("prequal-submit").disabled


async def test_offers_rank_inside_eligibility_and_show_apr_first(world):
    h = await to_prequal(world)
    await through_form(h)
    offers = [c.key for c in h.find_all("offer-card-")]
    assert len(offers) == 2  # the strict and the used-only products declined
    assert h.find("offers-deal").value == "首付 ¥53,940.00 · 36 期"  # what they are for
    result = h.state.prequal_result
    cheapest = result.cheapest_id
    assert h.has(f"cheapest-{cheapest}")
    assert h.find(f"apr-{cheapest}").value.endswith("%")
    # the strict product declines the buyer; the used-only one never finances a new car,
    # so it is folded into one line until asked for
    assert len(h.find_all("decline-")) == 1
    assert h.find("declines-other-text").value.startswith("另有 1 个产品")
    await h.click("declines-other")
    assert len(h.find_all("decline-")) == 2
    assert any("只贷二手车" in t for t in h.texts())


async def test_every_dearer_offer_says_how_much_more_it_costs_than_the_cheapest(world):
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    least = result.cheapest[0].quote.finance_charge
    dearer = [o for o in result.recommended if o.quote.finance_charge > least]
    assert dearer  # the world's two offers differ in cost
    for order in ("recommended", "cheapest"):  # whatever rank it has, in either order
        await h.select("offers-order", [order])
        for o in dearer:
            extra = o.quote.finance_charge - least
            said = h.find(f"more-{o.product.id}").value
            assert said == f"比最便宜的报价多 ¥{extra:,.2f}"
        assert not h.has(f"more-{result.cheapest_id}")


async def test_cheapest_first_orders_by_finance_charge(world):
    h = await to_prequal(world)
    await through_form(h)
    await h.select("offers-order", ["cheapest"])
    cards = [c.key.removeprefix("offer-card-") for c in h.find_all("offer-card-")]
    charges = [h.state.prequal_result.offer(pid).quote.finance_charge for pid in cards]
    assert charges == sorted(charges)


async def test_the_order_toggle_shows_only_when_there_are_offers_to_order(world):
    h = await to_prequal(world)
    await through_form(h)
    assert len(h.find_all("offer-card-")) == 2 and h.has("offers-order")
    h = await to_prequal(world)  # a deal no lender takes: nothing to put in order
    await through_form(h, monthly_income="2000")
    assert h.has("offers-none") and h.has("offers-summary") and not h.has("offers-order")


async def test_no_offers_promises_what_would_change_that_only_when_something_would(world):
    h = await to_prequal(world)  # 17: a full adult in law with a wage, but no lender lends
    await h.type_text("prequal-age", "17")  # below 18, whatever the deal
    await h.click("prequal-next")
    await h.click("prequal-next")
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/offers" and h.has("offers-none"))
    declines = h.state.prequal_result.answer.result.declines
    assert declines and all(d.hint is None or d.hint.kind == "none" for d in declines)
    assert "下方列出了各家机构的原因" in h.find("offers-none").value
    h = await to_prequal(world)  # an income that more down would make enough
    await through_form(h, monthly_income="6000")
    assert (
        h.find("offers-none").value
        == "按目前的方案没有机构能提供贷款；下面列出了怎样调整可以改变结果。"
    )


def decline_of(h, product_name: str):
    """The checked result's decline by the product named so (English name)."""
    declines = h.state.prequal_result.answer.result.declines
    return next(d for d in declines if d.product.name_en == product_name)


def add_product(world, **fields):
    """A product of the world's first lender, added to its market; returned."""
    from local_db.repositories import catalog
    from tests.factories import make_product

    with world.services.session() as s:
        product = make_product(lender_id=catalog.list_lenders(s)[0].id, **fields)
        catalog.save_products(s, products=[product])
        s.commit()
    return product


def soft_check_consents(world) -> list:
    with world.services.session() as s:
        return [
            c
            for c in people_repo.list_consents(s, user_id=world.buyer_id)
            if c.purpose is ConsentPurpose.SOFT_CHECK
        ]


async def test_applying_a_hint_asks_for_consent_again_then_checks_the_changed_deal(world):
    h = await to_prequal(world)
    await through_form(h)
    strict = decline_of(h, "Strict car loan")
    assert strict.hint.kind in ("down_payment", "term")
    first = h.state.prequal_result.application_id
    await h.click(f"apply-{strict.product.id}")
    assert (
        h.top.route == f"/cars/{world.vehicles['seal'].id}/prequal" and h.state.prequal.step == 2
    )  # the consent step
    assert h.find("prequal-applied").value.startswith("已应用：")
    assert not h.find("consent-agree").value and h.find("prequal-submit").disabled
    assert len(soft_check_consents(world)) == 1  # nothing checked without a new consent
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/offers" and h.has("offers-list"))
    assert h.state.prequal_result.application_id != first
    ids = {o.product.id for o in h.state.prequal_result.answer.result.offers}
    assert strict.product.id in ids
    assert len(soft_check_consents(world)) == 2


async def test_each_check_records_its_own_consent_and_the_next_starts_unticked(world):
    h = await to_prequal(world)
    await through_form(h)
    (given,) = soft_check_consents(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    assert h.state.prequal.step == 0  # the form again, still filled
    assert h.find("prequal-age").value == str(2026 - 1992)
    await h.click("prequal-next")
    await h.click("prequal-next")
    assert not h.find("consent-agree").value and h.find("prequal-submit").disabled
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/offers" and h.has("offers-list"))
    first, second = soft_check_consents(world)
    assert first == given and second.given_at > given.given_at


async def test_a_decline_nothing_can_cure_says_so(world):
    h = await to_prequal(world)
    await through_form(h)
    used_only = decline_of(h, "Used-car special")
    # the summary counts only the products that finance this car and said no to the buyer
    from views.offers import about_the_car

    r = h.state.prequal_result.answer.result
    for_you = [d for d in r.declines if not about_the_car(d.failed)]
    assert used_only not in for_you and len(for_you) < len(r.declines)
    assert h.find("offers-counts").value == f"{len(r.offers)} 个报价 · {len(for_you)} 个暂不可用"
    await h.click("declines-other")  # it declines the kind of car, listed folded
    said = h.find(f"hint-{used_only.product.id}").value
    assert said == "调整首付、期限或车辆也无法获得该产品的报价"
    assert not h.has(f"apply-{used_only.product.id}")
    # with no product saying no to the buyer, the summary does not count none of them
    only_cars = replace(r, declines=tuple(d for d in r.declines if about_the_car(d.failed)))
    result = h.state.prequal_result
    h.state.prequal_result = replace(result, answer=replace(result.answer, result=only_cars))
    h.state.notify()
    await h.settle()
    assert h.find("offers-counts").value == f"{len(r.offers)} 个报价"
    n = len(only_cars.declines)  # and the folded line counts them, not "more" than none
    assert h.find("declines-other-text").value.startswith(f"{n} 个产品不为这辆车提供贷款")


async def test_offer_detail_shows_the_disclosure_and_schedule(world):
    h = await to_prequal(world)
    await through_form(h)
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    assert h.top.route == f"/offers/{pid}"
    offer = h.state.prequal_result.offer(pid)
    assert h.find("disc-apr").value == f"{offer.quote.apr_percent}%"
    assert h.find("disc-charge").value == f"¥{offer.quote.finance_charge:,.2f}"
    assert len(h.find("schedule").rows) > 36  # 36 payments plus yearly subtotal rows
    # the way on, right under the disclosure, and again below the schedule
    order = [getattr(c, "identifier", None) or _key(c) for c in walk(h.top)]
    assert (
        order.index("disc-charge")
        < order.index("offer-contract")
        < order.index("schedule")
        < order.index("offer-contract-end")
    )
    await h.click("offer-contract-end")
    assert h.top.route == f"/contract/{pid}"


async def test_the_disclosure_says_how_the_amount_financed_comes_from_the_loan(world):
    """Fees the lender takes up front leave the buyer less than the loan: the box says so,
    with the two figures that would otherwise disagree across screens."""
    h = await to_prequal(world)
    await through_form(h)
    offers = h.state.prequal_result.recommended
    with_fees = next(o for o in offers if o.quote.principal != o.quote.amount_financed)
    q = with_fees.quote
    fees = q.principal - q.amount_financed
    # every card says what is due on the day, so the cards compare row by row: the down
    # payment, and the fees where a lender takes them from the loan
    assert h.value(f"due-{with_fees.product.id}") == f"¥{q.terms.down_payment + fees:,.2f}"
    for o in offers:
        if o.quote.principal == o.quote.amount_financed:
            assert h.value(f"due-{o.product.id}") == f"¥{o.quote.terms.down_payment:,.2f}"
    await h.click(f"offer-open-{with_fees.product.id}")
    assert h.find("disc-upfront-fees").value == (
        f"融资金额：贷款本金 ¥{q.principal:,.2f}，减去贷款机构放款时从中扣除的费用 "
        f"¥{fees:,.2f}（已计入利息及费用总额）。经销商因此少收这笔款项，签约时请连同首付一并"
        f"支付，共计 ¥{q.terms.down_payment + fees:,.2f}。"
    )
    # what the buyer hands over in all is the total sale price the box states
    assert q.terms.down_payment + fees + q.total_of_payments == q.total_sale_price
    assert h.find("disc-due-at-signing").value == f"¥{q.terms.down_payment + fees:,.2f}"
    h.state.set_locale("en_US")
    assert h.find("disc-upfront-fees").value.startswith(
        f"Amount financed: the loan of CN¥{q.principal:,.2f} less CN¥"
    )
    if none := next((o for o in offers if o.quote.principal == o.quote.amount_financed), None):
        await h.route(f"/offers/{none.product.id}")
        assert not h.has("disc-upfront-fees") and not h.has("disc-due-at-signing")


async def test_offer_detail_states_the_late_and_prepayment_terms_as_the_contract_will(world):
    from contracts.render import late_charge_text, prepayment_text
    from domain.repayment_terms import terms_from_product

    h = await to_prequal(world)
    await through_form(h)
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    servicing = terms_from_product(h.state.prequal_result.offer(pid).product)
    assert h.find("disc-term-0").value == late_charge_text(servicing.late_fee, "zh_CN")
    assert h.find("disc-term-1").value == prepayment_text(servicing.prepayment, "zh_CN")
    assert world.vehicles["seal"].vin in h.find("disc-term-2").value
    assert {"融资金额", "分期购车总价", "利息及费用总额"} <= set(h.texts(h.find("disclosure")))


async def test_on_a_phone_the_schedule_is_a_list_that_fits_the_screen(world):
    h = await to_prequal(world, width=390, height=844)
    await through_form(h)
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    offer = h.state.prequal_result.offer(pid)
    schedule = h.find("schedule")
    assert isinstance(schedule, ft.Column)  # a list, no table to cut off at the edge
    first = offer.quote.schedule[0]
    lines = h.texts(schedule.controls[0])
    assert lines[0] == "1" and lines[-2] == f"¥{first.payment:,.2f}"
    # a flat-rate quote's balance counts down the amount financed, and is named so
    balance = "剩余融资金额" if offer.quote.balance_on_amount_financed else "剩余本金"
    assert lines[-1] == (
        f"本金 ¥{first.principal:,.2f} · 利息 ¥{first.interest:,.2f} · "
        f"{balance} ¥{first.balance:,.2f}"
    )
    years = [c for c in schedule.controls if h.texts(c)[0].startswith("第 ")]
    assert len(schedule.controls) == len(offer.quote.schedule) + len(years)
    assert [h.texts(c)[0] for c in years] == [f"第 {y.year} 年" for y in offer.quote.yearly]
    # the APR and the interest and fees each have a row of their own, never broken in two
    cells = h.find("disclosure").content.controls[1].controls
    assert [c.col["xs"] for c in cells] == [12, 12, 6, 6, 6, 6, 6]  # and what is due at signing
    assert all(t.no_wrap for t in (h.find("disc-apr"), h.find("disc-charge")))


async def test_empty_offers_say_what_to_do(world):
    h = await signed_in(world)
    await h.route("/offers")
    assert h.has("offers-empty")


async def test_offers_beyond_the_first_few_are_folded_but_the_cheapest_stays(world, monkeypatch):
    import views.offers

    monkeypatch.setattr(views.offers, "OFFERS_SHOWN", 0)
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    shown = [c.key.removeprefix("offer-card-") for c in h.find_all("offer-card-")]
    assert shown == [result.cheapest_id]
    await h.click("offers-all")
    assert len(h.find_all("offer-card-")) == len(result.recommended) == 2
    await h.click("offers-all")
    assert len(h.find_all("offer-card-")) == 1


async def test_a_check_is_still_there_when_the_app_is_opened_again(world):
    h = await to_prequal(world)
    await through_form(h)
    shown = {o.product.id: o.quote for o in h.state.prequal_result.cheapest}
    application_id = h.state.prequal_result.application_id

    again = await signed_in(world)  # a new browser session: nothing in memory
    await again.route("/offers")
    assert again.has("offers-saved")
    records = world.services.saved_checks(world.buyer_id)[0]
    assert records.application.id == application_id
    assert {r.product_id for r in records.offers} == set(shown)
    for r in records.offers:  # the figures quoted then, cheapest first
        assert (r.apr, r.payment) == (shown[r.product_id].apr, shown[r.product_id].payment)
        assert again.find(f"saved-apr-{r.id}").value == again_rate(shown[r.product_id].apr)
    # the declines counted as the offers screen counts them: the buyer's, not the car's
    r = h.state.prequal_result.answer.result
    from views.offers import about_the_car

    for_you = [d for d in r.declines if not about_the_car(d.failed)]
    assert len(records.declines) == len(r.declines) > len(for_you) > 0
    assert (
        f"{len(r.offers)} 个报价 · {len(for_you)} 个暂不可用"
        in again.find(f"saved-summary-{application_id}").value
    )
    for d in records.declines:  # every rule failed is saved, the named ones first
        live = next(x for x in r.declines if x.product.id == d.product_id)
        assert d.reasons[: len(live.reasons)] == tuple(x.code for x in live.reasons)
        assert set(d.reasons) == live.failed

    await again.click(f"saved-again-{application_id}")
    assert again.state.car_id == world.vehicles["seal"].id
    assert again.state.deal == h.state.deal
    assert "push_route" in again.invoked


async def test_an_offer_opened_by_its_link_in_a_new_session_is_reopened_from_the_device(world):
    """An offer's URL opened afresh (a reload, a bookmark) shows the offer of the saved check,
    with the figures quoted then; "My offers" still lists the saved checks (tests/ui/
    test_reload.py has the contract's, and where a link leads that cannot be reopened)."""
    h = await to_prequal(world)
    await through_form(h)
    pid = h.state.prequal_result.cheapest_id
    quoted = h.state.prequal_result.offer(pid).quote

    again = await signed_in(world)
    await again.route(f"/offers/{pid}")
    assert not again.has("offer-missing")
    assert again.find("disc-apr").value == again_rate(quoted.apr)
    await again.route("/offers")
    assert again.top.route == "/offers" and again.has("offers-saved")


def again_rate(apr) -> str:
    from app.i18n import format_rate

    return format_rate(apr, "zh_CN")


async def test_a_shared_tablet_shows_no_saved_checks(world):
    h = await to_prequal(world)
    await through_form(h)
    staff = await signed_in(world, role="staff")
    staff.state.customer_user_id = world.buyer_id
    staff.state.hand_to_customer()
    await staff.route("/handoff/offers")
    assert not staff.has("offers-saved")


def check_cars(world, *names: str) -> None:
    """The buyer checks these cars (by their world names) first, at the default deal."""
    from app.state import Deal

    s = world.services
    values = {**s.prequal_defaults(world.buyer_id), "housing": "rent"}
    for name in names:
        s.run_prequal(
            world.buyer_id, world.vehicles[name].id, Deal(), values, consented_at=datetime.now(UTC)
        )


async def test_a_fourth_car_checked_within_30_days_makes_the_offers_provisional_and_says_why(
    world,
):
    check_cars(world, "dolphin", "camry", "model3")
    h = await to_prequal(world)  # the Seal: a fourth car
    await through_form(h)
    assert h.state.prequal_result.answer.result.offers  # they stay, marked
    assert h.has("offers-review-pending")
    assert "• 30 天内以同一身份提交了 4 份申请" in h.text()


async def test_checking_the_same_car_again_is_one_application_not_many(world):
    check_cars(world, "seal", "seal", "seal", "dolphin")
    h = await to_prequal(world)
    await through_form(h)
    assert not h.has("offers-review-pending")


async def test_answers_that_do_not_add_up_make_the_offers_provisional(world):
    h = await to_prequal(world)
    await through_form(h, employment_months="300")  # 25 years in work at 34
    assert h.state.prequal_result.answer.result.offers
    assert h.has("offers-review-pending")
    assert "• 填写的工作时长（300 个月）与年龄（34 岁）不符" in h.text()


async def test_a_check_no_lender_offered_says_nothing_of_provisional_offers(world):
    h = await to_prequal(world)
    await through_form(h, monthly_debt_payments="30000")  # the income is 25,000: flagged
    assert h.state.prequal_result.answer.result.review
    assert not h.state.prequal_result.answer.result.offers
    assert not any(h.has(f"offers-review-{where}") for where in ("pending", "approved"))


async def test_offers_say_when_the_deal_has_changed_since_the_check_and_check_the_new_one(world):
    h = await to_prequal(world)
    await through_form(h)
    assert not h.has("offers-deal-changed")
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.slide("deal-down", 50.0)
    await h.route("/offers")
    said = h.find("offers-deal-changed").value
    assert "首付 ¥89,900.00 · 36 期" in said  # the Seal, ¥179,800, half down
    assert h.find("offers-deal").value == "首付 ¥53,940.00 · 36 期"  # still what was checked
    await h.click("offers-check-new-deal")
    assert h.top.route == f"/cars/{h.state.car_id}/prequal" and h.state.prequal.step == 0


async def test_removing_the_trade_in_after_the_check_is_a_changed_deal_too(world):
    h = await to_prequal(world)
    await through_form(h, trade_in="20000")
    assert not h.has("offers-deal-changed")
    await h.route("/cars")
    await h.type_text("deal-trade-in", "")
    await h.blur("deal-trade-in")
    await h.route("/offers")
    assert "首付 ¥53,940.00 · 36 期" in h.find("offers-deal-changed").value
    assert h.find("offers-deal").value == "首付 ¥53,940.00 · 置换抵扣 ¥20,000.00 · 36 期"


TYPES = {
    "bank": "银行",
    "auto_finance": "汽车金融公司",
    "consumer_finance": "消费金融公司",
    "finance_leasing": "融资租赁公司",
}


async def test_an_offer_card_names_the_lenders_type_and_the_least_it_needs_down(world):
    """The least down payment is what a buyer can act on; the most a lender would lend, in
    amount-financed terms, read as a shortfall beside a loan that counts the fees in."""
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    down = result.deal.down_payment
    for offer in result.recommended:
        pid = offer.product.id
        lender = result.answer.lenders[offer.product.lender_id]
        kind = h.find(f"offer-kind-{pid}").value
        assert kind.startswith(TYPES[lender.type] + " · ")
        if offer.lowest_down_payment < down:
            assert h.find(f"lowest-down-{pid}").value == f"¥{offer.lowest_down_payment:,.2f}"
        else:
            assert not h.has(f"lowest-down-{pid}")
        if offer.lowest_down_why:  # why not less: the rule a yuan less would fail
            why = world.services.reason_text(offer.lowest_down_why[0], "zh_CN")
            assert h.find(f"lowest-down-why-{pid}").value == f"首付再少：{why}"
        else:
            assert not h.has(f"lowest-down-why-{pid}")
    assert any(h.has(f"lowest-down-{o.product.id}") for o in result.recommended)
    assert any(h.has(f"lowest-down-why-{o.product.id}") for o in result.recommended)


async def test_a_provisional_check_still_says_so_when_reopened_later(world):
    check_cars(world, "dolphin", "camry", "model3")
    h = await to_prequal(world)  # the Seal: a fourth car in 30 days
    await through_form(h)
    application_id = h.state.prequal_result.application_id
    h = await signed_in(world)  # the app opened again: the saved checks
    await h.route("/offers")
    assert h.find(f"saved-review-{application_id}").value == (
        "初步报价，贷款机构将人工审核：短期内多次申请"
    )
    world.services.review_application(application_id, approve=True)
    await h.route("/cars")
    await h.route("/offers")
    assert h.find(f"saved-review-{application_id}").value == (
        "贷款机构已审核批准（曾因以下原因被标记：短期内多次申请）"
    )


async def test_a_check_no_lender_offered_has_no_review_to_wait_for(world):
    h = await to_prequal(world)
    await through_form(h, monthly_debt_payments="30000")  # more than the income: flagged
    assert not h.state.prequal_result.answer.result.offers
    application_id = h.state.prequal_result.application_id
    h = await signed_in(world)  # the app opened again: the saved checks
    await h.route("/offers")
    assert h.has(f"saved-summary-{application_id}")
    assert not h.has(f"saved-review-{application_id}")


async def test_a_balloon_offer_shows_its_final_payment_beside_the_monthly_one(world):
    from domain.catalog import BalloonRule, ProductKind

    balloon = add_product(
        world, id="00000000-0000-4000-8006-0000000000b1", name_zh="弹性尾款",
        name_en="Balloon plan", kind=ProductKind.BALLOON,
        balloon=BalloonRule(Decimal("0.30"), Decimal("0.40")), terms=(36,),
    )  # fmt: skip
    h = await to_prequal(world)
    await through_form(h)
    offer = h.state.prequal_result.offer(balloon.id)
    assert offer is not None and offer.quote.terms.balloon_amount > 0
    assert h.find(f"last-{balloon.id}").value == f"¥{offer.quote.last_payment:,.2f}"
    assert offer.quote.last_payment > offer.quote.payment
    level = next(o for o in h.state.prequal_result.recommended if o.product.id != balloon.id)
    assert not h.has(f"last-{level.product.id}")  # a level loan's last cents are no balloon
    assert "尾款" not in visible(h.value("offers-metrics"))
    result = h.state.prequal_result  # the cheapest a balloon: its ratios leave the balloon out
    h.state.prequal_result = replace(result, cheapest=(offer, *result.cheapest))
    h.state.notify()
    await h.settle()
    said = f"不含尾款 ¥{offer.quote.last_payment:,.2f}"
    assert said in visible(h.value("offers-metrics"))
    top = result.recommended[0]  # ranked over the balloon: the guardrail names its balloon
    h.state.prequal_result = replace(
        h.state.prequal_result, recommended=(top, *result.recommended[1:]),
        top_costs_more_by=Decimal("100.00"),
    )  # fmt: skip
    h.state.notify()
    await h.settle()
    final = f"尾款（最后一期） ¥{offer.quote.last_payment:,.2f}"
    assert final in visible(h.value("guardrail-text"))


async def test_the_summarys_ratios_are_the_cheapest_offers_whichever_the_order(world):
    h = await to_prequal(world)
    await through_form(h)
    said = h.value("offers-metrics")
    cheapest = h.state.prequal_result.cheapest[0].metrics
    assert said == f"按最便宜的报价：月供收入比 {cheapest.pti * 100:.2f}% · 负债收入比 " + (
        f"{cheapest.dti * 100:.2f}%"
    )
    await h.select("offers-order", ["cheapest"])
    assert h.value("offers-metrics") == said


def span_at(col: dict, width: int) -> int:
    """The columns (of 12) a ResponsiveRow gives ``col`` at a window ``width`` (Flet's
    breakpoints)."""
    points = {"xs": 0, "sm": 576, "md": 768, "lg": 992, "xl": 1200, "xxl": 1400}
    reached = [k for k, w in points.items() if w <= width and k in col]
    return col[reached[-1]]


async def test_the_forms_deal_bar_gives_the_term_buttons_room_on_a_wide_window(world):
    # the form is a 640-px column: laid out by the window's breakpoints, the five term
    # buttons got a third of it and their numbers broke over two lines
    h = await to_prequal(world)  # a 1280-px window
    row = h.find("deal-bar").content
    down, term = row.controls  # the form asks for the trade-in itself: not twice on a screen
    assert span_at(term.col, 1280) == 12 and span_at(down.col, 1280) == 12
    assert not h.has("deal-trade-in") and h.has("prequal-trade_in") is False  # step 1
    await h.click("prequal-next")
    assert h.has("prequal-trade_in") and len(h.find_all("prequal-trade_in")) == 1
    await h.route("/cars")  # the catalogue's bar spans the screen: one row
    row = h.find("deal-bar").content
    assert sum(span_at(c.col, 1280) for c in row.controls) == 12


async def test_nothing_that_moves_the_score_is_chosen_for_the_buyer(world):
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")  # housing scores (a home owner left at "rent" pays more)
    assert h.find("prequal-housing").value is None
    await h.click("prequal-next")
    assert h.state.prequal.step == 0
    assert h.find("prequal-housing").error_text == "为必填项"
    await h.select("prequal-housing", "own")
    await h.click("prequal-next")
    assert h.state.prequal.step == 1  # the kind of income the profile knows is filled in
    assert h.find("prequal-income_type").value == "salary"


async def test_when_the_top_pick_costs_more_one_tap_puts_the_cheapest_first(world):
    from recommender.score import Why

    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    assert not h.has("guardrail")  # the test market's ranking puts the cheapest on top
    cheapest, *others = result.recommended
    top = others[0]  # ranked first instead, as a buyer's history can put it
    more = top.quote.finance_charge - cheapest.quote.finance_charge
    chose = Why("similar_buyers", "{count} buyers like you chose this", params={"count": 120})
    h.state.prequal_result = replace(
        result,
        recommended=(top, cheapest, *others[1:]),
        top_costs_more_by=more,
        why={top.product.id: chose},
    )
    h.state.notify()
    await h.settle()  # the page as drawn: checked to lay out
    text = h.find("guardrail-text").value  # the cheapest named on the first screen
    lender = world.services.lender_name(cheapest.product.lender_id, "zh_CN")
    assert ctx_money(more) in text and lender in text
    assert ctx_money(cheapest.quote.payment) in text
    # and why the dearer one is first, said beside its cost: the card's own reason
    await h.click(f"why-{top.product.id}")
    reason = h.value(f"why-text-{top.product.id}")
    assert reason == "120 位和您相似的购车人选择了它"
    assert h.value("guardrail-why") == f"排在首位的原因：{reason}。"
    assert not h.has("guardrail-cheapest")  # the order toggle right above does that
    await h.select("offers-order", ["cheapest"])
    assert h.state.offers_order == "cheapest" and not h.has("guardrail")
    assert h.find_ids("offer-open-")[0] == f"offer-open-{result.cheapest_id}"


async def test_the_top_pick_asks_why_recommended_the_rest_why_ranked_there_and_cost_asks_none(
    world,
):
    from recommender.score import Why

    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    top, *rest = result.recommended
    chose = Why("similar_buyers", "{count} buyers like you chose this", params={"count": 120})
    h.state.prequal_result = replace(result, why={o.product.id: chose for o in result.recommended})
    h.state.notify()
    await h.settle()
    assert h.find(f"why-{top.product.id}").content == "为什么推荐？"
    assert all(h.find(f"why-{o.product.id}").content == "排序依据" for o in rest)
    await h.select("offers-order", ["cheapest"])
    assert not h.find_ids("why-")  # ordered by cost: nothing to explain but the cost


async def test_the_guardrail_opens_the_cheapest_offer_in_one_tap(world):
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    cheapest, top, *others = result.recommended
    assert cheapest.product.id == result.cheapest_id  # the test market's ranking
    h.state.prequal_result = replace(
        result,
        recommended=(top, cheapest, *others),
        top_costs_more_by=top.quote.finance_charge - cheapest.quote.finance_charge,
    )
    h.state.notify()
    await h.settle()
    await h.click("guardrail-see-cheapest")
    await h.wait_until(lambda: h.top.route == f"/offers/{result.cheapest_id}")


def ctx_money(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


async def test_a_product_that_never_finances_this_car_is_folded_whatever_else_it_found(world):
    """A premium loan for cars from ¥500,000 also finds the buyer's income short: for this car
    the income is beside the point, so it is not listed as the buyer's no."""
    from domain.catalog import VehicleLimits

    premium = add_product(
        world, id="00000000-0000-4000-8006-0000000000c1", name_zh="尊享车贷",
        name_en="Premier car loan", min_monthly_income=Decimal("90000"),
        vehicle_limits=VehicleLimits(min_price=Decimal("500000")),
    )  # fmt: skip
    h = await to_prequal(world)
    await through_form(h)
    decline = decline_of(h, "Premier car loan")
    assert {"applicant.min_income", "vehicle.min_price"} <= decline.failed
    assert f"decline-{premium.id}" not in h.find_ids("decline-")  # not among the buyer's noes
    await h.click("declines-other")
    assert h.has(f"decline-{premium.id}")
    assert "车价" in h.find("declines-other-text").value


async def test_a_finance_lease_says_the_lessor_owns_the_car_on_its_card_and_in_its_terms(world):
    from dataclasses import replace

    from domain.catalog import ProductKind
    from local_db.repositories import catalog as catalog_repo

    leased = next(p for p in world.services.products() if p.name_en == "Anyi car loan")
    with world.services.session() as s:
        catalog_repo.save_products(s, products=[replace(leased, kind=ProductKind.FINANCE_LEASE)])
        s.commit()
    h = await to_prequal(world)
    await through_form(h)
    offered = {o.product.id for o in h.state.prequal_result.recommended}
    assert leased.id in offered
    assert h.value(f"lease-{leased.id}") == "融资租赁：付清全部租金前，车辆归安逸消费金融所有。"
    assert not any(h.has(f"lease-{pid}") for pid in offered - {leased.id})  # loans say nothing
    card = h.texts(h.find(f"offer-card-{leased.id}"))
    assert "月租金" in card and "租金总额" in card and "月供" not in card
    a_loan = next(iter(offered - {leased.id}))
    assert "月供" in h.texts(h.find(f"offer-card-{a_loan}"))
    await h.click(f"offer-open-{leased.id}")
    disclosure = h.texts(h.find("disclosure"))
    assert "车辆所有权" in disclosure and "租金总额" in disclosure and "提前结清" in disclosure
    assert "归出租人所有" in h.value("disc-term-2")
    assert "每期租金" in h.value("disc-schedule") and "首期租金支付日" in h.value("disc-schedule")
    assert "租金支付计划" in h.texts() and "还款计划" not in h.texts()


@pytest.mark.parametrize("daily, flagged", [("0.001", True), ("0.0005", False)])
async def test_the_disclosure_flags_late_charges_that_add_up_to_over_24_percent_a_year(
    world, daily, flagged
):
    """0.1% a day is 36.5% a year: said as the APR's own flag is, beside the late terms;
    0.05% a day, 18.25%, is not flagged."""
    h = await to_prequal(world)
    await through_form(h)
    result = h.state.prequal_result
    offer = result.recommended[0]
    late = replace(offer.product.late_fee, daily_penalty_rate=Decimal(daily))
    harsh = replace(offer, product=replace(offer.product, late_fee=late))
    h.state.prequal_result = replace(result, recommended=(harsh, *result.recommended[1:]))
    await h.route(f"/offers/{offer.product.id}")
    if flagged:
        assert h.value("disc-late-over24").startswith("此报价的逾期违约金折合年化 36.50%，高于 24%")
    else:
        assert not h.has("disc-late-over24")
