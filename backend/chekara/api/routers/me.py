"""Who the caller is: used by the pages' sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from chekara.api.deps import current_actor
from chekara.domain.roles import Actor

router = APIRouter(tags=["security"])


class Me(BaseModel):
    name: str
    role: str


@router.get("/me", response_model=Me, summary="The name and role behind the bearer token")
def me(actor: Annotated[Actor, Depends(current_actor)]) -> Me:
    return Me(name=actor.name, role=actor.role)
