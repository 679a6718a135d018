"""How well the platform caught what the simulator injected: precision and recall per signal.

What the platform produced is read back over the API as Observed signals:

- ``alert``: GET /api/v1/alerts, keeping the run's own (its trips, its
  declarations, its cameras);
- ``finding``: the findings on the run's declarations (GET
  /api/v1/declarations/{number}), e.g. weight_discrepancy;
- ``risk``: the rules that hit in each declaration's verdict in force (GET
  /api/v1/declarations/{number}/risk), one type per rule; the random
  selection is a draw, not a detection, and is left out.

Another source is one more collector beside these three, and an
ExpectedSignal with that source on the anomalies that should produce it:
score() and the table need nothing more, rows are per (source, type).

Matching (one expected signal to at most one observed, and back):

- the same type and source, and the same keys, per type in MATCH_KEYS: the
  trip (and device where the alert is per device) for convoy alerts; the
  checkpoint and plate for a camera's alerts (the plate as the camera read
  it, compared OCR-aware with the true one); the declaration
  (and checkpoint) for paperwork;
- overlapping time windows, each widened by TOLERANCE_S. An alert's window
  runs from the start its evidence gives (first outside fix, the stop's
  anchor, the last fix before a silence, the deadline) or its raised_at,
  to its ended_at (or now, while it lasts). Signals stamped by the server's
  own clock at an officer's step (plate_mismatch) are matched on keys alone,
  and so are risk rule hits (a rule hits a declaration once: the key is the
  declaration).

A signal loss that ended before the server could sweep once after the
catch-up may not have been observable by the platform's rules: if the
platform raised it all the same it counts as found, and if not it is
counted apart (column n/o), in neither recall nor precision. The same goes
for the risk rule it would have fed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chekara.domain.plates import compare_plates

from .client import ChekaraApi
from .plate_reads import ReadScores, canonical_plate
from .truth import ExpectedSignal, GroundTruth

#: Windows are widened by this much on both sides before they must overlap, seconds.
TOLERANCE_S = 120.0

#: The keys each signal type is matched on (besides its type and an overlapping window).
MATCH_KEYS: dict[str, tuple[str, ...]] = {
    "route_deviation": ("trip",),
    "overdue": ("trip",),
    "unauthorized_stop": ("trip", "device"),
    "signal_lost": ("trip", "device"),
    "gps_anomaly": ("trip", "device"),
    "convoy_separation": ("trip", "device"),
    "low_battery": ("trip", "device"),
    "undeclared_vehicle": ("checkpoint", "plate"),
    "exit_without_release": ("checkpoint", "plate"),
    "plate_mismatch": ("declaration", "checkpoint"),
    "transit_not_closed": ("declaration",),
    "weight_discrepancy": ("declaration", "checkpoint"),
}
DEFAULT_KEYS = ("trip", "device", "declaration", "checkpoint")

#: A risk rule hit is the rule's (its type) on a declaration.
RISK_KEYS = ("declaration",)
#: Not a detection: the share of declarations sent to red at random.
RANDOM_SELECTION = "random_selection"

#: The evidence field that says when the situation began, per alert type.
START_EVIDENCE = {
    "route_deviation": "first_fix_ts", "unauthorized_stop": "start_ts", "signal_lost": "last_fix_ts",
    "gps_anomaly": "first_fix_ts", "convoy_separation": "first_fix_ts", "overdue": "deadline_ts",
    "low_battery": "first_fix_ts",
}

#: Rows always shown, in this order, then any other type seen.
ROW_ORDER = (
    ("alert", "route_deviation"), ("alert", "unauthorized_stop"), ("alert", "signal_lost"), ("alert", "overdue"),
    ("alert", "convoy_separation"), ("alert", "gps_anomaly"), ("finding", "weight_discrepancy"),
    ("alert", "undeclared_vehicle"), ("alert", "plate_mismatch"), ("alert", "transit_not_closed"),
    ("risk", "route_deviation"), ("risk", "unauthorized_stop"), ("risk", "signal_lost"), ("risk", "overdue"),
    ("risk", "weight_discrepancy"), ("risk", "plate_mismatch"),
)
ROW_NAMES = {
    "route_deviation": "Route deviation", "unauthorized_stop": "Unauthorized stop", "signal_lost": "Signal lost",
    "overdue": "Overdue arrival", "convoy_separation": "Escort separation", "gps_anomaly": "GPS anomaly (jump)",
    "weight_discrepancy": "Weight discrepancy", "undeclared_vehicle": "Undeclared vehicle",
    "plate_mismatch": "Plate mismatch", "transit_not_closed": "Transit not closed", "low_battery": "Low battery",
    "exit_without_release": "Exit without release", "overweight_gross": "Overweight (gross)",
    "overweight_axle": "Overweight (axle)", "no_rate": "No tariff rate",
}


@dataclass(frozen=True)
class Observed:
    source: str
    type: str
    ref: str
    start: datetime
    end: datetime
    trip: int | None = None
    device: str | None = None
    declaration: str | None = None
    checkpoint: str | None = None
    plate: str | None = None
    #: When the platform raised it (alerts: raised_at; for fixes, the fix's time, for sweeps the sweep's).
    raised: datetime | None = None


@dataclass(frozen=True)
class Delay:
    """From an anomaly's threshold crossing to its alert, seconds; the goal: 60 s + 3 reporting intervals."""

    type: str
    delay_s: float
    goal_s: float | None

    @property
    def within_goal(self) -> bool:
        return self.goal_s is None or self.delay_s <= self.goal_s


