"""Screenshots of the main screens for the README, from the running app in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Starts ``chedai app`` on 127.0.0.1 (a free port) over a demo database in ``--data-dir``
(created and seeded on first use, so keep the directory between runs to save a minute), once
per language, and drives the buyer's journey (catalogue -> car -> prequal -> offers -> offer ->
contract signed -> loan) and the dealer's screens at phone (390x844), tablet (1024x768) and
desktop (1440x900) sizes with Playwright, the canvaskit renderer and /usr/bin/chromium.
Writes ``<screen>-<size>-<lang>.png``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"phone": (390, 844), "tablet": (1024, 768), "desktop": (1440, 900)}
LANGS = {"zh_CN": "zh", "en_US": "en"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data_dir: Path, locale: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "CHEDAI_DATA_DIR": str(data_dir),
        "CHEDAI_LOCALE": locale,
        "FLET_FORCE_WEB_SERVER": "true",
        "OPENBLAS_NUM_THREADS": "1",
    }
    env.pop("CHEDAI_SERVER_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 600  # the first start seeds the demo database
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"chedai app exited: {proc.stderr.read().decode()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}/"
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("chedai app did not start")


class Driver:
    def __init__(self, page: Page, out: Path, suffix: str) -> None:
        self.page, self.out, self.suffix = page, out, suffix

    def node(self, ident: str, prefix: bool = False):
        sel = f'[flt-semantics-identifier{"^" if prefix else ""}="{ident}"]'
        return self.page.locator(sel).first

    def wait(self, ident: str, prefix: bool = False, timeout: float = 60_000) -> None:
        self.node(ident, prefix).wait_for(state="attached", timeout=timeout)

    def tap(self, ident: str, prefix: bool = False, dy: float | None = None) -> None:
        """Click the node's centre (or ``dy`` below its top), once it is laid out."""
        time.sleep(0.6)  # the previous action's re-render replaces the semantics nodes
        deadline = time.monotonic() + 60
        while True:
            self.wait(ident, prefix)
            node = self.node(ident, prefix)
            try:
                node.scroll_into_view_if_needed(timeout=5_000)
                box = node.bounding_box(timeout=5_000)
            except Exception:  # detached by a re-render between the two calls: look again
                box = None
            if box or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        y = box["y"] + (box["height"] / 2 if dy is None else dy)
        self.page.mouse.click(box["x"] + min(box["width"] / 2, 40), y)

    def shot(self, name: str) -> None:
        time.sleep(1.5)  # let canvaskit paint (pictures, fonts) before the capture
        path = self.out / f"{name}-{self.suffix}.png"
        self.page.screenshot(path=str(path))
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path, flush=True)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=120_000)
    page.evaluate("document.querySelector('flt-semantics-placeholder').click()")


def buyer_journey(d: Driver, size: str) -> None:
    d.wait("signin-", prefix=True)
    d.shot("signin")
    d.tap("signin-", prefix=True)
    d.wait("car-", prefix=True)
    d.shot("cars")
    d.tap("filter-condition-new")  # a new mid-priced car: the market's usual deal
    d.tap("filter-price_band-100000-200000")
    time.sleep(1.0)
    d.shot("cars-filtered")
    d.tap("car-", prefix=True, dy=20)
    d.wait("car-check-rate")
    d.shot("car")
    d.tap("car-check-rate")
    d.wait("prequal-next")
    d.shot("prequal")
    d.tap("prequal-next")
    d.wait("prequal-monthly_income")  # step 2 is on screen before its "Next" is pressed
    d.tap("prequal-next")
    d.wait("consent-agree")
    d.tap("consent-agree")
    d.shot("consent")
    d.tap("prequal-submit")
    d.wait("offers-order", timeout=180_000)  # first use trains the recommender
    d.shot("offers")
    if size == "phone":
        return
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
    d.wait("pay-record")
    d.shot("loan")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--langs", default=",".join(LANGS))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="chedai-shots-"))
    for locale in args.langs.split(","):
        proc, url = start_app(data_dir, locale)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                for size in args.sizes.split(","):
                    w, h = SIZES[size]
                    context = browser.new_context(viewport={"width": w, "height": h})
                    page = context.new_page()
                    open_app(page, url)
                    buyer_journey(Driver(page, args.out, f"{size}-{LANGS[locale]}"), size)
                    context.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
