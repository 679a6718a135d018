"""Every page for every staff role: it loads clean, stays on the app's host, and shows only what the role may do;
the interface language switches and is remembered; a tablet gets a usable layout."""

from __future__ import annotations

import pytest

from chekara.domain.roles import STAFF
from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    TABLET_PORTRAIT, api, browser, convoy, file_declaration, open_page, unique_number, unique_plate,
)

STAFF_ROLES = sorted(r.value for r in STAFF)
#: What each page sets once it has drawn its data.
LOADED = {
    "situation-map": "window.chekaraSituation && window.chekaraSituation.polls > 0",
    "trip-review": "window.chekaraMap && window.chekaraMap.chekaraCorridorDrawn === true",
    "checkpoint-desk": "window.chekaraDesk && window.chekaraDesk.ready === true",
    "analytics-heatmap": "window.chekaraHeatmap && window.chekaraHeatmap.loaded === true",
    "risk-desk": "window.chekaraRisk && window.chekaraRisk.loaded === true",
}
MAP_PAGES = {"situation-map", "trip-review", "analytics-heatmap"}
#: Roles a page is not for: they are told so, and the page asks the API nothing more.
NOT_FOR = {"analytics-heatmap": {"officer", "callcenter"}, "risk-desk": {"callcenter"}}


@pytest.fixture(scope="module")
def trip_id(live_server) -> int:
    number = unique_number("PAGES")
    plate = unique_plate()
    file_declaration(live_server, number, plate, entry="TORUGART", exit_="AK-JOL", kind="transit")
    trip, track = convoy(live_server, number, plate)
    api(live_server).post_fixes(track.drive(15).fixes)
    return trip


def _paths(trip_id: int) -> dict[str, str]:
    return {
        "situation-map": "/", "trip-review": f"/trips/{trip_id}", "checkpoint-desk": "/checkpoints/TORUGART",
        "analytics-heatmap": "/analytics/heatmap", "risk-desk": "/risk",
    }


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_loads_clean_for_every_staff_role(open_page, trip_id, role):
    visit = None
    for page_name, path in _paths(trip_id).items():
        if visit is None:
            visit = open_page(path, role=role)
        else:
            visit.goto(path)
        page = visit.page
        if role in NOT_FOR.get(page_name, ()):
            page.wait_for_selector("#status.error >> text=This page is not for")
            assert not [u for u in visit.requests if "/api/v1/analytics" in u or "/api/v1/risk" in u]
            visit.assert_clean()
            continue
        page.wait_for_function(LOADED[page_name])
        assert page.is_hidden("#sign-in-panel")
        # Whatever needs a route the role may not call is hidden; the rest is shown.
        for needs, hidden in page.eval_on_selector_all(
            "[data-needs]", "nodes => nodes.map(n => [n.dataset.needs, n.hidden])"
        ):
            method, route = needs.split(" ")
            assert hidden is not page.evaluate("([m, r]) => Chekara.may(m, r)", [method, route]), needs
        visit.assert_clean()


def test_only_operators_supervisors_and_admins_may_handle_alerts_and_only_officers_record_steps(open_page):
    visit = open_page("/checkpoints/TORUGART", role="officer")
    visit.page.wait_for_function(LOADED["checkpoint-desk"])
    may = {
        route: visit.page.evaluate("([m, r]) => Chekara.may(m, r)", route.split(" "))
        for route in ("POST /api/v1/alerts/{alert_id}/ack", "POST /api/v1/crossings/{crossing_id}/steps/{step}")
    }
    assert may == {"POST /api/v1/alerts/{alert_id}/ack": False, "POST /api/v1/crossings/{crossing_id}/steps/{step}": True}
    assert visit.page.is_visible("#entry-form")


def test_the_language_switches_and_is_remembered(open_page):
    visit = open_page("/", role="operator", lang="en")
    page = visit.page
    page.wait_for_function(LOADED["situation-map"])
    assert page.inner_text(".nav a") == "Situation map"
    with page.expect_navigation():
        page.select_option("#language", "ru")
    page.wait_for_function(LOADED["situation-map"])
    assert page.inner_text(".nav a") == "Ситуационная карта"
    assert page.inner_text("h2 [data-i18n='alerts.title']") == "Тревоги"
    assert page.evaluate("document.documentElement.lang") == "ru"
    page.reload()
    page.wait_for_function(LOADED["situation-map"])
    assert page.inner_text(".nav a") == "Ситуационная карта"
    with page.expect_navigation():
        page.select_option("#language", "ky")
    page.wait_for_function(LOADED["situation-map"])
    assert page.inner_text(".nav a") == "Кырдаал картасы"
    assert page.evaluate("localStorage.getItem('chekara.lang')") == "ky"
    visit.assert_clean()


def test_a_tablet_gets_every_page_without_sideways_scrolling(open_page, trip_id):
    visit = None
    for page_name, path in _paths(trip_id).items():
        if visit is None:
            visit = open_page(path, role="supervisor", viewport=TABLET_PORTRAIT)
        else:
            visit.goto(path)
        page = visit.page
        page.wait_for_function(LOADED[page_name])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= TABLET_PORTRAIT["width"], f"{page_name} is {width} px wide"
        if page_name in MAP_PAGES:
            assert page.evaluate("document.querySelector('.folium-map').getBoundingClientRect().height") > 400
        visit.assert_clean()


def test_a_trip_whose_declaration_was_never_filed_says_so(open_page, live_server):
    number = unique_number("NODECL")
    trip, track = convoy(live_server, number, "01 779 KGA")
    api(live_server).post_fixes(track.drive(8).fixes)
    visit = open_page(f"/trips/{trip}", role="operator")
    visit.page.wait_for_selector(f"#declaration >> text=Declaration {number} has not been filed.")
    # The API has no way to ask whether a declaration exists but to read it: Chromium logs the 404.
    assert visit.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert any(u.endswith(f"/api/v1/declarations/{number}") for u in visit.requests)


def test_markup_in_the_data_is_shown_as_text(open_page, live_server):
    number = unique_number("XSS")
    plate = unique_plate()
    markup = "<img src=/xss onerror=window.pwned=1>Bishkek <b>Fresh</b>"
    file_declaration(live_server, number, plate, entry="TORUGART", exit_="AK-JOL", kind="transit", consignee=markup)
    trip, track = convoy(live_server, number, plate)
    api(live_server).post_fixes(track.drive(8).fixes)
    visit = open_page(f"/trips/{trip}", role="supervisor")
    page = visit.page
    page.wait_for_selector(f"#declaration >> text={number}")
    assert markup in page.inner_text("#declaration")
    assert page.query_selector("#declaration img, #declaration b") is None
    assert page.evaluate("window.pwned") is None
    assert not [u for u in visit.requests if u.endswith("/xss")]
    visit.assert_clean()
