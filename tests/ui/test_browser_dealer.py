"""End to end in Debian's Chromium (Playwright, canvaskit): the dealer's journey on a tablet
(1024x768) — a walk-in application handed to the customer for consent and a drawn signature,
taken back with the staff PIN (no customer data left on screen), the pipeline board, and a
payment recorded at the desk. Screenshots of every step are saved in the test's tmp dir."""

from __future__ import annotations

import re
import time

import pytest

from scripts.screenshots import Driver, draw_signature, open_app
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


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        yield b
        b.close()


def identifier(d: Driver, prefix: str, text: str) -> str:
    """The semantics identifier starting with ``prefix`` whose node shows ``text``."""
    d.wait(prefix, prefix=True)
    found = d.page.evaluate(
        """([prefix, text]) => [...document.querySelectorAll(
            `[flt-semantics-identifier^="${prefix}"]`)]
            .filter(n => (n.innerText + (n.getAttribute('aria-label') ?? '')).includes(text))
            .map(n => n.getAttribute('flt-semantics-identifier'))""",
        [prefix, text],
    )
    assert found, f"no {prefix}* node shows {text!r}"
    return found[0]


def type_into(d: Driver, ident: str, text: str) -> None:
    d.tap(ident)
    d.page.keyboard.type(text)


def start_walk_in(d: Driver, name: str, phone: str) -> None:
    """Staff: the customer's details, the car, the PIN, then "Hand to customer"."""
    d.wait("customer-name")
    type_into(d, "customer-name", name)
    type_into(d, "customer-phone", phone)
    d.tap("customer-car")
    option = d.page.get_by_role("button", name=re.compile(r"Seal 2026"))
    option.wait_for()
    box = option.bounding_box()
    d.page.mouse.click(box["x"] + 40, box["y"] + box["height"] / 2)
    type_into(d, "staff-pin", PIN)
    d.shot("new-application")
    d.tap("hand-over")
    d.wait("prequal-age")
    assert d.page.url.endswith("/handoff")
    assert d.page.locator('[flt-semantics-identifier="nav-rail"]').count() == 0


def nav(d: Driver, label: str) -> None:
    """A NavigationRail destination (a button named "<label>\\nTab i of n")."""
    time.sleep(0.6)  # as Driver.tap: the previous action's re-render replaces the nodes
    box = d.page.get_by_role("button", name=re.compile(f"^{label}")).first.bounding_box()
    d.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def give_back(d: Driver, pin: str = PIN) -> None:
    d.wait("return-pin")
    type_into(d, "return-pin", pin)
    d.tap("return-unlock")


def assert_no_customer_data(d: Driver) -> None:
    text = d.page.evaluate(PAGE_TEXT)
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
    start_walk_in(d, "王芳", "13800000000")
    d.tap("handoff-return-action")
    give_back(d)
    d.wait("pipeline")
    assert "王*" in page.locator('[flt-semantics-identifier^="pipe-"]').first.inner_text()
    d.shot("pipeline-draft")

    # the customer's own journey on the tablet
    nav(d, "新建申请")
    start_walk_in(d, CUSTOMER, PHONE)
    d.shot("handoff")
    type_into(d, "prequal-age", "35")
    d.tap("prequal-next")
    d.wait("prequal-monthly_income")
    type_into(d, "prequal-monthly_income", "30000")
    type_into(d, "prequal-employment_months", "60")
    d.tap("prequal-next")
    d.tap("consent-agree")
    d.shot("handoff-consent")
    d.tap("prequal-submit")
    d.wait("offers-order", timeout=120_000)
    assert page.url.endswith("/handoff/offers")
    d.shot("handoff-offers")
    d.tap("offer-open-", prefix=True)
    d.tap("offer-contract")
    d.wait("contract-open-pdf")
    assert "/handoff/contract/" in page.url
    with page.context.expect_page() as pdf_tab:
        d.tap("contract-open-pdf")
    assert "/files/contracts/" in pdf_tab.value.url
    page.bring_to_front()
    d.tap("contract-consent")
    draw_signature(d)
    d.shot("handoff-contract")
    d.tap("contract-sign")
    d.wait("contract-to-loans", timeout=120_000)
    d.shot("handoff-signed")
    d.tap("contract-to-loans")
    d.wait("handoff-give-back")
    assert page.url.endswith("/handoff/done")
    d.shot("handoff-done")

    # back in staff hands: wrong PIN first, then the right one
    d.tap("handoff-give-back")
    give_back(d, "0000")
    d.wait("return-pin")
    assert page.url.endswith("/handoff/return")
    page.locator("flt-semantics-host").get_by_text("PIN 码错误").wait_for()
    d.shot("handoff-return")
    give_back(d)
    d.wait("pipeline")
    assert page.url.endswith("/dealer/pipeline")
    signed = page.locator('[flt-semantics-identifier="col-signed"]')
    assert "张*" in signed.inner_text()  # initials, never the full name
    assert page.locator('[flt-semantics-identifier="col-draft-empty"]').count() == 0
    assert_no_customer_data(d)
    d.shot("pipeline")
    page.go_back()  # the browser's back button does not bring the customer's screens back
    d.wait("customer-name")
    assert "/handoff" not in page.url
    assert_no_customer_data(d)

    # the customer pays the first instalment at the desk
    nav(d, "申请看板")
    d.tap(identifier(d, "pipe-", "张*"), dy=20)
    d.wait("pay-record")
    assert "/dealer/applications/" in page.url
    d.tap("pay-record")
    page.get_by_text("已记录还款").wait_for(timeout=60_000)  # "Payment recorded"
    assert_no_customer_data(d)
    d.shot("payment")
    assert (tmp_path / "payment-tablet.png").stat().st_size > 10_000
    context.close()
