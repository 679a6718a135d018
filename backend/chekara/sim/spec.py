"""What to simulate: how many convoys, how long, how much goes wrong, and how the run is clocked.

The scenario covers ``history_s + live_s`` seconds. The first ``history_s``
lie in the past when the run starts and are delivered at once (the
catch-up); the last ``live_s`` are played at real time. Anomalies the
platform can only notice with its own clock (signal loss, overdue arrival,
a transit not closed) are placed where that clock will see them: ending
after the catch-up plus a sweep interval, before the scenario's end.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from .plates import ReadRates
from .profile import TrafficProfile, traffic_profile


@dataclass(frozen=True)
class AnomalyRates:
    """Share of convoys given each anomaly (undeclared_vehicle: walk-in trucks per convoy).

    A count is round(rate x convoys), at least 1 when the rate is above 0 and
    a convoy fits it.
    """

    route_deviation: float = 0.25
    unauthorized_stop: float = 0.25
    signal_loss: float = 0.25
    overdue_arrival: float = 0.05
    escort_separation: float = 0.10
    gps_jump: float = 0.15
    weight_discrepancy: float = 0.10
    undeclared_vehicle: float = 0.05
    plate_mismatch: float = 0.05
    transit_never_closed: float = 0.05

    def __post_init__(self) -> None:
        for f in fields(self):
            if not 0 <= getattr(self, f.name) <= 1:
                raise ValueError(f"anomaly rate {f.name} must be between 0 and 1")

    @classmethod
    def none(cls) -> "AnomalyRates":
        return cls(**{f.name: 0.0 for f in fields(cls)})


#: What a convoy's devices send, fixes per second (three devices, one fix every 25 s on average).
FIXES_PER_CONVOY_S = 0.12
#: The catch-up is planned for this many fixes per second: a loaded two-core machine (the pipeline
#: alone does about 8,000; docs/PERFORMANCE.md), and this many seconds per convoy of registrations.
PLANNED_CATCH_UP_FIXES_PER_S = 2_000.0
PLANNED_CATCH_UP_S_PER_CONVOY = 0.15
MIN_CATCH_UP_ALLOWANCE_S = 20.0


def catch_up_allowance_s(convoys: int, history_s: float) -> float:
    """How long to allow for the catch-up of this many convoys and this much past, seconds."""
    backlog = convoys * history_s * FIXES_PER_CONVOY_S
    return max(MIN_CATCH_UP_ALLOWANCE_S,
               backlog / PLANNED_CATCH_UP_FIXES_PER_S + convoys * PLANNED_CATCH_UP_S_PER_CONVOY)


@dataclass(frozen=True)
class ScenarioSpec:
    seed: int = 1
    #: Convoys on the road at once; each is followed by another from its destination.
    convoys: int = 12
    #: Seconds of the scenario delivered at once when the run starts (the past).
    history_s: float = 3_540.0
    #: Seconds played at real time after that.
    live_s: float = 60.0
    rates: AnomalyRates = field(default_factory=AnomalyRates)
    reads: ReadRates = field(default_factory=ReadRates)
    #: The server's sweep interval (CHEKARA_SWEEP_INTERVAL_S), seconds: clock-driven checks need one.
    sweep_interval_s: float = 30.0
    #: How long the catch-up may take before clock-driven anomalies can start to end, seconds.
    catch_up_allowance_s: float = 20.0
    #: How often the feeder posts while live, seconds.
    tick_s: float = 2.0
    #: Share of escort phones that speak OsmAnd (Traccar Client) once live.
    osmand_share: float = 0.3
    #: Share of first convoys already on their way when the scenario starts (the others queue at a checkpoint).
    mid_route_share: float = 0.75
    #: Route deviations and unauthorized stops (this many of each, beyond the rates) placed in the past so
    #: that the platform alerts on them during the catch-up: the demo has something to show at once.
    early_alerts: int = 0
    #: The traffic profile (sim.profile): "standard" or "hard".
    profile: str = "standard"

    def __post_init__(self) -> None:
        traffic_profile(self.profile)  # an unknown name is refused here, not halfway through a run
        if self.convoys < 1:
            raise ValueError("a scenario needs at least one convoy")
        if self.history_s < 0 or self.live_s <= 0:
            raise ValueError("history_s must be >= 0 and live_s > 0")
        if self.tick_s <= 0 or self.sweep_interval_s < 0 or self.catch_up_allowance_s < 0:
            raise ValueError("tick_s must be > 0, sweep_interval_s and catch_up_allowance_s >= 0")

    @property
    def traffic(self) -> TrafficProfile:
        return traffic_profile(self.profile)

    @property
    def read_rates(self) -> ReadRates:
        """The camera's read rates, with the profile's share of unrecoverable misreads unless reads names one."""
        if self.reads.unrecoverable is not None:
            return self.reads
        return replace(self.reads, unrecoverable=self.traffic.unrecoverable_read_share)

    @property
    def end_s(self) -> float:
        return self.history_s + self.live_s

    @property
    def observable_from_s(self) -> float:
        """Earliest end of a clock-driven anomaly: the catch-up done and a sweep run after it."""
        return self.history_s + self.catch_up_allowance_s + self.sweep_interval_s + 5.0

    @property
    def latest_end_s(self) -> float:
        """Every anomaly ends by then, so the run sees all of it."""
        return self.end_s - max(5.0, 2 * self.tick_s)

    @classmethod
    def from_duration(cls, duration_s: float, speed: float, **kwargs) -> "ScenarioSpec":
        """--duration and --speed: the scenario covers duration_s; it takes duration_s / speed to run.

        The part that cannot be played at real time is the catch-up: the
        simulated clock starts duration_s - duration_s / speed in the past
        and catches up with real time at once (see sim.feeder for why not
        gradually).
        """
        if speed < 1:
            raise ValueError("speed must be at least 1 (the platform refuses fixes from the future)")
        live_s = duration_s / speed
        history_s = duration_s - live_s
        kwargs.setdefault("catch_up_allowance_s", catch_up_allowance_s(kwargs.get("convoys", cls.convoys), history_s))
        return cls(history_s=history_s, live_s=live_s, **kwargs)
