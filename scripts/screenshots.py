"""Screenshots of the main screens for the README, from the running app in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Starts ``chedai app`` on 127.0.0.1 (a free port) over a demo database in ``--data-dir``
(created and seeded on first use, so keep the directory between runs to save a minute), once
per language, and drives the buyer's journey (catalogue -> car -> prequal -> offers -> declines
-> offer -> contract signed -> loan -> my loans -> settings) at phone (390x844, up to the
declines), tablet (1024x768) and desktop (1440x900) sizes, and the dealer's journey on the
tablet (walk-in -> hand-off -> consent and signature -> hand-back -> pipeline -> payment), and
a check flagged for manual review on the desktop (provisional offers -> the contract, where the
demo user plays the lender's reviewer), with Playwright, the canvaskit renderer and
/usr/bin/chromium.
Writes ``<screen>-<size>-<lang>.png`` (dealer screens: ``dealer-<screen>-tablet-<lang>.png``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from app.i18n import translator

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"phone": (390, 844), "tablet": (1024, 768), "desktop": (1440, 900)}
LANGS = {"zh_CN": "zh", "en_US": "en"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    data_dir: Path, locale: str, server_url: str | None = None
) -> tuple[subprocess.Popen, str]:
    """``chedai app`` on the demo database in ``data_dir``, or syncing with ``server_url``."""
    env = {"CHEDAI_LOCALE": locale, "FLET_FORCE_WEB_SERVER": "true"}
    if server_url:
        env["CHEDAI_SERVER_URL"] = server_url
    return start(["app"], data_dir, env)


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """``chedai serve --demo``: the demo market's catalogue and the public demo accounts."""
    return start(["serve", "--demo"], data_dir, {})


def start(command: list[str], data_dir: Path, extra: dict[str, str]):
    port = free_port()
    env = {**os.environ, "CHEDAI_DATA_DIR": str(data_dir), "OPENBLAS_NUM_THREADS": "1", **extra}
    if "CHEDAI_SERVER_URL" not in extra:
        env.pop("CHEDAI_SERVER_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", *command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 600  # the first start seeds the demo database
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chedai {command[0]} exited: {proc.stderr.read().decode()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}/"
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"chedai {command[0]} did not start")


#: The node (sem() names the control's own node by its first child) is not disabled.
ENABLED = """n => ![n, n.firstElementChild].some(
    c => c && c.getAttribute('aria-disabled') === 'true')"""


class Driver:
    def __init__(self, page: Page, out: Path, suffix: str) -> None:
        self.page, self.out, self.suffix = page, out, suffix

    def node(self, ident: str, prefix: bool = False):
        sel = f'[flt-semantics-identifier{"^" if prefix else ""}="{ident}"]'
        return self.page.locator(sel).first

    def wait(self, ident: str, prefix: bool = False, timeout: float = 60_000) -> None:
        self.node(ident, prefix).wait_for(state="attached", timeout=timeout)

    def tap(self, ident: str, prefix: bool = False, dy: float | None = None) -> None:
        """Click the node's centre (or ``dy`` below its top), once it is laid out and enabled
        (a button the previous action enables is enabled only once the app's answer to it
        has been drawn: a slow round trip would otherwise take the click on a disabled one)."""
        time.sleep(0.6)  # the previous action's re-render replaces the semantics nodes
        deadline = time.monotonic() + 60
        while True:
            self.wait(ident, prefix)
            node = self.node(ident, prefix)
            try:
                node.scroll_into_view_if_needed(timeout=5_000)
                box = node.bounding_box(timeout=5_000)
                enabled = node.evaluate(ENABLED, timeout=5_000)
            except Exception:  # detached by a re-render between the two calls: look again
                box = None
            if (box and enabled) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        y = box["y"] + (box["height"] / 2 if dy is None else dy)
        self.page.mouse.click(box["x"] + min(box["width"] / 2, 40), y)

    def shot(self, name: str) -> None:
        self.page.mouse.move(-10, -10)  # off the page: no hover shade or tooltip in the shot
        time.sleep(1.5)  # let canvaskit paint (pictures, fonts) before the capture
        path = self.out / f"{name}-{self.suffix}.png"
        self.page.screenshot(path=str(path))
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path, flush=True)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=120_000)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")


