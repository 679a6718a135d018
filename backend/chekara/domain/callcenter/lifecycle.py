"""An inquiry's life: new → in_progress → answered → closed.

Forward moves may skip a step (a quick question is answered at once), never
go back, and `answered` needs the answer given. Closed is final.
"""

from __future__ import annotations

STATUSES = ("new", "in_progress", "answered", "closed")
CHANNELS = ("phone", "web", "walk_in")
LANGUAGES = ("ru", "ky", "en")


class TransitionError(ValueError):
    pass


def check_transition(current: str, target: str, has_answer: bool) -> None:
    if target not in STATUSES:
        raise TransitionError(f"unknown status {target!r}; one of {', '.join(STATUSES)}")
    if current == target:
        return
    if STATUSES.index(target) < STATUSES.index(current):
        raise TransitionError(f"an inquiry cannot go back from {current} to {target}")
    if current == "closed":
        raise TransitionError("a closed inquiry cannot change")
    if target in ("answered", "closed") and not has_answer:
        raise TransitionError(f"an inquiry is {target} only with the answer given (field answer)")


def sla_state(status: str, due_at, answered_at, now) -> str:
    """'met', 'missed', 'open' (not due yet) or 'overdue' (due and still unanswered)."""
    if answered_at is not None:
        return "met" if answered_at <= due_at else "missed"
    if status in ("answered", "closed"):
        return "met"
    return "overdue" if now > due_at else "open"
