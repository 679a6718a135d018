"""The detection thresholds, with the DESIGN.md defaults.

Comparisons are part of the rule and written next to each threshold:
"≥" means reaching the threshold is enough, ">" means it must be exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class DetectionThresholds:
    """Thresholds for every detector; units are in the names."""

    # route_deviation: outside the corridor for >= deviation_min_fixes consecutive
    # fixes AND >= deviation_min_s from the first outside fix to the current one.
    deviation_min_fixes: int = 3
    deviation_min_s: float = 60

    # unauthorized_stop: every fix within <= stop_radius_m of the stop's anchor
    # (its first fix) for >= stop_min_s, outside stop zones and checkpoints.
    stop_radius_m: float = 150
    stop_min_s: float = 900
    # A fix reporting under stop_moving_kmh is standing still: beyond the radius it is a bad position (held
    # for one fix), not a departure. A stop's start (and end) is dead-reckoned from a moving fix before (after)
    # it when the two are at most stop_reckon_max_gap_s apart: the sparsest trackers report every 300 s.
    stop_moving_kmh: float = 5
    stop_reckon_max_gap_s: float = 360
    stop_reckon_margin_s: float = 60

    # signal_lost: no fix from a device for >= signal_lost_s on a trip in transit, for a device that reports
    # at least every signal_lost_prompt_interval_s; a slower one is given the rest of its interval on top
    # (600 + interval - 60: 840 s for a tracker at 300 s; see signal_lost.py).
    signal_lost_s: float = 600
    signal_lost_prompt_interval_s: float = 60

    # gps_anomaly: implied speed > anomaly_speed_kmh from the device's previous
    # accepted fix. The time step is floored at anomaly_min_dt_s because device
    # clocks report whole seconds (two fixes in the same second are 1 s apart).
    # When anomaly_reanchor_fixes consecutive fixes agree with each other (each
    # plausible from the one before) but not with the reference, the last of
    # them is accepted as the new reference: the old reference was the bad one
    # (e.g. a wrong first fix). With 3: two are flagged, the third is accepted.
    anomaly_speed_kmh: float = 180
    anomaly_min_dt_s: float = 1
    anomaly_reanchor_fixes: int = 3
    # An anomalous fix is kept from the other detectors, but alerts an operator only when it lies at least
    # anomaly_alert_offset_m from where the device can have been: multipath puts single fixes hundreds of
    # metres off (500 m in 10 s is already over 180 km/h), a kilometre is a faulty or tampered device.
    anomaly_alert_offset_m: float = 1000

    # convoy_separation: escort and vehicle > separation_m apart for
    # >= separation_min_s. A device's latest fix is compared with another's
    # only when it is at most separation_max_fix_age_s older: the older one
    # may be off by speed x age (750 m at 90 km/h and 30 s; 120 s would allow
    # 3 km, more than the threshold itself).
    separation_m: float = 2000
    separation_min_s: float = 300
    separation_max_fix_age_s: float = 30
    # A vehicle whose fixes are further apart than that (a tracker every 60-300 s) is interpolated between
    # two fixes at most separation_max_interp_s apart to measure the escort's fixes in between.
    separation_max_interp_s: float = 360
    # A measurement back under separation_m but above separation_m - separation_rejoin_margin_m resolves only
    # when the next one is under separation_m too (one bad fix is not a rejoin).
    separation_rejoin_margin_m: float = 500
    # An escort phone's clock may be off by this much: a moving escort's position is uncertain by its speed
    # times this, and a separation lasts until the measurement is back under separation_m by more than that.
    separation_clock_error_s: float = 30

    # low_battery: raised when battery < low_battery_pct, resolved when
    # battery >= low_battery_resolve_pct (hysteresis: no flapping around 15 %).
    low_battery_pct: float = 15
    low_battery_resolve_pct: float = 20

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must not be negative")
        if self.deviation_min_fixes < 1:
            raise ValueError("deviation_min_fixes must be at least 1")
        if self.anomaly_reanchor_fixes < 2:
            raise ValueError("anomaly_reanchor_fixes must be at least 2 (1 would accept every fix)")
        if self.anomaly_min_dt_s <= 0:
            raise ValueError("anomaly_min_dt_s must be positive")
        if self.low_battery_resolve_pct < self.low_battery_pct:
            raise ValueError("low_battery_resolve_pct must be >= low_battery_pct")
