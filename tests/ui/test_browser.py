"""End to end in Debian's Chromium (Playwright, canvaskit): the buyer's whole journey at
phone and desktop sizes, over the small test market served by the real app on 127.0.0.1."""

from __future__ import annotations

import pytest

from scripts.screenshots import Driver, draw_signature, open_app
from tests.conftest import require_binary
from tests.ui.serve_world import running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    require_binary("chromium", "chromium")
    with running(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.mark.parametrize(
    "size",
    [pytest.param((390, 844), id="phone"), pytest.param((1440, 900), id="desktop")],
)
def test_buyer_journey_in_chromium(app_url, browser, size, tmp_path):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    d = Driver(page, tmp_path, f"{size[0]}")
    open_app(page, app_url)
    d.wait("signin-", prefix=True)
    assert page.locator('[flt-semantics-identifier="demo-badge"]').count() == 1
    d.tap("signin-", prefix=True)
    d.wait("car-", prefix=True)
    assert page.url.endswith("/cars")
    d.tap("car-", prefix=True, dy=20)
    d.tap("car-check-rate")
    d.tap("prequal-next")
    d.wait("prequal-monthly_income")
    d.tap("prequal-next")
    d.tap("consent-agree")
    d.tap("prequal-submit")
    d.wait("offers-order", timeout=120_000)
    assert page.url.endswith("/offers")
    d.tap("offer-open-", prefix=True)
    d.tap("offer-contract")
    with page.context.expect_page() as pdf_tab:
        d.tap("contract-open-pdf")
    assert "/files/contracts/" in pdf_tab.value.url
    page.bring_to_front()
    d.tap("contract-consent")
    draw_signature(d)
    d.tap("contract-sign")
    try:
        d.wait("contract-to-loans", timeout=120_000)
    finally:
        page.screenshot(path=str(tmp_path / "after-sign.png"))
    d.shot("signed")
    d.tap("contract-to-loans")
    d.tap("loan-", prefix=True, dy=20)
    d.tap("pay-record")
    page.get_by_text("已记录还款").wait_for(timeout=60_000)  # "Payment recorded"
    d.shot("loan")
    assert (tmp_path / f"loan-{size[0]}.png").stat().st_size > 10_000
    page.go_back()  # the browser's back button walks the route stack
    d.wait("loan-", prefix=True)
    context.close()
