"""The situation map in a real browser: sign-in, checkpoints and corridors offline, convoys moving, live alerts."""

from __future__ import annotations

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    WAIT_MS, api, browser, convoy, entry_read, file_declaration, open_page, unique_number, unique_plate,
)

ACK_ROUTE = "POST /api/v1/alerts/{alert_id}/ack"


def test_signing_in_shows_checkpoints_and_corridors_offline(open_page, live_server):
    visit = open_page("/")
    page = visit.page
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraBasemapCount > 10")
    assert page.is_visible("#sign-in")
    page.fill("#token", live_server.tokens["operator"])
    page.click("#sign-in button")
    page.wait_for_function("window.chekaraMap.chekaraCheckpointCount >= 14")
    assert page.is_hidden("#sign-in-panel")
    assert "e2e-operator" in page.inner_text("#who")
    assert page.evaluate("localStorage.getItem('chekara.token')") == live_server.tokens["operator"]
    page.wait_for_function("window.chekaraSituation.polls > 0")
    visit.assert_clean()


def test_a_bad_token_is_refused_and_forgotten(open_page):
    visit = open_page("/")
    visit.page.fill("#token", "chk_wrong")
    visit.page.click("#sign-in button")
    visit.page.wait_for_function("document.getElementById('status').textContent.includes('unknown or revoked')")
    assert visit.page.evaluate("localStorage.getItem('chekara.token')") is None
    assert visit.page.is_visible("#sign-in")


def test_a_device_token_gets_no_page(open_page):
    visit = open_page("/", role="device")
    visit.page.wait_for_function("document.getElementById('status').textContent.includes('device')")
    assert visit.page.is_visible("#sign-in")
    assert visit.page.evaluate("localStorage.getItem('chekara.token')") is None


#: Convoys under way elsewhere for the README's picture of the map (corridor, share of it behind them).
#: Without them the picture showed whatever the test files run before it in the same process had left.
ELSEWHERE = (("AKJOL-TORUGART", 0.45), ("OSH-IRKESHTAM", 0.5), ("CHALDYBAR-BISHKEK", 0.6), ("OSH-DOSTUK", 0.5))


def _convoys_elsewhere(live_server, client) -> list[int]:
    trip_ids = []
    for corridor, share in ELSEWHERE:
        trip_id, track = convoy(live_server, unique_number("PIC"), unique_plate(), corridor)
        track.progress_m = track.line_m.length * share
        client.post_fixes(track.drive(3).fixes)
        trip_ids.append(trip_id)
    return trip_ids


def test_a_convoy_moves_between_polls_and_a_new_alert_arrives_without_a_reload(open_page, live_server):
    number = unique_number("MAP")
    trip_id, track = convoy(live_server, number, "01 777 KGA")
    client = api(live_server)
    elsewhere = _convoys_elsewhere(live_server, client)
    client.post_fixes(track.drive(6).fixes)  # leaves Bishkek: in transit
    visit = open_page("/", role="operator")
    page = visit.page
    page.wait_for_function(f"window.chekaraSituation && window.chekaraSituation.convoys.has({trip_id})")
    page.wait_for_function(f"{elsewhere}.every(id => window.chekaraSituation.convoys.has(id))")
    page.wait_for_function("document.getElementById('stream-state').classList.contains('live')")
    page.evaluate("window.notReloaded = true")
    before = page.evaluate(f"window.chekaraSituation.convoys.get({trip_id}).marker.getLatLng()")
    polls = page.evaluate("window.chekaraSituation.polls")

    sent = len(track.fixes)
    client.post_fixes(track.drive(4).drive(5, offset_m=3000).fixes[sent:])  # moves on, then leaves the corridor
    page.wait_for_function(
        """([id, lat, lng, polls]) => {
             const s = window.chekaraSituation, at = s.convoys.get(id).marker.getLatLng();
             return s.polls > polls && (at.lat !== lat || at.lng !== lng);
           }""",
        arg=[trip_id, before["lat"], before["lng"], polls],
    )
    # A locator, not a handle: the panel is redrawn whenever an alert arrives.
    alert = page.locator(f"#alert-list li[data-type=route_deviation][data-trip-id='{trip_id}']")
    alert.wait_for(timeout=WAIT_MS)
    assert page.evaluate("window.notReloaded") is True
    assert "open" in alert.inner_text()
    # The marker says the convoy has an open alert.
    page.wait_for_selector(f".convoy.alerting[data-trip-id='{trip_id}']")
    assert int(page.inner_text("#count-alerts")) >= 1

    alert.locator("button.ack").click()
    page.wait_for_selector(f"#alert-list li.status-acknowledged[data-trip-id='{trip_id}']")
    assert client.call("GET", f"/api/v1/alerts?trip_id={trip_id}&type=route_deviation").json()[0]["status"] == "acknowledged"
    visit.screenshot("situation-map")
    visit.assert_clean()


