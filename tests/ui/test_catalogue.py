"""The catalogue, car detail with its calculator, and comparison, driven through the page."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import flet as ft
import pytest

from local_db.repositories import catalog as catalog_repo
from tests.ui.conftest import signed_in
from views import palette

pytestmark = pytest.mark.asyncio


def card_ids(h) -> list[str]:
    """The cars shown, in order (the grid's slots are reused, so read the card's id)."""
    return [i for i in h.find_ids("car-") if i not in ("car-check-rate", "car-compare")]


def monthly(h, car_id: str) -> str:
    """The monthly figure on the car's card."""
    return next(t for t in h.texts(h.find(f"car-{car_id}")) if t.startswith("≈"))


async def test_every_car_card_shows_a_monthly_payment(world):
    h = await signed_in(world)
    assert len(card_ids(h)) == 4
    for vid in world.vehicles.values():
        text = monthly(h, vid.id)
        assert text.startswith("≈ ¥") and text.endswith("/ 月")


async def test_a_car_card_names_the_dealership_selling_it(world):
    h = await signed_in(world)
    for v in world.vehicles.values():
        dealer = world.services.dealer(v.dealer_id)
        assert f"售价 ¥{v.price:,.0f} · {dealer.name_zh}" in h.texts(h.find(f"car-{v.id}"))
    assert "远航二手车" in " ".join(h.texts(h.find(f"car-{world.vehicles['model3'].id}")))


async def test_search_narrows_the_cards_and_keeps_what_was_typed(world):
    h = await signed_in(world)
    await h.type_text("cat-search", "特斯拉")
    assert card_ids(h) == [f"car-{world.vehicles['model3'].id}"]
    assert h.find("cat-search").value == "特斯拉"
    assert h.find("cat-count").value == "1 辆车"


async def test_a_model_with_a_chinese_name_is_shown_and_found_by_it_in_chinese(world):
    from dataclasses import replace

    from local_db.repositories import catalog

    seal = replace(world.vehicles["seal"], model_zh="海豹")
    with world.services.session() as s:
        catalog.save_vehicles(s, vehicles=[seal])
        s.commit()
    h = await signed_in(world)
    await h.type_text("cat-search", "海豹")  # what a buyer in China calls it
    assert card_ids(h) == [f"car-{seal.id}"]
    assert "比亚迪 海豹" in h.texts(h.find(f"car-{seal.id}"))
    h.state.set_locale("en_US")
    await h.route(f"/cars/{seal.id}")
    assert "BYD Seal" in h.texts() and "海豹" not in " ".join(h.texts())


async def test_filter_chip_toggles(world):
    h = await signed_in(world)
    await h.click("filter-condition-used")
    assert len(card_ids(h)) == 1
    assert h.find("filter-condition-used").selected
    await h.click("filter-condition-used")
    assert len(card_ids(h)) == 4


async def test_a_monthly_budget_chip_keeps_the_cars_whose_figure_fits_and_follows_the_deal(world):
    h = await signed_in(world)
    chip = h.find("filter-monthly_max-3000")
    assert h.texts(chip) == ["月供 ≤ ¥3,000"]
    await h.click("filter-monthly_max-3000")
    dolphin = world.vehicles["dolphin"].id
    assert card_ids(h) == [f"car-{dolphin}"]  # ≈ ¥2,1xx; the others are over ¥3,000
    assert h.find("cat-count").value == "1 辆车"
    await h.select("deal-term", ["60"])  # a longer term lowers every figure: more cars fit
    shown = card_ids(h)
    assert len(shown) > 1
    for card in shown:
        figure = monthly(h, card.removeprefix("car-"))
        assert int(figure.removeprefix("≈ ¥").split("/")[0].replace(",", "")) <= 3000


async def test_no_match_says_what_to_do_and_clear_restores(world):
    h = await signed_in(world)
    await h.type_text("cat-search", "Ferrari")
    assert "清除" in h.find("cat-empty-text").value
    await h.click("cat-clear")
    assert len(card_ids(h)) == 4


async def test_changing_the_term_reprices_every_card(world):
    h = await signed_in(world)
    seal = world.vehicles["seal"].id
    before = monthly(h, seal)
    await h.select("deal-term", ["60"])
    assert h.state.deal.term == 60
    assert monthly(h, seal) != before


async def test_down_payment_slider_updates_the_deal(world):
    h = await signed_in(world)
    await h.slide("deal-down", 50.0)
    assert str(h.state.deal.down_ratio) == "0.5"
    assert h.find("deal-down-label").value == "首付 50%"


