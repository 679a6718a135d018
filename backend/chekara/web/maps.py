"""folium map builders that load nothing from the internet, and their pieces for our templates."""

from __future__ import annotations

from dataclasses import dataclass

import folium

from chekara.web.assets import LEAFLET_CSS, LEAFLET_JS

#: Kyrgyzstan's centre and a zoom that shows the whole country.
KYRGYZSTAN_CENTER = (41.4, 74.8)
COUNTRY_ZOOM = 7


def offline_map(tiles_url: str | None = None) -> folium.Map:
    """A Leaflet map with only our own Leaflet copy; tiles only from CHEKARA_TILES_URL."""
    m = folium.Map(
        location=KYRGYZSTAN_CENTER,
        zoom_start=COUNTRY_ZOOM,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    # Per-instance overrides: folium's class-level lists point at CDNs.
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr="local tile server", name="tiles").add_to(m)
    return m


@dataclass(frozen=True)
class MapParts:
    """A rendered folium map split for a Jinja2 page: what goes in <head>, the map's <div>, its <script>."""

    name: str  # the map's global JavaScript variable
    header: str
    html: str
    script: str


def map_parts(m: folium.Map) -> MapParts:
    root = m.get_root()
    root.render()  # renders the children into the figure's header, html and script
    return MapParts(name=m.get_name(), header=root.header.render(), html=root.html.render(), script=root.script.render())
