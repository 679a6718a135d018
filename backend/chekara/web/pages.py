"""Server-rendered pages: a Jinja2 template and one script per page, maps built by folium.

The pages themselves are public HTML; their data comes from the API with the
token the browser keeps after sign-in, so the API decides what each role
sees, and the pages hide what it would refuse (see web/permissions.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Path as PathParam, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from chekara.config import get_settings
from chekara.services.basemap import BASEMAP_PMTILES_URL, current_basemap
from chekara.web.assets import BASEMAP_URL, PROTOMAPS_LEAFLET_JS, TOWNS_URL, UPLOT_CSS, UPLOT_JS, mount_assets
from chekara.web.maps import map_parts, offline_map
from chekara.web.permissions import route_roles

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

#: The API route each page cannot work without: a role that may not call it is told so, and the
#: top bar links only the pages the role may use.
PAGE_NEEDS = {
    "situation-map": "GET /api/v1/live/convoys",
    "trip-review": "GET /api/v1/trips/{trip_id}",
    "checkpoint-desk": "GET /api/v1/crossings",
    "analytics-heatmap": "GET /api/v1/analytics/heatmap",
    "risk-desk": "GET /api/v1/risk/queue",
    "callcenter": "GET /api/v1/inquiries",  # supervisors and operators read; agents also write
    "shift-report": "GET /api/v1/reports/alerts",
}
#: The pages in the top bar: (href, page, dictionary key).
NAVIGATION = (
    ("/", "situation-map", "nav.situation_map"),
    ("/analytics/heatmap", "analytics-heatmap", "nav.heatmap"),
    ("/risk", "risk-desk", "nav.risk"),
    ("/callcenter", "callcenter", "nav.callcenter"),
    ("/reports/shift", "shift-report", "nav.shift_report"),
)


def _render(request: Request, template: str, page: str, *, with_map: bool = False, **params: Any) -> HTMLResponse:
    settings = get_settings()
    parts = map_parts(offline_map(settings.tiles_url)) if with_map else None
    # Read on every map page: an archive imported while the server runs is drawn at the next page load.
    pmtiles = current_basemap(settings) if with_map else None
    config = {
        "page": page,
        "needs": PAGE_NEEDS[page],
        "params": params,
        "map_name": parts.name if parts else None,
        "basemap_url": BASEMAP_URL,
        "towns_url": TOWNS_URL,
        "has_tiles": bool(settings.tiles_url),
        "pmtiles": {"url": f"{BASEMAP_PMTILES_URL}?v={pmtiles.version}", "max_zoom": pmtiles.max_zoom} if pmtiles else None,
        "permissions": request.app.state.route_roles,
    }
    context = {
        "page": page, "config": config, "map": parts, "navigation": NAVIGATION, "page_needs": PAGE_NEEDS,
        "uplot_js": UPLOT_JS, "uplot_css": UPLOT_CSS, "protomaps_js": PROTOMAPS_LEAFLET_JS if pmtiles else None, **params,
    }
    return templates.TemplateResponse(request, template, context)


def mount_pages(app: FastAPI) -> None:
    mount_assets(app, get_settings())
    app.state.route_roles = route_roles()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def situation_map(request: Request) -> HTMLResponse:
        return _render(request, "situation-map.html", "situation-map", with_map=True)

    @app.get("/trips/{trip_id}", response_class=HTMLResponse, include_in_schema=False)
    def trip_review(request: Request, trip_id: int = PathParam(ge=1)) -> HTMLResponse:
        return _render(request, "trip-review.html", "trip-review", with_map=True, trip_id=trip_id)

    @app.get("/analytics/heatmap", response_class=HTMLResponse, include_in_schema=False)
    def analytics_heatmap(request: Request) -> HTMLResponse:
        return _render(request, "analytics-heatmap.html", "analytics-heatmap", with_map=True)

    @app.get("/risk", response_class=HTMLResponse, include_in_schema=False)
    def risk_desk(request: Request) -> HTMLResponse:
        return _render(request, "risk-desk.html", "risk-desk")

    @app.get("/callcenter", response_class=HTMLResponse, include_in_schema=False)
    def callcenter(request: Request) -> HTMLResponse:
        return _render(request, "callcenter.html", "callcenter")

    @app.get("/reports/shift", response_class=HTMLResponse, include_in_schema=False)
    def shift_report(request: Request) -> HTMLResponse:
        return _render(request, "shift-report.html", "shift-report")

    @app.get("/public", response_class=HTMLResponse, include_in_schema=False)
    def public(request: Request) -> HTMLResponse:
        # For citizens: no sign-in, no top bar, no token; its data comes from /api/v1/public only.
        return templates.TemplateResponse(request, "public.html", {"page": "public"})

    @app.get("/checkpoints/{code}", response_class=HTMLResponse, include_in_schema=False)
    def checkpoint_desk(request: Request, code: str = PathParam(pattern=r"^[A-Za-z0-9-]{2,20}$")) -> HTMLResponse:
        return _render(request, "checkpoint-desk.html", "checkpoint-desk", code=code.upper())
