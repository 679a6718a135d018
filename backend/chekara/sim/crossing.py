"""One vehicle through one checkpoint, as the checkpoint's devices and officer record it.

The crossing procedure (chekara.domain.crossing_procedure) in the yellow
channel every declaration gets until the risk issue lands: entry camera,
documents, weighbridge (or a weighing by hand where there is none),
inspection, release, exit camera. Minutes between steps are what a
freight post takes on an ordinary day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .geography import SimCheckpoint
from .model import Action, CameraRead, OfficerStep, WeighbridgeReading
from .plate_reads import canonical_plate, exit_closes_crossing
from .plates import CameraText, ReadRates, VehiclePlate, camera_text, typed_text

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
    #: The declaration naming this plate (None: none does, a walk-in or a swapped truck). When the entry camera
    #: misreads the plate beyond what its format takes back, the crossing opens with no declaration and the
    #: officer names this one at the documents check: the driver hands it over with the plate in plain sight.
    declaration: str | None = None
    #: The declaration named or linked gives this plate (False: a swapped truck, under another truck's declaration).
    plate_declared: bool = True


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
    entry = camera_text(plan.plate, texts, reads)
    actions: list[Action] = [_read(plan, t, camera_id(plan.run_tag, cp.code, "entry", lane), lane, "entry", entry)]
    t += rng.uniform(4, 10) * 60
    named = plan.link_declaration or (plan.declaration if entry.unrecoverable else None)
    actions.append(OfficerStep(t, plan.group, plan.key, "documents_checked", "CMR, invoice and transit document checked",
                               declaration_number=named))
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
    # A misread exit read may still stand for a plate the crossing is known by (the same dirt or bolt made
    # both cameras misread the plate alike, say): it closes the crossing as any read of that plate would.
    matched_at_entry = plan.declaration is not None and not entry.unrecoverable
    stored = plan.plate.canonical if matched_at_entry else canonical_plate(entry.text)
    declared = [plan.plate.canonical] if plan.plate_declared and (plan.declaration or plan.link_declaration) else []
    closes = leave.unrecoverable and exit_closes_crossing(leave.text, stored, declared, matched_at_entry)
    actions.append(_read(plan, t, camera_id(plan.run_tag, cp.code, "exit", lane), lane, "exit", leave,
                         closes_its_crossing=closes))
    if leave.unrecoverable and not closes:
        # The platform sees a vehicle leaving that never entered; the gate officer saw this one go.
        actions.append(OfficerStep(t + texts.uniform(1, 3) * 60, plan.group, plan.key, "exited",
                                   "seen leaving: the exit camera misread the plate"))
    return actions, t


def _read(plan: CrossingPlan, t: float, camera: str, lane: int, direction: str, text: CameraText,
          closes_its_crossing: bool = False) -> CameraRead:
    misread = "unrecoverable" if text.unrecoverable else "recoverable" if text.confusions else "clean"
    return CameraRead(t, plan.group, plan.key, plan.checkpoint.code, camera, lane, direction, text.text,
                      text.confidence, plate=plan.plate.canonical, misread=misread, declaration=plan.declaration,
                      closes_its_crossing=closes_its_crossing)
