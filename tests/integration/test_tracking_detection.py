"""Each detector end to end: fixes through POST /api/v1/positions, alerts through GET /api/v1/alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from chekara.config import get_settings
from chekara.services import sweeper
from chekara.services.sweeper import sweep
from tests.integration.tracking_fixtures import alerts_of, convoy, make_convoy, post  # noqa: F401


def test_departure_moves_the_trip_in_transit(client, auth, convoy):
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "planned"
    track = convoy.track().stop(2).drive(5)
    post(client, auth, track.fixes)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "in_transit"
    assert trip["departed_at"] is not None
    assert trip["distance_m"] > 3000
    assert trip["last_fix"]["ts"] == track.fixes[-1]["ts"].replace("+00:00", "Z")
    assert trip["eta"] is not None


def test_three_km_for_ten_minutes_is_one_deviation_that_resolves(client, auth, convoy):
    track = convoy.track().drive(10).drive(10, offset_m=3000).drive(5)
    post(client, auth, track.fixes)
    found = alerts_of(client, auth, convoy.trip_id, "route_deviation")
    assert len(found) == 1
    alert = found[0]
    assert alert["status"] == "resolved" and alert["resolved_by"] == "detector"
    assert alert["evidence"]["max_distance_m"] == pytest.approx(3000, abs=60)
    assert alert["evidence"]["duration_s"] == pytest.approx(600, abs=40)
    assert alert["evidence"]["first_fix_ts"] and alert["evidence"]["last_fix_ts"]
    assert alert["ended_at"] is not None


def test_deviation_still_open_while_outside(client, auth, convoy):
    post(client, auth, convoy.track().drive(5).drive(5, offset_m=3000).fixes)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "route_deviation")
    assert alert["status"] == "open"
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["open_alert_count"] >= 1
    assert alert["id"] in [a["id"] for a in trip["open_alerts"]]


def test_a_twenty_second_excursion_raises_nothing(client, auth, convoy):
    track = convoy.track(interval_s=10).drive(10).drive(20 / 60, offset_m=3000).drive(10)
    post(client, auth, track.fixes)
    assert alerts_of(client, auth, convoy.trip_id, "route_deviation") == []


def test_unauthorized_stop_outside_zones(client, auth, convoy):
    track = convoy.track().drive(20).stop(20).drive(5)
    post(client, auth, track.fixes)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "unauthorized_stop")
    assert alert["status"] == "resolved"
    assert alert["evidence"]["duration_s"] == pytest.approx(20 * 60, abs=60)
    assert alert["device_id"] == convoy.truck


def test_a_short_stop_is_not_an_alert(client, auth, convoy):
    post(client, auth, convoy.track().drive(20).stop(10).drive(5).fixes)
    assert alerts_of(client, auth, convoy.trip_id, "unauthorized_stop") == []


def test_signal_lost_by_the_sweeper_and_resolved_by_the_next_fix(client, auth, convoy, db_session):
    track = convoy.track().drive(15)
    post(client, auth, track.fixes)
    last = track.t
    thresholds = get_settings().detection_thresholds()
    sweep(db_session, last + timedelta(minutes=9), thresholds)
    assert alerts_of(client, auth, convoy.trip_id, "signal_lost") == []
    sweep(db_session, last + timedelta(minutes=11), thresholds)
    db_session.commit()
    (alert,) = alerts_of(client, auth, convoy.trip_id, "signal_lost")
    assert alert["status"] == "open" and alert["device_id"] == convoy.truck
    post(client, auth, track.gap(25).drive(2).fixes[-6:])
    (alert,) = alerts_of(client, auth, convoy.trip_id, "signal_lost")
    assert alert["status"] == "resolved"
    assert alert["evidence"]["gap_s"] == pytest.approx(25 * 60 + 20, abs=1)


def test_a_sweep_raising_many_alerts_commits_in_pages_cut_by_time(client, auth, db_session, monkeypatch):
    """Raising alerts is the slow part of a sweep: a page is committed once it has run PAGE_BUDGET_S (here 0:
    after every trip), unlocking its trips and the audit lock, and the sweep goes on where it stopped."""
    convoys = [make_convoy(client, auth) for _ in range(3)]
    ends = []
    for each in convoys:
        track = each.track().drive(15)
        post(client, auth, track.fixes)
        ends.append(track.t)
    pages: list[int] = []
    lock_active_trips = sweeper.lock_active_trips

    def lock_page(session, after, limit):
        pages.append(limit)
        return lock_active_trips(session, after, limit)

    monkeypatch.setattr(sweeper, "lock_active_trips", lock_page)
    monkeypatch.setattr(sweeper, "PAGE_BUDGET_S", 60.0)  # a page within its budget, however busy the machine
    thresholds = get_settings().detection_thresholds()
    active = db_session.execute(text("SELECT count(*) FROM trips WHERE status IN ('planned', 'in_transit')")).scalar()
    assert sweep(db_session, max(ends) + timedelta(minutes=1), thresholds) == active
    assert pages[0] == sweeper.PAGE_SIZE and len(pages) <= 2  # not cut (the last page finds none)

    pages.clear()
    monkeypatch.setattr(sweeper, "PAGE_BUDGET_S", 0.0)
    assert sweep(db_session, max(ends) + timedelta(minutes=11), thresholds) == active
    db_session.commit()
    assert pages[:2] == [sweeper.PAGE_SIZE, sweeper.MIN_PAGE_SIZE] and len(pages) == active + 1
    for each in convoys:
        (alert,) = alerts_of(client, auth, each.trip_id, "signal_lost")
        assert alert["status"] == "open" and alert["device_id"] == each.truck


def test_a_sweep_that_changes_nothing_does_not_rewrite_the_trip(client, auth, convoy, db_session):
    track = convoy.track().drive(15)
    post(client, auth, track.fixes)
    thresholds = get_settings().detection_thresholds()

    def row_version() -> str:  # an UPDATE always writes a new version of the row, at a new ctid
        return db_session.execute(text("SELECT ctid::text FROM trips WHERE id = :t"), {"t": convoy.trip_id}).scalar_one()

    before = row_version()
    sweep(db_session, track.t + timedelta(minutes=11), thresholds)  # signal lost: the state changes
    after_alert = row_version()
    assert after_alert != before
    sweep(db_session, track.t + timedelta(minutes=12), thresholds)  # nothing new
    assert row_version() == after_alert


def test_overdue_after_the_deadline(client, auth, db_session):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    convoy = make_convoy(client, auth, start=now - timedelta(hours=5), deadline=now - timedelta(hours=1))
    post(client, auth, convoy.track().drive(10).fixes)
    sweep(db_session, now, get_settings().detection_thresholds())
    db_session.commit()
    (alert,) = alerts_of(client, auth, convoy.trip_id, "overdue")
    assert alert["status"] == "open"
    assert alert["evidence"]["overdue_s"] == pytest.approx(3600, abs=5)
    sweep(db_session, now + timedelta(minutes=5), get_settings().detection_thresholds())
    db_session.commit()
    assert len(alerts_of(client, auth, convoy.trip_id, "overdue")) == 1


def test_gps_jump_is_flagged_kept_and_does_not_move_the_convoy(client, auth, convoy):
    track = convoy.track().drive(10).jump(km=50)
    post(client, auth, track.fixes)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["last_fix"]["ts"] == track.fixes[-2]["ts"].replace("+00:00", "Z")
    features = client.get(f"/api/v1/trips/{convoy.trip_id}/track", headers=auth("supervisor")).json()["features"]
    assert len(features) == len(track.fixes)
    assert [f["properties"]["anomaly"] for f in features][-1] is True
    assert sum(f["properties"]["anomaly"] for f in features) == 1
    (alert,) = alerts_of(client, auth, convoy.trip_id, "gps_anomaly")
    assert alert["device_id"] == convoy.truck


def test_convoy_separation(client, auth, convoy):
    truck = convoy.track().drive(25)
    escort = []
    for i, (fix, progress) in enumerate(zip(truck.fixes, truck.progress)):
        behind_m = 3000 if 30 <= i < 51 else 0  # minutes 10 to 17: the escort 3 km behind
        lon, lat = truck.lonlat_at(progress - behind_m)
        escort.append(dict(fix, device_id=convoy.escort, lon=lon, lat=lat))
    post(client, auth, truck.fixes + escort)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "convoy_separation")
    # compared with the other device's latest fix, up to one 20 s step (333 m) older
    assert alert["evidence"]["max_separation_m"] == pytest.approx(3000, abs=400)
    assert alert["status"] == "resolved"


def test_a_short_separation_is_not_an_alert(client, auth, convoy):
    truck = convoy.track().drive(25)
    escort = []
    for i, (fix, progress) in enumerate(zip(truck.fixes, truck.progress)):
        lon, lat = truck.lonlat_at(progress - (3000 if 30 <= i < 42 else 0))  # 4 minutes apart
        escort.append(dict(fix, device_id=convoy.escort, lon=lon, lat=lat))
    post(client, auth, truck.fixes + escort)
    assert alerts_of(client, auth, convoy.trip_id, "convoy_separation") == []


def test_low_battery(client, auth, convoy):
    track = convoy.track().drive(5)
    track.extra = {"battery_pct": 12}
    track.drive(2)
    post(client, auth, track.fixes)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "low_battery")
    assert alert["status"] == "open" and alert["device_id"] == convoy.truck


def test_arrival_inside_the_destination_geofence_closes_the_trip(client, auth):
    convoy = make_convoy(client, auth, corridor_code="AKTILEK-BISHKEK")
    track = convoy.track().to_end(speed_kmh=60).stop(3)
    result = post(client, auth, track.fixes)
    assert result["accepted"] == len(track.fixes)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "arrived" and trip["arrived_at"] is not None and trip["eta"] is None
    assert trip["distance_m"] == pytest.approx(convoy.corridor["properties"]["length_m"], rel=0.1)


def test_an_arrival_after_the_deadline_uploaded_late_is_still_overdue(client, auth):
    """No sweep ran between the deadline and the arrival: the batch itself notices it."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    convoy = make_convoy(client, auth, corridor_code="AKTILEK-BISHKEK", start=now - timedelta(hours=5),
                         deadline=now - timedelta(hours=4, minutes=30))
    post(client, auth, convoy.track().to_end(speed_kmh=30).stop(3).fixes)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "arrived"
    (alert,) = alerts_of(client, auth, convoy.trip_id, "overdue")
    assert alert["status"] == "resolved" and alert["evidence"]["overdue_s"] > 0
