"""What a scenario is made of: convoys, their devices and declarations, and the timeline to feed.

Times are scenario seconds (0 = the scenario's start); the feeder turns them
into instants when it runs (sim.clock). Everything here is plain data.

The timeline has two kinds of items:

- fixes (Fix), posted in batches to ``POST /api/v1/positions`` or one by one
  to ``/osmand``;
- actions (the other dataclasses here), each one API call: file a
  declaration, register a device, plan a trip, a camera read, a weighing,
  an officer's step.

Every item carries its ``group``: the convoy (or the walk-in vehicle) it
belongs to. While catching up with real time the feeder delivers one group's
backlog in one batch (sim.feeder explains why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .goods import GoodsLineDraft
from .plates import VehiclePlate

Protocol = Literal["json", "osmand"]


@dataclass(frozen=True, slots=True)
class Fix:
    t_s: int
    device_id: str
    lon: float
    lat: float
    speed_kmh: float | None
    heading_deg: float | None
    accuracy_m: float
    battery_pct: float | None
    protocol: Protocol
    group: str
    #: When the device uploads it, scenario seconds (None: as it is taken). Later after a coverage hole
    #: (store-and-forward); t_s is the device's stamp, off by its clock's error on a phone.
    delivered_s: int | None = None

    @property
    def delivery_s(self) -> int:
        return self.t_s if self.delivered_s is None else self.delivered_s


@dataclass(frozen=True)
class DeviceSpec:
    device_id: str
    kind: Literal["tracker", "escort_phone"]
    role: Literal["vehicle", "escort"]
    plate: str | None
    interval_s: int
    noise_m: float
    protocol: Protocol
    label: str
    #: The device clock's error, seconds (its fixes are stamped this much later than taken).
    clock_skew_s: int = 0


@dataclass(frozen=True)
class DeclarationPlan:
    number: str
    kind: Literal["transit", "import", "export"]
    filed_s: float
    vehicle_plate: str
    trailer_plate: str | None
    declared_gross_kg: int
    goods_lines: tuple[GoodsLineDraft, ...]
    consignor: str
    consignee: str
    dispatch_country: str
    destination_country: str
    entry_checkpoint: str | None
    exit_checkpoint: str | None
    deadline_s: float | None


@dataclass(frozen=True)
class Truck:
    plate: VehiclePlate
    trailer: VehiclePlate
    declaration: DeclarationPlan
    tracker: DeviceSpec


@dataclass
class Convoy:
    """One escorted trip: trucks and an escort along a route, from checkpoint to checkpoint."""

    convoy_id: str
    corridor: str
    origin: str
    destination: str
    trucks: list[Truck]
    escort: DeviceSpec
    planned_s: float  # trip planned (declarations filed, devices registered)
    planned_departure_s: float
    first_fix_s: float
    departed_s: float  # the leader leaves the origin geofence
    arrived_s: float | None  # the leader enters the destination geofence (None: not within the scenario)
    last_fix_s: float
    deadline_s: float
    starts_mid_route: bool
    devices: list[DeviceSpec] = field(default_factory=list)


# ---- actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileDeclaration:
    t_s: float
    group: str
    declaration: DeclarationPlan


@dataclass(frozen=True)
class RegisterDevice:
    t_s: float
    group: str
    device: DeviceSpec


@dataclass(frozen=True)
class PlanTrip:
    t_s: float
    group: str
    convoy_id: str
    declaration_number: str
    vehicle_plates: tuple[str, ...]
    devices: tuple[DeviceSpec, ...]
    origin: str
    destination: str
    corridor: str
    planned_departure_s: float
    deadline_s: float


@dataclass(frozen=True)
class CameraRead:
    t_s: float
    group: str
    crossing: str  # the crossing this read opens, joins or closes (scenario key)
    checkpoint: str
    camera_id: str
    lane: int
    direction: Literal["entry", "exit"]
    plate_text: str
    confidence: float
    #: The truth of the read, for scoring it: the vehicle's canonical plate; whether the camera misread it in a
    #: way its format takes back ("recoverable") or not ("unrecoverable"); the declaration naming that plate
    #: (None: none does when the vehicle arrives, a walk-in or a swapped truck).
    plate: str = ""
    misread: Literal["clean", "recoverable", "unrecoverable"] = "clean"
    declaration: str | None = None
    #: An exit read misread beyond the format that still stands for a plate its crossing is known by (misread as
    #: the entry camera misread it, say): it closes that crossing (sim.plate_reads.exit_closes_crossing).
    closes_its_crossing: bool = False


@dataclass(frozen=True)
class WeighbridgeReading:
    t_s: float
    group: str
    crossing: str
    checkpoint: str
    plate_text: str
    gross_kg: int
    axle_loads_kg: tuple[int, ...]
    axle_classes: tuple[str, ...]
    weighbridge_id: str


@dataclass(frozen=True)
class OfficerStep:
    t_s: float
    group: str
    crossing: str
    step: Literal["documents_checked", "weighed", "inspected", "released", "exited"]
    notes: str = ""
    result: str | None = None
    declaration_number: str | None = None


Action = FileDeclaration | RegisterDevice | PlanTrip | CameraRead | WeighbridgeReading | OfficerStep

#: Order of actions at the same instant: paperwork before the vehicle moves.
ACTION_ORDER: dict[type, int] = {
    FileDeclaration: 0, RegisterDevice: 1, PlanTrip: 2, CameraRead: 3, OfficerStep: 4, WeighbridgeReading: 4,
}


def action_key(action: Action, seq: int) -> tuple[float, int, int]:
    return (action.t_s, ACTION_ORDER[type(action)], seq)
