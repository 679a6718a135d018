"""Devices: GPS trackers and escort phones, registered before they may report.

Every device is registered with how it proves who it is (DEVICE_CREDENTIALS):
- `token`: trackers, seals, integrations post JSON batches with their owner's API token;
  /osmand refuses their fixes (a printed IMEI is no secret).
- `osmand`: escort phones running Traccar Client, which sends no token. Chekara issues a long
  random identifier that the escort types into the app as its device identifier: it is the
  secret, shown once, kept as an HMAC, rotatable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db import driver
from chekara.db.models import Device, User
from chekara.db.models.tracking import DEVICE_CREDENTIALS
from chekara.domain.roles import Actor
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import audit
from chekara.services.tokens import hash_token


#: Issued OsmAnd identifiers start with this (and 32 random URL-safe characters: 192 bits).
OSMAND_ID_PREFIX = "osm_"


def default_credential(kind: str) -> str:
    return "osmand" if kind == "escort_phone" else "token"


def register_device(
    session: Session, device_id: str, kind: str, label: str, owner: str | None, actor: Actor,
    credential: str | None = None,
) -> Device:
    """Register a device; `owner` names the device-role user whose token may post its fixes.

    An `osmand` device reports once issue_osmand_id() has given it its identifier."""
    if session.scalar(select(Device).where(Device.device_id == device_id)) is not None:
        raise Conflict(f"device {device_id!r} is already registered", field="device_id")
    owner_user = None
    if owner is not None:
        owner_user = session.scalar(select(User).where(User.name == owner))
        if owner_user is None:
            raise InvalidInput(f"no user named {owner!r}", field="owner")
        if owner_user.role != "device":
            raise InvalidInput(f"user {owner!r} has role {owner_user.role!r}, not 'device'", field="owner")
    credential = credential or default_credential(kind)
    if credential not in DEVICE_CREDENTIALS:
        raise InvalidInput(f"credential is one of {', '.join(DEVICE_CREDENTIALS)}", field="credential")
    device = Device(device_id=device_id, kind=kind, label=label, owner=owner_user, credential=credential)
    session.add(device)
    session.flush()
    audit.record(session, actor, "create", "device", device_id,
                 {"kind": kind, "label": label, "owner": owner, "credential": credential})
    return device


def osmand_id_hash(settings: Settings, osmand_id: str) -> str:
    return hash_token(settings, osmand_id)


def issue_osmand_id(session: Session, settings: Settings, device: Device, actor: Actor) -> str:
    """A new OsmAnd identifier for the device (the old one stops working at once); shown only now."""
    if device.credential != "osmand":
        raise Conflict(f"device {device.device_id!r} reports with its owner's token, not by OsmAnd", field="device_id")
    osmand_id = OSMAND_ID_PREFIX + secrets.token_urlsafe(24)
    device.osmand_id_hash = osmand_id_hash(settings, osmand_id)
    session.flush()
    audit.record(session, actor, "issue_osmand_id", "device", device.device_id, {})
    return osmand_id


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
    credential: str = "token"


def reporting_devices(
    session: Session, device_ids: set[str], osmand_hashes: set[str] = frozenset(), lock_namespace: int | None = None,
) -> tuple[dict[str, ReportingDevice], dict[str, ReportingDevice]]:
    """The registered devices among these ids, and those whose OsmAnd identifier hashes are given:
    ({device_id: device}, {osmand_id_hash: device}), in one query, without ORM objects.

    With lock_namespace, each device's transaction advisory lock (lock_namespace, pk) is taken
    in the same round trip, in ascending pk order (PostgreSQL evaluates volatile functions of
    the select list after ORDER BY), so two batches sharing devices cannot deadlock.
    """
    if not device_ids and not osmand_hashes:
        return {}, {}
    lock = "pg_advisory_xact_lock(%(ns)s, d.id)" if lock_namespace is not None else "NULL"
    rows = driver.execute(  # once per ingest group: straight to the driver (db/driver.py)
        session,
        f"SELECT d.id, d.device_id, d.kind, u.name, d.credential, d.osmand_id_hash, {lock}"
        " FROM devices d LEFT JOIN users u ON u.id = d.owner_id"
        # Two indexed look-ups; an OR of the two would scan every device.
        " WHERE d.id IN (SELECT id FROM devices WHERE device_id = ANY(CAST(%(ids)s AS varchar[]))"
        " UNION ALL SELECT id FROM devices WHERE osmand_id_hash = ANY(CAST(%(hashes)s AS varchar[])))"
        " ORDER BY d.id",
        {"ids": driver.array_literal(device_ids), "hashes": driver.array_literal(osmand_hashes), "ns": lock_namespace},
    )
    by_id: dict[str, ReportingDevice] = {}
    by_osmand: dict[str, ReportingDevice] = {}
    for pk, device_id, kind, owner, credential, osmand_hash, _ in rows:
        device = ReportingDevice(pk, device_id, kind, owner, credential)
        if device_id in device_ids:
            by_id[device_id] = device
        if osmand_hash is not None and osmand_hash in osmand_hashes:
            by_osmand[osmand_hash] = device
    return by_id, by_osmand
