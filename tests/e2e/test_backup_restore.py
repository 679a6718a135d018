"""`chekara db backup` and `chekara db restore` as an administrator runs them, on scratch databases (issue 15)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db.engine import make_engine
from chekara.domain.roles import Actor
from chekara.services.tokens import create_token
from tests.database import create_scratch_database, database_url, drop_scratch_database, seed_database
from tests.e2e.api_calls import caller, convoy_with_an_alert
from tests.e2e.conftest import CHEKARA_BIN, free_port, server_env, start_server


def _chekara(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHEKARA_BIN, *args], env=server_env(database), capture_output=True, text=True, timeout=300)


def _populate(url: str, tokens: dict[str, str]) -> None:
    """Through a running server: a convoy whose fixes raise an alert, and its acknowledgement (audited)."""
    call = caller(url, tokens, "operator")
    _, alert = convoy_with_an_alert(call, "BACKUP-TRK-1", "backup-device", "BACKUP-1")
    call("POST", f"/api/v1/alerts/{alert['id']}/ack", json={"note": "seen"})


def _tokens(database: str) -> dict[str, str]:
    """Reference data and tokens (each an audit entry)."""
    engine = seed_database(make_engine(get_settings(), database))
    with Session(engine) as session:
        tokens = {role: create_token(session, get_settings(), f"backup-{role}", role, Actor("backup-test", "admin")).token
                  for role in ("operator", "device")}
        session.commit()
    engine.dispose()
    return tokens


def _row_counts(database: str) -> dict[str, int]:
    engine = create_engine(database_url(database))
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).scalars().all()
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}
    engine.dispose()
    return counts


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """A populated database, and an empty one (not even migrated) to restore into."""
    source, target = create_scratch_database("chekara_backup"), create_scratch_database("chekara_restore", migrate=False)
    yield source, target
    drop_scratch_database(source)
    drop_scratch_database(target)


def test_backup_and_restore_round_trip(databases, tmp_path):
    source, target = databases
    tokens = _tokens(source)
    server, url = start_server(server_env(source), free_port(), tmp_path / "server.log")
    backup = tmp_path / "chekara.dump"
    try:
        _populate(url, tokens)
        made = _chekara(source, "db", "backup", str(backup))  # while the server runs
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert made.returncode == 0, made.stdout + made.stderr
    counts = _row_counts(source)
    assert all(counts[t] > 0 for t in ("positions", "alerts", "alert_notes", "audit_log", "checkpoints", "trips"))
    assert backup.stat().st_size > 0 and not backup.with_name("chekara.dump.partial").exists()

    restored = _chekara(target, "db", "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert _row_counts(target) == counts
    verified = _chekara(target, "audit", "verify")
    assert verified.returncode == 0 and f"{counts['audit_log']} entries verified" in verified.stdout, verified.stdout

    refused = _chekara(target, "db", "restore", str(backup))
    assert refused.returncode != 0
    assert "is not empty" in refused.stdout and "--force" in refused.stdout

    # A damaged file fails the restore, and the forced restore changed nothing: it ran in one transaction.
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(backup.read_bytes()[:-100])  # the last table's rows cut short; its list of contents is whole
    failed = _chekara(target, "db", "restore", "--force", str(damaged))
    assert failed.returncode != 0 and "unchanged" in failed.stdout, failed.stdout
    assert _row_counts(target) == counts

    # --force replaces everything, past the audit log's append-only trigger.
    forced = _chekara(target, "db", "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert _row_counts(target) == counts
    assert _chekara(target, "audit", "verify").returncode == 0
