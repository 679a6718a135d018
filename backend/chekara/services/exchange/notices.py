"""Pre-arrival notices: a partner announces a vehicle coming to one of our checkpoints.

- receive(): a partner's notice, checked and stored; re-sending the same
  notice (same partner and notice_id, same content) returns it, a changed one
  is refused. When the vehicle is already inside the checkpoint, it is
  matched at once.
- match_arrival(): an entry read at the checkpoint matches the notice whose
  vehicle or trailer plate the read stands for (the plate matching of the
  checkpoint, OCR-aware), the one expected nearest to the read.
- check_weighing() and check_seals(): our weighbridge's gross or our
  officer's seal ids against the partner's are a finding when they differ
  (partner_weight_mismatch beyond CHEKARA_EXCHANGE_WEIGHT_TOLERANCE_PCT,
  partner_seal_mismatch).
- sweep_not_arrived(): from the periodic sweep, a notice whose vehicle has
  not entered CHEKARA_EXCHANGE_ARRIVAL_WINDOW_MIN after its expected time
  raises ``announced_not_arrived``; the alert ends by itself if the vehicle
  turns up after all.

The caller commits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings, get_settings
from chekara.db.models import Alert, Crossing, Finding, Partner, PlateRead, PreArrivalNotice, Weighing
from chekara.domain.exchange import compare_seals, normalize_seal_id, weight_differs
from chekara.domain.plates import PlateError, match_plate, normalize_plate
from chekara.domain.roles import Actor
from chekara.domain.weights import discrepancy_pct
from chekara.errors import Conflict, InvalidInput, NotFound
from chekara.services import alerts, audit
from chekara.services.alerts import DETECTOR
from chekara.services.checkpoints import get_checkpoint

ALERT_TYPE = "announced_not_arrived"
WEIGHT_FINDING = "partner_weight_mismatch"
SEAL_FINDING = "partner_seal_mismatch"
#: An entry read matches notices expected from this long before it ...
MATCH_LOOKBACK = timedelta(days=7)
#: ... to this long after it (a vehicle early by more than that is another trip).
MATCH_LOOKAHEAD = timedelta(days=2)
MAX_SEALS = 20


@dataclass(frozen=True)
class GoodsItem:
    hs_code: str
    description: str
    gross_kg: float | None = None


@dataclass(frozen=True)
class NoticeDraft:
    """A notice as the partner sent it."""

    notice_id: str
    checkpoint: str
    vehicle_plate: str
    declaration_number: str
    expected_at: datetime
    trailer_plate: str | None = None
    departed_at: datetime | None = None
    gross_kg: int | None = None
    seal_ids: tuple[str, ...] = ()
    goods: tuple[GoodsItem, ...] = field(default_factory=tuple)

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


def _subject(notice: PreArrivalNotice) -> str:
    return f"pre_arrival_notice:{notice.id}"


def _plate(text: str, field_name: str) -> str:
    try:
        return normalize_plate(text)
    except PlateError as exc:
        raise InvalidInput(str(exc), field=field_name) from exc


def checked_seal_ids(seal_ids: tuple[str, ...] | list[str], field_name: str = "seal_ids") -> list[str]:
    """Normalised seal ids, in the order given, without repeats; 422 naming a bad one."""
    if len(seal_ids) > MAX_SEALS:
        raise InvalidInput(f"at most {MAX_SEALS} seal ids", field=field_name)
    seals: list[str] = []
    for i, seal in enumerate(seal_ids):
        try:
            seals.append(normalize_seal_id(seal))
        except ValueError as exc:
            raise InvalidInput(str(exc), field=f"{field_name}.{i}") from exc
    return list(dict.fromkeys(seals))


def receive(
    session: Session, settings: Settings, partner: Partner, draft: NoticeDraft, actor: Actor
) -> tuple[PreArrivalNotice, bool]:
    """Store a partner's notice; (notice, created). Matched at once if the vehicle is inside already."""
    ref = draft.notice_id.strip()
    if not ref:
        raise InvalidInput("notice_id must not be blank", field="notice_id")
    try:
        checkpoint = get_checkpoint(session, draft.checkpoint, field="checkpoint")
    except NotFound as exc:  # a bad reference inside a body is invalid input
        raise InvalidInput(exc.message, field="checkpoint") from exc
    vehicle = _plate(draft.vehicle_plate, "vehicle_plate")
    trailer = _plate(draft.trailer_plate, "trailer_plate") if draft.trailer_plate else None
    for name in ("expected_at", "departed_at"):
        at = getattr(draft, name)
        if at is not None and at.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone", field=name)
    if draft.departed_at is not None and draft.departed_at > draft.expected_at:
        raise InvalidInput("departed_at is after expected_at", field="departed_at")
    seals = checked_seal_ids(draft.seal_ids)
    sha = draft.sha256()

    stored = session.scalar(
        select(PreArrivalNotice).where(PreArrivalNotice.partner_id == partner.id, PreArrivalNotice.notice_ref == ref)
    )
    if stored is not None:
        if stored.submission_sha256 != sha:
            raise Conflict(f"notice {ref} was already received with other content", field="notice_id")
        return stored, False
    notice = PreArrivalNotice(
        partner_id=partner.id, notice_ref=ref, checkpoint_id=checkpoint.id,
        vehicle_plate=vehicle, vehicle_plate_text=draft.vehicle_plate.strip(),
        trailer_plate=trailer, trailer_plate_text=draft.trailer_plate.strip() if draft.trailer_plate else None,
        declaration_number=draft.declaration_number.strip(), departed_at=draft.departed_at,
        expected_at=draft.expected_at, gross_kg=draft.gross_kg, seal_ids=seals,
        goods=[asdict(g) for g in draft.goods], status="announced", submission_sha256=sha,
    )
    session.add(notice)
    session.flush()
    audit.record(session, actor, "create", "pre_arrival_notice", notice.id, {
        "partner": partner.code, "notice_id": ref, "checkpoint": checkpoint.code, "vehicle_plate": vehicle,
        "trailer_plate": trailer, "declaration_number": notice.declaration_number,
        "expected_at": draft.expected_at.isoformat(), "gross_kg": draft.gross_kg, "seal_ids": seals,
    })
    _match_vehicle_inside(session, settings, notice)
    return notice, True


