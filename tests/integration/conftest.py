"""Integration tests: services and the API in-process, against real PostGIS, rolled back per test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from chekara.api.app import create_app
from chekara.config import get_settings
from chekara.db.engine import open_session
from chekara.domain.roles import Actor
from chekara.services.tokens import create_token

pytestmark = pytest.mark.integration

TEST_ADMIN = Actor(name="test-admin", role="admin")

#: A test's burst of rate-limited requests takes far less than this, seconds.
RATE_LIMIT_BURST_S = 5.0


@pytest.fixture
def within_one_minute() -> None:
    """The test's burst of rate-limited requests falls within one clock minute.

    The limiter's sliding window counts the last minute's hits weighted by the part of it still in
    the window, rounded down: a burst across a minute's end gets one request more than the limit
    (4 of 3 allowed), which a test of the limit would take for a bug."""
    left_s = 60 - time.time() % 60
    if left_s < RATE_LIMIT_BURST_S:
        time.sleep(left_s + 0.1)


@pytest.fixture
def client(db_session: Session) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[open_session] = lambda: db_session
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(db_session: Session) -> Callable[[str], dict[str, str]]:
    """auth("planner") -> headers with a fresh token of that role (rolled back after the test)."""
    cache: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in cache:
            issued = create_token(db_session, get_settings(), f"test-{role}", role, TEST_ADMIN)
            db_session.commit()
            cache[role] = {"Authorization": f"Bearer {issued.token}"}
        return cache[role]

    return headers
