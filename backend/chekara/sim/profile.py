"""Traffic profiles: how clean the road, the devices and the anomalies are.

``standard`` is the plain case: the road is the corridor line, GPS noise of
5-8 m, trackers every 20-60 s, short gaps, and anomalies drawn far from
their thresholds. It measures the wiring.

``hard`` is what operators will judge the detectors on:

- the road is not the corridor line: it wanders smoothly up to 0.6 of the
  half-width either side (back to the line at stop zones and checkpoints,
  through which the corridor was drawn), and at a few switchbacks bulges to
  1.2 x the half-width for well under a minute;
- GPS noise 5-15 m per device, about 1 % multipath outliers of 50-800 m
  (single fixes), a few fixes without speed or heading;
- trackers every 10, 30, 60, 120 or 300 s; escort phones every 10-15 s with
  clocks off by up to +-30 s;
- coverage holes of 2-8 min (gorges, tunnels): the device keeps its fixes
  and uploads them when it is back (store-and-forward), sometimes after
  fixes newer than them;
- legitimate stops that must raise nothing: at roadside cafes 100-400 m
  off the line (inside the half-width) for 5-14 min, and on the road for
  10-14 min outside stop zones;
- anomalies close to their thresholds (see sim.anomalies): deviations
  reaching 0.7-3 km from the line, outside for 1.5-5 min; stops of
  15.5-25 min; silences of 10.5-14 min beyond the device's schedule;
  separations of 2.2-4 km, over 2 km for 5.5-8 min; jumps implying 185-230
  km/h; weighings within and just beyond the 5 % tolerance;
- camera reads no format can take back (2 %): a look-alike letter, a
  character missed (sim.plates); the platform must match them to no vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrafficProfile:
    name: str
    # ---- the road
    #: Lateral wander of the road as a share of the corridor's half-width (0: the road is the line).
    wander_share: float = 0.0
    #: Switchbacks per 100 km, their peak offset as a share of the half-width, and how long the road runs
    #: outside the half-width there, metres of road (under a minute at pass speeds).
    switchbacks_per_100_km: float = 0.0
    switchback_share: float = 1.2
    switchback_outside_m: tuple[float, float] = (120.0, 260.0)
    # ---- devices
    tracker_intervals_s: tuple[int, ...] = (20, 30, 30, 60)
    phone_intervals_s: tuple[int, ...] = (10, 15)
    tracker_noise_m: tuple[float, float] = (5.0, 5.0)
    phone_noise_m: tuple[float, float] = (8.0, 8.0)
    #: Share of fixes that are multipath outliers, and how far off they land, metres.
    multipath_share: float = 0.0
    multipath_m: tuple[float, float] = (50.0, 800.0)
    #: Share of fixes sent without speed and heading.
    no_speed_share: float = 0.0
    #: An escort phone's clock is off by up to this many seconds either way (trackers take GPS time).
    phone_clock_skew_s: int = 0
    #: Short gaps (fixes never taken), per hour, and how long, seconds.
    short_gaps_per_hour: float = 0.5
    short_gap_s: tuple[float, float] = (60.0, 240.0)
    #: Coverage holes (fixes taken, uploaded when the network is back), per hour, and how long, seconds.
    coverage_holes_per_hour: float = 0.0
    coverage_hole_s: tuple[float, float] = (120.0, 480.0)
    #: Share of coverage holes whose backlog is uploaded after the first fixes taken once back.
    backlog_after_newer_share: float = 0.0
    # ---- legitimate stops
    cafe_stops_per_100_km: float = 0.0
    cafe_offset_m: tuple[float, float] = (100.0, 400.0)
    cafe_stop_min: tuple[float, float] = (5.0, 14.0)
    traffic_stops_per_100_km: float = 0.6
    traffic_stop_min: tuple[float, float] = (1.0, 8.0)
    long_traffic_stops_per_100_km: float = 0.0
    long_traffic_stop_min: tuple[float, float] = (10.0, 14.0)
    # ---- anomalies (sim.anomalies)
    #: Route deviation: farthest distance from the corridor line, metres; time outside the half-width, seconds.
    deviation_reach_m: tuple[float, float] = (1_500.0, 6_000.0)
    deviation_outside_s: tuple[float, float] | None = None
    stop_min: tuple[float, float] = (18.0, 45.0)
    #: Signal loss beyond the server's threshold and a sweep, minutes (standard), or the silence itself (hard).
    silence_extra_min: tuple[float, float] = (2.0, 15.0)
    silence_min: tuple[float, float] | None = None
    #: Escort separation: the escort stops this long, minutes; catches up this much faster, km/h;
    #: the separation's peak, metres, and time over 2 km, minutes (None: not checked).
    escort_stop_min: tuple[float, float] = (6.0, 10.0)
    catch_up_kmh: float = 35.0
    separation_peak_m: tuple[float, float] = (3_000.0, 1e9)
    separation_over_min: tuple[float, float] = (7.0, 1e9)
    #: GPS jump: implied speed from the last good fix, km/h (None: a far jump of 5-40 km).
    jump_kmh: tuple[float, float] | None = None
    #: A hard jump lands at least this far from the true position, metres (farther than multipath).
    jump_min_offset_m: float = 1_200.0
    #: Weighings: normal trucks within this share of their declared gross; discrepancies this far off.
    normal_weight_share: float = 0.02
    discrepancy_share: tuple[float, float] = (0.08, 0.15)
    # ---- plates
    #: Share of camera reads misread so that no format can take them back (sim.plates; ReadRates.unrecoverable).
    unrecoverable_read_share: float = 0.0


STANDARD = TrafficProfile("standard")

HARD = TrafficProfile(
    "hard",
    wander_share=0.6, switchbacks_per_100_km=3.0,
    tracker_intervals_s=(10, 30, 60, 120, 300), phone_intervals_s=(10, 15),
    tracker_noise_m=(5.0, 15.0), phone_noise_m=(5.0, 15.0),
    multipath_share=0.01, no_speed_share=0.01, phone_clock_skew_s=30,
    short_gaps_per_hour=0.0, coverage_holes_per_hour=0.6, backlog_after_newer_share=0.3,
    cafe_stops_per_100_km=0.8, traffic_stops_per_100_km=0.6, long_traffic_stops_per_100_km=0.6,
    deviation_reach_m=(700.0, 3_000.0), deviation_outside_s=(90.0, 300.0),
    stop_min=(15.5, 25.0), silence_min=(10.5, 14.0),
    escort_stop_min=(4.0, 7.0), catch_up_kmh=25.0,
    separation_peak_m=(2_200.0, 4_000.0), separation_over_min=(5.5, 8.0),
    jump_kmh=(185.0, 230.0),
    normal_weight_share=0.045, discrepancy_share=(0.052, 0.07),
    unrecoverable_read_share=0.02,
)

PROFILES = {p.name: p for p in (STANDARD, HARD)}


def traffic_profile(name: str) -> TrafficProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown traffic profile {name!r}: choose one of {', '.join(PROFILES)}") from None
