from chekara.domain.detection import AlertRaised, AlertResolved, LowBatteryDetector

from .tracks import assert_batch_invariant, fix, iso, replay, types

DET = LowBatteryDetector()


def readings(*pcts, device_id="trk-1"):
    return [fix(i * 60, battery_pct=p, device_id=device_id) for i, p in enumerate(pcts)]


def test_below_fifteen_raises_once_and_twenty_resolves():
    _, events = replay(DET, readings(40, 16, 14.9, 12, 10, 16, 14, 19.9, 20, 30))
    assert types(events) == [("AlertRaised", "low_battery"), ("AlertResolved", "low_battery")]
    raised, resolved = events
    assert raised.ts.isoformat() == iso(120)
    assert raised.key == "trk-1"
    assert raised.evidence["battery_pct"] == 14.9
    assert raised.evidence["first_fix_ts"] == iso(120)
    assert resolved.ts.isoformat() == iso(480)
    assert resolved.evidence["battery_pct"] == 20
    assert resolved.evidence["min_battery_pct"] == 10
    assert resolved.evidence["duration_s"] == 360.0


def test_exactly_fifteen_is_fine():
    assert replay(DET, readings(15, 15, 15))[1] == []


def test_missing_readings_are_ignored():
    _, events = replay(DET, readings(None, 10, None, None))
    assert [type(e) for e in events] == [AlertRaised]


def test_devices_are_separate():
    fixes = readings(10, device_id="trk-1") + [fix(30, battery_pct=5, device_id="esc-1", role="escort")]
    _, events = replay(DET, fixes)
    assert [(type(e), e.key) for e in events] == [(AlertRaised, "trk-1"), (AlertRaised, "esc-1")]


def test_one_batch_or_many_give_the_same_events():
    events = assert_batch_invariant(DET, readings(50, 14, 13, 21, 9, 8, None, 25, 14))
    assert [type(e) for e in events] == [AlertRaised, AlertResolved, AlertRaised, AlertResolved, AlertRaised]
