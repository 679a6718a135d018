"""Browser assets served by the app itself: customs networks are closed, no CDN.

Leaflet, the uPlot chart library and the Natural Earth basemap come from npm
(frontend/, installed by `make install`); our own scripts, styles and the
interface dictionaries live in web/static.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from chekara.config import Settings
from chekara.errors import NotFound
from chekara.services.basemap import BASEMAP_PMTILES_URL, basemap_path

APP_STATIC_DIR = Path(__file__).parent / "static"

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
UPLOT_JS = "/static/vendor/uplot/uPlot.iife.min.js"
UPLOT_CSS = "/static/vendor/uplot/uPlot.min.css"
#: The Leaflet plugin that draws a PMTiles archive of vector tiles (npm protomaps-leaflet).
PROTOMAPS_LEAFLET_JS = "/static/vendor/protomaps-leaflet/protomaps-leaflet.js"
BASEMAP_URL = "/static/basemap/basemap-countries.geojson"
#: The main towns from geodata/towns.geojson, labels on every map.
TOWNS_URL = "/static/towns.geojson"


class MissingAssetsError(RuntimeError):
    pass


def asset_folders(settings: Settings) -> dict[str, Path]:
    """URL folder -> installed folder, for the assets that come from npm (the Docker image copies these)."""
    modules = settings.frontend_dir / "node_modules"
    # Leaflet's whole dist, so images/ sits beside leaflet.css.
    return {
        "/static/vendor/leaflet": modules / "leaflet" / "dist",
        "/static/vendor/uplot": modules / "uplot" / "dist",
        "/static/vendor/protomaps-leaflet": modules / "protomaps-leaflet" / "dist",
        "/static/basemap": settings.frontend_dir / "build",
    }


def mount_assets(app: FastAPI, settings: Settings) -> None:
    folders = asset_folders(settings)
    for folder in folders.values():
        if not folder.is_dir():
            raise MissingAssetsError(f"{folder} is missing: run `make install` (npm ci and the basemap build)")
    for url, folder in folders.items():
        app.mount(url, StaticFiles(directory=folder), name=url.rsplit("/", 1)[-1])
    app.mount("/static/app", StaticFiles(directory=APP_STATIC_DIR), name="app-static")

    @app.get(TOWNS_URL, include_in_schema=False)
    def towns() -> FileResponse:
        return FileResponse(settings.geodata_dir / "towns.geojson", media_type="application/geo+json")

    @app.get(BASEMAP_PMTILES_URL, include_in_schema=False)
    def basemap_pmtiles() -> FileResponse:
        """The imported archive; FileResponse answers Range requests (206), which is how the plugin reads it."""
        path = basemap_path(settings)
        if not path.is_file():
            raise NotFound("no basemap imported: `chekara basemap import FILE.pmtiles`")
        return FileResponse(path, media_type="application/vnd.pmtiles")
