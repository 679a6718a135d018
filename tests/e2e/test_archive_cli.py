"""`chekara archive export|detach|status` and `chekara analytics archive-heatmap` as a user runs them."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from chekara.cli.main import app

from tests.database import create_scratch_database, database_url, drop_scratch_database
from tests.e2e.fixes_by_copy import copy_fixes
from tests.e2e.test_cli import run

T0 = datetime(2026, 5, 30, 23, 0, tzinfo=UTC)  # May 2026: long closed


@pytest.fixture
def scratch(tmp_path):
    name = create_scratch_database("chekara_archive_cli")
    engine = create_engine(database_url(name))
    with engine.begin() as conn:
        device = conn.scalar(text("INSERT INTO devices (device_id, kind, label) VALUES ('ARC-1', 'tracker', '') RETURNING id"))
    env = dict(os.environ, CHEKARA_DATABASE_URL=database_url(name), CHEKARA_ARCHIVE_DIR=str(tmp_path / "archive"),
               COLUMNS="200")
    yield env, engine, device, tmp_path
    engine.dispose()
    drop_scratch_database(name)


def _write(engine, device: int, minutes: range) -> None:
    copy_fixes(engine, device, [T0 + timedelta(minutes=m) for m in minutes], corridor_distance_m=12.5)


def test_export_detach_and_a_heatmap_over_the_archive(scratch):
    env, engine, device, tmp_path = scratch
    _write(engine, device, range(0, 180, 2))  # 23:00 May 30 to 01:58 June 1 (UTC): 30 in May... and June
    run(["analytics", "update"], env=env)
    with engine.connect() as conn:
        in_may = conn.scalar(text("SELECT count(*) FROM positions WHERE ts < '2026-06-01'"))

    refused = run(["archive", "detach", "--month", "2026-05"], env=env, check=False)
    assert refused.returncode == 1 and "--month" in refused.stdout and "has not been exported" in refused.stdout
    exported = run(["archive", "export", "--month", "2026-05"], env=env)
    assert f"exported {in_may} fixes of 2026-05 in 2 day files" in exported.stdout
    assert (tmp_path / "archive" / "positions" / "2026-05" / "2026-05-31.parquet").is_file()
    detached = run(["archive", "detach", "--month", "2026-05"], env=env)
    assert f"detached 2026-05: {in_may} fixes removed" in detached.stdout
    status = run(["archive", "status"], env=env).stdout
    assert "2026-05" in status and "detached" in status

    out = tmp_path / "may.geojson"
    heat = run(["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-06-01", "--metric", "fixes",
                "--res", "7", "--out", str(out)], env=env)
    assert "2 Dask workers" in heat.stdout
    body = json.loads(out.read_text())
    assert body["source"] == "archive" and sum(f["properties"]["value"] for f in body["features"]) == in_may

    unreachable = run(["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-06-01",
                       "--scheduler", "tcp://127.0.0.1:9"], env=env, check=False)
    assert unreachable.returncode == 1 and "--scheduler" in unreachable.stdout and "Traceback" not in unreachable.stderr

    open_month = run(["archive", "export", "--month", f"{datetime.now(UTC):%Y-%m}"], env=env, check=False)
    assert open_month.returncode == 1 and "not closed" in open_month.stdout
    empty = run(["analytics", "archive-heatmap", "--from", "2026-07-01", "--to", "2026-08-01"], env=env, check=False)
    assert empty.returncode == 1 and "no exported day" in empty.stdout


@pytest.mark.parametrize("args, code, words", [
    (["archive", "export", "--month", "2026-5"], 2, "--month"),
    (["archive", "export", "--month", "2026-13"], 2, "--month"),
    (["archive", "detach"], 2, "--month"),
    (["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-04-01"], 2, "--to"),
    (["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-06-01", "--metric", "heat"], 2, "--metric"),
    (["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-06-01", "--res", "4"], 2, "--res"),
    (["analytics", "archive-heatmap", "--from", "may", "--to", "2026-06-01"], 2, "--from"),
    (["analytics", "archive-heatmap", "--from", "2026-05-01", "--to", "2026-06-01", "--out", "x.txt"], 2, "--out"),
])
def test_bad_input_names_the_option(args, code, words):
    # In process (typer's runner): refused before any database or Dask work, so no server is needed.
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == code and words in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