def buyer_journey(d: Driver, size: str, locale: str) -> None:
    d.wait("signin-", prefix=True)
    d.shot("signin")
    d.tap("signin-", prefix=True)
    d.wait("car-", prefix=True)
    d.shot("cars")
    if size == "phone":
        d.tap("cat-filters")  # a phone keeps the filters behind this button
    d.tap("filter-condition-new")  # a new mid-priced car: the market's usual deal
    d.tap("filter-price_band-100000-200000")
    d.tap("filter-monthly_max-3000")  # what a first-time buyer asks: what fits my month
    time.sleep(1.0)
    d.shot("cars-filtered")
    if size == "phone":  # close the filters: the first card comes up from under the nav bar
        d.tap("cat-filters")
    else:  # a phone lists a card a screen: the second box to tick is below the fold
        compare_two(d)
    d.tap("car-", prefix=True, dy=20)
    d.wait("car-check-rate")
    d.shot("car")
    d.tap("car-check-rate")
    d.wait("prequal-next")
    choose(d, "prequal-housing", RENT)
    d.shot("prequal")
    d.tap("prequal-next")
    d.wait("prequal-monthly_income")  # step 2 is on screen before its "Next" is pressed
    d.tap("prequal-next")
    d.wait("consent-agree")
    d.tap("consent-agree")
    d.shot("consent")
    d.tap("prequal-submit")
    d.wait("offers-summary", timeout=180_000)  # first use trains the recommender
    d.shot("offers")
    scroll_to(d, "declines-other")  # the declines above it: their reasons and hints
    d.shot("declines")
    scroll_to(d, "offers-summary", down=False)
    d.tap("offer-open-", prefix=True)
    d.wait("offer-contract")
    d.shot("offer")
    d.tap("offer-contract")
    d.wait("contract-open-pdf")
    with d.page.context.expect_page():
        d.tap("contract-open-pdf")
    d.page.bring_to_front()
    d.tap("contract-consent")
    draw_signature(d)
    d.shot("contract")
    d.tap("contract-sign")
    d.wait("contract-to-loans", timeout=120_000)
    d.shot("signed")
    d.tap("contract-to-loans")
    d.wait("loan-", prefix=True)
    d.tap("loan-", prefix=True, dy=20)
    d.wait("loan-pay-out")
    d.shot("loan-awaiting-payout")
    d.tap("loan-pay-out")  # the demo market's lender: the user plays it
    d.wait("pay-record")
    d.shot("loan")
    d.page.go_back()  # the loan has no navigation rail: back to the list first
    d.wait("loan-", prefix=True)
    d.shot("loans")
    nav(d, translator(locale)("Settings"))
    d.wait("consent-withdraw-", prefix=True)
    d.shot("settings")


def review_journey(d: Driver) -> None:
    """Answers that do not add up (more months in work than the buyer's age allows): the offers
    stand but are provisional; at the contract the demo user plays the lender's reviewer."""
    d.wait("signin-", prefix=True)
    d.tap("signin-", prefix=True)
    d.wait("car-", prefix=True)
    d.tap("filter-condition-new")  # a car lenders offer on at the usual deal
    d.tap("filter-price_band-100000-200000")
    time.sleep(1.0)
    d.tap("car-", prefix=True, dy=20)
    d.wait("car-check-rate")
    d.tap("car-check-rate")
    d.wait("prequal-next")
    choose(d, "prequal-housing", RENT)
    d.tap("prequal-next")
    d.wait("prequal-employment_months")
    type_into(d, "prequal-employment_months", "600")
    d.tap("prequal-next")
    d.wait("consent-agree")
    d.tap("consent-agree")
    d.tap("prequal-submit")
    d.wait("offers-summary", timeout=180_000)
    d.shot("offers-review")
    d.tap("offer-open-", prefix=True)
    d.wait("offer-contract")
    d.tap("offer-contract")
    d.wait("review-approve")
    d.shot("contract-review")
    d.tap("review-approve")
    d.node("review-approve").wait_for(state="detached")  # the panel says approved instead
    d.shot("contract-reviewed")


