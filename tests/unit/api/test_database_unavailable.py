"""Every "database unavailable" condition is a 503 with Retry-After, never a 500 (issue 15)."""

from __future__ import annotations

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa

from chekara.api.errors import RETRY_AFTER_S, install_error_handlers

UNAVAILABLE = {
    "pool exhausted": sa.TimeoutError("QueuePool limit of size 10 overflow 20 reached, connection timed out"),
    "server down": sa.OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")),
    "connection lost": sa.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
    "raw psycopg (COPY)": psycopg.OperationalError("server closed the connection unexpectedly"),
    "raw psycopg, closed": psycopg.InterfaceError("the connection is lost"),
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fail/{case}")
    def fail(case: str):
        raise UNAVAILABLE[case]

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("case", UNAVAILABLE)
def test_database_unavailable_is_503_with_retry_after(client, case):
    response = client.get(f"/fail/{case}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    assert response.json()["error"]["code"] == "unavailable"
