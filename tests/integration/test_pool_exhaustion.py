"""A pool with no free connection is a 503 with Retry-After, on the API and on /healthz (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from chekara.api.app import create_app
from chekara.config import get_settings
from chekara.db.engine import open_session


@pytest.fixture
def tiny_pool(test_database: str):
    """One connection and a short wait for it, so the test does not sit through the 30 s default."""
    engine = create_engine(get_settings().sqlalchemy_url(test_database), pool_size=1, max_overflow=0, pool_timeout=0.2)
    yield engine
    engine.dispose()


def test_an_exhausted_pool_is_503_with_retry_after(tiny_pool):
    def session_from_tiny_pool() -> Iterator[Session]:
        with Session(tiny_pool) as session:
            yield session

    app = create_app()
    app.dependency_overrides[open_session] = session_from_tiny_pool
    with TestClient(app) as client, tiny_pool.connect() as held:
        held.execute(text("SELECT 1"))  # the only connection is taken
        health = client.get("/healthz")
        assert health.status_code == 503 and health.headers["retry-after"]
        api = client.get("/api/v1/checkpoints", headers={"Authorization": "Bearer chk_any"})
        assert api.status_code == 503, api.text
        assert api.headers["retry-after"] and api.json()["error"]["code"] == "unavailable"
    with TestClient(app) as client:  # released: served again
        assert client.get("/healthz").status_code == 200