async def test_card_opens_car_detail_and_back_returns(world):
    h = await signed_in(world)
    seal = world.vehicles["seal"]
    card = h.find(f"car-{seal.id}")
    await h.click(card)  # the card is the tappable container
    assert [v.route for v in h.views] == ["/cars", f"/cars/{seal.id}"]
    assert h.find("car-name").value == "比亚迪 Seal"
    await h.back()
    assert [v.route for v in h.views] == ["/cars"]


async def test_calculator_shows_apr_and_recomputes_with_the_deal(world):
    h = await signed_in(world)
    seal = world.vehicles["seal"]
    await h.route(f"/cars/{seal.id}")
    assert h.find("calc-apr").value == "5.90%"  # median of 4.90, 4.90, 6.90, 9.90
    assert "参考年化利率" in h.text()  # the market's, not the buyer's own (that needs the check)
    monthly = h.find("calc-monthly").value
    await h.select("deal-term", ["24"])
    assert h.find("calc-monthly").value != monthly
    assert h.find("calc-ltv").value == "贷款价值比 70.00%"


async def test_the_calculator_names_its_totals_as_the_offers_disclosure_does(world):
    """The indicative interest leaves every lender's fees out, and says so; the total is the
    disclosure's 分期购车总价, so a buyer can match it with an offer's."""
    from contracts import labels

    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    said = h.texts()
    assert "利息（不含机构费用）" in said and "利息" not in said
    assert labels.text("total_sale_price", "zh_CN") in said and "购车总成本" not in said


async def test_the_car_pages_deal_bar_lays_out_for_its_half_width_card(world):
    """Beside the car on a tablet the calculator is half the screen: the term buttons get a
    row of their own there, as in any narrow column (a third of the card split the digits)."""
    h = await signed_in(world, width=1024, height=768)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    down, term, trade_in = h.find("deal-bar").content.controls
    assert (down.col, term.col, trade_in.col) == (
        {"xs": 12},
        {"xs": 12, "sm": 7},
        {"xs": 12, "sm": 5},
    )


async def test_ltv_meter_turns_red_for_a_used_car_with_little_down(world):
    h = await signed_in(world)
    await h.slide("deal-down", 10.0)
    await h.route(f"/cars/{world.vehicles['model3'].id}")
    meter = h.find("calc-ltv-meter")
    assert isinstance(meter, ft.ProgressBar) and meter.color == palette.BAD
    assert "70.00%" in h.find("calc-ltv-text").value


