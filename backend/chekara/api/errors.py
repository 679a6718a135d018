"""Every error leaves the API as {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from chekara.errors import ChekaraError

log = logging.getLogger("chekara.api")

_LOCATION_PREFIXES = ("body", "query", "path", "header", "form")

#: What a client should wait before trying again while the database is unavailable, seconds:
#: a restart of PostgreSQL takes a few seconds, a burst that exhausts the pool less.
RETRY_AFTER_S = 5
#: "The database is not available": no connection could be made or kept (server down or restarting,
#: network), or none was free in the pool in time. Raw psycopg errors come from the COPY of positions.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError, psycopg.OperationalError, psycopg.InterfaceError)


def error_body(code: str, message: str, field: str | None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _LOCATION_PREFIXES:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _first_validation_error(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    details = [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in exc.errors()
    ]
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    return first["field"], first["message"], details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChekaraError)
    async def chekara_error(_: Request, exc: ChekaraError) -> JSONResponse:
        headers = {401: {"WWW-Authenticate": "Bearer"}, 429: {"Retry-After": "60"}}.get(exc.status_code)
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        field, message, details = _first_validation_error(exc)
        return JSONResponse(error_body("invalid", f"{field}: {message}", field, details=details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail), None), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        # A constraint caught what validation let through (e.g. two writers racing).
        log.warning("integrity error: %s", exc.orig)
        return JSONResponse(error_body("conflict", "the change conflicts with stored data", None), status_code=409)

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        log.warning("data error: %s", exc.orig)
        return JSONResponse(error_body("invalid", "a value does not fit its column", None), status_code=422)

    async def database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return JSONResponse(
            error_body("unavailable", "the database is not available; try again shortly", None),
            status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, database_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: logged in full, answered without internals.
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal", "an unexpected error occurred; it has been logged", None), status_code=500)
