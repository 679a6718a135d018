"""Devices: GPS trackers and escort phones, registered before they may report."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from chekara.db.models import Device, User
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit


def register_device(session: Session, device_id: str, kind: str, label: str, owner: str | None, actor: Actor) -> Device:
    """Register a device; `owner` names the device-role user whose token may post its fixes."""
    if session.scalar(select(Device).where(Device.device_id == device_id)) is not None:
        raise Conflict(f"device {device_id!r} is already registered", field="device_id")
    owner_user = None
    if owner is not None:
        owner_user = session.scalar(select(User).where(User.name == owner))
        if owner_user is None:
            raise InvalidInput(f"no user named {owner!r}", field="owner")
        if owner_user.role != "device":
            raise InvalidInput(f"user {owner!r} has role {owner_user.role!r}, not 'device'", field="owner")
    device = Device(device_id=device_id, kind=kind, label=label, owner=owner_user)
    session.add(device)
    session.flush()
    audit.record(session, actor, "create", "device", device_id, {"kind": kind, "label": label, "owner": owner})
    return device


def get_device(session: Session, device_id: str, field: str = "device_id") -> Device:
    device = session.scalar(select(Device).where(Device.device_id == device_id))
    if device is None:
        raise NotFound(f"no device {device_id!r}", field=field)
    return device


def list_devices(session: Session) -> list[Device]:
    return list(session.scalars(select(Device).order_by(Device.device_id)))


def devices_by_external_id(session: Session, device_ids: set[str]) -> dict[str, Device]:
    if not device_ids:
        return {}
    rows = session.scalars(select(Device).where(Device.device_id.in_(device_ids)))
    return {d.device_id: d for d in rows}


@dataclass(frozen=True)
class ReportingDevice:
    """What the pipeline needs to know of a device that sends fixes."""

    pk: int
    device_id: str
    kind: str
    #: The device-role user whose token may post its fixes, if any.
    owner: str | None


def reporting_devices(session: Session, device_ids: set[str], lock_namespace: int | None = None) -> dict[str, ReportingDevice]:
    """The registered devices among these ids, by id: one query, no ORM objects.

    With lock_namespace, each device's transaction advisory lock (lock_namespace, pk) is taken
    in the same round trip, in ascending pk order (PostgreSQL evaluates volatile functions of
    the select list after ORDER BY), so two batches sharing devices cannot deadlock.
    """
    if not device_ids:
        return {}
    lock = "pg_advisory_xact_lock(:ns, d.id)" if lock_namespace is not None else "NULL"
    rows = session.execute(
        text(
            f"SELECT d.id, d.device_id, d.kind, u.name, {lock} FROM devices d LEFT JOIN users u ON u.id = d.owner_id"
            " WHERE d.device_id = ANY(CAST(:ids AS varchar[])) ORDER BY d.id"
        ),
        {"ids": list(device_ids), "ns": lock_namespace},
    )
    return {device_id: ReportingDevice(pk, device_id, kind, owner) for pk, device_id, kind, owner, _ in rows}
