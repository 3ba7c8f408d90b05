"""How the screens use a tablet's or a desktop's width, and stay as they are on a phone."""

from __future__ import annotations

import flet as ft
import pytest

from tests.ui.conftest import signed_in
from tests.ui.flet_harness import walk
from tests.ui.test_prequal_offers import through_form, to_prequal

pytestmark = pytest.mark.asyncio

PHONE = {"width": 390, "height": 844}


def holder(h, control) -> ft.Control:
    """The control whose ``controls`` hold ``control``."""
    return next(c for c in walk(h.top) if control in (getattr(c, "controls", None) or []))


def assert_rows_of_equal_height(grid, per: int) -> None:
    """``grid`` lays its items out in rows of ``per``, each row stretching its items to the
    tallest one's height."""
    assert isinstance(grid, ft.Column) and grid.controls
    for row in grid.controls:
        assert isinstance(row, ft.Row) and row.intrinsic_height
        assert row.vertical_alignment == ft.CrossAxisAlignment.STRETCH
        assert len(row.controls) == per and all(c.expand == 1 for c in row.controls)


def assert_one_a_row_across_the_width(grid) -> None:
    assert isinstance(grid, ft.Column)
    assert grid.horizontal_alignment == ft.CrossAxisAlignment.STRETCH
    assert not any(isinstance(c, ft.Row) for c in grid.controls)


async def test_the_rate_check_form_uses_two_columns_on_a_desktop(world):
    h = await to_prequal(world)
    assert h.find("prequal").width >= 800  # not a phone's column on a desktop
    fields = h.find("prequal-fields")
    assert isinstance(fields, ft.ResponsiveRow)
    assert [c.col for c in fields.controls] == [{"xs": 12, "md": 6}] * 3
    assert [c.content.identifier for c in fields.controls] == [
        "prequal-age",
        "prequal-city",
        "prequal-housing",
    ]
    # each field fills its column (a dropdown only when told to expand)
    assert h.find("prequal-age").width is None
    assert h.find("prequal-city").expand and h.find("prequal-housing").expand


async def test_the_rate_check_form_says_which_step_of_three_it_is(world):
    h = await to_prequal(world)
    assert h.find("prequal-step").value == "第 1 步，共 3 步 · 个人信息"
    assert h.find("prequal-progress").value == pytest.approx(1 / 3)
    await h.click("prequal-next")
    assert h.find("prequal-step").value == "第 2 步，共 3 步 · 收入和负债"
    assert h.find("prequal-progress").value == pytest.approx(2 / 3)
    h.state.set_locale("en_US")
    assert h.find("prequal-step").value == "Step 2 of 3 · Income and debts"
    # a progress indicator, not a row of tabs that look tappable
    steps = h.find("prequal-steps")
    assert not [c for c in walk(steps) if getattr(c, "on_click", None)]
    assert [c for c in walk(steps) if isinstance(c, ft.ProgressBar)]


async def test_offer_cards_in_a_row_are_stretched_to_one_height(world):
    h = await to_prequal(world)
    await through_form(h)
    assert_rows_of_equal_height(h.find("offers-list"), 3)


async def test_offer_cards_on_a_phone_are_one_a_row_across_the_width(world):
    h = await to_prequal(world, **PHONE)
    await through_form(h)
    assert_one_a_row_across_the_width(h.find("offers-list"))


async def test_the_declined_lenders_use_two_columns_on_a_desktop(world):
    h = await to_prequal(world, width=1440, height=900)
    await through_form(h)
    assert_rows_of_equal_height(h.find("declines"), 2)  # a lender's no, a row's half
    await h.click("declines-other")
    assert_rows_of_equal_height(h.find("declines-other-list"), 2)


async def test_car_cards_in_a_row_are_stretched_to_one_height(world):
    h = await signed_in(world, width=1440, height=900)
    assert_rows_of_equal_height(h.find("cat-grid"), 4)
    h = await signed_in(world, width=1024, height=768)
    assert_rows_of_equal_height(h.find("cat-grid"), 3)
    h = await signed_in(world, **PHONE)
    assert_one_a_row_across_the_width(h.find("cat-grid"))


async def test_the_schedule_table_fills_its_column_on_a_desktop(world):
    h = await to_prequal(world)
    await through_form(h)
    await h.click(f"offer-open-{h.state.prequal_result.cheapest_id}")
    column = holder(h, h.find("schedule"))
    assert isinstance(column, ft.Column)
    assert column.horizontal_alignment == ft.CrossAxisAlignment.STRETCH
    # the money columns take a share of the room, not only the date column
    assert all(c.label.width >= 150 for c in h.find("schedule").columns[2:])
    await h.resize(700, 900)  # a narrow tablet: the table at its own width, scrolled sideways
    row = holder(h, h.find("schedule"))
    assert isinstance(row, ft.Row) and row.scroll == ft.ScrollMode.AUTO


async def test_the_comparison_table_spreads_across_a_desktop(world):
    cars = [world.vehicles[k] for k in ("seal", "camry")]
    h = await signed_in(world, width=1440, height=900)
    await h.route("/compare/" + ",".join(v.id for v in cars))
    table = next(c for c in walk(h.top) if getattr(c, "identifier", None) == "compare-table")
    column = holder(h, table)
    assert isinstance(column, ft.Column) and column.width >= 700
    assert column.horizontal_alignment == ft.CrossAxisAlignment.STRETCH
