"""Devices: registered by an operator or admin before they may post fixes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, AnyStaff, SessionDep
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


class DevicePublic(BaseModel):
    device_id: str
    kind: str
    label: str
    owner: str | None
    created_at: datetime

    @classmethod
    def of(cls, d: Device) -> "DevicePublic":
        return cls(device_id=d.device_id, kind=d.kind, label=d.label, owner=d.owner.name if d.owner else None, created_at=d.created_at)


@router.post("", response_model=DevicePublic, status_code=201, summary="Register a device")
def register(body: DeviceIn, session: SessionDep, actor: DeviceManager) -> DevicePublic:
    device = devices.register_device(session, body.device_id, body.kind, body.label, body.owner, actor)
    session.commit()
    return DevicePublic.of(device)


@router.get("", response_model=list[DevicePublic], summary="Registered devices")
def list_devices(session: SessionDep, _: AnyStaff) -> list[DevicePublic]:
    return [DevicePublic.of(d) for d in devices.list_devices(session)]
