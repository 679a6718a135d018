"""The FastAPI application: routers collected, errors mapped, static assets served."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from chekara import __version__
from chekara.api.access_log import mask_secrets_in_access_log
from chekara.api.body_limit import BodyLimit
from chekara.api.device_door import ChekaraApp
from chekara.api.errors import install_error_handlers
from chekara.api.openapi import install_openapi
from chekara.api.routers import alerts, audit, checkpoints, corridors, devices, health, live, me, positions, rates, stream, trips
from chekara.api.routers import checkpoint_records, crossings, declarations, plate_reads, queues, reports, weighings
from chekara.api.routers import analytics, learned_corridors
from chekara.api.routers import inquiries, public, risk
from chekara.api.routers import exchange, exchange_admin, ingest_stats
from chekara.api.event_hub import hub
from chekara.api.live_snapshot import LiveSnapshot
from chekara.db.engine import open_session, session_factory
from chekara.api.ingest_queue import start_ingest_queue
from chekara.config import get_settings
from chekara.services.risk_ruleset import ruleset as risk_ruleset
from chekara.services.sweep_loop import SweepLoop
from chekara.services.exchange.delivery_loop import DeliveryLoop

API_PREFIX = "/api/v1"
#: Every router served under API_PREFIX (the role-matrix test walks these).
API_ROUTERS = tuple(
    module.router
    for module in (me, checkpoints, learned_corridors, corridors, rates, devices, trips, positions, alerts, live, stream, audit,
                   declarations, plate_reads, weighings, crossings, queues, checkpoint_records, reports, analytics,
                   inquiries, public, risk, exchange, exchange_admin, ingest_stats)
) + (queues.all_router,)


def _end_streams_on_stop() -> None:
    """uvicorn waits for open responses before it stops, and an event stream never ends by itself:
    on SIGTERM or SIGINT, end the streams, then let uvicorn's own handler stop the server."""
    if threading.current_thread() is not threading.main_thread():
        return  # signals belong to the main thread (an app run by a test client has none)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum, frame, previous=previous) -> None:
            loop.call_soon_threadsafe(hub.end_streams)
            if callable(previous):
                previous(signum, frame)

        signal.signal(sig, handler)


def _serving(app: FastAPI) -> bool:
    """The app runs in a server process (its main thread), on the real database."""
    return threading.current_thread() is threading.main_thread() and open_session not in app.dependency_overrides


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    _end_streams_on_stop()
    ingest_queue = start_ingest_queue(app)
    if _serving(app):  # a test client's app publishes nothing (its transactions are rolled back)
        app.state.live_snapshot = LiveSnapshot(hub, lambda: session_factory()())
    sweeper = SweepLoop(get_settings())
    sweeper.start()
    delivery = DeliveryLoop(get_settings())  # posts the outbox to partners' webhooks
    delivery.start()
    yield
    delivery.stop()
    sweeper.stop()
    await hub.close()
    ingest_queue.stop()  # the fixes already handed in are committed before the process ends


def create_app() -> FastAPI:
    settings = get_settings()  # refuses to start with unsafe settings
    settings.detection_thresholds()  # and with bad thresholds
    settings.alert_severities()  # and with a bad alert severity
    risk_ruleset()  # and with a bad risk ruleset
    # ChekaraApp: the devices' one-fix requests, the most frequent, answered in front of the middleware.
    app = ChekaraApp(
        lifespan=lifespan,
        title="Chekara",
        version=__version__,
        summary="The platform of Kyrgyzstan's customs situation center",
        description=(
            "Checkpoints, transit corridors, escorted convoys, risk and the call center. "
            "Authenticate with `Authorization: Bearer <token>` (tokens from `chekara token create`)."
        ),
    )
    install_error_handlers(app)
    install_openapi(app)  # the document describes our error body and every status code
    mask_secrets_in_access_log()
    # 413 before an oversized body is read; a corridor upload (a GPX file) may be larger than a batch.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger={f"{API_PREFIX}/corridors": corridors.MAX_UPLOAD_REQUEST_BYTES})
    app.include_router(positions.osmand_router)  # documents /osmand
    api = APIRouter(prefix=API_PREFIX)
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(health.router)

    from chekara.web.pages import mount_pages

    mount_pages(app)
    return app