async def test_check_my_rate_goes_to_prequal_for_this_car(world):
    h = await signed_in(world)
    seal = world.vehicles["seal"]
    await h.route(f"/cars/{seal.id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    assert h.state.car_id == seal.id
    assert "push_route" in h.invoked


async def test_a_phone_pins_the_monthly_payment_and_the_rate_check_under_the_car(world):
    """On a phone the calculator comes under the specifications: its button would be two
    screens down, so the way on is pinned to the bottom, with the payment it leads to."""
    h = await signed_in(world, width=390, height=844)
    seal = world.vehicles["seal"]
    on_card = monthly(h, seal.id)
    await h.route(f"/cars/{seal.id}")
    bar = h.top.bottom_appbar
    assert bar is not None and h.find_ids("car-check-rate", root=bar) == ["car-check-rate"]
    assert h.find_ids("car-check-rate") == ["car-check-rate"]  # not twice on the page
    assert h.find("bar-monthly").value == on_card  # the estimate the card showed
    await h.select("deal-term", ["24"])
    exact = h.find("calc-monthly").value  # ¥1,234.56
    assert h.find("bar-monthly").value != on_card
    assert h.find("bar-monthly").value == f"≈ ¥{round(Decimal(exact[1:].replace(',', ''))):,} / 月"
    assert h.find("bar-apr").value == f"参考月供 · 年化利率 {h.find('calc-apr').value}"
    await h.click("car-check-rate")
    assert h.state.car_id == seal.id and h.has("prequal-next")


async def test_beside_the_car_the_rate_check_stays_in_the_calculator(world):
    h = await signed_in(world, width=1024, height=768)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    assert h.top.bottom_appbar is None
    assert h.find_ids("car-check-rate", root=h.find("calculator")) == ["car-check-rate"]


async def test_compare_two_cars_side_by_side(world):
    h = await signed_in(world)
    seal, camry = world.vehicles["seal"], world.vehicles["camry"]
    await h.select(f"compare-{seal.id}", True)
    await h.select(f"compare-{camry.id}", True)
    await h.click("cat-compare")
    assert h.top.route == f"/compare/{seal.id},{camry.id}"  # the address names the cars
    table = h.find("compare-table")
    *cars, slot = table.columns[1:]
    assert [h.texts(c.label) for c in cars] == [
        ["比亚迪 Seal", f"{seal.year} · {seal.trim}"],
        ["丰田 Camry", "2026 · 2.0G"],
    ]
    assert slot.label.key == "compare-add-slot" and h.find("compare-add").content == "添加车辆"
    (dealers,) = [r for r in table.rows if h.texts(r.cells[0]) == ["经销商"]]
    assert h.texts(dealers.cells[2]) == ["远航二手车"]  # where each car is sold


async def test_compare_marks_the_lowest_cost_and_checks_the_rate_for_any_car(world):
    h = await signed_in(world)
    cars = [world.vehicles[k] for k in ("seal", "camry", "dolphin")]  # the dolphin: cheapest
    for car in cars:
        await h.select(f"compare-{car.id}", True)
    await h.click("cat-compare")
    rows = {h.texts(r.cells[0])[0]: r.cells[1:] for r in h.find("compare-table").rows[:-1]}
    price = rows["价格"]
    assert [h.texts(c) for c in price] == [[f"¥{v.price:,.0f}"] for v in cars]  # whole yuan
    assert [type(c.content) for c in price] == [ft.Text, ft.Text, ft.Row]  # only it ticked
    assert all(isinstance(c.content, ft.Text) for c in rows["能源"])  # not a cost
    assert "参考年化利率" in h.find("compare-rate-note").value  # not yet the buyer's own rate
    await h.click(f"compare-check-{cars[1].id}")
    assert h.state.car_id == cars[1].id and h.top.route == f"/cars/{cars[1].id}/prequal"


async def test_a_comparison_of_two_offers_to_add_a_third_and_three_fill_it(world):
    seal, camry, dolphin = (world.vehicles[k] for k in ("seal", "camry", "dolphin"))
    h = await signed_in(world)
    await h.route(f"/compare/{seal.id},{camry.id}")
    await h.click("compare-add")
    assert h.top.route == "/cars"
    await h.select(f"compare-{dolphin.id}", True)
    await h.click("cat-compare")
    assert not h.has("compare-add")  # three is as many as are compared
    assert [h.find(f"compare-remove-{v.id}").tooltip for v in (seal, camry, dolphin)] == [
        "移除 比亚迪 Seal",
        "移除 丰田 Camry",
        "移除 比亚迪 Dolphin",
    ]


async def test_on_a_phone_each_figure_sits_under_its_name_with_the_cars_side_by_side(world):
    cars = [world.vehicles[k] for k in ("seal", "camry", "dolphin")]
    h = await signed_in(world, width=390, height=844)
    await h.route("/compare/" + ",".join(v.id for v in cars))
    stacked = h.find("compare-table")
    assert isinstance(stacked, ft.Column)  # no table wider than the phone
    lines = stacked.controls
    names = [h.texts(c.content)[0] for c in lines[0].controls]
    assert names == ["比亚迪 Seal", "丰田 Camry", "比亚迪 Dolphin"]
    at = [h.texts(c)[0] if isinstance(c, ft.Text) else None for c in lines].index("价格")
    prices = lines[at + 1].controls
    assert [h.texts(c.content) for c in prices] == [
        [f"¥{v.price:,.0f}"] for v in cars
    ]  # whole yuan
    assert [type(c.content) for c in prices] == [ft.Text, ft.Text, ft.Row]  # the lowest ticked
    assert all(c.expand == 1 for c in prices)  # three equal columns across the width
    await h.click(f"compare-check-{cars[1].id}")
    assert h.top.route == f"/cars/{cars[1].id}/prequal"


async def test_compare_sets_range_and_energy_use_side_by_side_with_a_dash_where_unknown(world):
    h = await signed_in(world)
    cars = [world.vehicles[k] for k in ("seal", "camry", "model3")]  # the used Tesla: no figures
    for car in cars:
        await h.select(f"compare-{car.id}", True)
    await h.click("cat-compare")
    rows = {h.texts(r.cells[0])[0]: r.cells[1:] for r in h.find("compare-table").rows[:-1]}
    assert [h.texts(c) for c in rows["纯电续航（CLTC）"]] == [["550 公里"], ["—"], ["—"]]
    assert [h.texts(c) for c in rows["能耗"]] == [["12.6 kWh/百公里"], ["6.1 L/百公里"], ["—"]]


async def test_compare_leaves_out_a_figure_none_of_the_cars_has(world):
    h = await signed_in(world)
    for key in ("camry", "model3"):  # petrol, and a car without figures: no range between them
        await h.select(f"compare-{world.vehicles[key].id}", True)
    await h.click("cat-compare")
    labels = [h.texts(r.cells[0])[0] for r in h.find("compare-table").rows[:-1]]
    assert "纯电续航（CLTC）" not in labels and "能耗" in labels


async def test_a_cars_range_shows_on_its_card_and_its_figures_in_its_specs(world):
    h = await signed_in(world)
    seal, camry = world.vehicles["seal"], world.vehicles["camry"]
    assert "续航 550 公里" in " ".join(h.texts(h.find(f"car-{seal.id}")))
    assert "续航" not in " ".join(h.texts(h.find(f"car-{camry.id}")))  # no range to show
    assert "白色" in " ".join(h.texts(h.find(f"car-{seal.id}")))  # its paint tells two apart
    await h.route(f"/cars/{seal.id}")
    specs = h.texts(h.find("car-specs"))
    assert specs[specs.index("颜色") + 1] == "白色"
    assert specs[specs.index("纯电续航（CLTC）") + 1] == "550 公里"
    assert specs[specs.index("能耗") + 1] == "12.6 kWh/百公里"
    await h.route(f"/cars/{camry.id}")
    specs = h.texts(h.find("car-specs"))
    assert "纯电续航（CLTC）" not in specs and specs[specs.index("能耗") + 1] == "6.1 L/百公里"


async def test_compare_with_fewer_than_two_cars_explains(world):
    h = await signed_in(world)
    await h.route("/compare")
    assert h.has("compare-empty")


async def test_missing_car_says_so(world):
    h = await signed_in(world)
    await h.route("/cars/nope")
    assert h.has("car-missing")


async def test_a_car_taken_off_sale_has_no_page_and_no_rate_check(world):
    dolphin = world.vehicles["dolphin"]
    h = await signed_in(world)
    await h.route(f"/cars/{dolphin.id}")
    assert h.has("car-check-rate")
    await h.route("/cars")
    with world.services.session() as s:  # sold meanwhile, or withdrawn by its dealer
        catalog_repo.save_vehicles(s, vehicles=[replace(dolphin, deleted=True)])
        s.commit()
    for route in (f"/cars/{dolphin.id}", f"/cars/{dolphin.id}/prequal"):
        await h.route(route)
        assert h.has("car-missing") and not h.has("car-check-rate"), route
        assert "这辆车已下架。" in h.texts(h.find("car-missing")), route


async def test_phone_keeps_the_filters_behind_a_button_with_the_active_count(world):
    h = await signed_in(world, width=390, height=844)
    assert not h.has("filter-energy-BEV") and not h.has("filter-brand")
    assert len(card_ids(h)) == 4  # the cars come right after the search row
    assert h.find("cat-filters").content == "筛选"
    await h.click("cat-filters")
    await h.click("filter-condition-used")
    assert len(card_ids(h)) == 1
    assert h.find("cat-filters").content == "筛选（1）"
    await h.click("cat-filters")  # closing the panel keeps the filter on
    assert not h.has("filter-condition-used")
    assert len(card_ids(h)) == 1 and h.find("cat-filters").content == "筛选（1）"


async def test_a_phones_filter_panel_clears_its_filters_and_closes_on_the_cars_it_leaves(world):
    h = await signed_in(world, width=390, height=844)
    await h.type_text("cat-search", "比亚迪")
    await h.click("cat-filters")
    assert not h.has("cat-clear-filters")  # nothing to clear yet
    assert h.texts(h.find("cat-group-energy"))[0] == "能源"  # each group under its name
    await h.click("filter-condition-used")
    n = len(card_ids(h))
    assert h.find("cat-filters-done").content == f"显示 {n} 辆车"
    await h.click("cat-clear-filters")  # the filters go, the search stays
    assert h.find("cat-search").value == "比亚迪" and h.find("cat-filters").content == "筛选"
    assert not h.has("cat-clear-filters")
    await h.click("cat-filters-done")
    assert not h.has("filter-condition-used") and card_ids(h)


async def test_a_phone_folds_the_deal_into_a_line_that_opens_the_bar(world):
    """The deal every figure is priced at is one line above the cars; "Change" opens the
    whole bar, and a change there re-prices the cards and the line alike."""
    seal = world.vehicles["seal"]
    h = await signed_in(world, width=390, height=844)
    assert not h.has("deal-down") and not h.has("deal-term")
    assert h.find("cat-search").hint_text == "搜索品牌或车型"  # the example would be cut off
    assert h.find("deal-summary").value == "首付 30% · 36 期"
    before = monthly(h, seal.id)
    await h.click("deal-edit")
    await h.select("deal-term", ["60"])
    assert h.find("deal-summary").value == "首付 30% · 60 期"
    assert monthly(h, seal.id) != before
    await h.type_text("deal-trade-in", "20000")
    await h.blur("deal-trade-in")
    assert h.find("deal-summary").value == "首付 30% · 60 期 · 置换 ¥20,000"
    await h.click("deal-edit")  # "Done"
    assert not h.has("deal-term") and h.find("deal-summary").value.endswith("置换 ¥20,000")


async def test_a_phones_deal_bar_stays_open_while_the_trade_in_is_wrong(world):
    h = await signed_in(world, width=390, height=844)
    await h.click("deal-edit")
    await h.type_text("deal-trade-in", "12,5万")
    await h.blur("deal-trade-in")
    await h.click("deal-edit")  # folding it would hide the error and what was typed
    field = h.find("deal-trade-in")
    assert field.error and field.value == "12,5万"
    assert h.find("deal-summary").value == "首付 30% · 36 期"  # the wrong figure counts for nothing


async def test_a_wide_window_shows_the_whole_deal_bar_without_folding_it(world):
    h = await signed_in(world, width=1024, height=768)
    assert h.has("deal-term") and not h.has("deal-summary")


async def test_desktop_shows_the_filters_without_a_button(world):
    h = await signed_in(world, width=1440, height=900)
    assert h.has("filter-energy-BEV") and h.has("filter-brand")
    assert not h.has("cat-filters") and not h.has("cat-filters-done")
    assert not h.has("cat-clear-filters")
    await h.click("filter-energy-BEV")
    await h.click("cat-clear-filters")
    assert not h.find("filter-energy-BEV").selected and not h.has("cat-clear-filters")


async def test_dropdowns_filter_and_sort_after_other_changes(world):
    h = await signed_in(world)
    options = h.find("filter-brand").options
    await h.click("filter-condition-new")  # the screen re-renders; the options are kept
    assert h.find("filter-brand").options is options
    assert options[0].key == ""
    await h.select("filter-brand", "Toyota")
    assert card_ids(h) == [f"car-{world.vehicles['camry'].id}"]
    await h.select("filter-brand", "")
    await h.select("cat-sort", "price_desc")
    prices = [world.services.car(i.removeprefix("car-")).price for i in card_ids(h)]
    assert prices == sorted(prices, reverse=True) and len(prices) == 3
    h.state.set_locale("en_US")
    await h.settle()
    assert h.find("filter-brand").options[0].text == "All brands"


async def test_a_fourth_car_for_comparison_is_refused_with_the_reason(world):
    h = await signed_in(world)
    first_three = ("seal", "camry", "dolphin")
    for name in first_three:
        await h.select(f"compare-{world.vehicles[name].id}", True)
    model3 = world.vehicles["model3"].id
    await h.select(f"compare-{model3}", True)
    assert h.find("cat-notice").value == "最多可对比三辆车，请先移除一辆。"
    assert not h.find(f"compare-{model3}").value  # the tick is taken back
    assert h.state.compare == [world.vehicles[n].id for n in first_three]


async def test_a_cars_page_leads_to_the_comparison_once_it_has_two_cars(world):
    h = await signed_in(world)
    seal, camry = world.vehicles["seal"], world.vehicles["camry"]
    await h.route(f"/cars/{seal.id}")
    await h.click("car-compare")
    assert not h.has("detail-see-compare")  # one car: nothing to compare yet
    await h.route(f"/cars/{camry.id}")
    await h.click("car-compare")
    await h.click("detail-see-compare")
    assert h.top.route == f"/compare/{seal.id},{camry.id}"


async def test_a_cars_page_says_where_it_is_sold_and_calls_the_showroom(world):
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    assert h.find("dealer-name").value == "演示汽车城"
    assert h.find("dealer-address").value == "上海市闵行区浦江路 888 号"
    await h.click("dealer-call")
    name, args = h.invocations[-1]
    assert (name, args["url"], args["web_only_window_name"]) == (
        "launch_url", "tel:02100000101", "_self"
    )  # fmt: skip
    await h.route(f"/cars/{world.vehicles['camry'].id}")  # a dealer with no contact on file
    assert h.find("dealer-name").value == "远航二手车"
    assert not h.has("dealer-address") and not h.has("dealer-call")


async def test_a_trade_in_typed_in_the_details_is_counted_in_the_cars_figures_until_removed(world):
    """The buyer's trade-in (typed for the Seal's check) shows in the deal bar and lowers every
    car's figure; a car it and the down payment cover needs no loan; emptying the deal bar's
    field takes it out again."""
    from tests.ui.test_prequal_offers import to_prequal

    seal, dolphin = world.vehicles["seal"], world.vehicles["dolphin"]
    h = await to_prequal(world)
    await h.route("/cars")
    before = monthly(h, seal.id)
    await h.route(f"/cars/{seal.id}/prequal")
    await h.select("prequal-housing", "rent")
    await h.click("prequal-next")
    await h.type_text("prequal-trade_in", "80000")  # the Dolphin's 70% after 30% down: less
    await h.route("/cars")
    field = h.find("deal-trade-in")
    assert (field.value, field.helper) == ("80000", "已计入所有金额")
    assert monthly(h, seal.id) != before
    assert "无需贷款" in h.texts(h.find(f"car-{dolphin.id}"))
    await h.route(f"/cars/{dolphin.id}")
    assert h.has("calc-no-loan") and h.find("calc-trade-in").value == "¥80,000.00"
    assert not h.has("calc-monthly")
    await h.route(f"/cars/{seal.id}")
    assert h.has("calc-monthly") and h.has("calc-trade-in")
    await h.type_text("deal-trade-in", "")
    await h.blur("deal-trade-in")
    assert not h.has("calc-trade-in") and h.find("deal-trade-in").helper is None
    await h.route("/cars")
    assert monthly(h, seal.id) == before and monthly(h, dolphin.id).startswith("≈")


async def test_a_trade_in_typed_in_the_deal_bar_counts_and_reaches_the_check_form(world):
    """Typed on the cars' page, the trade-in prices every card and is the form's value; a
    mistyped one is refused at the field, kept as typed, and counts for nothing."""
    dolphin = world.vehicles["dolphin"]
    h = await signed_in(world)
    await h.type_text("deal-trade-in", "12,5万")
    await h.submit("deal-trade-in")
    field = h.find("deal-trade-in")
    assert field.value == "12,5万" and field.error and field.helper is None
    assert monthly(h, dolphin.id).startswith("≈")
    await h.type_text("deal-trade-in", "80000")
    await h.submit("deal-trade-in")
    assert h.find("deal-trade-in").error is None
    assert "无需贷款" in h.texts(h.find(f"car-{dolphin.id}"))
    assert h.state.prequal.values["trade_in"] == "80000"  # the check's form shows it


async def test_compare_shows_a_dash_for_the_loan_of_a_car_the_trade_in_covers(world):
    h = await signed_in(world)
    cars = [world.vehicles[k] for k in ("seal", "dolphin")]
    h.state.prequal.values["trade_in"] = "80000"  # as typed in the details
    for car in cars:
        await h.select(f"compare-{car.id}", True)
    await h.click("cat-compare")
    rows = {h.texts(r.cells[0])[0]: r.cells[1:] for r in h.find("compare-table").rows[:-1]}
    seal_payment, dolphin_payment = (h.texts(c) for c in rows["月供"][:2])
    assert dolphin_payment == ["—"] and seal_payment[0].startswith("¥")


async def test_a_loan_smaller_than_any_lender_makes_is_not_shown_as_a_monthly_payment(world):
    """With a ¥60,000 trade-in the Dolphin leaves ¥9,860 to finance, under every lender's
    ¥10,000 minimum: the card says so instead of a payment of a few hundred yuan."""
    dolphin = world.vehicles["dolphin"]
    h = await signed_in(world)
    h.state.prequal.values["trade_in"] = "60000"  # as typed in the details
    await h.route(f"/cars/{dolphin.id}")
    assert "这里没有贷款机构发放低于 ¥10,000 的贷款" in h.find("calc-too-little").value
    await h.route("/cars")
    assert "金额过小，无法贷款" in h.texts(h.find(f"car-{dolphin.id}"))


async def test_the_car_pages_figures_say_they_leave_out_the_lenders_fees(world):
    """An offer's amount financed can be more than the car page's: its lender's fees."""
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    assert "年化 5.90%，36 期，未含任何贷款机构的费用" in h.text()
