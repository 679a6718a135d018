"""Who may do what: the roles and the actor behind a change."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    operator = "operator"  # situation-center operator: live map, alert triage
    supervisor = "supervisor"  # escort supervisor: trip review, deviations
    planner = "planner"  # corridors, heatmaps, reports
    officer = "officer"  # checkpoint officer: crossings step by step
    callcenter = "callcenter"  # call-center agent
    device = "device"  # GPS tracker, ANPR camera, weighbridge
    partner = "partner"  # a neighbouring customs system: pulls our events, announces vehicles (docs/EXCHANGE.md)


ROLES: tuple[str, ...] = tuple(r.value for r in Role)

#: The people of the situation center (every role but machines and partner systems).
STAFF: frozenset[Role] = frozenset(Role) - {Role.device, Role.partner}


@dataclass(frozen=True)
class Actor:
    """Who made a change: a named token holder with one role, or the system itself."""

    name: str
    role: str


SYSTEM = Actor(name="system", role="system")
