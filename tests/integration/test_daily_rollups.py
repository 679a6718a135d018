"""The daily rollup level gives the hourly level's numbers, after incremental updates with late fixes and after a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from chekara.errors import InvalidInput
from chekara.services.analytics.heatmap import heatmap
from chekara.services.analytics.rollups import rebuild_rollups, update_rollups
from tests.integration.archive_helpers import make_fleet, write_fixes

DAY0 = datetime(2026, 9, 28, tzinfo=UTC)
METRICS = ("fixes", "trips", "speed", "dwell")


def _cells(result):
    return [(c.cell, c.value) for c in result.cells]


def _assert_levels_agree(session, windows):
    for start, end in windows:
        for metric in METRICS:
            for res in (5, 7, 9):
                hourly = heatmap(session, metric, res, start, end, level="hour")
                daily = heatmap(session, metric, res, start, end, level="day")
                assert daily.level == "day" and hourly.level == "hour"
                assert hourly.cells, (metric, res, start)
                assert _cells(daily) == _cells(hourly), (metric, res, start, end)


def test_daily_level_equals_hourly_after_updates_with_late_fixes_and_after_a_rebuild(db_session):
    trucks = make_fleet(db_session, "DAY", DAY0, 4)
    write_fixes(db_session, trucks[:3], DAY0, DAY0 + timedelta(days=3))
    db_session.commit()
    update_rollups(db_session)
    # Late: the other trucks' same days, and a day in the middle of the first ones' (their fixes interleave).
    write_fixes(db_session, trucks[3:], DAY0, DAY0 + timedelta(days=3), seed=5)
    write_fixes(db_session, trucks[:1], DAY0 + timedelta(days=3), DAY0 + timedelta(days=4), seed=6)
    db_session.commit()
    update_rollups(db_session, chunk_fixes=700)  # several chunks: trip-days arrive out of day order
    windows = [(DAY0, DAY0 + timedelta(days=4)), (DAY0 + timedelta(days=1), DAY0 + timedelta(days=3)),
               (DAY0 + timedelta(days=2), DAY0 + timedelta(days=3))]
    _assert_levels_agree(db_session, windows)
    # A trip that crosses days is counted once over the window, not once a day.
    trips = heatmap(db_session, "trips", 5, *windows[0])
    assert trips.level == "day" and max(c.value for c in trips.cells) == 3
    counts = db_session.execute(text("SELECT res, day, cell, prev_day, trips FROM h3_cell_day_trip_counts"
                                     " ORDER BY 1, 2, 3, 4")).all()
    sums = db_session.execute(text("SELECT res, day, cell, fixes, dwell_ms FROM h3_cell_days ORDER BY 1, 2, 3")).all()
    rebuild_rollups(db_session)
    assert db_session.execute(text("SELECT res, day, cell, prev_day, trips FROM h3_cell_day_trip_counts"
                                   " ORDER BY 1, 2, 3, 4")).all() == counts
    assert db_session.execute(text("SELECT res, day, cell, fixes, dwell_ms FROM h3_cell_days ORDER BY 1, 2, 3")).all() == sums
    _assert_levels_agree(db_session, windows[:1])


def test_the_level_is_chosen_from_the_window_and_named_in_the_answer(client, auth, db_session):
    headers = auth("planner")
    on_days = client.get("/api/v1/analytics/heatmap", headers=headers,
                         params={"from": "2026-09-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "metric": "trips"})
    assert on_days.status_code == 200 and on_days.json()["level"] == "day"
    hours = client.get("/api/v1/analytics/heatmap", headers=headers,
                       params={"from": "2026-09-01T05:00:00Z", "to": "2026-10-01T00:00:00Z"})
    assert hours.json()["level"] == "hour"
    along = client.get("/api/v1/analytics/heatmap", headers=headers, params={
        "from": "2026-09-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "metric": "trips", "corridor": "OSH-DOSTUK"})
    assert along.json()["level"] == "hour"  # distinct trips of a corridor's cells need the hourly sets
    with pytest.raises(InvalidInput) as refused:
        heatmap(db_session, "fixes", 9, DAY0 + timedelta(hours=5), DAY0 + timedelta(days=2), level="day")
    assert refused.value.field == "level"


def test_window_queries_on_positions_use_the_time_index(db_session):
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db_session.scalars(text(
        "EXPLAIN SELECT device_id, ts, checkpoint_id FROM positions WHERE ts >= :a AND ts < :b AND NOT anomaly"),
        {"a": DAY0, "b": DAY0 + timedelta(days=7)}))
    assert "Index" in plan and "ts_idx" in plan and "Seq Scan" not in plan, plan
