"""One vehicle through one checkpoint, as the checkpoint's devices and officer record it.

The crossing procedure (chekara.domain.crossing_procedure) in the yellow
channel every declaration gets until the risk issue lands: entry camera,
documents, weighbridge (or a weighing by hand where there is none),
inspection, release, exit camera. Minutes between steps are what a
freight post takes on an ordinary day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .geography import SimCheckpoint
from .model import Action, CameraRead, OfficerStep, WeighbridgeReading
from .plates import ReadRates, VehiclePlate, camera_text, typed_text

#: Axle classes of a five-axle semi-trailer combination: steer, drive, tri-axle trailer.
AXLE_CLASSES = ("single", "single", "tridem", "tridem", "tridem")
#: Share of the gross each axle carries (the trailer's three share the rest equally).
STEER_SHARE, DRIVE_SHARE = 0.17, 0.27


@dataclass(frozen=True)
class CrossingPlan:
    key: str
    group: str
    run_tag: str
    checkpoint: SimCheckpoint
    plate: VehiclePlate  # what the cameras and the weighbridge see
    measured_gross_kg: int
    entry_s: float
    #: The officer links this declaration at the documents check (the camera's plate matched none).
    link_declaration: str | None = None
    #: The entry camera reads this plate without OCR confusions. For a truck that is not the declared one:
    #: its crossing keeps the plate as first read, and a later weighing of the true plate cannot be matched
    #: to a misread whose format is unknown (a platform limitation reported with the simulator's issue).
    clean_entry_read: bool = False


def axle_loads(gross_kg: int) -> tuple[int, ...]:
    steer = round(gross_kg * STEER_SHARE)
    drive = round(gross_kg * DRIVE_SHARE)
    trailer = gross_kg - steer - drive
    each = trailer // 3
    return steer, drive, each, each, trailer - 2 * each


def camera_id(run_tag: str, checkpoint: str, direction: str, lane: int) -> str:
    return f"SIM-{run_tag}-{checkpoint}-{'E' if direction == 'entry' else 'X'}{lane}"


def crossing_actions(plan: CrossingPlan, rng: random.Random, reads: ReadRates) -> tuple[list[Action], float]:
    """The actions of the crossing, and when the vehicle leaves through the exit camera."""
    cp = plan.checkpoint
    # Texts draw from a source of their own: how a plate is misread must not move the crossing's times
    # (the same seed gives the same traffic whatever the run's plates).
    texts = random.Random(rng.getrandbits(64))
    lane = rng.randint(1, max(cp.lanes, 1))
    t = plan.entry_s
    entry = camera_text(plan.plate, texts, replace(reads, one_confusion=0.0, two_confusions=0.0)
                        if plan.clean_entry_read else reads)
    actions: list[Action] = [CameraRead(t, plan.group, plan.key, cp.code, camera_id(plan.run_tag, cp.code, "entry", lane),
                                        lane, "entry", entry.text, entry.confidence)]
    t += rng.uniform(4, 10) * 60
    actions.append(OfficerStep(t, plan.group, plan.key, "documents_checked", "CMR, invoice and transit document checked",
                               declaration_number=plan.link_declaration))
    t += rng.uniform(3, 8) * 60
    if cp.has_weighbridge:
        actions.append(WeighbridgeReading(
            t, plan.group, plan.key, cp.code, typed_text(plan.plate, texts), plan.measured_gross_kg,
            axle_loads(plan.measured_gross_kg), AXLE_CLASSES, f"SIM-{plan.run_tag}-{cp.code}-WB"))
    else:
        actions.append(OfficerStep(t, plan.group, plan.key, "weighed", "no weighbridge: axle count and load checked by eye"))
    t += rng.uniform(4, 12) * 60
    actions.append(OfficerStep(t, plan.group, plan.key, "inspected", "seals intact, load matches the documents",
                               result="not_found"))
    t += rng.uniform(1, 4) * 60
    actions.append(OfficerStep(t, plan.group, plan.key, "released"))
    t += rng.uniform(2, 5) * 60
    leave = camera_text(plan.plate, texts, reads)
    actions.append(CameraRead(t, plan.group, plan.key, cp.code, camera_id(plan.run_tag, cp.code, "exit", lane),
                              lane, "exit", leave.text, leave.confidence))
    return actions, t
