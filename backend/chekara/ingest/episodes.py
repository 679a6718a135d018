"""Episodes: the alerts a replayed track supports, reconciled with the trip's stored ones (see replay.py).

An episode is one situation the replay found: raised, and ended if it ended.
Per alert type and subject, episodes and stored alerts are paired in time
order when their situations overlap (from the first fix of the situation to
its end):

- a paired alert takes the episode's times and evidence (an unresolved one is
  ended if the episode ended; a resolved one is never reopened). An alert whose
  situation began before the window keeps its start: the replay cannot see it;
- an episode with no alert is raised, and if it has ended recorded as ended,
  at its true times;
- an alert whose situation began in the window and that no episode supports is
  resolved with a note (NOT_SUPPORTED), not deleted, and left out of later replays.

A second replay of the same track pairs every episode with the alert it made
and changes nothing: each situation is raised exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from chekara.db.models import Alert
from chekara.domain.detection import FIX_DETECTORS, GPS_ANOMALY, SIGNAL_LOST, AlertRaised, AlertResolved, Event
from chekara.domain.detection.timestamps import from_iso
from chekara.ingest.batch import Batch, IngestContext
from chekara.ingest.trip_progress import alert_subject
from chekara.ingest.trip_rows import TripRow
from chekara.services import alerts

#: The note on an alert the complete track does not support.
NOT_SUPPORTED = "not supported by the complete track after late fixes"
#: The fix detectors a replay runs again, and the alert types it decides (signal_lost and overdue are
#: clock checks: what the operators could see when).
REPLAYED_DETECTORS = tuple(d for d in FIX_DETECTORS if d is not SIGNAL_LOST)
REPLAYED_TYPES = (GPS_ANOMALY.type, *(d.type for d in REPLAYED_DETECTORS))


@dataclass
class Episode:
    raised: AlertRaised
    resolved: AlertResolved | None = None

    @property
    def evidence(self) -> dict[str, Any]:
        return {**self.raised.evidence, **(self.resolved.evidence if self.resolved else {})}

    @property
    def start(self) -> datetime:
        return _situation_start(self.raised.evidence, self.raised.ts)

    @property
    def end(self) -> datetime | None:
        return self.resolved.ts if self.resolved else None


def episodes_of(events: list[Event]) -> list[Episode]:
    """Raised and resolved events (in time order) paired into episodes per type and key."""
    found: list[Episode] = []
    running: dict[tuple[str, str | None], Episode] = {}
    for event in events:
        if isinstance(event, AlertRaised):
            running[event.type, event.key] = episode = Episode(event)
            found.append(episode)
        elif (event.type, event.key) in running:
            running.pop((event.type, event.key)).resolved = event
    return found


def reconcile(ctx: IngestContext, batch: Batch, trip: TripRow, since: datetime, events: list[Event]) -> None:
    """Make the trip's stored alerts of the replayed types say what the replayed events say."""
    found = episodes_of(events)
    stored = _stored_alerts(ctx, trip.id, since)
    pairs = _pairs(trip.id, found, stored)
    paired_alerts = {id(alert) for _, alert in pairs}
    paired_episodes = {id(episode) for episode, _ in pairs}
    # Unsupported alerts go first: they free the subject for an episode raised in their place.
    for alert in stored:
        if id(alert) not in paired_alerts and not _began_before(alert, since):
            alerts.dismiss_alert(ctx.session, alert, NOT_SUPPORTED)
    for episode, alert in pairs:
        began_before = _began_before(alert, since)
        alerts.revise_alert(
            ctx.session, alert, raised_at=None if began_before else episode.raised.ts, ended_at=episode.end,
            evidence=(episode.resolved.evidence if episode.resolved else {}) if began_before else episode.evidence,
        )
    for episode in found:
        if id(episode) not in paired_episodes:
            _raise(ctx, batch, trip, episode)


def _stored_alerts(ctx: IngestContext, trip_id: int, since: datetime) -> list[Alert]:
    """The trip's alerts of the replayed types that reach into the window, oldest first."""
    rows = ctx.session.scalars(
        select(Alert).where(
            Alert.trip_id == trip_id, Alert.type.in_(REPLAYED_TYPES),
            or_(Alert.status != "resolved", Alert.raised_at >= since, Alert.ended_at >= since),
        ).order_by(Alert.raised_at, Alert.id)
    )
    return [alert for alert in rows if "not_supported" not in alert.evidence]


def _pairs(trip_id: int, found: list[Episode], stored: list[Alert]) -> list[tuple[Episode, Alert]]:
    """Each episode with the first unpaired stored alert of its type and subject whose situation overlaps it."""
    pairs: list[tuple[Episode, Alert]] = []
    free = list(stored)
    for episode in found:
        subject = alert_subject(trip_id, episode.raised.key)
        for alert in free:
            if alert.type == episode.raised.type and alert.subject == subject and _overlap(episode, alert):
                pairs.append((episode, alert))
                free.remove(alert)
                break
    return pairs


def _overlap(episode: Episode, alert: Alert) -> bool:
    alert_start = _situation_start(alert.evidence, alert.raised_at)
    alert_end = alert.ended_at or (alert.resolved_at if alert.status == "resolved" else None)
    return (alert_end is None or episode.start <= alert_end) and (episode.end is None or alert_start <= episode.end)


def _began_before(alert: Alert, since: datetime) -> bool:
    """The situation began before the window: the replay, from a clean state there, cannot judge it."""
    return _situation_start(alert.evidence, alert.raised_at) < since


def _situation_start(evidence: dict[str, Any], raised_at: datetime) -> datetime:
    """When the situation began: its first fix (a deviation's first outside fix, a stop's anchor), else its raising."""
    first = evidence.get("first_fix_ts") or evidence.get("start_ts")
    return from_iso(first) if first else raised_at


def _raise(ctx: IngestContext, batch: Batch, trip: TripRow, episode: Episode) -> None:
    raised = episode.raised
    fields = dict(type=raised.type, subject=alert_subject(trip.id, raised.key), raised_at=raised.ts,
                  trip_id=trip.id, device_id=raised.key, declaration_number=trip.declaration_number)
    if episode.resolved is None:
        alerts.raise_alert(ctx.session, evidence=raised.evidence, **fields)
    else:
        alerts.record_ended_alert(ctx.session, ended_at=episode.resolved.ts, evidence=episode.evidence, **fields)
    batch.alerts_raised += 1
