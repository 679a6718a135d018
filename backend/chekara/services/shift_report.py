"""The supervisor's shift report: what happened to alerts in a time window, and who did it.

Raised counts alerts whose situation began in the window (raised_at);
acknowledged and resolved count the people's (and the detectors') notes made
in it; still open counts alerts raised before the window's end and not
resolved by then, whenever they were raised: what the next shift inherits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chekara.db.models import Alert, AlertNote
from chekara.domain.alert_severity import SEVERITIES
from chekara.errors import InvalidInput
from chekara.services.alerts import DETECTOR, corridor_codes, severity

#: The notes' actions as the report names them.
_ACTIONS = {"acknowledge": "acknowledged", "resolve": "resolved", "note": "note"}
#: More alerts than this still open are counted, not listed.
MAX_OPEN_LISTED = 500


@dataclass(frozen=True)
class AlertActivity:
    """One thing that happened to an alert: raised, acknowledged, resolved, or a note."""

    at: datetime
    alert: Alert
    action: str
    by: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class PersonActivity:
    by: str
    role: str
    acknowledged: int = 0
    resolved: int = 0
    notes: int = 0


@dataclass
class ShiftReport:
    from_: datetime
    to: datetime
    #: Counts per figure (raised, acknowledged, resolved, still_open), in total and per severity.
    totals: Counter = field(default_factory=Counter)
    by_severity: dict[str, Counter] = field(default_factory=lambda: {s: Counter() for s in SEVERITIES})
    people: list[PersonActivity] = field(default_factory=list)
    activity: list[AlertActivity] = field(default_factory=list)
    still_open: list[Alert] = field(default_factory=list)
    corridors: dict[int, str] = field(default_factory=dict)

    def count(self, figure: str, alert: Alert) -> None:
        self.totals[figure] += 1
        self.by_severity[severity(alert.type)][figure] += 1


def shift_report(session: Session, from_: datetime, to: datetime) -> ShiftReport:
    if to <= from_:
        raise InvalidInput("to must be after from", field="to")
    report = ShiftReport(from_, to)
    raised = session.scalars(select(Alert).where(Alert.raised_at >= from_, Alert.raised_at < to)).all()
    for alert in raised:
        report.count("raised", alert)
        report.activity.append(AlertActivity(alert.raised_at, alert, "raised", DETECTOR.name, DETECTOR.role))
    notes = session.execute(
        select(AlertNote, Alert).join(Alert, AlertNote.alert_id == Alert.id).where(AlertNote.at >= from_, AlertNote.at < to)
    ).all()
    people: dict[tuple[str, str], Counter] = {}
    for note, alert in notes:
        action = _ACTIONS.get(note.action, note.action)
        if action in ("acknowledged", "resolved"):
            report.count(action, alert)
        people.setdefault((note.author, note.role), Counter())[action] += 1
        report.activity.append(AlertActivity(note.at, alert, action, note.author, note.role, note.text))
    still_open = session.scalars(
        select(Alert).where(Alert.raised_at < to, or_(Alert.resolved_at.is_(None), Alert.resolved_at >= to))
        .order_by(Alert.raised_at)
    ).all()
    for alert in still_open:
        report.count("still_open", alert)
    report.still_open = list(still_open[:MAX_OPEN_LISTED])
    report.people = sorted(
        (PersonActivity(by, role, c["acknowledged"], c["resolved"], c["note"]) for (by, role), c in people.items()),
        key=lambda p: (-(p.acknowledged + p.resolved + p.notes), p.by),
    )
    report.activity.sort(key=lambda a: (a.at, a.alert.id))
    trips = {a.alert.trip_id for a in report.activity} | {a.trip_id for a in report.still_open}
    report.corridors = corridor_codes(session, {t for t in trips if t is not None})
    return report


ACTIVITY_HEADER = ("at", "alert_id", "type", "severity", "action", "by", "role", "corridor", "checkpoint",
                   "trip_id", "declaration_number", "note")


def activity_rows(report: ShiftReport) -> list[list[object]]:
    """The activity as table rows (ACTIVITY_HEADER), for CSV."""
    return [
        [a.at.isoformat(), a.alert.id, a.alert.type, severity(a.alert.type), a.action, a.by, a.role,
         report.corridors.get(a.alert.trip_id), a.alert.checkpoint.code if a.alert.checkpoint else None,
         a.alert.trip_id, a.alert.declaration_number, a.note]
        for a in report.activity
    ]