def _match_vehicle_inside(session: Session, settings: Settings, notice: PreArrivalNotice) -> None:
    """A notice that comes after its vehicle: match the vehicle's open crossing and check what is known already."""
    from chekara.services import crossings  # crossings calls back into this module: imported late

    found = None
    for plate in filter(None, (notice.vehicle_plate, notice.trailer_plate)):
        found = found or crossings.find_open_crossing(session, notice.checkpoint_id, plate)
    if found is None:
        return
    crossing, match = found
    if session.scalar(select(PreArrivalNotice.id).where(PreArrivalNotice.crossing_id == crossing.id)) is not None:
        return  # another notice has this vehicle
    _matched(session, notice, crossing, match.kind, crossing.entered_at)
    weighing = session.scalar(
        select(Weighing).where(Weighing.crossing_id == crossing.id).order_by(Weighing.weighed_at.desc()).limit(1)
    )
    if weighing is not None:
        check_weighing(session, settings, crossing, weighing)
    for step in crossing.steps:
        if step.details.get("seal_ids"):
            check_seals(session, crossing, step.details["seal_ids"], step.at)


def match_arrival(session: Session, crossing: Crossing, read: PlateRead) -> PreArrivalNotice | None:
    """The entry read that opened a crossing: the notice it fulfils, if any, becomes arrived."""
    candidates = list(session.scalars(
        select(PreArrivalNotice)
        .where(
            PreArrivalNotice.checkpoint_id == read.checkpoint_id,
            PreArrivalNotice.status.in_(("announced", "not_arrived")),
            PreArrivalNotice.crossing_id.is_(None),
            PreArrivalNotice.expected_at >= read.read_at - MATCH_LOOKBACK,
            PreArrivalNotice.expected_at <= read.read_at + MATCH_LOOKAHEAD,
        )
        .with_for_update(of=PreArrivalNotice)
    ))
    candidates.sort(key=lambda n: (abs((n.expected_at - read.read_at).total_seconds()), n.id))
    owners: dict[str, PreArrivalNotice] = {}
    for notice in candidates:  # nearest expected time first
        for plate in filter(None, (notice.vehicle_plate, notice.trailer_plate)):
            owners.setdefault(plate, notice)
    match = match_plate(read.plate_text, owners)
    if match is None:
        return None
    notice = owners[match.plate]
    _matched(session, notice, crossing, match.kind, read.read_at)
    return notice


def _matched(session: Session, notice: PreArrivalNotice, crossing: Crossing, kind: str, at: datetime) -> None:
    late = notice.status == "not_arrived"
    notice.status, notice.crossing_id, notice.match_kind, notice.arrived_at = "arrived", crossing.id, kind, at
    session.flush()
    audit.record(session, DETECTOR, "match", "pre_arrival_notice", notice.id, {
        "crossing_id": crossing.id, "match_kind": kind, "arrived_at": at.isoformat(),
        "late_min": round((at - notice.expected_at).total_seconds() / 60, 1),
    })
    if late:
        alerts.end_alert(
            session, type=ALERT_TYPE, subject=_subject(notice), ended_at=at,
            evidence={"arrived_at": at.isoformat(), "crossing_id": crossing.id},
        )


def notice_of(session: Session, crossing: Crossing) -> PreArrivalNotice | None:
    return session.scalar(select(PreArrivalNotice).where(PreArrivalNotice.crossing_id == crossing.id))


