"""What the rules look at: the evidence of one declaration, gathered by services/risk.py (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class GoodsLineFact:
    hs_code: str
    gross_kg: Decimal
    value_kgs: Decimal | None


@dataclass(frozen=True)
class WeighingFact:
    measured_gross_kg: int
    declared_gross_kg: int | None


@dataclass(frozen=True)
class FindingFact:
    """A checkpoint finding (overweight_gross, overweight_axle, …) with its numbers."""

    kind: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertFact:
    """An alert on the declaration or on its convoy's trip."""

    type: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeclarationEvidence:
    number: str
    kind: str
    declared_gross_kg: Decimal
    goods: tuple[GoodsLineFact, ...] = ()
    weighings: tuple[WeighingFact, ...] = ()
    findings: tuple[FindingFact, ...] = ()
    alerts: tuple[AlertFact, ...] = ()
    #: Earlier red verdicts within the history window, for the same vehicle / consignee.
    red_history_vehicle: int = 0
    red_history_consignee: int = 0
