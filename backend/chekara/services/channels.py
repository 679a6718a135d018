"""The risk channel of a declaration: the one place the crossing procedure asks for it.

The verdict in force comes from the risk assessments (services/risk.py);
a declaration not assessed yet is assessed now. A vehicle without a
declaration goes through the yellow channel: documents checked and the
inspected step required.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from chekara.db.models import Declaration
from chekara.domain.crossing_procedure import DEFAULT_CHANNEL, Channel
from chekara.services import risk


def channel_for(session: Session, declaration: Declaration | None) -> Channel:
    """The channel a vehicle carrying this declaration (or none) is processed in."""
    if declaration is None:
        return DEFAULT_CHANNEL
    current = risk.current_assessment(session, declaration.id) or risk.reassess(session, declaration, "crossing")
    return Channel(current.channel)
