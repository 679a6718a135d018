"""Devices: registered by an operator or admin before they may post fixes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, AnyStaff, SessionDep, SettingsDep
from chekara.db.models import Device
from chekara.domain.roles import Actor, Role
from chekara.services import devices

router = APIRouter(prefix="/devices", tags=["devices"])

DeviceManager = Annotated[Actor, Depends(Allowed(Role.operator, Role.supervisor))]


class DeviceIn(BaseModel):
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$", description="the device's own id (IMEI, app id)")
    kind: Literal["tracker", "escort_phone", "seal"] = "tracker"
    label: str = Field("", max_length=200)
    owner: str | None = Field(None, max_length=64, description="device-role user whose token may post its fixes")
    credential: Literal["token", "osmand"] | None = Field(
        None, description="how it reports: `token` (JSON batches with its owner's token) or `osmand` (Traccar Client "
                          "with an identifier Chekara issues); default `osmand` for an escort_phone, else `token`")


class DevicePublic(BaseModel):
    device_id: str
    kind: str
    label: str
    owner: str | None
    credential: str
    #: Only in the answer that issues it: the escort types it into Traccar Client as the device identifier.
    osmand_id: str | None = Field(None, description="the OsmAnd device identifier, shown once (registration, rotation)")
    created_at: datetime

    @classmethod
    def of(cls, d: Device, osmand_id: str | None = None) -> "DevicePublic":
        return cls(device_id=d.device_id, kind=d.kind, label=d.label, owner=d.owner.name if d.owner else None,
                   credential=d.credential, osmand_id=osmand_id, created_at=d.created_at)


@router.post("", response_model=DevicePublic, status_code=201, summary="Register a device (an OsmAnd one gets its identifier, shown once)")
def register(body: DeviceIn, session: SessionDep, settings: SettingsDep, actor: DeviceManager) -> DevicePublic:
    device = devices.register_device(session, body.device_id, body.kind, body.label, body.owner, actor, body.credential)
    osmand_id = devices.issue_osmand_id(session, settings, device, actor) if device.credential == "osmand" else None
    session.commit()
    return DevicePublic.of(device, osmand_id)


@router.post("/{device_id}/osmand-id", response_model=DevicePublic,
             summary="Issue a new OsmAnd identifier (the old one stops working at once); shown once")
def rotate_osmand_id(device_id: str, session: SessionDep, settings: SettingsDep, actor: DeviceManager) -> DevicePublic:
    device = devices.get_device(session, device_id)
    osmand_id = devices.issue_osmand_id(session, settings, device, actor)
    session.commit()
    return DevicePublic.of(device, osmand_id)


@router.get("", response_model=list[DevicePublic], summary="Registered devices")
def list_devices(session: SessionDep, _: AnyStaff) -> list[DevicePublic]:
    return [DevicePublic.of(d) for d in devices.list_devices(session)]
