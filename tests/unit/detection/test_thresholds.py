import pytest

from chekara.domain.detection import DetectionThresholds


def test_defaults_are_those_of_design_md():
    th = DetectionThresholds()
    assert (th.deviation_min_fixes, th.deviation_min_s) == (3, 60)
    assert (th.stop_radius_m, th.stop_min_s) == (150, 900)
    assert th.signal_lost_s == 600
    assert th.anomaly_speed_kmh == 180
    assert (th.separation_m, th.separation_min_s) == (2000, 300)
    assert th.low_battery_pct == 15


@pytest.mark.parametrize("kw", [
    {"stop_radius_m": -1}, {"deviation_min_fixes": 0}, {"anomaly_reanchor_fixes": 1},
    {"anomaly_min_dt_s": 0}, {"low_battery_pct": 25, "low_battery_resolve_pct": 20},
])
def test_nonsense_is_refused(kw):
    with pytest.raises(ValueError):
        DetectionThresholds(**kw)
