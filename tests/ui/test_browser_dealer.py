"""End to end in Debian's Chromium (Playwright, canvaskit): the dealer's journey on a tablet
(1024x768) — a walk-in application handed to the customer for consent and a drawn signature,
taken back with the staff PIN (no customer data left on screen), the pipeline board, and a
payment recorded at the desk. Screenshots of every step are saved in the test's tmp dir."""

from __future__ import annotations

import pytest

from scripts.screenshots import (
    Driver,
    customer_signs,
    fill_walk_in,
    first_card,
    give_back,
    identifier,
    nav,
    open_app,
    start_walk_in,
)
from tests.conftest import require_binary
from tests.ui.serve_world import running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CUSTOMER, PHONE, PIN = "张伟", "13912345678", "2468"

#: every text the page exposes: semantics text and labels, and the values of input fields
PAGE_TEXT = """() => [
    document.querySelector('flt-semantics-host')?.innerText ?? '',
    ...[...document.querySelectorAll('[aria-label]')].map(n => n.getAttribute('aria-label')),
    ...[...document.querySelectorAll('input, textarea')].map(n => n.value),
].join('\\n')"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    require_binary("chromium", "chromium")
    with running(tmp_path_factory.mktemp("browser-dealer")) as url:
        yield url


def page_text(d: Driver) -> str:
    return d.page.evaluate(PAGE_TEXT)


def assert_no_customer_data(d: Driver, shows: str) -> None:
    """Neither the customer's name nor phone number anywhere on the page (which shows
    ``shows``: the check reads a rendered page, not an empty one)."""
    text = page_text(d)
    assert shows in text, text
    assert CUSTOMER not in text and PHONE not in text, text


def test_dealer_journey_on_a_tablet(app_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    d = Driver(page, tmp_path, "tablet")
    open_app(page, app_url)
    d.tap(identifier(d, "signin-", "李娜"))  # the dealer's staff member
    d.wait("customer-name")
    assert page.url.endswith("/dealer/new")
    nav(d, "申请看板")  # Pipeline
    d.wait("pipeline-new")  # the empty board says how to start
    d.shot("pipeline-empty")

    # a walk-in who leaves before the check: a draft on the board
    nav(d, "新建申请")  # New application
    start_walk_in(d, "王芳", "13800000000", PIN, "Seal", r"Seal 2026")
    d.tap("handoff-return-action")
    give_back(d, PIN)
    d.wait("col-draft")
    draft = page.locator('[flt-semantics-identifier="col-draft"]')
    assert "王*" in draft.inner_text()
    d.shot("pipeline-draft")

    # the customer's own journey on the tablet, locked away from the staff screens
    nav(d, "新建申请")
    fill_walk_in(d, CUSTOMER, PHONE, PIN, "Seal", r"Seal 2026")
    assert CUSTOMER in page_text(d) and PHONE in page_text(d)  # what the check below looks for
    d.tap("hand-over")
    d.wait("prequal-age")
    assert page.url.endswith("/handoff")
    assert page.locator('[flt-semantics-identifier="nav-rail"]').count() == 0
    pdf_url = customer_signs(d)
    assert "/files/contracts/" in pdf_url
    assert page.url.endswith("/handoff/done")

    # back in staff hands: a wrong PIN keeps the lock, the right one opens the board
    d.tap("handoff-give-back")
    give_back(d, "0000")
    page.locator("flt-semantics-host").get_by_text("PIN 码错误").wait_for()
    assert page.url.endswith("/handoff/return")
    d.shot("return-wrong-pin")
    give_back(d, PIN)
    d.wait("col-signed")
    assert page.url.endswith("/dealer/pipeline")
    signed = page.locator('[flt-semantics-identifier="col-signed"]')
    assert "张*" in signed.inner_text()  # initials, never the full name
    assert "张*" not in draft.inner_text()  # the check completed the draft: no second card
    assert_no_customer_data(d, shows="张*")
    d.shot("pipeline")
    page.go_back()  # the browser's back button does not bring the customer's screens back
    d.wait("customer-name")
    assert "/handoff" not in page.url
    assert_no_customer_data(d, shows="客户姓名")  # the next customer's empty form
    d.shot("after-back")

    # the lender's money arrives, then the customer pays the first instalment at the desk
    nav(d, "申请看板")
    d.tap(first_card(d, "signed"), dy=20)
    d.wait("payout-confirm")
    assert "/dealer/applications/" in page.url
    d.tap("payout-confirm")
    d.wait("pay-record")
    d.tap("pay-record")
    page.get_by_text("已记录还款").wait_for(timeout=60_000)  # "Payment recorded"
    assert_no_customer_data(d, shows="张*")
    d.shot("payment")
    assert (tmp_path / "payment-tablet.png").stat().st_size > 10_000
    context.close()