def connected_journey(d: Driver, locale: str) -> None:
    """With a server: the sign-in, a new buyer's account (the two passwords differing first),
    the catalogue pulled from the server, Settings signed in and synced, and the account
    closed (a wrong password first)."""
    d.wait("account-username")
    d.shot("account-signin")
    d.tap("account-switch")
    d.wait("account-again")
    type_into(d, "account-username", "li.ming")
    type_into(d, "account-password", "a-long-password")
    type_into(d, "account-again", "a-long-passwort")
    d.tap("account-submit")
    d.shot("account-create")
    type_into(d, "account-again", "a-long-password")
    d.tap("account-submit")
    d.wait("car-", prefix=True, timeout=120_000)
    d.shot("account-catalogue")
    nav(d, translator(locale)("Settings"))
    d.wait("settings-sign-out")
    d.shot("account-settings")
    scroll_to(d, "settings-close-account")
    d.tap("settings-close-account")
    scroll_to(d, "close-account-confirm")
    type_into(d, "close-account-password", "not-the-password")
    d.tap("close-account-confirm")
    d.wait("close-account-password")
    time.sleep(1.5)  # the server's answer, said at the field
    d.shot("account-close")
    type_into(d, "close-account-password", "a-long-password")
    d.tap("close-account-confirm")
    d.wait("account-username", timeout=60_000)  # signed out, the sign-in says it is closed
    time.sleep(1.0)
    d.shot("account-closed")


def compare_two(d: Driver) -> None:
    """Tick "Compare" on the first two models listed, shoot the comparison, and come back."""
    # each card's name, and each card's checkbox, in the order listed (a checkbox's identifier
    # can name the car that held its place before the filters: only the order is trusted)
    names, boxes = d.page.evaluate(
        """() => ['car-', 'compare-'].map(p => [...document.querySelectorAll(
                `[flt-semantics-identifier^="${p}"]`)].map(n => p === 'car-'
                ? (n.getAttribute('aria-label') || n.textContent).split('\\n')[0]
                : n.getAttribute('flt-semantics-identifier')))"""
    )
    other = next(i for i, name in enumerate(names) if name != names[0])
    for ident in (boxes[0], boxes[other]):
        d.tap(ident)
    d.tap("cat-compare")
    d.wait("compare-table")
    d.shot("compare")
    d.page.go_back()
    d.wait("car-", prefix=True)


def on_screen(d: Driver, ident: str) -> dict:
    """The node's box once it is inside the viewport, scrolling the Flutter view with the
    mouse wheel when the page's own scrolling does not bring it in."""
    node = d.node(ident)
    node.wait_for(state="attached", timeout=60_000)
    height = d.page.viewport_size["height"]
    for _ in range(20):
        box = node.bounding_box()
        if box and box["y"] >= 0 and box["y"] + box["height"] <= height:
            return box
        d.page.mouse.move(d.page.viewport_size["width"] / 2, height / 2)
        d.page.mouse.wheel(0, 200 if not box or box["y"] > 0 else -200)
        time.sleep(0.4)
    raise RuntimeError(f"{ident} never came into view")


def scroll_to(d: Driver, prefix: str, down: bool = True) -> None:
    """Scroll the Flutter view with the mouse wheel until a node whose identifier starts with
    ``prefix`` is on screen (off-screen nodes have no semantics node to scroll into view)."""
    width, height = d.page.viewport_size["width"], d.page.viewport_size["height"]
    d.page.mouse.move(width / 2, height / 2)
    for _ in range(60):
        node = d.node(prefix, prefix=True)
        box = node.bounding_box() if node.count() else None
        if box and box["y"] >= 0 and box["y"] + box["height"] <= height:
            break
        d.page.mouse.wheel(0, 300 if down else -300)
        time.sleep(0.4)
    else:
        raise RuntimeError(f"{prefix} never came into view")


