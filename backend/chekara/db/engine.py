"""The SQLAlchemy engine and sessions.

One engine per process, built from the settings. Services receive a Session
and own its transaction (they commit); the API opens one Session per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from chekara.config import Settings, get_settings


def make_engine(settings: Settings, database: str | None = None) -> Engine:
    return create_engine(
        settings.sqlalchemy_url(database),
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
    )


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings())


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def open_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards."""
    session = session_factory()()
    try:
        yield session
    finally:
        session.close()
