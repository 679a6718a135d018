"""Browser assets served by the app itself: customs networks are closed, no CDN.

Leaflet and the Natural Earth basemap come from npm (frontend/, installed by
`make install`); our own scripts and styles live in web/static.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from chekara.config import Settings

APP_STATIC_DIR = Path(__file__).parent / "static"

LEAFLET_JS = "/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/static/vendor/leaflet/leaflet.css"
BASEMAP_URL = "/static/basemap/basemap-countries.geojson"


class MissingAssetsError(RuntimeError):
    pass


def mount_assets(app: FastAPI, settings: Settings) -> None:
    leaflet = settings.frontend_dir / "node_modules" / "leaflet" / "dist"
    basemap = settings.frontend_dir / "build"
    for folder in (leaflet, basemap):
        if not folder.is_dir():
            raise MissingAssetsError(f"{folder} is missing: run `make install` (npm ci and the basemap build)")
    app.mount("/static/vendor/leaflet", StaticFiles(directory=leaflet), name="leaflet")
    app.mount("/static/basemap", StaticFiles(directory=basemap), name="basemap")
    app.mount("/static/app", StaticFiles(directory=APP_STATIC_DIR), name="app-static")
