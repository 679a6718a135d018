"""Driving the pages in Debian's chromium with Playwright: one browser per test module, a fresh context per page.

Import the fixtures into a test module (`from tests.e2e.browser_support import browser, open_page`).
Every page opened here records its console errors and every URL it requested, so a test can
assert that nothing failed and nothing left the app's host.
"""

from __future__ import annotations

import os
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from chekara.config import PROJECT_ROOT
from tests.e2e.test_tracking_e2e import Api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
#: Every wait in the browser tests is bounded by this, milliseconds.
WAIT_MS = 15_000
OPERATOR_SCREEN = {"width": 1366, "height": 768}
TABLET_PORTRAIT = {"width": 800, "height": 1180}


@dataclass
class Visit:
    """A page and what it did: console errors, requested URLs."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        ours = urlparse(self.base_url).netloc
        foreign = [u for u in self.requests if not u.startswith(("data:", "blob:")) and urlparse(u).netloc != ours]
        assert foreign == [], f"requests left the app: {foreign}"

    def goto(self, path: str) -> None:
        """Another page in the same browser tab (the token and language stay)."""
        self.page.goto(self.base_url + path, wait_until="domcontentloaded")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Visit]]:
    """open_page(path, role=None, lang="en", viewport=OPERATOR_SCREEN): a signed-in page (the token put
    in localStorage as the sign-in form would), or a signed-out one with role=None."""
    contexts = []

    def visit(path: str, role: str | None = None, lang: str = "en", viewport: dict | None = None) -> Visit:
        context = browser.new_context(viewport=viewport or OPERATOR_SCREEN, locale="en-GB", timezone_id="Asia/Bishkek")
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        storage = {"chekara.lang": lang}
        if role is not None:
            storage["chekara.token"] = live_server.tokens[role]
        script = "".join(f"localStorage.setItem({k!r}, {v!r});" for k, v in storage.items())
        # Only before the first page of the context: later navigations keep what the page itself stored.
        context.add_init_script(f"if (!sessionStorage.getItem('seeded')) {{ {script} sessionStorage.setItem('seeded', '1'); }}")
        page = context.new_page()
        seen = Visit(page, live_server.url)
        page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
        page.on("pageerror", lambda e: seen.errors.append(str(e)))
        page.on("request", lambda r: seen.requests.append(r.url))
        page.goto(live_server.url + path, wait_until="domcontentloaded")
        return seen

    yield visit
    for context in contexts:
        context.close()


def api(live_server) -> Api:
    return Api(live_server.url, live_server.tokens)


def unique_plate() -> str:
    """A Kyrgyz plate (2010 format) no other test uses."""
    letters = "".join(random.choices("ABCDEHKMPTXY", k=3))
    return f"08 {random.randint(100, 999)} {letters}"


def file_declaration(
    live_server, number: str, plate: str, entry: str, exit_: str | None = None, kind: str = "import", **over
) -> dict:
    """A declaration filed by an officer through the API (apples from China, 30 t gross); `over` replaces fields."""
    body = {
        "number": number, "kind": kind, "vehicle_plate": plate, "declared_gross_kg": 30_000,
        "goods_lines": [{"hs_code": "0808108000", "description": "Fresh apples", "gross_kg": "18000",
                         "net_kg": "17500", "value": "10000.00", "currency": "USD"}],
        "consignor": "Kashgar Fruit Co.", "consignee": "Bishkek Fresh LLC",
        "dispatch_country": "CN", "destination_country": "KG" if kind == "import" else "KZ",
        "entry_checkpoint": entry, "exit_checkpoint": exit_,
    }
    if kind == "transit":
        body["delivery_deadline"] = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body |= over
    response = api(live_server).call("POST", "/api/v1/declarations", role="officer", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def entry_read(live_server, plate: str, checkpoint: str = "TORUGART", camera_id: str = "TOR-CAM-1") -> dict:
    """A camera's entry read now, through the API; the stored read (its canonical plate, its crossing)."""
    response = api(live_server).call("POST", "/api/v1/plate-reads", role="device", json={
        "checkpoint": checkpoint, "camera_id": camera_id, "lane": 1, "direction": "entry", "plate": plate,
        "confidence": 0.95, "time": datetime.now(UTC).isoformat(),
    })
    assert response.status_code == 201, response.text
    return response.json()


def unique_number(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{''.join(random.choices(string.digits, k=6))}"


def convoy(live_server, number: str, plate: str, corridor_code: str = "BISHKEK-OSH", hours_ago: float = 2.0):
    """A tracked trip for declaration `number` with one truck tracker (owner e2e-device): (trip id, TrackBuilder)."""
    from tests.tracks import TrackBuilder

    client = api(live_server)
    truck = f"E2E-WEB-{number}"
    assert client.call("POST", "/api/v1/devices", json={"device_id": truck, "owner": "e2e-device"}).status_code == 201
    corridor = client.call("GET", f"/api/v1/corridors/{corridor_code}").json()
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    trip = client.call("POST", "/api/v1/trips", json={
        "declaration_number": number, "vehicle_plates": [plate],
        "devices": [{"device_id": truck, "role": "vehicle", "plate": plate}],
        "origin": corridor["properties"]["origin"], "destination": corridor["properties"]["destination"],
        "corridor": corridor_code, "planned_departure": start.isoformat(),
        "deadline": (start + timedelta(hours=20)).isoformat(),
    })
    assert trip.status_code == 201, trip.text
    return trip.json()["id"], TrackBuilder(corridor["geometry"]["coordinates"], start, truck)