def draw_signature(d: Driver) -> None:
    """Draw a zigzag on the signature pad at a hand's pace."""
    box = on_screen(d, "signature-pad")
    x0, y0 = box["x"] + 20, box["y"] + box["height"] / 2
    m = d.page.mouse
    m.move(x0, y0)
    m.down()
    for i in range(1, 16):
        m.move(x0 + i * 14, y0 + (30 if i % 2 else -20), steps=4)
        time.sleep(0.05)  # a hand's pace: Flutter reports pan updates per frame
    m.up()


def identifier(d: Driver, prefix: str, text: str = "") -> str:
    """The first semantics identifier starting with ``prefix`` whose node shows ``text``."""
    d.wait(prefix, prefix=True)
    found = d.page.evaluate(
        """([prefix, text]) => [...document.querySelectorAll(
            `[flt-semantics-identifier^="${prefix}"]`)]
            .filter(n => (n.innerText + (n.getAttribute('aria-label') ?? '')).includes(text))
            .map(n => n.getAttribute('flt-semantics-identifier'))""",
        [prefix, text],
    )
    if not found:
        raise LookupError(f"no {prefix}* node shows {text!r}")
    return found[0]


def click_box(d: Driver, locator) -> None:
    """A mouse click on the locator's box (Flutter's semantics overlay intercepts clicks)."""
    time.sleep(0.6)  # as Driver.tap: the previous action's re-render replaces the nodes
    locator.wait_for()
    box = locator.bounding_box()
    d.page.mouse.click(box["x"] + min(box["width"] / 2, 40), box["y"] + box["height"] / 2)


#: The prequalification's choices the journeys make (either language): nothing that moves the
#: score is pre-set, so the buyer picks them.
RENT, SALARY = r"^(Rent|租房)$", r"^(Salary|工资)$"


def choose(d: Driver, ident: str, option: str) -> None:
    """Open the dropdown ``ident`` and pick its first option whose name matches the regex
    ``option``."""
    choice = d.page.get_by_role("button", name=re.compile(option)).first
    for _ in range(3):  # a list re-rendered while opening (a search): open it again
        d.tap(ident)
        try:
            choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            d.page.keyboard.press("Escape")
    click_box(d, choice)


def nav(d: Driver, label: str) -> None:
    """A destination of the NavigationRail (a button named "<label>\\nTab i of n") or of a
    phone's NavigationBar (a tab)."""
    name = re.compile(f"^{re.escape(label)}")
    destination = d.page.get_by_role("button", name=name).or_(d.page.get_by_role("tab", name=name))
    click_box(d, destination.first)


def type_into(d: Driver, ident: str, text: str) -> None:
    """Type ``text`` into a text field, replacing its value; typed again if the field took
    the focus late and lost the first keys."""
    for _ in range(3):
        d.tap(ident)
        d.page.wait_for_function("['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)")
        time.sleep(0.3)
        d.page.keyboard.press("Control+A")
        d.page.keyboard.type(text)
        if d.page.evaluate("document.activeElement?.value") == text:
            return
    raise RuntimeError(f"could not type into {ident}")


def fill_walk_in(d: Driver, name: str, phone: str, pin: str, car: str, option: str) -> None:
    """Staff: the customer's details, a car (searched for ``car``, then the first option
    matching the regex ``option``) and a staff PIN."""
    d.wait("customer-name")
    type_into(d, "customer-name", name)
    type_into(d, "customer-phone", phone)
    type_into(d, "customer-car-search", car)
    d.page.keyboard.press("Enter")
    choose(d, "customer-car", option)
    type_into(d, "staff-pin", pin)
    d.shot("dealer-new")


def start_walk_in(d: Driver, name: str, phone: str, pin: str, car: str, option: str) -> None:
    """:func:`fill_walk_in`, then "Hand to customer": the customer's form is on screen."""
    fill_walk_in(d, name, phone, pin, car, option)
    d.tap("hand-over")
    d.wait("prequal-age")


