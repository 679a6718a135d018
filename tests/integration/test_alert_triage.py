"""Alert triage: severity per type (configurable), filters by severity, type and corridor; the shift report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from chekara.config import get_settings
from chekara.services import alerts
from tests.integration.tracking_fixtures import make_convoy

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def raised(client, auth, db_session):
    """Alerts of three severities: two on a Bishkek–Osh convoy, one on a Osh–Dostuk convoy, one at a checkpoint."""
    osh = make_convoy(client, auth, "BISHKEK-OSH")
    dostuk = make_convoy(client, auth, "OSH-DOSTUK")

    def alert(type_, trip_id, minutes_ago):
        return alerts.raise_alert(db_session, type=type_, subject=f"test:{type_}:{trip_id}", raised_at=NOW - timedelta(minutes=minutes_ago),
                                  evidence={}, trip_id=trip_id).id

    ids = {
        "low_battery": alert("low_battery", osh.trip_id, 10),
        "route_deviation": alert("route_deviation", osh.trip_id, 50),
        "signal_lost": alert("signal_lost", dostuk.trip_id, 30),
        "undeclared_vehicle": alert("undeclared_vehicle", None, 20),
    }
    db_session.commit()
    return ids


def _alerts(client, auth, **params) -> list[dict]:
    r = client.get("/api/v1/alerts", params=params, headers=auth("operator"))
    assert r.status_code == 200, r.text
    return r.json()


def test_each_alert_has_its_severity_and_corridor(client, auth, raised):
    by_type = {a["type"]: a for a in _alerts(client, auth)}
    assert by_type["route_deviation"]["severity"] == "high" and by_type["route_deviation"]["corridor"] == "BISHKEK-OSH"
    assert by_type["signal_lost"]["severity"] == "medium" and by_type["signal_lost"]["corridor"] == "OSH-DOSTUK"
    assert by_type["low_battery"]["severity"] == "low"
    assert by_type["undeclared_vehicle"]["corridor"] is None


def test_sorted_by_severity_then_newest(client, auth, raised):
    ids = [a["id"] for a in _alerts(client, auth, sort="severity")]
    # high: undeclared (20 min ago) before route deviation (50 min ago); then medium, then low.
    assert ids == [raised["undeclared_vehicle"], raised["route_deviation"], raised["signal_lost"], raised["low_battery"]]
    assert [a["id"] for a in _alerts(client, auth)][0] == raised["low_battery"]  # newest first by default


def test_filtered_by_severity_type_and_corridor(client, auth, raised):
    assert {a["id"] for a in _alerts(client, auth, severity="high")} == {raised["undeclared_vehicle"], raised["route_deviation"]}
    assert [a["id"] for a in _alerts(client, auth, corridor="bishkek-osh", severity="high")] == [raised["route_deviation"]]
    assert [a["id"] for a in _alerts(client, auth, corridor="OSH-DOSTUK", type="signal_lost")] == [raised["signal_lost"]]
    bad = client.get("/api/v1/alerts", params={"severity": "urgent"}, headers=auth("operator"))
    assert bad.status_code == 422


def test_severity_is_configurable(client, auth, raised, monkeypatch):
    configured = get_settings().model_copy(update={"alert_severity": {"low_battery": "high"}})
    monkeypatch.setattr(alerts, "get_settings", lambda: configured)
    assert raised["low_battery"] in {a["id"] for a in _alerts(client, auth, severity="high")}
    assert _alerts(client, auth, sort="severity")[0]["id"] == raised["low_battery"]  # high, and the newest


def test_a_bad_configured_severity_is_refused_at_start():
    with pytest.raises(ValueError, match="low_battery"):
        get_settings().model_copy(update={"alert_severity": {"low_battery": "urgent"}}).alert_severities()


def test_the_shift_report_counts_and_names_who_did_what(client, auth, raised):
    ack = client.post(f"/api/v1/alerts/{raised['route_deviation']}/ack", json={"note": "calling the escort"}, headers=auth("operator"))
    assert ack.status_code == 200, ack.text
    done = client.post(f"/api/v1/alerts/{raised['signal_lost']}/resolve", json={"note": "back online"}, headers=auth("supervisor"))
    assert done.status_code == 200, done.text
    window = {"from": (NOW - timedelta(hours=1)).isoformat(), "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}

    r = client.get("/api/v1/reports/alerts", params=window, headers=auth("supervisor"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["totals"] == {"raised": 4, "acknowledged": 1, "resolved": 1, "still_open": 3}
    assert report["by_severity"]["high"] == {"raised": 2, "acknowledged": 1, "resolved": 0, "still_open": 2}
    people = {(p["by"], p["role"]): p for p in report["people"]}
    assert people[("test-operator", "operator")]["acknowledged"] == 1
    assert people[("test-supervisor", "supervisor")]["resolved"] == 1
    assert [a["action"] for a in report["activity"]][:4] == ["raised"] * 4  # in time order: the raises came first
    acked = next(a for a in report["activity"] if a["action"] == "acknowledged")
    assert acked["by"] == "test-operator" and acked["note"] == "calling the escort" and acked["corridor"] == "BISHKEK-OSH"
    assert {a["alert_id"] for a in report["still_open"]} == {raised["low_battery"], raised["route_deviation"], raised["undeclared_vehicle"]}

    # An earlier window: nothing had happened yet, but nothing was open either.
    before = client.get("/api/v1/reports/alerts", params={"from": (NOW - timedelta(hours=3)).isoformat(),
                                                          "to": (NOW - timedelta(hours=2)).isoformat()}, headers=auth("supervisor")).json()
    assert before["totals"] == {"raised": 0, "acknowledged": 0, "resolved": 0, "still_open": 0}


def test_the_shift_report_as_csv_and_only_for_supervisors(client, auth, raised):
    client.post(f"/api/v1/alerts/{raised['low_battery']}/ack", headers=auth("operator"))
    r = client.get("/api/v1/reports/alerts", params={"format": "csv"}, headers=auth("supervisor"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="shift_')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["action"] for row in rows} == {"raised", "acknowledged"}
    assert next(row for row in rows if row["action"] == "acknowledged")["by"] == "test-operator"
    assert client.get("/api/v1/reports/alerts", headers=auth("operator")).status_code == 403


@pytest.mark.parametrize("params", [
    {"to": "0001-01-01T00:00:00+05:00"},
    {"from": "2026-12-03T10:00:00+00:00", "to": "2026-12-03T09:00:00+00:00"},
])
def test_a_window_before_year_one_or_reversed_is_a_422(client, auth, params):
    r = client.get("/api/v1/reports/alerts", params=params, headers=auth("supervisor"))
    assert r.status_code == 422, r.text