def check_weighing(session: Session, settings: Settings, crossing: Crossing, weighing: Weighing) -> Finding | None:
    """Our weighing against the partner's announced gross: a finding beyond the tolerance."""
    notice = notice_of(session, crossing)
    if notice is None or notice.gross_kg is None:
        return None
    tolerance = settings.exchange_weight_tolerance_pct
    if not weight_differs(weighing.gross_kg, notice.gross_kg, tolerance):
        return None
    difference = weighing.gross_kg - notice.gross_kg
    pct = discrepancy_pct(weighing.gross_kg, notice.gross_kg)
    return _finding(session, crossing, WEIGHT_FINDING, weighing.weighed_at, (
        f"measured {weighing.gross_kg} kg differs from the {notice.gross_kg} kg {notice.partner.code} announced "
        f"by {difference:+} kg ({pct:+} %, tolerance {tolerance} %)"
    ), {
        "measured_gross_kg": weighing.gross_kg, "partner_gross_kg": notice.gross_kg, "difference_kg": difference,
        "difference_pct": str(pct), "tolerance_pct": str(tolerance), **_source(notice),
    }, weighing_id=weighing.id)


def check_seals(session: Session, crossing: Crossing, seal_ids: list[str], at: datetime) -> Finding | None:
    """Seal ids our officer found against those the partner announced: a finding when they differ."""
    notice = notice_of(session, crossing)
    if notice is None or not notice.seal_ids or not seal_ids:
        return None
    comparison = compare_seals(notice.seal_ids, seal_ids)
    if not comparison.differs:
        return None
    return _finding(session, crossing, SEAL_FINDING, at, (
        f"seals differ from those {notice.partner.code} announced: missing {', '.join(comparison.missing) or 'none'}, "
        f"unexpected {', '.join(comparison.unexpected) or 'none'}"
    ), {
        "partner_seal_ids": list(notice.seal_ids), "found_seal_ids": list(seal_ids),
        "missing": list(comparison.missing), "unexpected": list(comparison.unexpected), **_source(notice),
    })


def _source(notice: PreArrivalNotice) -> dict[str, Any]:
    return {"partner": notice.partner.code, "notice_id": notice.notice_ref, "pre_arrival_notice_id": notice.id}


def _finding(session: Session, crossing: Crossing, kind: str, at: datetime, message: str, evidence: dict[str, Any],
             weighing_id: int | None = None) -> Finding:
    finding = Finding(kind=kind, message=message, evidence=evidence, declaration_id=crossing.declaration_id,
                      crossing_id=crossing.id, weighing_id=weighing_id, found_at=at)
    session.add(finding)
    session.flush()
    return finding


def sweep_not_arrived(session: Session, now: datetime | None = None, window_min: float | None = None) -> list[Alert]:
    """Raise announced_not_arrived for every notice whose vehicle is later than the window. The caller commits."""
    now = now or datetime.now(UTC)
    window = timedelta(minutes=window_min if window_min is not None else get_settings().exchange_arrival_window_min)
    due = list(session.scalars(
        select(PreArrivalNotice)
        .where(PreArrivalNotice.status == "announced", PreArrivalNotice.expected_at < now - window)
        .order_by(PreArrivalNotice.expected_at, PreArrivalNotice.id)
        .with_for_update(skip_locked=True, of=PreArrivalNotice)
    ))
    raised = []
    for notice in due:
        notice.status, notice.alerted_at = "not_arrived", now
        session.flush()
        raised.append(alerts.raise_alert(
            session, type=ALERT_TYPE, subject=_subject(notice), raised_at=notice.expected_at + window,
            evidence={
                "vehicle_plate": notice.vehicle_plate, "trailer_plate": notice.trailer_plate,
                "expected_at": notice.expected_at.isoformat(), "window_min": window.total_seconds() / 60,
                "checked_at": now.isoformat(), **_source(notice),
            },
            checkpoint_id=notice.checkpoint_id, declaration_number=notice.declaration_number,
        ))
    return raised


def list_notices(
    session: Session, partner: Partner | None = None, status: str | None = None, checkpoint: str | None = None,
    limit: int = 200, offset: int = 0,
) -> list[PreArrivalNotice]:
    query = (
        select(PreArrivalNotice).order_by(PreArrivalNotice.expected_at.desc(), PreArrivalNotice.id.desc())
        .limit(limit).offset(offset)
    )
    if partner is not None:
        query = query.where(PreArrivalNotice.partner_id == partner.id)
    if status:
        query = query.where(PreArrivalNotice.status == status)
    if checkpoint:
        query = query.where(PreArrivalNotice.checkpoint_id == get_checkpoint(session, checkpoint, field="checkpoint").id)
    return list(session.scalars(query))
