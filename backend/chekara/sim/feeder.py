"""Feeding a scenario to the platform over HTTP, as its devices, cameras and officers would.

Two phases:

- **catch-up**: everything already due when the run starts (the scenario's
  past). First what the fixes depend on (devices registered, trips
  planned), then the fixes convoy by convoy: all of a convoy's fixes in one
  batch (several convoys share a batch of up to ``batch_size``; a convoy is
  split only if it alone exceeds the platform's 10,000). Why not replay the
  past gradually? The server's sweeper compares each device's last fix with
  the *wall clock*: a convoy whose newest fix lagged real time by 10
  minutes would be signal-lost, rightly by the platform's rules. Delivered
  whole, every convoy is up to date the moment its batch commits, like a
  tracker uploading the backlog it stored while offline.
- **live**: every ``tick_s``, what has come due: devices and trips first,
  then the fixes (JSON in one batch, OsmAnd one request each), then the
  checkpoint paperwork (declarations, camera reads, weighings, officer
  steps), which keeps its order within a convoy, for at most
  PAPERWORK_BUDGET_S per tick: what is left waits for the next tick, after
  its fixes.

The checkpoint paperwork of the past is the slow part of the catch-up (one
request per step); it is left to the first live ticks, so fixes never wait
for it. Requests of different convoys run side by side on ``workers``
threads; one convoy's run one after another.

The catch-up's batches are posted one after the other: the first convoys
posted grow stale while the rest are sent, so a catch-up must take well
under the 10 minutes of signal loss (at the pipeline's ~8,000 fixes/s,
millions of fixes; docs/PERFORMANCE.md).

The loop is bounded: it ends when the scenario's end has passed and
everything is sent, or when ``stop`` is set. A failed action is recorded
and its crossing's later steps are skipped (they would only be refused).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .client import ApiError, ChekaraApi
from .clock import SimClock
from .model import (
    Action,
    CameraRead,
    FileDeclaration,
    Fix,
    OfficerStep,
    PlanTrip,
    RegisterDevice,
    WeighbridgeReading,
)
from .plate_reads import ReadOutcome, read_outcome
from .scenario import Scenario

KNOTS_PER_KMH = 1 / 1.852
#: Batches are kept well under the platform's 10,000 so that one takes about a second.
BATCH_SIZE = 5_000
MAX_BATCH = 10_000
#: Errors kept word for word in the report (the rest are counted).
KEPT_ERRORS = 50
#: Convoys whose requests are sent side by side.
WORKERS = 4
#: Actions fixes depend on: done before any fix, whatever else is waiting.
FIRST = (RegisterDevice, PlanTrip)
#: Checkpoint paperwork is sent for at most this long per tick, then the fixes due go first, seconds.
PAPERWORK_BUDGET_S = 20.0


@dataclass
class FeedStatus:
    phase: str = "starting"
    now_s: float = 0.0
    end_s: float = 0.0
    fixes_sent: int = 0
    fixes_total: int = 0
    actions_done: int = 0
    actions_total: int = 0
    trips: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed_actions: int = 0
    requests: int = 0


@dataclass
class FeedReport:
    status: FeedStatus
    trip_ids: dict[str, int] = field(default_factory=dict)
    crossing_ids: dict[str, int] = field(default_factory=dict)
    #: Every camera read posted, and the vehicle the platform matched it to (sim.plate_reads).
    reads: list[ReadOutcome] = field(default_factory=list)
    #: Scenario second at which the catch-up was done (what the server had seen by then is up to date).
    caught_up_s: float | None = None
    errors: list[str] = field(default_factory=list)
    errors_by_kind: Counter = field(default_factory=Counter)
    stopped_early: bool = False


def fix_json(fix: Fix, clock: SimClock) -> dict[str, Any]:
    body: dict[str, Any] = {"device_id": fix.device_id, "ts": clock.iso(fix.t_s), "lat": fix.lat, "lon": fix.lon,
                            "speed_kmh": fix.speed_kmh, "accuracy_m": fix.accuracy_m}
    if fix.heading_deg is not None:
        body["heading_deg"] = fix.heading_deg
    if fix.battery_pct is not None:
        body["battery_pct"] = fix.battery_pct
    return body


def osmand_params(fix: Fix, clock: SimClock, osmand_id: str | None = None) -> dict[str, Any]:
    """The query string of Traccar Client: the identifier Chekara issued, speed in knots, Unix time, battery level."""
    params: dict[str, Any] = {"id": osmand_id or fix.device_id, "lat": fix.lat, "lon": fix.lon,
                              "timestamp": int(clock.instant(fix.t_s).timestamp()),
                              "accuracy": fix.accuracy_m}
    if fix.speed_kmh is not None:
        params["speed"] = round(fix.speed_kmh * KNOTS_PER_KMH, 2)
    if fix.heading_deg is not None:
        params["bearing"] = fix.heading_deg
    if fix.battery_pct is not None:
        params["batt"] = fix.battery_pct
    return params


class Feeder:
    def __init__(self, scenario: Scenario, clock: SimClock, api: ChekaraApi,
                 on_progress: Callable[[FeedStatus], None] | None = None, stop: threading.Event | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        self.scenario = scenario
        self.clock = clock
        self.api = api
        self.on_progress = on_progress or (lambda status: None)
        self.stop = stop or threading.Event()
        self.batch_size = min(batch_size, MAX_BATCH)
        #: The OsmAnd identifiers issued at registration, by device id (escort phones).
        self.osmand_ids: dict[str, str] = {}
        self.status = FeedStatus(end_s=scenario.spec.end_s, fixes_total=len(scenario.fixes),
                                 actions_total=len(scenario.actions))
        self.report = FeedReport(self.status)
        self._next_action = 0
        self._next_fix = 0
        self._first: list[Action] = []
        self._pending: list[Action] = []
        self._lock = threading.Lock()  # status and report, written from the worker threads
        self._broken: set[str] = set()  # crossings whose later steps are skipped
        self._pool: ThreadPoolExecutor | None = None

    # ---- the run -----------------------------------------------------------------------------

    def run(self) -> FeedReport:
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sim-feed") as pool:
            self._pool = pool
            self._catch_up()
            self.report.caught_up_s = self.clock.now_s()
            self.status.phase = "live"
            end = self.scenario.spec.end_s
            while not self.stop.is_set():
                now = self.clock.now_s()
                self._send_due(now)
                self._progress(now)
                if now >= end and self._done():
                    break
                self.stop.wait(self.scenario.spec.tick_s)
        self.report.stopped_early = self.stop.is_set()
        self.status.phase = "stopped" if self.report.stopped_early else "done"
        self._progress(self.clock.now_s())
        return self.report

    def _done(self) -> bool:
        return (self._next_fix >= len(self.scenario.fixes) and self._next_action >= len(self.scenario.actions)
                and not self._pending)

    def _progress(self, now_s: float) -> None:
        self.status.now_s = now_s
        self.status.requests = self.api.requests
        self.on_progress(self.status)

    def _catch_up(self) -> None:
        """Everything due at the start: devices and trips, then each convoy's fixes whole (module docstring)."""
        self.status.phase = "catch-up"
        now = self.clock.now_s()
        self._take_actions(now)
        self._run_first()
        by_group: dict[str, list[Fix]] = defaultdict(list)
        for fix in self._take_fixes(now):
            by_group[fix.group].append(fix)
        batch: list[Fix] = []
        for group_fixes in by_group.values():
            if self.stop.is_set():
                return
            if batch and len(batch) + len(group_fixes) > self.batch_size:
                self._post_json(batch)
                self._progress(self.clock.now_s())
                batch = []
            batch.extend(group_fixes)
            while len(batch) > MAX_BATCH:  # one convoy's backlog beyond a batch: no way around splitting it
                self._post_json(batch[:MAX_BATCH])
                batch = batch[MAX_BATCH:]
        self._post_json(batch)

    def _send_due(self, now_s: float) -> None:
        self._take_actions(now_s)
        self._run_first()
        fixes = self._take_fixes(now_s)
        json_fixes = [f for f in fixes if f.protocol == "json"]
        for start in range(0, len(json_fixes), self.batch_size):
            self._post_json(json_fixes[start:start + self.batch_size])
        for fix in fixes:
            if fix.protocol == "osmand" and not self.stop.is_set():
                self._post_osmand(fix)
        self._run_pending()

    def _take_actions(self, now_s: float) -> None:
        """Move the actions that have come due to the queues (devices and trips apart)."""
        actions = self.scenario.actions
        while self._next_action < len(actions) and actions[self._next_action].t_s <= now_s:
            action = actions[self._next_action]
            (self._first if isinstance(action, FIRST) else self._pending).append(action)
            self._next_action += 1

    def _run_first(self) -> None:
        self._first = self._run_grouped(self._first, budget_s=None)

    def _run_pending(self) -> None:
        self._pending = self._run_grouped(self._pending, budget_s=PAPERWORK_BUDGET_S)

    def _run_grouped(self, actions: list[Action], budget_s: float | None) -> list[Action]:
        """Each convoy's actions in order, convoys side by side; what the time budget left over, in order."""
        if not actions:
            return []
        deadline = None if budget_s is None else time.monotonic() + budget_s
        by_group: dict[str, list[Action]] = defaultdict(list)
        for action in actions:
            by_group[action.group].append(action)

        def run_group(group_actions: list[Action]) -> list[Action]:
            for i, action in enumerate(group_actions):
                if self.stop.is_set() or (deadline is not None and time.monotonic() > deadline):
                    return group_actions[i:]
                self._act(action)
            return []

        left = [future.result() for future in [self._pool.submit(run_group, g) for g in by_group.values()]]
        return sorted((a for rest in left for a in rest), key=lambda a: a.t_s)

    def _take_fixes(self, now_s: float) -> list[Fix]:
        fixes = self.scenario.fixes
        start = self._next_fix
        while self._next_fix < len(fixes) and fixes[self._next_fix].delivery_s <= now_s:
            self._next_fix += 1
        return fixes[start:self._next_fix]

    # ---- fixes ---------------------------------------------------------------------------------

    def _post_json(self, fixes: list[Fix]) -> None:
        if not fixes:
            return
        try:
            answer = self.api.positions([fix_json(f, self.clock) for f in fixes])
        except ApiError as exc:
            self._failed("positions", str(exc))
            return
        self.status.fixes_sent += len(fixes)
        self.status.accepted += answer["accepted"]
        self.status.duplicates += answer["duplicates"]
        self.status.rejected += len(answer["rejected"])
        for bad in answer["rejected"][:3]:
            self._failed("fix rejected", f"{bad['field']}: {bad['reason']}")

    def _post_osmand(self, fix: Fix) -> None:
        try:
            self.api.osmand(osmand_params(fix, self.clock, self.osmand_ids.get(fix.device_id)))
        except ApiError as exc:
            self.status.rejected += 1
            self._failed("osmand", str(exc))
            return
        self.status.fixes_sent += 1
        self.status.accepted += 1

    # ---- actions -------------------------------------------------------------------------------

    def _failed(self, kind: str, message: str) -> None:
        with self._lock:
            self.report.errors_by_kind[kind] += 1
            if len(self.report.errors) < KEPT_ERRORS:
                self.report.errors.append(f"{kind}: {message}")

    def _act(self, action: Action) -> None:
        key = getattr(action, "crossing", None)
        if key is not None and key in self._broken:
            return
        try:
            self._dispatch(action)
            with self._lock:
                self.status.actions_done += 1
        except ApiError as exc:
            with self._lock:
                self.status.failed_actions += 1
                if key is not None:
                    self._broken.add(key)
            self._failed(type(action).__name__, str(exc))

    def _dispatch(self, action: Action) -> None:
        clock, api = self.clock, self.api
        if isinstance(action, FileDeclaration):
            api.file_declaration(declaration_body(action, clock))
        elif isinstance(action, RegisterDevice):
            d = action.device
            registered = api.register_device({"device_id": d.device_id, "kind": d.kind, "label": d.label,
                                              "owner": api.credentials.device_owner})
            if isinstance(registered, dict) and registered.get("osmand_id"):  # an escort phone's Traccar Client id
                with self._lock:
                    self.osmand_ids[d.device_id] = registered["osmand_id"]
        elif isinstance(action, PlanTrip):
            trip = api.plan_trip({
                "declaration_number": action.declaration_number, "vehicle_plates": list(action.vehicle_plates),
                "devices": [{"device_id": d.device_id, "role": d.role, "plate": d.plate} for d in action.devices],
                "origin": action.origin, "destination": action.destination, "corridor": action.corridor,
                "planned_departure": clock.iso(action.planned_departure_s), "deadline": clock.iso(action.deadline_s),
            })
            with self._lock:
                self.report.trip_ids[action.convoy_id] = trip["id"]
                self.status.trips += 1
        elif isinstance(action, CameraRead):
            read = api.plate_read({
                "checkpoint": action.checkpoint, "camera_id": action.camera_id, "lane": action.lane,
                "direction": action.direction, "plate": action.plate_text, "confidence": action.confidence,
                "time": clock.iso(action.t_s),
            })
            with self._lock:
                if action.direction == "entry" and read.get("crossing"):
                    self.report.crossing_ids[action.crossing] = read["crossing"]["id"]
                self.report.reads.append(read_outcome(action, read, self.report.crossing_ids.get(action.crossing)))
        elif isinstance(action, WeighbridgeReading):
            api.weighing({
                "checkpoint": action.checkpoint, "plate": action.plate_text, "gross_kg": action.gross_kg,
                "axle_loads_kg": list(action.axle_loads_kg), "axle_classes": list(action.axle_classes),
                "time": clock.iso(action.t_s), "weighbridge_id": action.weighbridge_id,
            })
        elif isinstance(action, OfficerStep):
            crossing_id = self.report.crossing_ids.get(action.crossing)
            if crossing_id is None:
                raise ApiError("POST", f"crossing {action.crossing}", 0, "its entry read opened no crossing")
            body: dict[str, Any] = {"notes": action.notes}
            if action.result is not None:
                body["result"] = action.result
            if action.declaration_number is not None:
                body["declaration_number"] = action.declaration_number
            api.crossing_step(crossing_id, action.step, body)


def declaration_body(action: FileDeclaration, clock: SimClock) -> dict[str, Any]:
    d = action.declaration
    body: dict[str, Any] = {
        "number": d.number, "kind": d.kind, "declaration_date": clock.bishkek_date(d.filed_s).isoformat(),
        "vehicle_plate": d.vehicle_plate, "trailer_plate": d.trailer_plate, "declared_gross_kg": d.declared_gross_kg,
        "goods_lines": [line.as_json() for line in d.goods_lines], "consignor": d.consignor, "consignee": d.consignee,
        "dispatch_country": d.dispatch_country, "destination_country": d.destination_country,
        "entry_checkpoint": d.entry_checkpoint, "exit_checkpoint": d.exit_checkpoint,
    }
    if d.deadline_s is not None:
        # In Bishkek time: the platform compares the deadline's own date with the declaration date.
        body["delivery_deadline"] = clock.bishkek_iso(d.deadline_s)
    return body
