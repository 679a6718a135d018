"""The simulator end to end: a seeded scenario fed over HTTP to a real server, its alerts scored.

The server here is the test's own, on its own scratch database, because it
must sweep (CHEKARA_SWEEP_INTERVAL_S=1): signal loss is raised by the
server's sweeper, and the session's live_server does not sweep (the other
e2e tests choose their sweep times themselves).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from chekara.config import PROJECT_ROOT, get_settings
from chekara.db.engine import make_engine
from chekara.domain.roles import Actor
from chekara.services.seed import seed_reference_data
from chekara.services.tokens import create_token
from chekara.sim.client import Credentials
from chekara.sim.run import run_simulation
from chekara.sim.plates import ReadRates
from chekara.sim.spec import AnomalyRates, ScenarioSpec
from tests.database import create_scratch_database, database_url, drop_scratch_database
from tests.e2e.conftest import CHEKARA_BIN, free_port, start_server

pytestmark = pytest.mark.e2e

SWEEP_INTERVAL_S = 1.0
#: An hour of border traffic, 59 minutes caught up at once and 35 seconds live, with more of the three
#: anomalies the issue names than the default rates give (seed 3: 3 deviations, 6 stops, 3 signal losses).
SPEC = ScenarioSpec(seed=3, convoys=10, history_s=3540.0, live_s=35.0, sweep_interval_s=SWEEP_INTERVAL_S,
                    catch_up_allowance_s=12.0, tick_s=1.0,
                    rates=AnomalyRates(route_deviation=0.4, unauthorized_stop=0.3, signal_loss=0.4))
KEY_SIGNALS = ("route_deviation", "unauthorized_stop", "signal_lost")
#: Forty minutes of hard traffic (sim.profile: wandering road, sparse and noisy trackers, coverage holes
#: uploaded late, phone clocks off, anomalies near their thresholds) through the whole platform.
HARD_SPEC = ScenarioSpec(seed=5, convoys=10, history_s=2400.0, live_s=40.0, sweep_interval_s=SWEEP_INTERVAL_S,
                         catch_up_allowance_s=12.0, tick_s=1.0, profile="hard",
                         rates=AnomalyRates(route_deviation=0.4, unauthorized_stop=0.3, signal_loss=0.3,
                                            escort_separation=0.3, gps_jump=0.3))
HARD_SIGNALS = ("route_deviation", "unauthorized_stop", "signal_lost", "convoy_separation", "gps_anomaly")
#: Fifty minutes of convoys leaving their origin checkpoints and walk-in trucks, a quarter of the camera reads
#: misread beyond what the plate's format takes back (the hard profile's cameras: 2 %) and a half of the rest within it.
#: The plates are drawn anew each run (salted with the run's tag): of 300 runs' ~37 reads, 5 to 13 were misread
#: beyond the format and 9 to 19 within it, hence the minimum of 4 of each below.
PLATES_SPEC = ScenarioSpec(seed=6, convoys=10, history_s=3000.0, live_s=35.0, sweep_interval_s=SWEEP_INTERVAL_S,
                           catch_up_allowance_s=12.0, tick_s=1.0, profile="hard", mid_route_share=0.0,
                           reads=ReadRates(unrecoverable=0.25, one_confusion=0.5),
                           rates=replace(AnomalyRates.none(), undeclared_vehicle=0.5))
PLATE_ALERTS = ("undeclared_vehicle", "plate_mismatch", "exit_without_release")


@dataclass
class SweepingServer:
    url: str
    credentials: Credentials


@pytest.fixture(scope="module")
def sweeping_server(tmp_path_factory) -> Iterator[SweepingServer]:
    name = create_scratch_database("chekara_sim")
    engine = make_engine(get_settings(), name)
    try:
        with Session(engine) as session:
            seed_reference_data(session, get_settings().geodata_dir)
            tokens = {role: create_token(session, get_settings(), f"sim-e2e-{role}", role, Actor("e2e", "admin")).token
                      for role in ("operator", "officer", "device")}
            session.commit()
        env = dict(os.environ, CHEKARA_DATABASE_URL=database_url(name), CHEKARA_SWEEP_INTERVAL_S=str(SWEEP_INTERVAL_S))
        process, url = start_server(env, free_port(), tmp_path_factory.mktemp("sim-server") / "server.log")
        try:
            yield SweepingServer(url, Credentials(tokens["operator"], tokens["officer"], tokens["device"],
                                                  device_owner="sim-e2e-device"))
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        engine.dispose()
        drop_scratch_database(name)


def test_a_seeded_hour_of_traffic_is_detected_with_precision_and_recall_of_at_least_095(sweeping_server, tmp_path):
    result = run_simulation(sweeping_server.url, sweeping_server.credentials, SPEC, tmp_path, evaluate=True)

    status = result.report.status
    assert result.report.errors == [] and status.rejected == 0, result.report.errors
    assert status.fixes_sent == len(result.scenario.fixes) and status.trips == len(result.scenario.convoys)
    evaluation = result.evaluation
    for kind in KEY_SIGNALS:
        row = evaluation.row(kind)
        assert row.tp >= 2 and row.not_observable == 0, (kind, row)  # a real test, not a vacuous one
        assert row.recall >= 0.95 and row.precision >= 0.95, (
            kind, row, [e for e in evaluation.missed if e.type == kind],
            [o for o in evaluation.false_alarms if o.type == kind])

    truth = json.loads((result.directory / "truth.json").read_text(encoding="utf-8"))
    assert set(truth["trip_ids"]) == {c.convoy_id for c in result.scenario.convoys}
    assert truth["anomalies"] and all(a["window"]["start"] <= a["window"]["end"] for a in truth["anomalies"])


def test_hard_traffic_through_the_platform_raises_no_false_alarm_and_finds_what_it_can(sweeping_server, tmp_path):
    """The pooled >= 0.95 goals are asserted on many seeded hard runs in tests/unit/sim/test_hard_profile.py;
    here one small run goes through the whole platform (late uploads, its late-fix replay, its sweeper)."""
    result = run_simulation(sweeping_server.url, sweeping_server.credentials, HARD_SPEC, tmp_path, evaluate=True)

    status = result.report.status
    assert result.report.errors == [] and status.rejected == 0, result.report.errors
    evaluation = result.evaluation
    found = missed = 0
    for kind in HARD_SIGNALS:
        row = evaluation.row(kind)
        assert row.fp == 0, (kind, [o for o in evaluation.false_alarms if o.type == kind])
        found, missed = found + row.tp, missed + row.fn
    assert found >= 10 and found / (found + missed) >= 0.9, [e for e in evaluation.missed if e.type in HARD_SIGNALS]
    assert all(d.within_goal for d in evaluation.delays if d.type in HARD_SIGNALS), evaluation.delays


def test_misread_plates_are_matched_to_their_vehicle_or_to_none_never_to_another(sweeping_server, tmp_path):
    result = run_simulation(sweeping_server.url, sweeping_server.credentials, PLATES_SPEC, tmp_path, evaluate=True)

    assert result.report.errors == [], result.report.errors  # a misread blocks no crossing
    reads = result.evaluation.reads
    assert reads.wrong_matches == 0, reads.wrong
    assert reads.unmatched == [], reads.unmatched  # every read the format takes back found its vehicle
    assert sum(reads.counts["unrecoverable"].values()) >= 4 and sum(reads.counts["recoverable"].values()) >= 4
    for kind in PLATE_ALERTS:  # what the platform does with an unknown plate, and nothing else
        row = result.evaluation.row(kind)
        assert row.tp >= 1 and row.fp == 0 and row.fn == 0, (
            kind, row, [e for e in result.evaluation.missed if e.type == kind],
            [o for o in result.evaluation.false_alarms if o.type == kind])


def test_the_simulate_command_has_help():
    result = subprocess.run([CHEKARA_BIN, "simulate", "--help"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, COLUMNS="200"))
    assert result.returncode == 0 and "--evaluate" in result.stdout and "--speed" in result.stdout
    assert "--profile" in result.stdout


@dataclass
class _Demo:
    process: subprocess.Popen
    url: str
    output: Path

    def said(self) -> str:
        return self.output.read_text()

    def stopped_by(self, signum: int, exit_codes: tuple[int, ...] = (0,)) -> None:
        """The demo exits (with one of `exit_codes`) on the signal, and its server no longer answers."""
        self.process.send_signal(signum)
        assert self.process.wait(timeout=60) in exit_codes, self.said()
        assert "server stopped" in self.said()
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{self.url}/healthz", timeout=2)


@contextmanager
def _demo(tmp_path: Path, convoys: int, **env: str) -> Iterator[_Demo]:
    """`chekara demo` on a scratch database of its own; killed and dropped afterwards."""
    name = create_scratch_database("chekara_demo")
    port = free_port()
    env = dict(os.environ, CHEKARA_DATABASE_URL=database_url(name), CHEKARA_VAR_DIR=str(tmp_path), COLUMNS="200", **env)
    output = tmp_path / "demo.out"
    process = subprocess.Popen([CHEKARA_BIN, "demo", "--port", str(port), "--convoys", str(convoys)], env=env,
                               cwd=PROJECT_ROOT, stdout=output.open("w"), stderr=subprocess.STDOUT)
    try:
        yield _Demo(process, f"http://127.0.0.1:{port}", output)
    finally:
        if process.poll() is None:
            process.kill()
        drop_scratch_database(name)


def test_the_demo_brings_moving_convoys_and_alerts_and_ctrl_c_stops_simulator_and_server(tmp_path):
    with _demo(tmp_path, 8, CHEKARA_SWEEP_INTERVAL_S="5") as demo:
        token = None
        convoys, alerts = [], []
        deadline = time.monotonic() + 120  # the issue: moving convoys and the first alerts within two minutes
        while time.monotonic() < deadline and not (convoys and alerts):
            time.sleep(2)
            assert demo.process.poll() is None, demo.said()
            token = token or _demo_token(demo.said(), "operator")
            if token is None:
                continue
            try:
                headers = {"Authorization": f"Bearer {token}"}
                convoys = httpx.get(f"{demo.url}/api/v1/live/convoys", headers=headers, timeout=5).json()["features"]
                alerts = httpx.get(f"{demo.url}/api/v1/alerts", headers=headers, timeout=5).json()
            except (httpx.HTTPError, KeyError):
                continue
        assert convoys and alerts
        demo.stopped_by(signal.SIGINT)
        assert "unfinished trips cancelled" in demo.said()


def test_sigterm_stops_the_demo_and_its_server(tmp_path):
    """The server runs in a session of its own (the terminal's Ctrl-C reaches only the demo): a `kill` of
    the demo must stop it too, or it is left serving on the port and the next demo refuses to start."""
    with _demo(tmp_path, 2) as demo:
        deadline = time.monotonic() + 120
        while "starting 2 convoys" not in demo.said():
            assert demo.process.poll() is None and time.monotonic() < deadline, demo.said()
            time.sleep(0.5)
        assert httpx.get(f"{demo.url}/healthz", timeout=5).status_code == 200
        # 0 when the signal comes during the simulated day (its trips cancelled first), 130 when it
        # interrupts the set-up before it, as Ctrl-C would: the server is stopped either way.
        demo.stopped_by(signal.SIGTERM, exit_codes=(0, 130))


def _demo_token(output: str, role: str) -> str | None:
    for line in output.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == role and words[1].startswith("chk_"):
            return words[1]
    return None
