"""`chekara analytics update` and `rebuild` as a user runs them, against a scratch database."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.database import create_scratch_database, database_url, drop_scratch_database
from tests.e2e.fixes_by_copy import copy_fixes
from tests.e2e.test_cli import run

T0 = datetime(2026, 5, 4, 7, 50, tzinfo=UTC)


@pytest.mark.parametrize("command", [["analytics"], ["analytics", "update"], ["analytics", "rebuild"]])
def test_analytics_commands_have_help(command):
    assert "Usage:" in run([*command, "--help"]).stdout


@pytest.fixture
def scratch():
    name = create_scratch_database("chekara_analytics_cli")
    engine = create_engine(database_url(name))
    with engine.begin() as conn:
        device = conn.scalar(text("INSERT INTO devices (device_id, kind, label) VALUES ('CLI-1', 'tracker', '') RETURNING id"))
    yield dict(os.environ, CHEKARA_DATABASE_URL=database_url(name), COLUMNS="200"), engine, device
    engine.dispose()
    drop_scratch_database(name)


def _write(engine, device: int, seconds: list[float]) -> None:
    copy_fixes(engine, device, [T0 + timedelta(seconds=s) for s in seconds])


def _rollups(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM h3_cell_hours ORDER BY hour, cell"))]


def test_update_then_late_fixes_then_rebuild_give_the_same_numbers(scratch):
    env, engine, device = scratch
    _write(engine, device, [i * 60.0 for i in range(0, 40, 2)])
    assert "counted 20 new fixes" in run(["analytics", "update"], env=env).stdout
    _write(engine, device, [i * 60.0 for i in range(1, 40, 2)])  # late: between the ones counted
    assert "counted 20 new fixes" in run(["analytics", "update"], env=env).stdout
    assert "counted 0 new fixes" in run(["analytics", "update"], env=env).stdout
    incremental = _rollups(engine)
    assert sum(r[2] for r in incremental) == 40
    assert sum(r[5] for r in incremental) == 39 * 60_000  # each fix owns the minute to the next, the last none
    out = run(["analytics", "rebuild"], env=env).stdout
    assert "rebuilt from 40 fixes" in out
    assert _rollups(engine) == incremental
