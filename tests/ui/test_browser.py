"""End to end in Debian's Chromium (Playwright, canvaskit): the buyer's whole journey at
phone and desktop sizes, over the small test market served by the real app on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.screenshots import Driver, draw_signature, free_port, open_app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium"),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    import socket
    import time

    port = free_port()
    data_dir = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "FLET_FORCE_WEB_SERVER": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.serve_world", str(port), str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=30)
    proc.stderr.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        yield b
        b.close()


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
