"""Rollups: incremental updates with late fixes equal a rebuild; nothing is counted twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from chekara.domain.analytics.dwell import DWELL_CAP_S
from chekara.services.analytics.rollups import rebuild_rollups, update_rollups, watermark
from tests.integration.analytics_helpers import (
    aligned_start,
    cell_hour_trips,
    cell_hours,
    hour_floor,
    reference_dwell_ms,
)
from tests.integration.tracking_fixtures import make_convoy, post


def _convoy_fixes(client, auth):
    convoy = make_convoy(client, auth, start=aligned_start())
    truck = convoy.track().drive(15).stop(25).drive(10).gap(14).drive(20)  # a 14-min silence: over the dwell cap
    escort = convoy.track(convoy.escort).drive(12).stop(30).drive(30)
    for i, fix in enumerate(escort.fixes):
        if i % 7 == 0:
            del fix["speed_kmh"]  # some fixes report no speed
    return convoy, truck.fixes, escort.fixes


def test_incremental_updates_with_late_fixes_equal_a_rebuild(client, auth, db_session):
    convoy, truck, escort = _convoy_fixes(client, auth)
    times = [datetime.fromisoformat(f["ts"]) for f in truck]
    assert max(b - a for a, b in zip(times, times[1:])) > timedelta(seconds=DWELL_CAP_S)  # the cap is exercised
    first_round = [f for i, f in enumerate(truck) if i % 2 == 0]
    late = [f for i, f in enumerate(truck) if i % 2 == 1]
    post(client, auth, first_round)
    post(client, auth, escort[: len(escort) // 2])
    first = update_rollups(db_session)
    assert first.fixes == len(first_round) + len(escort) // 2

    post(client, auth, late)  # every other fix arrives late: each splits an interval already counted
    post(client, auth, escort[len(escort) // 2 :])
    second = update_rollups(db_session, chunk_fixes=17)  # many small rounds, in id order
    assert second.fixes == len(late) + len(escort) - len(escort) // 2
    assert update_rollups(db_session).fixes == 0  # nothing new: nothing counted twice

    incremental = cell_hours(db_session)
    incremental_trips = cell_hour_trips(db_session)
    assert sum(r[2] for r in incremental) == len(truck) + len(escort)
    # Dwell as the domain defines it, computed in Python from the raw fixes, per cell and hour.
    assert {(r[0], r[1]): r[5] for r in incremental} == reference_dwell_ms(db_session)

    rebuilt = rebuild_rollups(db_session)
    assert rebuilt.fixes == len(truck) + len(escort)
    assert cell_hours(db_session) == incremental
    assert cell_hour_trips(db_session) == incremental_trips
    assert {r[2] for r in incremental_trips} == {convoy.trip_id}


def test_speed_sums_and_counts_combine_into_the_raw_mean(client, auth, db_session):
    _, truck, escort = _convoy_fixes(client, auth)
    post(client, auth, truck + escort)
    update_rollups(db_session)
    rollup = db_session.execute(text(
        "SELECT hour, sum(speed_kmh_sum) / sum(speed_fixes), sum(speed_fixes), sum(fixes) FROM h3_cell_hours GROUP BY hour"
    )).all()
    raw = {
        r[0]: r[1:] for r in db_session.execute(text(
            "SELECT date_bin('1 hour', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), avg(speed_kmh), count(speed_kmh),"
            " count(*) FROM positions GROUP BY 1"))
    }
    assert len(rollup) >= 2
    for hour, mean, speed_fixes, fixes in rollup:
        assert abs(float(mean) - raw[hour][0]) < 1e-9
        assert (speed_fixes, fixes) == (raw[hour][1], raw[hour][2])
    assert sum(r[3] for r in rollup) > sum(r[2] for r in rollup)  # some fixes had no speed


def test_the_watermark_only_moves_to_committed_ids(client, auth, db_session):
    _, truck, _ = _convoy_fixes(client, auth)
    post(client, auth, truck[:40])
    report = update_rollups(db_session)
    highest = db_session.scalar(text("SELECT max(id) FROM positions"))
    assert report.position_id == highest == watermark(db_session)[0]
    assert hour_floor(db_session.scalar(text("SELECT min(hour) FROM h3_cell_hours"))) is not None
    cells = db_session.scalar(text("SELECT count(*) FROM h3_cells c JOIN (SELECT DISTINCT h3_r9 FROM positions) p"
                                   " ON p.h3_r9 = c.cell"))
    assert cells == db_session.scalar(text("SELECT count(DISTINCT h3_r9) FROM positions"))