def customer_checks(d: Driver, shots: bool = True) -> None:
    """The customer on the tablet: prequalification and consent; ends on the offers."""
    if shots:
        d.shot("dealer-handoff")
    type_into(d, "prequal-age", "35")
    choose(d, "prequal-housing", RENT)
    d.tap("prequal-next")
    d.wait("prequal-monthly_income")
    type_into(d, "prequal-monthly_income", "30000")
    choose(d, "prequal-income_type", SALARY)
    type_into(d, "prequal-employment_months", "60")
    d.tap("prequal-next")
    d.tap("consent-agree")
    if shots:
        d.shot("dealer-consent")
    d.tap("prequal-submit")
    d.wait("offers-summary", timeout=180_000)


def customer_signs(d: Driver) -> str:
    """:func:`customer_checks`, then the first offer, who signs declared (name, ID number and
    its consent), the contract opened, e-signature consent, a drawn signature, "Sign"; ends on
    the "All done" screen. Returns the contract
    PDF's URL (opened in a new tab)."""
    customer_checks(d)
    d.shot("dealer-offers")
    d.tap("offer-open-", prefix=True)
    d.tap("offer-contract")
    d.wait("identity-name")  # a walk-in: the tablet does not know their ID number
    type_into(d, "identity-name", "张伟")
    type_into(d, "identity-number", "310115199003071239")
    d.tap("identity-consent")
    d.shot("dealer-identity")
    d.tap("identity-confirm")
    d.wait("contract-who")
    with d.page.context.expect_page() as pdf_tab:
        d.tap("contract-open-pdf")
    d.page.bring_to_front()
    d.tap("contract-consent")
    draw_signature(d)
    d.shot("dealer-contract")
    d.tap("contract-sign")
    d.wait("contract-to-loans", timeout=120_000)
    d.tap("contract-to-loans")
    d.wait("handoff-give-back")
    d.shot("dealer-done")
    return pdf_tab.value.url


def give_back(d: Driver, pin: str) -> None:
    d.wait("return-pin")
    type_into(d, "return-pin", pin)
    d.tap("return-unlock")


def staff_tile(d: Driver) -> str:
    """The sign-in tile of a dealer's staff member (staff are listed after the buyers)."""
    d.wait("signin-", prefix=True)
    return d.page.evaluate(
        """() => [...document.querySelectorAll('[flt-semantics-identifier^="signin-"]')]
            .pop().getAttribute('flt-semantics-identifier')"""
    )


def first_card(d: Driver, column: str) -> str:
    """The identifier of the first card in a column of the pipeline ("signed", ...)."""
    card = d.page.locator(
        f'[flt-semantics-identifier="col-{column}"] [flt-semantics-identifier^="pipe-"]'
    )
    card.first.wait_for(state="attached")
    return card.first.get_attribute("flt-semantics-identifier")


SEAL = ("Seal", r"(Seal|海豹) .*179,800")  # a new mid-priced car: most lenders have an offer
#: another car of the same showroom: the Seal is under contract once the second walk-in signs
DOLPHIN = ("Dolphin", r"(Dolphin|海豚) .*117,800")
WALK_INS = {"zh_CN": ("王芳", "张伟", "刘洋"), "en_US": ("Wang Fang", "Zhang Wei", "Liu Yang")}


