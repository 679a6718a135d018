"""The feeder against a recording fake of the API, on a fake clock (no server, no waiting)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from chekara.sim.client import ApiError, Credentials
from chekara.sim.clock import SimClock
from chekara.sim.feeder import Feeder, declaration_body, osmand_params
from chekara.sim.model import CameraRead, FileDeclaration
from chekara.sim.scenario import generate_scenario
from chekara.sim.spec import ScenarioSpec

START = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)


class FakeApi:
    """Records every call; answers like the platform would, minus the platform."""

    def __init__(self, refuse_reads_of: set[tuple[str, str]] = frozenset()) -> None:
        self.credentials = Credentials("op", "off", "dev", "sim-device")
        self.calls: list[tuple[str, object]] = []
        self.requests = 0
        self.refuse_reads_of = refuse_reads_of
        self._ids = 0

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _record(self, name, body):
        self.requests += 1
        self.calls.append((name, body))

    def register_device(self, body):
        self._record("device", body)

    def plan_trip(self, body):
        self._record("trip", body)
        return {"id": self._next()}

    def file_declaration(self, body):
        self._record("declaration", body)

    def plate_read(self, body):
        self._record("read", body)
        if (body["camera_id"], body["time"]) in self.refuse_reads_of:
            raise ApiError("POST", "/api/v1/plate-reads", 422, "refused")
        return {"crossing": {"id": self._next()}}

    def weighing(self, body):
        self._record("weighing", body)

    def crossing_step(self, crossing_id, step, body):
        self._record("step", (crossing_id, step, body))

    def positions(self, fixes):
        self._record("positions", fixes)
        return {"accepted": len(fixes), "duplicates": 0, "rejected": []}

    def osmand(self, params):
        self._record("osmand", params)


class SteppingWall:
    """A wall clock that moves on step_s every time it is read."""

    def __init__(self, start: datetime, step_s: float) -> None:
        self.now, self.step = start, timedelta(seconds=step_s)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@pytest.fixture(scope="module")
def scenario(geography):
    spec = ScenarioSpec(seed=2, convoys=5, history_s=1500, live_s=1500, tick_s=0.001, osmand_share=1.0,
                        mid_route_share=0.4)
    return generate_scenario(spec, geography, "FD")


def feed(scenario, api, step_s=5.0, stop=None):
    wall = SteppingWall(START, step_s)
    clock = SimClock.starting_now(scenario.spec.history_s, wall)
    return Feeder(scenario, clock, api, stop=stop).run(), clock


def test_everything_is_sent_once_fixes_by_the_protocol_of_their_device(scenario):
    api = FakeApi()
    report, _ = feed(scenario, api)
    json_sent = [f["device_id"] for name, body in api.calls if name == "positions" for f in body]
    osmand_sent = [p["id"] for name, p in api.calls if name == "osmand"]
    assert sorted(json_sent + osmand_sent) == sorted(f.device_id for f in scenario.fixes)
    assert osmand_sent and report.status.fixes_sent == len(scenario.fixes)
    assert report.status.actions_done == len(scenario.actions) and report.errors == []
    assert set(report.trip_ids) == {c.convoy_id for c in scenario.convoys}


def test_the_catch_up_registers_devices_and_plans_trips_before_any_fix(scenario):
    api = FakeApi()
    feed(scenario, api)
    first_positions = next(i for i, (name, _) in enumerate(api.calls) if name == "positions")
    due = [a for a in scenario.actions if a.t_s <= scenario.spec.history_s]
    before = Counter(name for name, _ in api.calls[:first_positions])
    assert before["trip"] == sum(1 for a in due if type(a).__name__ == "PlanTrip") > 0
    assert before["read"] == before["declaration"] == 0  # checkpoint paperwork waits for the first live tick


def test_the_catch_up_delivers_each_convoys_backlog_whole_in_one_batch(scenario):
    api = FakeApi()
    clock = SimClock.starting_now(scenario.spec.history_s, SteppingWall(START, 5.0))
    feeder = Feeder(scenario, clock, api, batch_size=300)  # small batches: several convoys must share or not
    caught_up = []
    original = api.positions

    def positions(fixes):
        if feeder.status.phase == "catch-up":
            caught_up.append(fixes)
        return original(fixes)

    api.positions = positions
    feeder.run()
    assert len(caught_up) > 1
    batch_of: dict[str, set[int]] = {}
    for n, batch in enumerate(caught_up):
        for fix in batch:
            batch_of.setdefault(fix["device_id"].rsplit("-", 1)[0], set()).add(n)
    assert all(len(batches) == 1 for batches in batch_of.values())
    due = {f.group for f in scenario.fixes if f.t_s <= scenario.spec.history_s}
    assert {k.rsplit("-", 1)[1] for k in batch_of} == due


def test_fixes_are_never_sent_before_their_time(scenario):
    api = FakeApi()
    wall = SteppingWall(START, 5.0)
    clock = SimClock.starting_now(scenario.spec.history_s, wall)
    sent_at = []
    original = api.positions

    def positions(fixes):
        now = wall.now
        sent_at.extend((datetime.fromisoformat(f["ts"]), now) for f in fixes)
        return original(fixes)

    api.positions = positions
    Feeder(scenario, clock, api).run()
    assert sent_at and all(ts <= now for ts, now in sent_at)


def test_a_refused_entry_read_skips_the_rest_of_its_crossing_and_is_reported(scenario):
    entry = next(a for a in scenario.actions if isinstance(a, CameraRead) and a.direction == "entry")
    wall = SteppingWall(START, 5.0)
    clock = SimClock.starting_now(scenario.spec.history_s, wall)
    api = FakeApi(refuse_reads_of={(entry.camera_id, clock.iso(entry.t_s))})
    report = Feeder(scenario, clock, api).run()
    crossing_actions = [a for a in scenario.actions if getattr(a, "crossing", None) == entry.crossing]
    assert len(crossing_actions) > 1
    assert dict(report.errors_by_kind) == {"CameraRead": 1} and report.status.failed_actions == 1
    assert report.status.actions_done == len(scenario.actions) - len(crossing_actions)


def test_a_stop_request_ends_the_run_early(scenario):
    stop = threading.Event()
    stop.set()
    report, _ = feed(scenario, FakeApi(), stop=stop)
    assert report.stopped_early and report.status.phase == "stopped"


def test_osmand_fixes_carry_knots_and_unix_time_and_declarations_a_bishkek_deadline(scenario):
    clock = SimClock(START)
    fix = max((f for f in scenario.fixes if f.protocol == "osmand"), key=lambda f: f.speed_kmh)
    params = osmand_params(fix, clock)
    assert params["speed"] == pytest.approx(fix.speed_kmh / 1.852, abs=0.01)
    assert params["timestamp"] == int((START + timedelta(seconds=fix.t_s)).timestamp())
    filing = next(a for a in scenario.actions if isinstance(a, FileDeclaration))
    body = declaration_body(filing, clock)
    assert body["delivery_deadline"].endswith("+06:00") and body["kind"] == "transit"
    assert body["declaration_date"] == clock.bishkek_date(filing.declaration.filed_s).isoformat()
