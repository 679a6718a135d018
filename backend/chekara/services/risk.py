"""Risk assessments: gather a declaration's evidence, run the ruleset, keep every change of verdict.

reassess() is called whenever new evidence arrives (the declaration itself, a
weighing, a plate read, an alert on the declaration or its convoy, an
inspection). A new row is written only when the verdict changed (channel,
score or hits); rows are never updated, and a change of channel is audited.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from chekara.db.models import Alert, Crossing, CrossingStep, Declaration, Finding, RiskAssessment, Weighing
from chekara.domain.risk import (
    AlertFact,
    Assessment,
    DeclarationEvidence,
    FindingFact,
    GoodsLineFact,
    WeighingFact,
    assess,
)
from chekara.domain.roles import Actor
from chekara.services import audit, events
from chekara.services.risk_ruleset import ruleset

RISK_ENGINE = Actor(name="risk-engine", role="system")
#: Alert types that are evidence about a declaration.
EVIDENCE_ALERTS = (
    "route_deviation", "unauthorized_stop", "signal_lost", "overdue", "transit_not_closed",
    "plate_mismatch", "undeclared_vehicle",
)


def _history_days() -> int:
    params = ruleset().rules.get("repeat_offender")
    return int(params[1]["days"]) if params else 180


def _red_before(session: Session, declaration: Declaration, now: datetime) -> tuple[int, int]:
    """Other declarations of the same vehicle / consignee with a red verdict in the window."""
    since = now - timedelta(days=_history_days())
    # Red by the rules' score, not by the random draw alone: being picked at random is no offence.
    red_score = ruleset().thresholds["red"]
    red = (
        select(RiskAssessment.declaration_id)
        .where(RiskAssessment.channel == "red", RiskAssessment.score >= red_score, RiskAssessment.assessed_at >= since)
        .distinct()
        .subquery()
    )
    other = aliased(Declaration)
    base = select(func.count()).select_from(other).join(red, red.c.declaration_id == other.id).where(other.id != declaration.id)
    vehicle = session.scalar(base.where(other.vehicle_plate == declaration.vehicle_plate)) or 0
    consignee = session.scalar(base.where(func.lower(other.consignee) == declaration.consignee.lower())) or 0
    return vehicle, consignee


def gather_evidence(session: Session, declaration: Declaration, now: datetime) -> DeclarationEvidence:
    weighings = session.scalars(
        select(Weighing).join(Crossing, Weighing.crossing_id == Crossing.id).where(Crossing.declaration_id == declaration.id)
    ).all()
    findings = session.scalars(select(Finding).where(Finding.declaration_id == declaration.id)).all()
    found_alerts = session.scalars(
        select(Alert).where(Alert.declaration_number == declaration.number, Alert.type.in_(EVIDENCE_ALERTS))
    ).all()
    vehicle_reds, consignee_reds = _red_before(session, declaration, now)
    return DeclarationEvidence(
        number=declaration.number,
        kind=declaration.kind,
        declared_gross_kg=Decimal(declaration.declared_gross_kg),
        goods=tuple(
            GoodsLineFact(line.hs_code, Decimal(line.gross_kg), Decimal(line.value) * Decimal(line.kgs_per_unit))
            for line in declaration.goods_lines
        ),
        weighings=tuple(WeighingFact(w.gross_kg, w.declared_gross_kg) for w in weighings),
        findings=tuple(FindingFact(f.kind, f.message, f.evidence or {}) for f in findings),
        alerts=tuple(AlertFact(a.type, a.evidence or {}) for a in found_alerts),
        red_history_vehicle=vehicle_reds,
        red_history_consignee=consignee_reds,
    )


def current_assessment(session: Session, declaration_id: int) -> RiskAssessment | None:
    return session.scalar(
        select(RiskAssessment)
        .where(RiskAssessment.declaration_id == declaration_id)
        .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
        .limit(1)
    )


def _hits_json(verdict: Assessment) -> list[dict[str, Any]]:
    return [{"rule": h.rule, "weight": h.weight, "reason": h.reason} for h in verdict.hits]


def reassess(session: Session, declaration: Declaration, trigger: str, now: datetime | None = None) -> RiskAssessment:
    """Assess with the evidence as it is now; store it only when the verdict changed. The caller commits."""
    now = now or datetime.now(UTC)
    verdict = assess(gather_evidence(session, declaration, now), ruleset())
    hits = _hits_json(verdict)
    current = current_assessment(session, declaration.id)
    if current is not None and (current.channel, current.score, current.hits, current.ruleset_version) == (
        verdict.channel, verdict.score, hits, verdict.ruleset_version
    ):
        return current
    row = RiskAssessment(
        declaration_id=declaration.id, assessed_at=now, score=verdict.score, channel=verdict.channel,
        previous_channel=current.channel if current else None, hits=hits,
        ruleset_version=verdict.ruleset_version, trigger=trigger,
    )
    session.add(row)
    session.flush()
    if current is None or current.channel != verdict.channel:
        audit.record(session, RISK_ENGINE, "channel", "declaration", declaration.number, {
            "from": current.channel if current else None, "to": verdict.channel, "score": verdict.score,
            "rules": [h["rule"] for h in hits], "trigger": trigger, "ruleset_version": verdict.ruleset_version,
        })
        events.publish(session, "risk", {"declaration_number": declaration.number, "channel": verdict.channel,
                                         "score": verdict.score})
    return row


def reassess_number(session: Session, declaration_number: str | None, trigger: str) -> RiskAssessment | None:
    """Evidence arrived for a declaration known only by its number (an alert): reassess it if it exists."""
    if not declaration_number:
        return None
    declaration = session.scalar(select(Declaration).where(Declaration.number == declaration_number))
    return None if declaration is None else reassess(session, declaration, trigger)


def history(session: Session, declaration_id: int) -> list[RiskAssessment]:
    return list(session.scalars(
        select(RiskAssessment).where(RiskAssessment.declaration_id == declaration_id)
        .order_by(RiskAssessment.assessed_at, RiskAssessment.id)
    ))


def risk_queue(session: Session, channel: str | None, limit: int, offset: int) -> list[tuple[Declaration, RiskAssessment]]:
    """Declarations by their verdict in force, the riskiest first."""
    ranked = select(
        RiskAssessment.id,
        func.row_number().over(
            partition_by=RiskAssessment.declaration_id,
            order_by=(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc()),
        ).label("rank"),
    ).subquery()
    latest = select(ranked.c.id).where(ranked.c.rank == 1).subquery()
    query = (
        select(Declaration, RiskAssessment)
        .join(RiskAssessment, RiskAssessment.declaration_id == Declaration.id)
        .where(RiskAssessment.id.in_(select(latest.c.id)))
        .order_by(RiskAssessment.score.desc(), RiskAssessment.assessed_at.desc())
        .limit(limit).offset(offset)
    )
    if channel:
        query = query.where(RiskAssessment.channel == channel)
    return [(d, a) for d, a in session.execute(query).unique()]


def effectiveness(session: Session, since: datetime | None = None) -> list[dict[str, Any]]:
    """Per rule: red selections it took part in, inspections of them, and how many found something.

    A declaration counts once per rule: its red verdict in force when it was
    inspected (or its latest red verdict, if not inspected yet).
    """
    inspections = {
        declaration_id: details.get("result")
        for declaration_id, details in session.execute(
            select(Crossing.declaration_id, CrossingStep.details)
            .join(CrossingStep, CrossingStep.crossing_id == Crossing.id)
            .where(CrossingStep.step == "inspected", Crossing.declaration_id.is_not(None))
        )
    }
    query = select(RiskAssessment).where(RiskAssessment.channel == "red")
    if since:
        query = query.where(RiskAssessment.assessed_at >= since)
    rules_of: dict[int, set[str]] = {}
    for row in session.scalars(query):
        rules_of.setdefault(row.declaration_id, set()).update(h["rule"] for h in row.hits)
    selected: Counter = Counter()
    inspected: Counter = Counter()
    found: Counter = Counter()
    for declaration_id, rules in rules_of.items():
        result = inspections.get(declaration_id)
        for rule in rules:
            selected[rule] += 1
            if result in ("found", "not_found"):
                inspected[rule] += 1
                found[rule] += result == "found"
    return [
        {"rule": rule, "red_selections": selected[rule], "inspections": inspected[rule], "found": found[rule],
         "hit_rate": round(found[rule] / inspected[rule], 3) if inspected[rule] else None}
        for rule in sorted(selected, key=lambda r: (-selected[r], r))
    ]