#: Alerts raised by the server's sweeper, on its clock.
CLOCK_DRIVEN = ("signal_lost", "overdue", "transit_not_closed")
#: Goal for an alert's delay: this much plus DELAY_GOAL_INTERVALS reporting intervals of the device, seconds.
DELAY_GOAL_S = 60.0
DELAY_GOAL_INTERVALS = 3


@dataclass
class TypeScore:
    source: str
    type: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    not_observable: int = 0

    @property
    def name(self) -> str:
        if self.source == "risk":
            return f"Risk rule {self.type}"
        return ROW_NAMES.get(self.type, self.type.replace("_", " ").capitalize())

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Evaluation:
    rows: list[TypeScore]
    matched: list[tuple[ExpectedSignal, Observed]] = field(default_factory=list)
    missed: list[ExpectedSignal] = field(default_factory=list)
    false_alarms: list[Observed] = field(default_factory=list)
    delays: list[Delay] = field(default_factory=list)
    #: How the platform matched every camera read to a vehicle (sim.plate_reads), when the run kept them.
    reads: ReadScores | None = None

    def row(self, type_: str, source: str = "alert") -> TypeScore:
        for r in self.rows:
            if (r.source, r.type) == (source, type_):
                return r
        return TypeScore(source, type_)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _canonical(plate: str | None) -> str | None:
    return canonical_plate(plate) if plate else None


def observed_alert(alert: dict[str, Any], now: datetime) -> Observed:
    raised = _parse(alert["raised_at"])
    began = _parse(alert["evidence"].get(START_EVIDENCE.get(alert["type"], ""))) if alert["evidence"] else None
    return Observed(
        source="alert", type=alert["type"], ref=f"alert {alert['id']}",
        start=min(raised, began) if began else raised, end=_parse(alert["ended_at"]) or max(now, raised),
        trip=alert["trip_id"], device=alert["device_id"], declaration=alert["declaration_number"],
        checkpoint=alert["checkpoint"], plate=_canonical(alert["evidence"].get("plate")), raised=raised,
    )


def observed_findings(declaration: dict[str, Any]) -> list[Observed]:
    checkpoint_of = {c["id"]: c["checkpoint"] for c in declaration["crossings"]}
    out = []
    for f in declaration["findings"]:
        at = _parse(f["found_at"])
        out.append(Observed(source="finding", type=f["kind"], ref=f"finding {f['id']}", start=at, end=at,
                            declaration=declaration["number"], checkpoint=checkpoint_of.get(f["crossing_id"])))
    return out


def observed_risk_hits(verdict: dict[str, Any]) -> list[Observed]:
    at = _parse(verdict["assessed_at"])
    return [Observed(source="risk", type=hit["rule"], ref=f"risk {verdict['declaration_number']}", start=at, end=at,
                     declaration=verdict["declaration_number"])
            for hit in verdict["hits"] if hit["rule"] != RANDOM_SELECTION]


def collect_observed(api: ChekaraApi, truth: GroundTruth, now: datetime) -> list[Observed]:
    """The run's alerts, findings and risk rule hits, as the platform reports them now."""
    trips = set(truth.trip_ids.values())
    declarations, cameras = set(truth.declarations), set(truth.cameras)
    since = (truth.epoch - timedelta(hours=1)).isoformat()
    observed = [
        observed_alert(a, now) for a in api.alerts(since)
        if a["trip_id"] in trips or a["declaration_number"] in declarations or a["device_id"] in cameras
    ]
    for number in truth.declarations:
        found = api.declaration(number)
        if found is None:
            continue
        observed.extend(observed_findings(found))
        verdict = api.risk(number)
        if verdict is not None:
            observed.extend(observed_risk_hits(verdict))
    return observed


def _keys(expected: ExpectedSignal, truth: GroundTruth) -> dict[str, Any]:
    return {
        "trip": truth.trip_ids.get(expected.convoy_id) if expected.convoy_id else None,
        "device": expected.device_id, "declaration": expected.declaration, "checkpoint": expected.checkpoint,
        "plate": expected.plate,
    }


