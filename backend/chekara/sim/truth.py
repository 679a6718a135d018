"""Ground truth: every anomaly the simulator injected, and what the platform should raise for it.

An InjectedAnomaly says what happened (type, convoy, devices, time window,
magnitude, measured on the true, noise-free motion). Its ``expected`` list
says which alerts (or findings) the platform ought to produce, each with
the keys it is matched on: a plate swapped en route should give both an
``undeclared_vehicle`` (the camera's plate fits no declaration) and a
``plate_mismatch`` (the officer links the declaration and the plates
differ).

The truth is written to var/sim/<run-id>/truth.json when a run starts and
again, with the platform's trip ids, when it ends.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any


class AnomalyKind(StrEnum):
    route_deviation = "route_deviation"
    unauthorized_stop = "unauthorized_stop"
    signal_loss = "signal_loss"
    overdue_arrival = "overdue_arrival"
    escort_separation = "escort_separation"
    gps_jump = "gps_jump"
    weight_discrepancy = "weight_discrepancy"
    undeclared_vehicle = "undeclared_vehicle"
    plate_mismatch = "plate_mismatch"
    transit_never_closed = "transit_never_closed"
    #: A camera read no format can take back (sim.plate_reads); only in the hard profile.
    plate_misread = "plate_misread"


@dataclass(frozen=True)
class ExpectedSignal:
    """One alert or finding the platform should produce.

    ``source`` is "alert" or "finding"; ``type`` the platform's alert type or
    finding kind. Keys that do not apply are None. ``timed`` False: the
    platform stamps it with its own clock (an officer's step), so it is
    matched on its keys alone.
    """

    source: str
    type: str
    start_s: float
    end_s: float
    convoy_id: str | None = None
    device_id: str | None = None
    declaration: str | None = None
    checkpoint: str | None = None
    plate: str | None = None  # canonical
    timed: bool = True
    #: When the anomaly crosses the platform's threshold (scenario seconds; None: no delay is measured),
    #: and the reporting interval of the device that can show it first, seconds (the delay goal's unit).
    threshold_s: float | None = None
    interval_s: float | None = None


@dataclass(frozen=True)
class InjectedAnomaly:
    anomaly_id: str
    kind: AnomalyKind
    start_s: float
    end_s: float
    magnitude: dict[str, float]
    convoy_id: str | None = None
    device_ids: tuple[str, ...] = ()
    declaration: str | None = None
    checkpoint: str | None = None
    expected: tuple[ExpectedSignal, ...] = ()


@dataclass
class GroundTruth:
    run_id: str
    seed: int
    epoch: datetime  # the instant of scenario second 0
    scenario_end_s: float
    live_from_s: float
    anomalies: list[InjectedAnomaly]
    #: convoy id -> the platform's trip id, filled in as trips are created.
    trip_ids: dict[str, int] = field(default_factory=dict)
    #: Every declaration number, camera and device of the run (to tell its alerts from others').
    declarations: list[str] = field(default_factory=list)
    cameras: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)

    def instant(self, t_s: float) -> datetime:
        return self.epoch + timedelta(seconds=t_s)

    def expected(self) -> list[ExpectedSignal]:
        return [e for a in self.anomalies for e in a.expected]

    def to_json(self) -> dict[str, Any]:
        def window(start: float, end: float) -> dict[str, str]:
            return {"start": self.instant(start).isoformat(), "end": self.instant(end).isoformat()}

        anomalies = []
        for a in self.anomalies:
            body = asdict(a)
            body["kind"] = a.kind.value
            body["window"] = window(a.start_s, a.end_s)
            body["trip_id"] = self.trip_ids.get(a.convoy_id) if a.convoy_id else None
            for e, raw in zip(a.expected, body["expected"]):
                raw["window"] = window(e.start_s, e.end_s)
                raw["trip_id"] = self.trip_ids.get(e.convoy_id) if e.convoy_id else None
            anomalies.append(body)
        return {
            "run_id": self.run_id, "seed": self.seed, "epoch": self.epoch.isoformat(),
            "scenario_end": self.instant(self.scenario_end_s).isoformat(),
            "live_from": self.instant(self.live_from_s).isoformat(),
            "trip_ids": self.trip_ids, "declarations": self.declarations, "cameras": self.cameras,
            "devices": self.devices, "anomalies": anomalies,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")


def read_truth(path: Path) -> GroundTruth:
    """A truth.json back into a GroundTruth (for evaluating a run after the fact)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    anomalies = []
    for a in raw["anomalies"]:
        expected = tuple(
            ExpectedSignal(**{k: v for k, v in e.items() if k not in ("window", "trip_id")}) for e in a["expected"]
        )
        fields = {k: v for k, v in a.items() if k not in ("window", "trip_id", "expected", "kind", "device_ids")}
        anomalies.append(InjectedAnomaly(**fields, kind=AnomalyKind(a["kind"]), device_ids=tuple(a["device_ids"]),
                                         expected=expected))
    return GroundTruth(
        run_id=raw["run_id"], seed=raw["seed"], epoch=datetime.fromisoformat(raw["epoch"]),
        scenario_end_s=(datetime.fromisoformat(raw["scenario_end"]) - datetime.fromisoformat(raw["epoch"])).total_seconds(),
        live_from_s=(datetime.fromisoformat(raw["live_from"]) - datetime.fromisoformat(raw["epoch"])).total_seconds(),
        anomalies=anomalies, trip_ids={k: int(v) for k, v in raw["trip_ids"].items()},
        declarations=raw["declarations"], cameras=raw["cameras"], devices=raw["devices"],
    )
