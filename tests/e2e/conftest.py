"""End-to-end: a real server process over HTTP, the CLI as a user runs it, a real browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from chekara.config import PROJECT_ROOT, get_settings
from chekara.domain.roles import ROLES, Actor
from chekara.services.tokens import create_token
from tests.database import create_scratch_database, database_url, drop_scratch_database, seed_database

pytestmark = pytest.mark.e2e

CHEKARA_BIN = str(Path(sys.executable).with_name("chekara"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


#: Starting a server is not what these tests test: a busy machine may take a while.
SERVER_START_TIMEOUT_S = 60.0


def start_server(env: dict[str, str], port: int, log_path=None) -> tuple[subprocess.Popen, str]:
    """`chekara serve` on a port, returned once /healthz answers; killed if it never does."""
    log = open(log_path, "a") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [CHEKARA_BIN, "serve", "--port", str(port)], env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    if log_path:
        log.close()  # the server writes through its own copy
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not start; see {log_path}")


def server_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CHEKARA_DATABASE_URL"] = database_url(database)
    # One process unless a test asks for more (tests/e2e/test_workers.py): a test's kill of the
    # server then stops everything it started.
    env.setdefault("CHEKARA_WORKERS", "1")
    return env


# The end-to-end suites commit what they do (a real server has no test rollback), so they get a
# database of their own: the integration tests' aggregates must not see their trips and fixes.
# These override tests/database.py's fixtures of the same names for everything under tests/e2e.
@pytest.fixture(scope="session")
def test_database() -> Iterator[str]:
    name = create_scratch_database("chekara_e2e")
    yield name
    drop_scratch_database(name)


@pytest.fixture(scope="session")
def engine(test_database: str) -> Iterator[Engine]:
    from chekara.db.engine import make_engine

    engine = make_engine(get_settings(), test_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seeded(engine: Engine) -> Engine:
    return seed_database(engine)


@pytest.fixture(scope="session")
def live_server(seeded: Engine, test_database: str, tmp_path_factory) -> Iterator[LiveServer]:
    with Session(seeded) as session:
        tokens = {
            role: create_token(session, get_settings(), f"e2e-{role}", role, Actor("e2e", "admin")).token
            for role in ROLES
        }
        session.commit()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    process, url = start_server(server_env(test_database), free_port(), log_path)
    yield LiveServer(url=url, tokens=tokens)
    process.terminate()
    process.wait(timeout=10)