def test_a_planner_sees_alerts_but_no_acknowledge_button(open_page, live_server):
    number = unique_number("PLN")
    trip_id, track = convoy(live_server, number, "01 778 KGA")
    api(live_server).post_fixes(track.drive(5).drive(5, offset_m=3000).fixes)
    visit = open_page("/", role="planner")
    page = visit.page
    page.wait_for_selector(f"#alert-list li[data-trip-id='{trip_id}']")
    assert page.evaluate(f"Chekara.may(...{ACK_ROUTE.split(' ')!r})") is False
    assert page.query_selector_all("#alert-list button.ack") == []
    visit.assert_clean()


def test_from_an_alert_the_trip_page_opens_with_corridor_track_and_alert(open_page, live_server):
    number = unique_number("TRP")
    plate = unique_plate()
    file_declaration(live_server, number, plate, entry="TORUGART", exit_="AK-JOL", kind="transit")
    trip_id, track = convoy(live_server, number, plate)
    # Out of Bishkek, an unauthorized halt, on again, then off the corridor (still off: the alert stays open).
    track.drive(25).stop(20).drive(15).drive(12, offset_m=3000)
    api(live_server).post_fixes(track.fixes)

    visit = open_page("/", role="supervisor")
    page = visit.page
    alert = page.locator(f"#alert-list li[data-type=route_deviation][data-trip-id='{trip_id}']")
    with page.expect_navigation():
        alert.locator("a.open").click()
    assert page.url.endswith(f"/trips/{trip_id}")
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraCorridorDrawn === true")
    assert page.evaluate("window.chekaraMap.chekaraTrackFixes") == len(track.fixes)
    page.wait_for_selector("#trip-alerts li[data-type=route_deviation]")
    page.wait_for_selector("#trip-alerts li[data-type=unauthorized_stop]")
    assert page.query_selector_all("#timeline .mark:not(.stop)")
    assert len(page.query_selector_all("#trip-stops tr.pick")) >= 1
    page.wait_for_selector(f"#declaration >> text={number}")
    page.wait_for_selector("#trip-risk .chip")  # the declaration's risk verdict
    assert f"Trip {trip_id}" in page.inner_text("#trip-title")
    assert "BISHKEK → OSH" in page.inner_text("#trip-facts")

    # Replay: from the start, the clock runs forward.
    page.fill("#replay-slider", "0")
    page.dispatch_event("#replay-slider", "input")
    start = page.evaluate("window.chekaraTrip.time")
    page.click("#replay-play")
    page.wait_for_function("t => window.chekaraTrip.time > t + 60000", arg=start)
    page.click("#replay-play")  # pause
    assert page.evaluate("window.chekaraTrip.playing") is False
    # An alert on the timeline moves the replay to when it was raised.
    page.click("#timeline .mark:not(.stop)")
    page.wait_for_function("window.chekaraMap.chekaraReplayAlertsSoFar >= 1")
    visit.screenshot("trip-review")
    visit.assert_clean()


def test_queue_badges_come_from_one_call_and_follow_crossing_events(open_page, live_server):
    visit = open_page("/", role="operator")
    page = visit.page
    page.wait_for_function("window.chekaraSituation && window.chekaraSituation.queueLoads >= 1")
    page.wait_for_function("document.getElementById('stream-state').classList.contains('live')")
    before = page.evaluate("window.chekaraSituation.queues.get('TORUGART').inside")
    plate = unique_plate()
    file_declaration(live_server, unique_number("QUE"), plate, entry="TORUGART")
    entry_read(live_server, plate, camera_id="TOR-CAM-8")
    # No queue polling: the crossing event brings the new count.
    page.wait_for_function(f"window.chekaraSituation.queues.get('TORUGART').inside === {before + 1}")
    per_checkpoint = [u for u in visit.requests if "/queue" in u and "/api/v1/queues" not in u]
    assert per_checkpoint == [], per_checkpoint
    visit.assert_clean()


def test_town_and_checkpoint_names_appear_by_zoom_in_the_page_language(open_page, live_server):
    visit = open_page("/", role="operator", lang="ru")
    page = visit.page
    labels = "(window.chekaraMap.chekaraLabels || [])"
    page.wait_for_function(f"{labels}.includes('Бишкек') && {labels}.includes('Джалал-Абад')")
    # The country view: cities and regional centres, no small towns, no checkpoint names yet.
    shown = page.evaluate(labels)
    assert "Кара-Балта" not in shown and "Торугарт" not in shown
    page.evaluate("window.chekaraMap.setZoom(9, { animate: false })")
    page.wait_for_function(f"{labels}.includes('Торугарт') && {labels}.includes('Кара-Балта')")
    assert page.locator(".map-label.checkpoint:has-text('Ак-Жол')").count() == 1
    # Without an imported archive the Natural Earth basemap stays and nothing asks for one.
    assert page.evaluate("window.chekaraMap.chekaraPmtiles") is None
    assert not [u for u in visit.requests if "/basemap/basemap.pmtiles" in u]
    visit.assert_clean()
