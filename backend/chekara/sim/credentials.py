"""Tokens for a simulator running next to its own database (no --token given).

One token per role the simulator acts in (operator, officer, device), for
the users sim-operator, sim-officer and sim-device, created straight in
the database like `chekara token create` does, and revoked when the run
ends. A run never revokes another's tokens: two simulators (say the demo's
and one started by hand) may run side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chekara.domain.roles import Actor

from .client import Credentials

SIM_USERS = {"operator": "sim-operator", "officer": "sim-officer", "device": "sim-device"}
SIM_ACTOR = Actor(name="simulator", role="admin")


@contextmanager
def local_credentials() -> Iterator[Credentials]:
    from chekara.cli import db
    from chekara.config import get_settings
    from chekara.db.engine import session_factory
    from chekara.services.tokens import create_token, revoke_token

    db.ensure_database_up()
    settings = get_settings()
    with session_factory()() as session:
        issued = {role: create_token(session, settings, name, role, SIM_ACTOR) for role, name in SIM_USERS.items()}
        session.commit()
    try:
        yield Credentials(issued["operator"].token, issued["officer"].token, issued["device"].token,
                          device_owner=SIM_USERS["device"])
    finally:
        with session_factory()() as session:
            for token in issued.values():
                revoke_token(session, token.token_id, SIM_ACTOR)
            session.commit()
