"""Browser assets served by the app itself: customs networks are closed, no CDN.

Leaflet, the uPlot chart library and the Natural Earth basemap come from npm
(frontend/, installed by `make install`); our own scripts, styles and the
interface dictionaries live in web/static.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from chekara.config import Settings

APP_STATIC_DIR = Path(__file__).parent / "static"

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
UPLOT_JS = "/static/vendor/uplot/uPlot.iife.min.js"
UPLOT_CSS = "/static/vendor/uplot/uPlot.min.css"
BASEMAP_URL = "/static/basemap/basemap-countries.geojson"


class MissingAssetsError(RuntimeError):
    pass


def asset_folders(settings: Settings) -> dict[str, Path]:
    """URL folder -> installed folder, for the assets that come from npm (the Docker image copies these)."""
    modules = settings.frontend_dir / "node_modules"
    # Leaflet's whole dist, so images/ sits beside leaflet.css.
    return {
        "/static/vendor/leaflet": modules / "leaflet" / "dist",
        "/static/vendor/uplot": modules / "uplot" / "dist",
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
