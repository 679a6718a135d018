"""Integration tests: services and the API in-process, against real PostGIS, rolled back per test."""

from __future__ import annotations

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
