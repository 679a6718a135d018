"""The heatmap page in a real browser: hexagons from the hourly rollups, a legend, exports, dwell."""

from __future__ import annotations

import subprocess

from tests.e2e.browser_support import (  # noqa: F401  (browser, open_page are fixtures)
    api, browser, convoy, open_page, unique_number,
)
from tests.e2e.conftest import CHEKARA_BIN, server_env


def _convoys_with_rollups(live_server, test_database) -> None:
    client = api(live_server)
    for corridor, plate in (("BISHKEK-OSH", "01 781 KGA"), ("AKJOL-TORUGART", "01 782 KGA"), ("OSH-IRKESHTAM", "02 783 KGA")):
        _, track = convoy(live_server, unique_number("HEAT"), plate, corridor_code=corridor, hours_ago=3)
        client.post_fixes(track.drive(40, speed_kmh=70).stop(25).drive(40, speed_kmh=55).fixes)
    # The server counts new fixes into the rollups on its sweep, which the tests turn off: count them now.
    done = subprocess.run([CHEKARA_BIN, "analytics", "update"], env=server_env(test_database),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_planner_reads_the_heatmap_switches_metric_and_exports(open_page, live_server, test_database):
    _convoys_with_rollups(live_server, test_database)
    visit = open_page("/analytics/heatmap", role="planner")
    page = visit.page
    page.wait_for_function("window.chekaraHeatmap.loaded && window.chekaraHeatmap.cells > 10")
    assert page.query_selector_all("#heat-legend .legend-class")
    assert "fixes" in page.inner_text("#heat-legend")

    cells = page.evaluate("window.chekaraHeatmap.cells")
    page.select_option("#heatmap-form select[name=res]", "9")
    page.wait_for_function("n => window.chekaraHeatmap.cells > n", arg=cells)  # smaller hexagons, more of them
    page.select_option("#heatmap-form select[name=metric]", "speed")
    page.wait_for_function("(window.chekaraHeatmap.shown || '').includes('metric=speed')")
    page.wait_for_selector("#heat-legend >> text=km/h")
    page.select_option("#heatmap-form select[name=corridor]", "OSH-IRKESHTAM")
    page.wait_for_function("(window.chekaraHeatmap.shown || '').includes('corridor=OSH-IRKESHTAM')")

    with page.expect_download() as waiting:
        page.click("[data-export=csv]")
    download = waiting.value
    assert download.suggested_filename == "heatmap_speed_r9.csv"
    assert open(download.path(), encoding="utf-8").readline().startswith("cell,value")

    page.select_option("#heatmap-form select[name=res]", "6")
    page.select_option("#heatmap-form select[name=metric]", "fixes")
    page.select_option("#heatmap-form select[name=corridor]", "")
    page.wait_for_function("window.chekaraHeatmap.shown === window.chekaraHeatmap.query && window.chekaraHeatmap.shown.includes('metric=fixes') && !window.chekaraHeatmap.shown.includes('corridor')")
    page.wait_for_function("window.chekaraHeatmap.dwellPlaces >= 1")
    visit.screenshot("analytics-heatmap")
    visit.assert_clean()
