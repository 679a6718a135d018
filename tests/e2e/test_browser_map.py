"""The situation map in a real browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from chekara.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.chekara_errors = []
    page.chekara_requests = []
    page.on("console", lambda m: m.type == "error" and page.chekara_errors.append(m.text))
    page.on("pageerror", lambda e: page.chekara_errors.append(str(e)))
    page.on("request", lambda r: page.chekara_requests.append(r.url))
    yield page
    context.close()


def _assert_only_our_host(page, live_server):
    ours = urlparse(live_server.url).netloc
    foreign = [u for u in page.chekara_requests if not u.startswith("data:") and urlparse(u).netloc != ours]
    assert foreign == [], f"requests left the app: {foreign}"


def test_situation_map_signs_in_and_shows_checkpoints_offline(page, live_server):
    page.goto(live_server.url + "/")
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraBasemapCount > 10")
    assert "Sign in" in page.inner_text("#status") or page.is_visible("#sign-in")
    page.fill("#token", live_server.tokens["operator"])
    page.click("#sign-in button")
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraCheckpointCount > 0")
    count = page.evaluate("window.chekaraMap.chekaraCheckpointCount")
    assert count >= 14
    assert "checkpoints" in page.inner_text("#status")
    assert "demo" not in page.inner_text("#who")
    assert "e2e-operator" in page.inner_text("#who")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "situation-map.png"))
    assert page.chekara_errors == []
    _assert_only_our_host(page, live_server)


def test_a_bad_token_is_refused_on_the_page(page, live_server):
    page.goto(live_server.url + "/")
    page.fill("#token", "chk_wrong")
    page.click("#sign-in button")
    page.wait_for_function("document.getElementById('status').textContent.includes('unknown or revoked')")
    assert page.evaluate("localStorage.getItem('chekara.token')") is None
    _assert_only_our_host(page, live_server)