def _fits(expected: ExpectedSignal, observed: Observed, keys: dict[str, Any], truth: GroundTruth) -> bool:
    for name in RISK_KEYS if expected.source == "risk" else MATCH_KEYS.get(expected.type, DEFAULT_KEYS):
        if name == "plate" and keys[name] is not None:
            # The platform knows a walk-in truck only as its camera read it, misreads and all.
            if observed.plate is None or compare_plates(observed.plate, keys[name]) is None:
                return False
            continue
        if keys[name] is not None and keys[name] != getattr(observed, name):
            return False
        if keys[name] is None and name == "trip" and expected.convoy_id:
            return False  # the trip was never created: nothing can match it
    if not expected.timed:
        return True
    tolerance = timedelta(seconds=TOLERANCE_S)
    start, end = truth.instant(expected.start_s), truth.instant(expected.end_s)
    return observed.start <= end + tolerance and start <= observed.end + tolerance


def score(truth: GroundTruth, observed: list[Observed], not_observable: set[int] | None = None) -> Evaluation:
    """Match expected with observed signals; one row per (source, type).

    not_observable: indexes into truth.expected() whose miss is excused (see the module docstring).
    """
    expected = truth.expected()
    not_observable = not_observable or set()
    rows: dict[tuple[str, str], TypeScore] = {k: TypeScore(*k) for k in ROW_ORDER}
    evaluation = Evaluation([])
    free = list(observed)
    for i, e in sorted(enumerate(expected), key=lambda p: p[1].start_s):
        row = rows.setdefault((e.source, e.type), TypeScore(e.source, e.type))
        keys = _keys(e, truth)
        candidates = [o for o in free if (o.source, o.type) == (e.source, e.type) and _fits(e, o, keys, truth)]
        if not candidates:
            if i in not_observable:  # excused: the platform could not have seen it
                row.not_observable += 1
            else:
                row.fn += 1
                evaluation.missed.append(e)
            continue
        start = truth.instant(e.start_s)
        best = min(candidates, key=lambda o: abs((o.start - start).total_seconds()))
        free.remove(best)
        row.tp += 1
        evaluation.matched.append((e, best))
        if e.threshold_s is not None and best.raised is not None:
            goal = None if e.interval_s is None else DELAY_GOAL_S + DELAY_GOAL_INTERVALS * e.interval_s
            # The clock-driven checks cannot run on a past caught up at once before it has been delivered.
            crossed = max(e.threshold_s, truth.live_from_s) if e.type in CLOCK_DRIVEN else e.threshold_s
            evaluation.delays.append(Delay(e.type, (best.raised - truth.instant(crossed)).total_seconds(), goal))
    for o in free:
        rows.setdefault((o.source, o.type), TypeScore(o.source, o.type)).fp += 1
        evaluation.false_alarms.append(o)
    order = {k: i for i, k in enumerate(ROW_ORDER)}
    evaluation.rows = sorted(rows.values(), key=lambda r: (order.get((r.source, r.type), len(order)), r.source, r.type))
    return evaluation


def not_observable_signal_losses(truth: GroundTruth, caught_up_s: float | None, sweep_interval_s: float) -> set[int]:
    """Signal losses that ended before the server could sweep after the catch-up (see the module docstring)."""
    if caught_up_s is None:
        return set()
    return {i for i, e in enumerate(truth.expected())
            if e.type == "signal_lost" and e.source in ("alert", "risk") and e.end_s < caught_up_s + sweep_interval_s}


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown_table(evaluation: Evaluation) -> str:
    """The scores as a Markdown table (written beside evaluation.json, for docs/DETECTION.md)."""
    lines = ["| signal | source | TP | FP | FN | n/o | precision | recall |", "|---|---|--:|--:|--:|--:|--:|--:|"]
    for row in evaluation.rows:
        lines.append(f"| {row.name} | {row.source}: `{row.type}` | {row.tp} | {row.fp} | {row.fn} | "
                     f"{row.not_observable} | {_ratio(row.precision)} | {_ratio(row.recall)} |")
    return "\n".join(lines) + "\n"


def delay_table(evaluation: Evaluation) -> str:
    """Alert delays per type as a Markdown table: from the threshold crossing to the alert, seconds."""
    lines = ["| signal | alerts timed | median delay s | worst delay s | within 60 s + 3 intervals |",
             "|---|--:|--:|--:|--:|"]
    by_type: dict[str, list[Delay]] = {}
    for d in evaluation.delays:
        by_type.setdefault(d.type, []).append(d)
    order = [t for _, t in ROW_ORDER]
    for type_ in sorted(by_type, key=lambda t: order.index(t) if t in order else len(order)):
        delays = sorted(d.delay_s for d in by_type[type_])
        median = statistics.median(delays)
        within = sum(d.within_goal for d in by_type[type_])
        lines.append(f"| {ROW_NAMES.get(type_, type_)} | {len(delays)} | {median:.0f} | {delays[-1]:.0f} | "
                     f"{within} of {len(delays)} |")
    return "\n".join(lines) + "\n"
