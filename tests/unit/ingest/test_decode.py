from datetime import UTC, datetime

import pytest

from chekara.ingest.decode import KNOTS_TO_KMH, decode_json_fix, decode_osmand_query, osmand_json_to_query, parse_timestamp
from chekara.ingest.fixes import IncomingFix, Rejection

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "2026-11-30T08:00:00Z", "2026-11-30T08:00:00+00:00", "2026-11-30T14:00:00+06:00", "2026-11-30T08:00:00",
    T.timestamp(), int(T.timestamp()), int(T.timestamp() * 1000), str(int(T.timestamp())),
])
def test_timestamps_in_every_form_mean_the_same_instant(value):
    assert parse_timestamp(value) == T


@pytest.mark.parametrize("value", ["yesterday", "", True, None, -5, float("nan"), [1]])
def test_bad_timestamps(value):
    with pytest.raises(Exception) as err:
        parse_timestamp(value)
    assert getattr(err.value, "field", None) == "ts"


def test_a_good_json_fix():
    fix = decode_json_fix(3, {"device_id": " TRK-1 ", "ts": "2026-11-30T08:00:00Z", "lat": 42.8, "lon": 74.6,
                              "speed_kmh": 55, "battery_pct": 80})
    assert isinstance(fix, IncomingFix)
    assert (fix.index, fix.device_id, fix.ts, fix.lat, fix.lon, fix.speed_kmh, fix.battery_pct) == (3, "TRK-1", T, 42.8, 74.6, 55.0, 80.0)


@pytest.mark.parametrize("item, field", [
    ({"ts": "2026-11-30T08:00:00Z", "lat": 1, "lon": 1}, "device_id"),
    ({"device_id": "A", "lat": 1, "lon": 1}, "ts"),
    ({"device_id": "A", "ts": T.isoformat(), "lon": 1}, "lat"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": 90.0001, "lon": 1}, "lat"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": 1, "lon": -180.5}, "lon"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": "NaN", "lon": 1}, "lat"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": True, "lon": 1}, "lat"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": 1, "lon": 1, "speed_kmh": -1}, "speed_kmh"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": 1, "lon": 1, "heading_deg": 361}, "heading_deg"),
    ({"device_id": "A", "ts": T.isoformat(), "lat": 1, "lon": 1, "battery_pct": "full"}, "battery_pct"),
    ({"device_id": "x" * 65, "ts": T.isoformat(), "lat": 1, "lon": 1}, "device_id"),
    ({"device_id": "A\x00", "ts": T.isoformat(), "lat": 1, "lon": 1}, "device_id"),
    ([1, 2], "fix"),
])
def test_bad_json_fixes_name_the_field(item, field):
    outcome = decode_json_fix(7, item)
    assert isinstance(outcome, Rejection)
    assert (outcome.index, outcome.field) == (7, field) and outcome.reason


def test_the_limits_themselves_are_valid():
    fix = decode_json_fix(0, {"device_id": "A", "ts": T.isoformat(), "lat": -90, "lon": 180, "heading_deg": 360, "battery_pct": 0})
    assert isinstance(fix, IncomingFix)


def test_osmand_query_speed_is_in_knots():
    fix = decode_osmand_query({"id": "123456", "lat": "42.8", "lon": "74.6", "timestamp": str(int(T.timestamp())),
                               "speed": "10", "bearing": "270", "altitude": "800", "accuracy": "12", "batt": "64"})
    assert isinstance(fix, IncomingFix)
    assert fix.speed_kmh == pytest.approx(10 * KNOTS_TO_KMH)
    assert (fix.heading_deg, fix.altitude_m, fix.accuracy_m, fix.battery_pct, fix.ts) == (270, 800, 12, 64, T)


def test_osmand_location_parameter_and_deviceid():
    fix = decode_osmand_query({"deviceid": "X1", "location": "42.8,74.6", "timestamp": T.isoformat()})
    assert (fix.device_id, fix.lat, fix.lon) == ("X1", 42.8, 74.6)


def test_osmand_json_variant():
    body = {"device_id": "X1", "location": {"timestamp": "2026-11-30T08:00:00.000Z", "coords": {
        "latitude": 42.8, "longitude": 74.6, "speed": 10, "heading": -1, "accuracy": 5, "altitude": 700},
        "battery": {"level": 0.42}}}
    fix = decode_osmand_query(osmand_json_to_query(body))
    assert fix.speed_kmh == pytest.approx(36.0)
    assert fix.battery_pct == pytest.approx(42.0)
    assert fix.heading_deg is None and fix.ts == T


@pytest.mark.parametrize("params, field", [
    ({"lat": "1", "lon": "1"}, "id"),
    ({"id": "A", "lon": "1"}, "lat"),
    ({"id": "A", "lat": "1", "lon": "x"}, "lon"),
    ({"id": "A", "lat": "1", "lon": "1", "timestamp": "soon"}, "timestamp"),
    ({"id": "A", "lat": "1", "lon": "1", "batt": "300"}, "batt"),
    ({"id": "A", "location": "1;2"}, "location"),
])
def test_bad_osmand_names_the_parameter(params, field):
    outcome = decode_osmand_query(params)
    assert isinstance(outcome, Rejection) and outcome.field == field
