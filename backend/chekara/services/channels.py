"""The risk channel of a declaration: the one place the crossing procedure asks for it.

The risk issue will compute verdicts (green, blue, yellow, red) from risk
rules; until it plugs in here, every declaration, and every vehicle without
one, goes through the yellow channel: documents checked and the inspected
step required.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from chekara.db.models import Declaration
from chekara.domain.crossing_procedure import DEFAULT_CHANNEL, Channel


def channel_for(session: Session, declaration: Declaration | None) -> Channel:
    """The channel a vehicle carrying this declaration (or none) is processed in."""
    return DEFAULT_CHANNEL
