"""One simulator run, start to finish: geography, scenario, truth, feeding, evaluation, clean-up.

Files of a run, in var/sim/<run-id>/:

- truth.json: every injected anomaly with its ground truth (written when the
  run starts, and again with the platform's trip ids when it ends);
- feed.json: what was sent, accepted, refused (the first errors word for word);
- evaluation.json: with --evaluate, the score per signal and every miss and
  false alarm, and how every camera read was matched (sim.plate_reads);
  evaluation.md: the scores, delays and reads as Markdown tables.

At the end, the run's trips still planned or in transit are cancelled, so
they do not go signal-lost (or overdue) on the platform hours later.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .client import ChekaraApi, Credentials
from .clock import SimClock, WallClock, utc_now
from .evaluation import (
    Evaluation,
    collect_observed,
    delay_table,
    markdown_table,
    not_observable_signal_losses,
    score,
)
from .feeder import FeedReport, FeedStatus, Feeder
from .geography import SimGeography, geography_from_api
from .plate_reads import read_table, score_reads
from .scenario import Scenario, generate_scenario
from .spec import ScenarioSpec
from .truth import GroundTruth

#: Trip ids left by a simulator start with this (declaration numbers: SIM-<run tag>-...).
SIM_PREFIX = "SIM-"


@dataclass
class RunResult:
    run_id: str
    directory: Path
    scenario: Scenario
    truth: GroundTruth
    report: FeedReport
    evaluation: Evaluation | None = None
    cancelled_trips: int = 0


def run_tag(seed: int, now: datetime) -> str:
    """Letters and digits that make the run's ids unique: day, time to the second, seed."""
    return f"{now:%d%H%M%S}S{seed}"


def settle_s(spec: ScenarioSpec) -> float:
    """How long to wait after the last post before reading alerts back: a sweep, and a little more."""
    return min(spec.sweep_interval_s, 10.0) + 2.0


def ground_truth(scenario: Scenario, clock: SimClock, run_id: str) -> GroundTruth:
    return GroundTruth(
        run_id=run_id, seed=scenario.spec.seed, epoch=clock.epoch, scenario_end_s=scenario.spec.end_s,
        live_from_s=scenario.spec.history_s, anomalies=list(scenario.anomalies),
        declarations=[d.number for d in scenario.declarations], cameras=scenario.cameras, devices=scenario.devices,
    )


def cancel_active_trips(api: ChekaraApi, trip_ids: set[int] | None, reason: str) -> int:
    """Cancel trips still planned or in transit: those of trip_ids, or (None) every simulator trip."""
    cancelled = 0
    for status in ("in_transit", "planned"):
        for trip in api.trips(status):
            ours = trip["id"] in trip_ids if trip_ids is not None else trip["declaration_number"].startswith(SIM_PREFIX)
            if ours:
                api.cancel_trip(trip["id"], reason)
                cancelled += 1
    return cancelled


def run_simulation(
    url: str,
    credentials: Credentials,
    spec: ScenarioSpec,
    out_dir: Path,
    *,
    evaluate: bool = False,
    on_progress: Callable[[FeedStatus], None] | None = None,
    stop: threading.Event | None = None,
    geography: SimGeography | None = None,
    wall: WallClock = utc_now,
    cleanup: bool = True,
) -> RunResult:
    api = ChekaraApi(url, credentials)
    try:
        if geography is None:
            geography = geography_from_api(api.checkpoints(), api.corridors())
        tag = run_tag(spec.seed, wall())
        run_id = f"{wall():%Y%m%d-%H%M%S}-seed{spec.seed}"
        directory = out_dir / run_id
        scenario = generate_scenario(spec, geography, tag)
        clock = SimClock.starting_now(spec.history_s, wall)
        truth = ground_truth(scenario, clock, run_id)
        truth.write(directory / "truth.json")
        feeder = Feeder(scenario, clock, api, on_progress=on_progress, stop=stop)
        result = RunResult(run_id, directory, scenario, truth, feeder.report)
        try:
            feeder.run()
            truth.trip_ids = dict(feeder.report.trip_ids)
            if evaluate and not feeder.report.stopped_early:
                time.sleep(settle_s(spec))
                observed = collect_observed(api, truth, datetime.now(UTC))
                hidden = not_observable_signal_losses(truth, feeder.report.caught_up_s, spec.sweep_interval_s)
                result.evaluation = score(truth, observed, hidden)
                result.evaluation.reads = score_reads(feeder.report.reads)
                write_evaluation(directory / "evaluation.json", result.evaluation, truth)
                (directory / "evaluation.md").write_text(
                    markdown_table(result.evaluation) + "\n" + delay_table(result.evaluation) + "\n"
                    + read_table(result.evaluation.reads), encoding="utf-8")
        finally:
            truth.trip_ids = dict(feeder.report.trip_ids)
            truth.write(directory / "truth.json")
            write_feed(directory / "feed.json", feeder.report)
            if cleanup:
                result.cancelled_trips = cancel_active_trips(
                    api, set(feeder.report.trip_ids.values()), f"simulation run {run_id} ended")
        return result
    finally:
        api.close()


def write_feed(path: Path, report: FeedReport) -> None:
    path.write_text(json.dumps({
        "status": asdict(report.status), "trips": len(report.trip_ids), "crossings": len(report.crossing_ids),
        "caught_up_s": report.caught_up_s, "stopped_early": report.stopped_early,
        "errors_by_kind": dict(report.errors_by_kind), "errors": report.errors,
    }, indent=2), encoding="utf-8")


def write_evaluation(path: Path, evaluation: Evaluation, truth: GroundTruth) -> None:
    def expected(e) -> dict:
        return {**asdict(e), "trip_id": truth.trip_ids.get(e.convoy_id) if e.convoy_id else None,
                "start": truth.instant(e.start_s).isoformat(), "end": truth.instant(e.end_s).isoformat()}

    def observed(o) -> dict:
        return {**asdict(o), "start": o.start.isoformat(), "end": o.end.isoformat(),
                "raised": o.raised.isoformat() if o.raised else None}

    path.write_text(json.dumps({
        "rows": [{"source": r.source, "type": r.type, "name": r.name, "tp": r.tp, "fp": r.fp, "fn": r.fn,
                  "not_observable": r.not_observable, "precision": r.precision, "recall": r.recall}
                 for r in evaluation.rows],
        "missed": [expected(e) for e in evaluation.missed],
        "false_alarms": [observed(o) for o in evaluation.false_alarms],
        "matched": [{"expected": expected(e), "observed": o.ref} for e, o in evaluation.matched],
        "delays": [{**asdict(d), "within_goal": d.within_goal} for d in evaluation.delays],
        "plate_reads": None if evaluation.reads is None else {
            "counts": {kind: dict(c) for kind, c in evaluation.reads.counts.items()},
            "wrong_vehicle": [asdict(o) for o in evaluation.reads.wrong],
            "known_vehicle_not_matched": [asdict(o) for o in evaluation.reads.unmatched]},
    }, indent=2, ensure_ascii=False), encoding="utf-8")
