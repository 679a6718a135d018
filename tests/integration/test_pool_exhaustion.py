"""A pool with no free connection is a 503 with Retry-After, on the API and on /healthz (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.orm import Session, sessionmaker

from chekara.api.app import create_app
from chekara.config import get_settings
from chekara.db import engine as engine_module
from chekara.db.engine import open_session
from chekara.db.models import ApiToken, User
from chekara.services.tokens import hash_token


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


def test_the_api_s_own_session_returns_its_connection_after_every_request(tiny_pool, monkeypatch):
    """open_session itself (not a test's override) closes each request's session: with one connection
    in the pool and 0.2 s to wait for it, request after request is served, refused ones and allowed ones
    (an unclosed session keeps its connection, and the next request is a 503)."""
    token = f"chk_pool_{uuid4().hex}"
    with Session(tiny_pool) as session:  # committed for the app to see; deleted below (no audit entry left)
        user = User(name=f"pool-{uuid4().hex[:8]}", role="operator")
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id, token_hash=hash_token(get_settings(), token), prefix=token[:10]))
        session.commit()
        user_id = user.id
    monkeypatch.setattr(engine_module, "session_factory", lambda: sessionmaker(bind=tiny_pool, expire_on_commit=False))
    try:
        with TestClient(create_app()) as client:
            for _ in range(5):
                refused = client.get("/api/v1/alerts", headers={"Authorization": "Bearer chk_unknown"})
                assert refused.status_code == 401, refused.text
                served = client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {token}"})
                assert served.status_code == 200, served.text
        assert tiny_pool.pool.checkedout() == 0
    finally:
        with Session(tiny_pool) as session:
            session.execute(delete(User).where(User.id == user_id))  # its token goes with it (ON DELETE CASCADE)
            session.commit()