def dealer_journey(d: Driver, locale: str) -> None:
    """A staff member serves three walk-ins on the tablet: one leaves before the check (a
    draft on the board); one consents and signs, the lender's payout is confirmed, and they
    pay the first instalment at the desk; one sees their offers, then asks at the desk to
    withdraw their consent."""
    t = translator(locale)
    leaves, signs, withdraws = WALK_INS[locale]
    d.tap(staff_tile(d))
    start_walk_in(d, leaves, "13800000000", "2468", *SEAL)
    d.tap("handoff-return-action")
    give_back(d, "2468")
    d.wait("pipeline")
    nav(d, t("New application"))
    start_walk_in(d, signs, "13912345678", "2468", *SEAL)
    customer_signs(d)
    d.tap("handoff-give-back")
    d.wait("return-pin")
    d.shot("dealer-return")
    give_back(d, "2468")
    d.shot("dealer-pipeline")
    d.tap(first_card(d, "signed"), dy=20)
    d.wait("payout-confirm")
    d.shot("dealer-signed")
    d.tap("payout-confirm")  # the lender has paid the loan out to the dealership
    d.page.get_by_text(t("Funded")).first.wait_for(timeout=60_000)
    d.shot("dealer-funded")
    d.tap("pay-record")  # then the customer pays the first instalment at the desk
    d.page.get_by_text(t("Payment recorded")).wait_for(timeout=60_000)
    d.shot("dealer-payment")
    d.page.go_back()  # the application has no navigation rail: back to the board first
    d.wait("col-funded")
    d.shot("dealer-pipeline-funded")
    nav(d, t("New application"))
    start_walk_in(d, withdraws, "13700000000", "2468", *DOLPHIN)
    customer_checks(d, shots=False)
    d.tap("handoff-return-action")
    give_back(d, "2468")
    d.tap(first_card(d, "prequalified"), dy=20)
    d.tap("application-withdraw")
    d.wait("application-withdraw-confirm")
    d.shot("dealer-withdraw")
    d.tap("application-withdraw-confirm")
    d.page.get_by_text(t("Withdrawn by the customer")).first.wait_for(timeout=60_000)
    d.page.go_back()
    d.wait("pipeline")
    nav(d, t("Customers"))
    d.wait("customers")
    d.shot("dealer-customers")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument(
        "--no-dealer",
        dest="dealer",
        action="store_false",
        help="skip the dealer's journey (tablet)",
    )
    parser.add_argument(
        "--no-review",
        dest="review",
        action="store_false",
        help="skip the manual-review journey (desktop)",
    )
    parser.add_argument(
        "--no-connected",
        dest="connected",
        action="store_false",
        help="skip signing in to a demo server (desktop)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="chedai-shots-"))
    proc, _ = start_app(data_dir, "zh_CN")  # seeds the demo market on first use
    proc.terminate()
    proc.wait(timeout=30)
    if args.connected:
        connected_shots(args.out, args.langs.split(","))
    for locale in args.langs.split(","):
        # each run on a fresh copy of the seeded market: the same screenshots every time
        run_dir = Path(tempfile.mkdtemp(prefix="chedai-shots-run-"))
        shutil.copytree(data_dir, run_dir, dirs_exist_ok=True)
        proc, url = start_app(run_dir, locale)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                for size in filter(None, args.sizes.split(",")):
                    w, h = SIZES[size]
                    context = browser.new_context(viewport={"width": w, "height": h})
                    page = context.new_page()
                    open_app(page, url)
                    buyer_journey(Driver(page, args.out, f"{size}-{LANGS[locale]}"), size, locale)
                    context.close()
                if args.review:
                    context = browser.new_context(viewport={"width": 1440, "height": 900})
                    page = context.new_page()
                    open_app(page, url)
                    review_journey(Driver(page, args.out, f"desktop-{LANGS[locale]}"))
                    context.close()
                if args.dealer:
                    context = browser.new_context(viewport={"width": 1024, "height": 768})
                    page = context.new_page()
                    open_app(page, url)
                    dealer_journey(Driver(page, args.out, f"tablet-{LANGS[locale]}"), locale)
                    context.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def connected_shots(out: Path, locales: list[str]) -> None:
    """The app signed in to ``chedai serve --demo``, on the desktop, each language on a fresh
    server and device (so the new account's name is free)."""
    for locale in locales:
        server_dir = Path(tempfile.mkdtemp(prefix="chedai-shots-server-"))
        device_dir = Path(tempfile.mkdtemp(prefix="chedai-shots-device-"))
        server, server_url = start_server(server_dir)
        app_proc = None
        try:
            app_proc, url = start_app(device_dir, locale, server_url.rstrip("/"))
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                open_app(page, url)
                connected_journey(Driver(page, out, f"desktop-{LANGS[locale]}"), locale)
                browser.close()
        finally:
            for proc in (app_proc, server):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)
            shutil.rmtree(server_dir, ignore_errors=True)
            shutil.rmtree(device_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
