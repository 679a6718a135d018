"""The FastAPI application: routers collected, errors mapped, static assets served."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from chekara import __version__
from chekara.api.errors import install_error_handlers
from chekara.api.routers import alerts, audit, checkpoints, corridors, health, me, rates
from chekara.config import get_settings

API_PREFIX = "/api/v1"
#: Every router served under API_PREFIX (the role-matrix test walks these).
API_ROUTERS = tuple(module.router for module in (me, checkpoints, corridors, rates, alerts, audit))


def create_app() -> FastAPI:
    get_settings()  # refuse to start with unsafe settings
    app = FastAPI(
        title="Chekara",
        version=__version__,
        summary="The platform of Kyrgyzstan's customs situation center",
        description=(
            "Checkpoints, transit corridors, escorted convoys, risk and the call center. "
            "Authenticate with `Authorization: Bearer <token>` (tokens from `chekara token create`)."
        ),
    )
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(health.router)

    from chekara.web.pages import mount_pages

    mount_pages(app)
    return app
