"""The archive round trip on real PostGIS: partitions, export to GeoParquet, the refusals, detach, Dask heatmaps
equal to the rollups the month had, and trip review reading the archive."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta

import duckdb
import geopandas as gpd
import pyarrow.parquet as pq
import pytest
from dask.distributed import LocalCluster
from sqlalchemy import text

from chekara.config import get_settings
from chekara.errors import Conflict
from chekara.services import trips
from chekara.services.analytics.heatmap import heatmap
from chekara.services.analytics.rollups import rebuild_rollups, update_rollups
from chekara.services.archive import geoparquet as gp
from chekara.services.archive.dask_heatmap import archive_heatmap, dask_client
from chekara.services.archive.months import detach_month, due_months, export_month
from chekara.services.archive.partitions import create_month_partition, ensure_partitions, month_partitions
from tests.integration.archive_helpers import make_fleet, write_fixes

SEPTEMBER = date(2026, 9, 1)
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
MAX_AGE_DAYS = 7.0
SEP_START, OCT_START = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)


def _track(session, trip_id):
    return [(p.ts, p.device_id, round(p.corridor_distance_m, 6), p.h3_r9) for p in trips.track(session, trip_id)]


def _month_count(session, start, end):
    return session.scalar(text("SELECT count(*) FROM positions WHERE ts >= :a AND ts < :b"), {"a": start, "b": end})


def test_export_detach_and_archive_heatmaps_equal_the_former_rollups(db_session, tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "archive_dir", tmp_path)
    root = get_settings().archive_path
    trucks = make_fleet(db_session, "ARC", datetime(2026, 9, 28, tzinfo=UTC), 5)
    # The last days of September and the first of October: the month's end splits the trips' tracks.
    written = write_fixes(db_session, trucks, datetime(2026, 9, 28, 18, tzinfo=UTC), datetime(2026, 10, 1, 6, tzinfo=UTC))
    # September had no partition: its fixes went to the default one; creating it moves them over.
    assert "positions_2026_09" not in month_partitions(db_session)
    assert create_month_partition(db_session, SEPTEMBER)
    in_september = _month_count(db_session, SEP_START, OCT_START)
    assert db_session.scalar(text("SELECT count(*) FROM positions_2026_09")) == in_september > 0
    assert db_session.scalar(text("SELECT count(*) FROM positions_default WHERE ts < :b"), {"b": OCT_START}) == 0
    db_session.commit()
    update_rollups(db_session)
    trip_id = trucks[0].trip_id
    track_before = _track(db_session, trip_id)
    assert {t.month for t, *_ in track_before} == {9, 10}

    # Refusals: a month not closed yet, a detach before any export.
    with pytest.raises(Conflict) as open_month:
        export_month(db_session, root, date(2026, 11, 1), NOW, MAX_AGE_DAYS)
    assert open_month.value.field == "month" and "not closed" in open_month.value.message
    with pytest.raises(Conflict) as unexported:
        detach_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS)
    assert "has not been exported" in unexported.value.message

    report = export_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS)
    assert report.fixes == in_september and report.files == 3  # 28th, 29th, 30th
    manifest = json.loads((report.folder / "manifest.json").read_text())
    assert manifest["rows"] == in_september and len(manifest["days"]) == 30
    first_file = report.folder / "2026-09-28.parquet"
    geo = json.loads(pq.read_metadata(first_file).metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    assert geo["columns"]["geometry"]["geometry_types"] == ["Point"] and "covering" in geo["columns"]["geometry"]
    # DuckDB reads the day files as they are (its spatial extension would come from the internet: not needed here).
    rows, trips_seen = duckdb.sql(
        f"SELECT count(*), count(DISTINCT trip_id) FROM read_parquet('{report.folder}/*.parquet')").fetchall()[0]
    assert rows == in_september and trips_seen == 3
    frame = gpd.read_parquet(first_file)
    assert frame.crs.to_epsg() == 4326 and {"device", "trip_id", "h3_r9", "corridor_distance_m", "dwell_ms"} <= set(frame.columns)

    # Retention: three months kept (December, November, October) lets September go; 0 keeps everything.
    assert due_months(db_session, NOW, 3, MAX_AGE_DAYS) == [SEPTEMBER]
    assert due_months(db_session, NOW, 0, MAX_AGE_DAYS) == []

    # The rollups' numbers for September, before it leaves the database.
    before = {(m, r): [(c.cell, c.value) for c in heatmap(db_session, m, r, SEP_START, OCT_START).cells]
              for m in ("fixes", "trips", "speed", "dwell") for r in (9, 6)}
    assert all(before.values())

    # A fix added after the export: detach refuses (the month changed); export again.
    late = trucks[-1]
    db_session.execute(text(
        "INSERT INTO positions (device_id, trip_id, ts, received_at, geom, h3_r9, anomaly)"
        " SELECT device_id, trip_id, ts + interval '1 second', received_at, geom, h3_r9, anomaly FROM positions"
        " WHERE device_id = :d AND ts >= :a AND ts < :b ORDER BY ts LIMIT 1"), {"d": late.device_pk, "a": SEP_START + timedelta(days=29), "b": OCT_START})
    with pytest.raises(Conflict) as changed:
        detach_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS)
    assert "changed since its export" in changed.value.message
    db_session.execute(text("DELETE FROM positions WHERE device_id = :d AND ts >= :a AND ts < :b"
                            " AND speed_kmh IS NULL AND heading_deg IS NULL"),
                       {"d": late.device_pk, "a": SEP_START, "b": OCT_START})

    # A tampered file: detach refuses on the checksum; the original file back, it goes through.
    saved = tmp_path / "saved.parquet"
    shutil.copy(first_file, saved)
    tampered = gpd.read_parquet(first_file)
    tampered.loc[0, "speed_kmh"] = 999.0
    tampered.to_parquet(first_file, index=False, schema_version="1.1.0")
    with pytest.raises(Conflict) as mismatch:
        detach_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS)
    assert "checksum mismatch" in mismatch.value.message
    assert _month_count(db_session, SEP_START, OCT_START) == in_september
    shutil.copy(saved, first_file)

    assert detach_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS) == in_september
    assert _month_count(db_session, SEP_START, OCT_START) == 0
    assert "positions_2026_09" not in month_partitions(db_session)
    assert _month_count(db_session, OCT_START, OCT_START + timedelta(days=1)) == written - in_september
    with pytest.raises(Conflict):
        export_month(db_session, root, SEPTEMBER, NOW, MAX_AGE_DAYS)

    # Trip review and replay: the archived part comes from the files, the rest from the database.
    assert _track(db_session, trip_id) == track_before

    # The archive's heatmaps with Dask equal the rollups' numbers of before; so do the rollups, even after a rebuild.
    files = gp.files_between(root, SEP_START, OCT_START)
    assert len(files) == 3
    # A running cluster reached by its scheduler's address, as --scheduler does (the CLI test covers the default).
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            dask_client(scheduler=cluster.scheduler_address) as client:
        for (metric, res), expected in before.items():
            result = archive_heatmap(client, files, metric, res, SEP_START, OCT_START)
            assert result.workers == 2
            assert [(c.cell, c.value) for c in result.cells] == expected, (metric, res)
    rebuild_rollups(db_session)
    for (metric, res), expected in before.items():
        assert [(c.cell, c.value) for c in heatmap(db_session, metric, res, SEP_START, OCT_START).cells] == expected


def test_partitions_are_made_ahead_and_fixes_of_any_month_are_stored(db_session):
    created = ensure_partitions(db_session, datetime(2031, 5, 20, tzinfo=UTC))
    assert created == ["positions_2031_05", "positions_2031_06", "positions_2031_07"]
    assert ensure_partitions(db_session, datetime(2031, 5, 20, tzinfo=UTC)) == []
    trucks = make_fleet(db_session, "ANY", datetime(2019, 1, 1, tzinfo=UTC), 1)
    # Years back (no partition: the default one) and inside a made-ahead month.
    write_fixes(db_session, trucks[:1], datetime(2019, 1, 1, tzinfo=UTC), datetime(2019, 1, 1, 1, tzinfo=UTC))
    write_fixes(db_session, trucks[:1], datetime(2031, 6, 1, tzinfo=UTC), datetime(2031, 6, 1, 1, tzinfo=UTC))
    assert db_session.scalar(text("SELECT count(*) FROM positions_default WHERE ts < '2019-02-01'")) > 0
    assert db_session.scalar(text("SELECT count(*) FROM positions_2031_06")) > 0
    # The unique (device, ts) key holds across the partitioned table: the same fix again is refused.
    with pytest.raises(Exception, match="duplicate key value violates unique constraint"):
        with db_session.begin_nested():
            db_session.execute(text(
                "INSERT INTO positions (device_id, trip_id, ts, received_at, geom, h3_r9, anomaly)"
                " SELECT device_id, trip_id, ts, received_at, geom, h3_r9, anomaly FROM positions_2031_06 LIMIT 1"))
