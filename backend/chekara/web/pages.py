"""Server-rendered pages. For now the situation map of checkpoints and corridors."""

from __future__ import annotations

import folium
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from chekara.config import get_settings
from chekara.web.assets import BASEMAP_URL, mount_assets
from chekara.web.maps import offline_map

PAGE_HEAD = """
<title>Chekara — situation map</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app/chekara.css">
"""

SIGN_IN_PANEL = """
<div id="chekara-panel" class="chekara-panel">
  <h1>Chekara</h1>
  <form id="sign-in" autocomplete="off">
    <label for="token">API token</label>
    <input id="token" name="token" type="password" placeholder="chk_…">
    <button type="submit">Sign in</button>
  </form>
  <div id="who" hidden></div>
  <p id="status" role="status"></p>
  <ul id="legend">
    <li><span class="dot eaeu"></span>EAEU border (Kazakhstan)</li>
    <li><span class="dot external"></span>External border</li>
    <li><span class="dot inland"></span>Inland customs post</li>
  </ul>
</div>
"""


def situation_map_html() -> str:
    settings = get_settings()
    m = offline_map(settings.tiles_url)
    root = m.get_root()
    root.header.add_child(folium.Element(PAGE_HEAD))
    root.html.add_child(folium.Element(SIGN_IN_PANEL))
    root.html.add_child(folium.Element('<script src="/static/app/situation-map.js"></script>'))
    root.script.add_child(
        # Names only: the map variable is declared later in this same script.
        folium.Element(f"window.chekaraMapName = {m.get_name()!r}; window.chekaraBasemapUrl = {BASEMAP_URL!r};")
    )
    return root.render()


def mount_pages(app: FastAPI) -> None:
    mount_assets(app, get_settings())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def situation_map() -> HTMLResponse:
        return HTMLResponse(situation_map_html())
