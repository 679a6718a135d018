"""Alert triage in a real browser: severity chips and filters on the situation map, the opt-in announcement
of a new high-severity alert, and the supervisor's shift report (CSV, print)."""

from __future__ import annotations

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    api, browser, convoy, entry_read, open_page, unique_number, unique_plate,
)


def _low_battery_convoy(live_server) -> int:
    """A Bishkek–Osh convoy whose tracker reports 10 % battery: a low-severity alert on that corridor."""
    trip_id, track = convoy(live_server, unique_number("LOW"), "01 555 KGB")
    fixes = track.drive(6).fixes
    for fix in fixes[-3:]:
        fix["battery_pct"] = 10
    api(live_server).post_fixes(fixes)
    return trip_id


def test_the_panel_filters_by_severity_and_corridor_and_announces_high_alerts(open_page, live_server):
    trip_id = _low_battery_convoy(live_server)
    undeclared = entry_read(live_server, unique_plate(), camera_id="TOR-CAM-7")["alerts"][0]
    assert undeclared["type"] == "undeclared_vehicle"
    visit = open_page("/", role="operator")
    page = visit.page
    page.context.grant_permissions(["notifications"])
    page.wait_for_selector(f"#alert-list li[data-alert-id='{undeclared['id']}'][data-severity=high]")
    low = page.locator(f"#alert-list li[data-trip-id='{trip_id}'][data-type=low_battery]")
    low.wait_for()
    assert low.get_attribute("data-severity") == "low" and low.get_attribute("data-corridor") == "BISHKEK-OSH"
    # Most urgent first by default: every high alert is listed before every low one.
    severities = page.eval_on_selector_all("#alert-list li", "items => items.map((li) => li.dataset.severity)")
    assert severities == sorted(severities, key=["high", "medium", "low"].index)

    page.select_option("#alert-severity", "low")
    assert set(page.eval_on_selector_all("#alert-list li", "items => items.map((li) => li.dataset.severity)")) == {"low"}
    page.select_option("#alert-severity", "")
    page.select_option("#alert-corridor", "BISHKEK-OSH")
    assert set(page.eval_on_selector_all("#alert-list li", "items => items.map((li) => li.dataset.corridor)")) == {"BISHKEK-OSH"}
    page.select_option("#alert-type", "low_battery")
    assert page.is_visible(f"#alert-list li[data-trip-id='{trip_id}']")
    page.select_option("#alert-corridor", "")
    page.select_option("#alert-type", "")

    # Opt in; a new high-severity alert is then announced (sound and notification), a low one is not.
    page.check("#alert-notify")
    page.wait_for_function("document.getElementById('stream-state').classList.contains('live')")
    fresh = entry_read(live_server, unique_plate(), camera_id="TOR-CAM-7")["alerts"][0]
    page.wait_for_function(f"window.chekaraSituation.announced.includes({fresh['id']})")
    assert page.evaluate("Notification.permission") == "granted"
    assert page.evaluate(f"window.chekaraSituation.announced.includes({undeclared['id']})") is False
    visit.screenshot("alert-triage")
    visit.assert_clean()


def test_the_shift_report_shows_who_did_what_downloads_and_prints(open_page, live_server):
    alert = entry_read(live_server, unique_plate(), camera_id="TOR-CAM-7")["alerts"][0]
    acked = api(live_server).call("POST", f"/api/v1/alerts/{alert['id']}/ack", role="operator", json={"note": "officer sent"})
    assert acked.status_code == 200, acked.text

    visit = open_page("/reports/shift", role="supervisor")
    page = visit.page
    page.wait_for_function("window.chekaraShift && window.chekaraShift.ready === true")
    assert int(page.inner_text("#shift-figures [data-figure=raised] .value")) >= 1
    assert int(page.inner_text("#shift-figures [data-figure=acknowledged] .value")) >= 1
    page.wait_for_selector("#shift-people tr[data-by=e2e-operator]")
    page.wait_for_selector("#shift-activity tr[data-action=acknowledged]:has-text('officer sent')")

    with page.expect_download() as download:
        page.click("#shift-csv")
    assert download.value.suggested_filename.startswith("shift_")
    assert "acknowledged" in open(download.value.path(), encoding="utf-8").read()

    # Printable: the controls and the top bar are left out on paper.
    page.emulate_media(media="print")
    assert page.is_hidden("#shift-window") and page.is_hidden(".topbar")
    page.emulate_media(media="screen")
    visit.screenshot("shift-report")
    visit.assert_clean()

    # Operators are told the page is not theirs.
    other = open_page("/reports/shift", role="operator")
    other.page.wait_for_function("document.getElementById('status').textContent.length > 0")
    assert other.page.query_selector("#shift-people tr") is None
