"""The checkpoint desk in a real browser: an officer walks a crossing through the forms; others only look."""

from __future__ import annotations

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    api, browser, entry_read, file_declaration, open_page, unique_number, unique_plate,
)


def _wait_status(page, status: str) -> None:
    try:
        page.wait_for_selector(f"#crossing-card[data-status={status}]")
    except Exception as exc:  # say what the desk said
        raise AssertionError(f"not {status}: {page.inner_text('#step-result')!r} {page.inner_text('#status')!r}") from exc


def test_an_officer_completes_a_crossing_through_the_forms(open_page, live_server):
    number = unique_number("DESK")
    plate = unique_plate()
    file_declaration(live_server, number, plate, entry="TORUGART")
    visit = open_page("/checkpoints/TORUGART", role="officer")
    page = visit.page
    page.wait_for_function("window.chekaraDesk && window.chekaraDesk.ready === true")
    assert page.is_visible("#entry-form")

    page.fill("#entry-plate", plate.replace(" ", ""))  # as keyed in a hurry: the plate is still matched
    page.click("#entry-form button[type=submit]")
    _wait_status(page, "arrived")
    assert number in page.inner_text("#crossing-facts")
    assert page.is_visible(f"#crossings tr.selected:has-text('{number}')")

    # Only the step due now has a form.
    assert page.get_attribute("#step-form-box form", "data-step") == "documents_checked"
    page.fill("#step-form-box textarea[name=notes]", "invoice and CMR match")
    page.click("#step-form-box button[type=submit]")
    _wait_status(page, "documents_checked")

    assert page.get_attribute("#step-form-box form", "data-step") == "weighed"
    page.fill("#step-form-box input[name=gross_kg]", "33500")
    page.fill("#step-form-box input[name=axle_loads]", "6700, 6700, 6700, 6700, 6700")
    page.click("#step-form-box button[type=submit]")
    _wait_status(page, "weighed")
    # 33.5 t against 30 t declared: the weighing's finding is on the desk.
    page.wait_for_selector("#step-result.finding")
    page.wait_for_selector(f"#weighings tr:has-text('{plate.replace(' ', '')}') .finding")

    assert page.get_attribute("#step-form-box form", "data-step") == "inspected"  # yellow or red: inspection required
    assert page.query_selector("#step-form-box button.secondary") is None
    page.check("#step-form-box input[name=result][value=not_found]")
    page.fill("#step-form-box textarea[name=notes]", "load matches: apples")
    visit.screenshot("checkpoint-desk")
    page.click("#step-form-box button[type=submit]")
    _wait_status(page, "inspected")

    page.click("#step-form-box button[type=submit]")
    _wait_status(page, "released")
    page.click("#step-form-box button[type=submit]")
    _wait_status(page, "exited")

    assert page.query_selector("#step-form-box form") is None
    assert len(page.query_selector_all("#crossing-timeline tr")) == 6
    page.wait_for_function(f"!document.querySelector('#crossings').textContent.includes({number!r})")
    crossing_id = int(page.get_attribute("#crossing-card", "data-crossing-id"))
    stored = api(live_server).call("GET", f"/api/v1/crossings/{crossing_id}").json()
    assert [s["step"] for s in stored["timeline"]] == [
        "arrived", "documents_checked", "weighed", "inspected", "released", "exited",
    ]
    assert page.evaluate("window.chekaraDesk.throughput.exits") >= 1
    visit.assert_clean()


def test_a_call_center_agent_sees_the_queue_but_no_forms(open_page, live_server):
    plate = unique_plate()
    file_declaration(live_server, unique_number("CC"), plate, entry="TORUGART")
    read = api(live_server).call("POST", "/api/v1/plate-reads", role="officer", json={
        "checkpoint": "TORUGART", "camera_id": "TOR-CAM-1", "lane": 1, "direction": "entry", "plate": plate,
        "confidence": 0.93, "time": __import__("datetime").datetime.now(__import__("datetime").UTC).isoformat(),
    })
    assert read.status_code == 201, read.text
    visit = open_page("/checkpoints/TORUGART", role="callcenter")
    page = visit.page
    page.wait_for_function("window.chekaraDesk && window.chekaraDesk.ready === true")
    assert page.is_hidden("#entry-form")
    assert int(page.inner_text("#queue-figures .figure .value >> nth=0")) >= 1
    page.click(f"#crossings tr:has-text('{plate.replace(' ', '')}')")
    page.wait_for_selector("#crossing-card[data-status=arrived]")
    assert page.query_selector("#step-form-box form") is None
    visit.assert_clean()


def test_crossing_events_reach_the_desk_without_reload_and_the_lists_filter_by_plate(open_page, live_server):
    visit = open_page("/checkpoints/TORUGART", role="operator")
    page = visit.page
    page.wait_for_function("window.chekaraDesk && window.chekaraDesk.ready === true && window.chekaraDesk.live === true")
    plate = unique_plate()
    file_declaration(live_server, unique_number("EVT"), plate, entry="TORUGART")
    canonical = entry_read(live_server, plate, camera_id="TOR-CAM-9")["plate"]
    # The desk does not poll: the crossing event makes it read again.
    page.wait_for_selector(f"#crossings tr:has-text('{canonical}')", timeout=10_000)
    page.wait_for_selector(f"#plate-reads tr:has-text('{canonical}')")
    assert page.evaluate(f"window.chekaraDesk.events.some((e) => e.event === 'opened' && e.plate === {canonical!r})")

    page.fill("#records-plate", canonical[-5:])
    page.wait_for_function(
        f"window.chekaraDesk.reads.length > 0 && window.chekaraDesk.reads.every((r) => r.plate.includes({canonical[-5:]!r}))"
    )
    visit.assert_clean()
