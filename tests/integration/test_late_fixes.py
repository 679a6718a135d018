"""Late fixes are examined (issue 14): a tracker's backlog uploaded after newer fixes is replayed.

Each test sends a track out of order to one convoy and, where it helps, the same
track in order to a twin convoy (same corridor, same start): the late convoy must
end up with the twin's alerts and times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chekara.config import get_settings
from chekara.ingest.episodes import NOT_SUPPORTED
from chekara.ingest.trip_progress import ARRIVED_ON_TIME
from chekara.services.sweeper import sweep
from tests.integration.tracking_fixtures import alerts_of, convoy, make_convoy, post  # noqa: F401

SITUATION = ("raised_at", "ended_at", "status")


def _late_and_twin(client, auth, corridor_code: str = "BISHKEK-OSH"):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    return make_convoy(client, auth, corridor_code, start=start), make_convoy(client, auth, corridor_code, start=start)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same_situation(alert: dict, expected: dict, evidence_keys: tuple[str, ...]) -> None:
    for key in SITUATION:
        assert alert[key] == expected[key], key
    for key in evidence_keys:
        assert alert["evidence"][key] == expected["evidence"][key], key


def _sent_late_and_in_order(client, auth, track_of, alert_type: str):
    """(convoy, backlog, alert, expected): the one alert_type alert of a convoy sent its live fixes, then its
    backlog, and of its twin sent the same track in order."""
    convoy, twin = _late_and_twin(client, auth)
    live, backlog, after = track_of(convoy)
    post(client, auth, live + after)
    assert alerts_of(client, auth, convoy.trip_id, alert_type) == []
    assert post(client, auth, backlog)["accepted"] == len(backlog)
    (alert,) = alerts_of(client, auth, convoy.trip_id, alert_type)
    post(client, auth, [f for part in track_of(twin) for f in part])
    (expected,) = alerts_of(client, auth, twin.trip_id, alert_type)
    return convoy, backlog, alert, expected


def _with_backlog(convoy, before_min: float, backlog, after_min: float):
    """(live, backlog, after): before_min driving, then what backlog(track) adds, then after_min driving."""
    track = convoy.track().drive(before_min)
    live = len(track.fixes)
    backlog(track)
    middle = len(track.fixes)
    track.drive(after_min)
    return track.fixes[:live], track.fixes[live:middle], track.fixes[middle:]


def _deviation(convoy):
    """10 min on the corridor, 10 min 3 km off it (the backlog), 5 min back on it."""
    return _with_backlog(convoy, 10, lambda track: track.drive(10, offset_m=3000), 5)


def test_a_deviation_uploaded_after_newer_fixes_raises_one_alert_with_its_true_times(client, auth):
    _, backlog, alert, expected = _sent_late_and_in_order(client, auth, _deviation, "route_deviation")
    assert alert["status"] == "resolved"
    _same_situation(alert, expected, ("first_fix_ts", "last_fix_ts", "duration_s", "outside_fixes", "max_distance_m"))
    assert _at(backlog[0]["ts"]) <= _at(alert["evidence"]["first_fix_ts"]) <= _at(backlog[-1]["ts"])
    assert alert["evidence"]["duration_s"] == pytest.approx(600, abs=60)


def test_a_deviation_seen_live_in_part_is_the_same_alert_with_its_true_start(client, auth):
    """Live: the end of the deviation (an alert from its later fixes); late: its first five minutes."""
    convoy, twin = _late_and_twin(client, auth)
    live, deviation, after = _deviation(convoy)
    post(client, auth, live + deviation[15:] + after)
    (seen_live,) = alerts_of(client, auth, convoy.trip_id, "route_deviation")
    post(client, auth, deviation[:15])
    (alert,) = alerts_of(client, auth, convoy.trip_id, "route_deviation")
    post(client, auth, [f for part in _deviation(twin) for f in part])
    (expected,) = alerts_of(client, auth, twin.trip_id, "route_deviation")
    assert alert["id"] == seen_live["id"] and _at(alert["raised_at"]) < _at(seen_live["raised_at"])
    _same_situation(alert, expected, ("first_fix_ts", "last_fix_ts", "duration_s", "outside_fixes", "max_distance_m"))


def test_the_same_backlog_sent_twice_changes_nothing(client, auth, convoy):
    live, backlog, after = _deviation(convoy)
    post(client, auth, live + after)
    post(client, auth, backlog)
    before = alerts_of(client, auth, convoy.trip_id)
    trip_before = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    again = post(client, auth, backlog)
    assert again["accepted"] == 0 and again["duplicates"] == len(backlog)
    assert alerts_of(client, auth, convoy.trip_id) == before
    assert [a["type"] for a in before] == ["route_deviation"]
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["distance_m"] == trip_before["distance_m"]


def _stop(convoy):
    """20 min driving, a 20 min stop outside any zone (the backlog), 5 min driving."""
    return _with_backlog(convoy, 20, lambda track: track.stop(20), 5)


def test_a_stop_inside_a_late_backlog_raises_one_unauthorized_stop(client, auth):
    convoy, _, alert, expected = _sent_late_and_in_order(client, auth, _stop, "unauthorized_stop")
    assert alert["status"] == "resolved" and alert["device_id"] == convoy.truck
    _same_situation(alert, expected, ("start_ts", "last_fix_ts", "duration_s", "fixes"))
    assert alert["evidence"]["duration_s"] == pytest.approx(20 * 60, abs=60)
    assert alerts_of(client, auth, convoy.trip_id) == [alert]


def test_a_live_alert_the_backlog_contradicts_is_resolved_with_a_note(client, auth, convoy):
    """Seen live: the truck at one place at the start and the end of a 20-min silence, a stop. The backlog
    shows it drove 10 min on and 10 min back: there was no stop."""
    track = convoy.track().drive(20)
    live = list(track.fixes)
    track.drive(10)
    out = track.fixes[len(live):]
    home, at = live[-1], track.t
    backlog, after = list(out), []
    for place in [*reversed(out[:-1]), home]:
        at += timedelta(seconds=20)
        backlog.append(dict(place, ts=at.isoformat()))
    for _ in range(6):
        at += timedelta(seconds=20)
        after.append(dict(home, ts=at.isoformat(), speed_kmh=0.0))
    post(client, auth, live + after)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "unauthorized_stop")
    assert alert["status"] == "open"

    post(client, auth, backlog)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "unauthorized_stop")
    assert alert["status"] == "resolved" and alert["resolved_by"] == "detector"
    assert alert["evidence"]["not_supported"] == NOT_SUPPORTED
    assert [n["text"] for n in alert["notes"] if n["action"] == "resolve"] == [NOT_SUPPORTED]
    assert alerts_of(client, auth, convoy.trip_id) == [alert]


def _arrival(convoy, speed_kmh: float = 60):
    """(live, backlog, after): to 3 km before the destination; the rest of the way and 3 min inside its
    geofence (the backlog); then one fix 2.5 km back, outside the geofence, sent live before the backlog."""
    track = convoy.track().to_end(speed_kmh=speed_kmh).stop(3)
    length_m = track.line_m.length
    near = next(i for i, progress in enumerate(track.progress) if progress >= length_m - 3000)
    lon, lat = track.lonlat_at(length_m - 2500)
    away = dict(track.fixes[-1], ts=(track.t + timedelta(minutes=2)).isoformat(), lon=lon, lat=lat)
    return track.fixes[:near], track.fixes[near:], [away]


def test_a_late_arrival_fix_arrives_the_trip_at_its_time(client, auth):
    convoy, twin = _late_and_twin(client, auth, "AKTILEK-BISHKEK")
    live, backlog, after = _arrival(convoy)
    post(client, auth, live + after)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "in_transit"

    post(client, auth, backlog)
    post(client, auth, [f for part in _arrival(twin) for f in part])
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    expected = client.get(f"/api/v1/trips/{twin.trip_id}", headers=auth("operator")).json()
    assert expected["status"] == "arrived"
    assert trip["status"] == "arrived" and trip["arrived_at"] == expected["arrived_at"]
    assert _at(backlog[0]["ts"]) <= _at(trip["arrived_at"]) <= _at(backlog[-1]["ts"])
    assert trip["distance_m"] == pytest.approx(expected["distance_m"], rel=0.02)


def test_an_arrival_after_the_deadline_inside_a_late_backlog_raises_and_resolves_overdue(client, auth):
    now = datetime.now(UTC).replace(microsecond=0)
    start, deadline = now - timedelta(hours=5), now - timedelta(hours=4, minutes=30)
    convoy, twin = (make_convoy(client, auth, "AKTILEK-BISHKEK", start=start, deadline=deadline) for _ in range(2))
    live, backlog, after = _arrival(convoy, speed_kmh=30)
    post(client, auth, live + after)
    assert alerts_of(client, auth, convoy.trip_id, "overdue") == []
    post(client, auth, backlog)
    post(client, auth, [f for part in _arrival(twin, speed_kmh=30) for f in part])
    (alert,) = alerts_of(client, auth, convoy.trip_id, "overdue")
    (expected,) = alerts_of(client, auth, twin.trip_id, "overdue")
    _same_situation(alert, expected, ("deadline_ts", "arrived_ts", "overdue_s"))
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert alert["status"] == "resolved" and alert["evidence"]["overdue_s"] > 0
    assert _at(alert["ended_at"]) == _at(trip["arrived_at"])


def test_an_overdue_alert_an_arrival_on_time_in_a_late_backlog_contradicts_is_resolved_with_a_note(
        client, auth, db_session):
    now = datetime.now(UTC).replace(microsecond=0)
    convoy = make_convoy(client, auth, "AKTILEK-BISHKEK", start=now - timedelta(hours=5),
                         deadline=now - timedelta(hours=2))
    live, backlog, after = _arrival(convoy)
    post(client, auth, live + after)
    sweep(db_session, now, get_settings().detection_thresholds())  # no arrival seen by the deadline
    db_session.commit()
    (alert,) = alerts_of(client, auth, convoy.trip_id, "overdue")
    assert alert["status"] == "open"

    post(client, auth, backlog)
    trip = client.get(f"/api/v1/trips/{convoy.trip_id}", headers=auth("operator")).json()
    assert trip["status"] == "arrived" and _at(trip["arrived_at"]) <= now - timedelta(hours=2)
    (alert,) = alerts_of(client, auth, convoy.trip_id, "overdue")
    assert alert["status"] == "resolved" and alert["evidence"]["not_supported"] == ARRIVED_ON_TIME
    assert [n["text"] for n in alert["notes"] if n["action"] == "resolve"] == [ARRIVED_ON_TIME]


def _separation(convoy):
    """(live, backlog, after): the truck's 25 min and the escort's fixes but minutes 8 to 18, when its phone was
    out of coverage and fell 3 km behind (minutes 10 to 17); the escort's backlog of those minutes."""
    truck = convoy.track().drive(25)
    escort = []
    for i, (fix, progress) in enumerate(zip(truck.fixes, truck.progress)):
        lon, lat = truck.lonlat_at(progress - (3000 if 30 <= i < 51 else 0))
        escort.append(dict(fix, device_id=convoy.escort, lon=lon, lat=lat))
    return truck.fixes + escort[:24], escort[24:54], escort[54:]


def test_a_separation_inside_a_late_backlog_raises_one_alert_with_its_true_times(client, auth):
    convoy, _, alert, expected = _sent_late_and_in_order(client, auth, _separation, "convoy_separation")
    assert alert["status"] == "resolved" and alert["device_id"] == convoy.truck
    _same_situation(alert, expected, ("first_fix_ts", "last_fix_ts", "duration_s", "max_separation_m"))


def test_late_fixes_older_than_the_window_are_stored_and_not_examined(client, auth, convoy, monkeypatch):
    monkeypatch.setattr(get_settings(), "late_fix_replay_hours", 0.05)  # 3 min: the backlog ended 5 min before
    live, backlog, after = _deviation(convoy)
    post(client, auth, live + after)
    assert post(client, auth, backlog)["accepted"] == len(backlog)
    assert alerts_of(client, auth, convoy.trip_id, "route_deviation") == []
    features = client.get(f"/api/v1/trips/{convoy.trip_id}/track", headers=auth("supervisor")).json()["features"]
    assert len(features) == len(live + backlog + after)
