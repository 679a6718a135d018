"""A fresh database per test session, on the embedded cluster or CHEKARA_DATABASE_URL's server.

Shared by the integration and e2e suites: they import the fixtures from here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db import embedded
from chekara.db.engine import make_engine
from chekara.db.migrate import upgrade_to_head


def _admin_engine() -> Engine:
    settings = get_settings()
    return create_engine(settings.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")


def create_scratch_database(prefix: str = "chekara_test", migrate: bool = True) -> str:
    """Start the embedded cluster if it is the one in use; create and (unless told not to) migrate a new database."""
    settings = get_settings()
    if settings.uses_embedded_database:
        embedded.up(settings)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    if migrate:
        upgrade_to_head(database=name)
    return name


def drop_scratch_database(name: str) -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_url(name: str) -> str:
    """A CHEKARA_DATABASE_URL that points a separate process at the scratch database."""
    return get_settings().sqlalchemy_url(name)


@pytest.fixture(scope="session")
def test_database() -> Iterator[str]:
    name = create_scratch_database()
    yield name
    drop_scratch_database(name)


@pytest.fixture(scope="session")
def engine(test_database: str) -> Iterator[Engine]:
    engine = make_engine(get_settings(), test_database)
    yield engine
    engine.dispose()


def seed_database(engine: Engine) -> Engine:
    """The reference data of geodata/, committed once."""
    from chekara.services.seed import seed_reference_data

    with Session(engine) as session:
        seed_reference_data(session, get_settings().geodata_dir)
        session.commit()
    return engine


@pytest.fixture(scope="session")
def seeded(engine: Engine) -> Engine:
    """The reference data of geodata/, committed once for the whole session."""
    return seed_database(engine)


@pytest.fixture
def db_session(seeded: Engine) -> Iterator[Session]:
    """A session whose every commit is undone after the test (savepoints inside one transaction)."""
    connection = seeded.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


