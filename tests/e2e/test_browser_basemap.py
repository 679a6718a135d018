"""A bring-your-own basemap in a real browser: an archive the test builds, imported, served with HTTP range
requests by a server of its own, and drawn offline by the protomaps-leaflet plugin."""

from __future__ import annotations

import httpx
import pytest

from chekara.config import get_settings
from chekara.services import basemap
from tests.e2e.browser_support import browser, open_page  # noqa: F401  (fixtures)
from tests.e2e.conftest import LiveServer, free_port, server_env, start_server
from tests.pmtiles_archive import build_archive

# A canvas tile of the plugin with something painted on it (the archive's earth polygon fills every tile).
PAINTED = """() => [...document.querySelectorAll('.leaflet-tile-pane canvas')].some((canvas) => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4 * 97) if (pixels[i] > 0) return true;
  return false;
})"""


@pytest.fixture(scope="module")
def live_server(live_server, tmp_path_factory, test_database):
    """This module's pages come from a server whose var/ holds an imported archive (the shared one has none)."""
    var = tmp_path_factory.mktemp("basemap-var")
    archive = build_archive(tmp_path_factory.mktemp("archive") / "kyrgyzstan.pmtiles", max_zoom=6)
    basemap.import_basemap(archive, get_settings().model_copy(update={"var_dir": var}))
    env = server_env(test_database) | {"CHEKARA_VAR_DIR": str(var)}
    process, url = start_server(env, free_port(), tmp_path_factory.mktemp("basemap-server") / "server.log")
    yield LiveServer(url=url, tokens=live_server.tokens)
    process.terminate()
    process.wait(timeout=10)


def test_the_archive_is_served_with_range_requests(live_server):
    url = live_server.url + basemap.BASEMAP_PMTILES_URL
    head = httpx.get(url, headers={"Range": "bytes=0-126"})  # the PMTiles header: the plugin's first read
    assert head.status_code == 206 and head.headers["content-range"].startswith("bytes 0-126/")
    assert head.content[:7] == b"PMTiles" and len(head.content) == 127


def test_every_map_draws_the_imported_basemap_offline(open_page, live_server):
    visit = open_page("/", role="operator")
    page = visit.page
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraPmtiles !== undefined")
    page.wait_for_function(PAINTED)
    ranged = [u for u in visit.requests if basemap.BASEMAP_PMTILES_URL in u]
    assert ranged and all("?v=" in u for u in ranged)  # the archive's version in the URL: no stale cache
    # The country outlines stay on top, unfilled; the labels too.
    page.wait_for_function("window.chekaraMap.chekaraBasemapCount > 10 && (window.chekaraMap.chekaraLabels || []).includes('Bishkek')")
    visit.screenshot("basemap-pmtiles")
    visit.assert_clean()

    visit.goto("/analytics/heatmap")
    page.wait_for_function("window.chekaraMap && window.chekaraMap.chekaraPmtiles !== undefined")
    page.wait_for_function(PAINTED)
    visit.assert_clean()
