"""The risk desk in a real browser: declarations by channel and score, each with the rules that hit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    api, browser, file_declaration, open_page, unique_number, unique_plate,
)


def _weighed(live_server, gross_kg: int) -> str:
    """A declaration (30 t declared) whose vehicle entered Torugart and was weighed at gross_kg."""
    number, plate = unique_number("RISK"), unique_plate()
    file_declaration(live_server, number, plate, entry="TORUGART")
    client = api(live_server)
    now = datetime.now(UTC)
    read = client.call("POST", "/api/v1/plate-reads", role="officer", json={
        "checkpoint": "TORUGART", "camera_id": "TOR-CAM-1", "lane": 2, "direction": "entry", "plate": plate,
        "confidence": 0.95, "time": (now - timedelta(minutes=20)).isoformat(),
    })
    assert read.status_code == 201, read.text
    crossing = read.json()["crossing"]["id"]
    checked = client.call("POST", f"/api/v1/crossings/{crossing}/steps/documents_checked", role="officer", json={})
    assert checked.status_code == 201, checked.text
    share = gross_kg // 5
    weighing = client.call("POST", "/api/v1/weighings", role="officer", json={
        "checkpoint": "TORUGART", "plate": plate, "gross_kg": gross_kg, "axle_loads_kg": [share] * 5,
        "time": datetime.now(UTC).isoformat(),
    })
    assert weighing.status_code == 201, weighing.text
    return number


def test_an_officer_reads_the_risk_queue_by_channel_with_reasons(open_page, live_server):
    heavy = _weighed(live_server, 46_000)  # over the declared weight and over 44 t
    light = _weighed(live_server, 30_200)  # as declared
    risky = api(live_server).call("GET", f"/api/v1/declarations/{heavy}/risk", role="officer").json()
    assert risky["channel"] in ("yellow", "red")

    visit = open_page("/risk", role="officer")
    page = visit.page
    page.wait_for_function("window.chekaraRisk && window.chekaraRisk.loaded === true")
    row = page.locator(f"#risk-queue tr[data-declaration='{heavy}']")
    assert "Weight differs from the declaration" in row.inner_text()
    assert page.locator(f"#risk-queue tr[data-declaration='{light}']").count() == 1
    assert page.is_hidden("section[data-needs='GET /api/v1/risk/effectiveness']")  # planners and supervisors only
    # Riskiest first.
    scores = page.eval_on_selector_all("#risk-queue .score-value", "nodes => nodes.map(n => Number(n.textContent))")
    assert scores == sorted(scores, reverse=True)

    page.select_option("#risk-channel", risky["channel"])
    page.wait_for_function(f"window.chekaraRisk.channel === {risky['channel']!r}")
    channels = set(page.eval_on_selector_all("#risk-queue tr", "rows => rows.map(r => r.dataset.channel)"))
    assert channels == {risky["channel"]}
    assert page.locator(f"#risk-queue tr[data-declaration='{heavy}']").count() == 1
    page.select_option("#risk-channel", "")
    page.wait_for_function("window.chekaraRisk.channel === ''")
    visit.screenshot("risk-desk")
    visit.assert_clean()


def test_a_supervisor_also_sees_how_well_each_rule_finds(open_page):
    visit = open_page("/risk", role="supervisor")
    page = visit.page
    page.wait_for_function("window.chekaraRisk && window.chekaraRisk.loaded === true")
    page.wait_for_selector("#risk-effectiveness tr")
    visit.assert_clean()
