"""The risk rules: each a small named unit that looks at one declaration's evidence.

A rule returns a Hit (its weight and a reason with the numbers) or None.
Parameters come from the ruleset file (risk_rules.toml); the rule names are
the keys of its [rules.*] tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chekara.domain.risk.evidence import DeclarationEvidence


@dataclass(frozen=True)
class Hit:
    rule: str
    weight: float
    reason: str


Params = Mapping[str, Any]
Rule = Callable[[DeclarationEvidence, Params, float], Hit | None]


def _kg(value: float | Decimal) -> str:
    return f"{float(value):,.0f} kg"


def weight_discrepancy(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """Measured gross differs from declared gross by more than tolerance_pct (exactly at it: no hit)."""
    worst = None
    for w in ev.weighings:
        declared = w.declared_gross_kg or float(ev.declared_gross_kg)
        if not declared:
            continue
        deviation_pct = (w.measured_gross_kg - declared) / declared * 100
        if abs(deviation_pct) > p["tolerance_pct"] and (worst is None or abs(deviation_pct) > abs(worst[2])):
            worst = (w.measured_gross_kg, declared, deviation_pct)
    if worst is None:
        return None
    measured, declared, pct = worst
    return Hit("weight_discrepancy", weight, f"measured {_kg(measured)} vs declared {_kg(declared)}: {pct:+.1f} %")


def overweight(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """A weighing found the gross limit or an axle limit exceeded."""
    found = [f for f in ev.findings if f.kind in ("overweight_gross", "overweight_axle")]
    if not found:
        return None
    return Hit("overweight", weight, "; ".join(f.message for f in found))


def plate_mismatch(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """A camera saw a plate that is not the declaration's, or a vehicle with no declaration."""
    found = [a for a in ev.alerts if a.type in ("plate_mismatch", "undeclared_vehicle")]
    if not found:
        return None
    plates = sorted({str(a.evidence.get("plate") or a.evidence.get("read_plate") or "?") for a in found})
    return Hit("plate_mismatch", weight, f"{len(found)} plate alert(s): {', '.join(plates)}")


def _trip_alert_rule(alert_type: str, describe: Callable[[dict[str, Any]], str]) -> Rule:
    def rule(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
        found = [a for a in ev.alerts if a.type == alert_type]
        if not found:
            return None
        return Hit(alert_type, weight, "; ".join(describe(a.evidence) for a in found))

    rule.__name__ = alert_type
    rule.__doc__ = f"The convoy's trip raised {alert_type}."
    return rule


def _deviation(e: dict[str, Any]) -> str:
    km = float(e.get("max_distance_m", 0)) / 1000
    minutes = float(e.get("duration_s", 0)) / 60
    return f"left the corridor by up to {km:.1f} km for {minutes:.0f} min"


def _stop(e: dict[str, Any]) -> str:
    return f"stopped {float(e.get('duration_s', 0)) / 60:.0f} min outside any stop zone"


def _signal(e: dict[str, Any]) -> str:
    gap = e.get("gap_s") or e.get("silent_s") or 0
    return f"no signal for {float(gap) / 60:.0f} min"


route_deviation = _trip_alert_rule("route_deviation", _deviation)
unauthorized_stop = _trip_alert_rule("unauthorized_stop", _stop)
signal_lost = _trip_alert_rule("signal_lost", _signal)


def overdue(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """Past the delivery deadline without arrival, or a transit not seen leaving."""
    found = [a for a in ev.alerts if a.type in ("overdue", "transit_not_closed")]
    if not found:
        return None
    parts = []
    for a in found:
        hours = float(a.evidence.get("overdue_s", 0)) / 3600
        parts.append(f"{a.type.replace('_', ' ')}" + (f" by {hours:.1f} h" if hours else ""))
    return Hit("overdue", weight, "; ".join(parts))


def value_per_kg(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """Declared value per kg below the reference minimum of its HS chapter (KGS per kg)."""
    reference: Mapping[str, Decimal] = p["reference_kgs_per_kg"]
    low = []
    for line in ev.goods:
        minimum = reference.get(line.hs_code[:2])
        if minimum is None or line.value_kgs is None or not line.gross_kg:
            continue
        per_kg = line.value_kgs / line.gross_kg
        if per_kg < minimum:
            low.append(f"HS {line.hs_code}: {per_kg:,.2f} KGS/kg < {minimum:,.2f} for chapter {line.hs_code[:2]}")
    if not low:
        return None
    return Hit("value_per_kg", weight, "; ".join(low))


def repeat_offender(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """The vehicle or the consignee had red verdicts in the last `days` days."""
    if not (ev.red_history_vehicle or ev.red_history_consignee):
        return None
    return Hit(
        "repeat_offender", weight,
        f"red in the last {p['days']} days: vehicle {ev.red_history_vehicle}×, consignee {ev.red_history_consignee}×",
    )


def goods_weight_mismatch(ev: DeclarationEvidence, p: Params, weight: float) -> Hit | None:
    """The goods lines do not add up with the declared gross.

    The declared gross is what the vehicle should weigh on the weighbridge:
    tractor, trailer and load. So the goods lines' gross must lie between the
    declared gross less the heaviest plausible tare (tare_max_kg) and the
    declared gross less the lightest (tare_min_kg). Outside that, the goods
    declared are too heavy for the vehicle's gross, or the gross hides more
    than the goods declared.
    """
    if not ev.goods or not ev.declared_gross_kg:
        return None
    lines_kg = sum((line.gross_kg for line in ev.goods), Decimal(0))
    low = ev.declared_gross_kg - Decimal(p["tare_max_kg"])
    high = ev.declared_gross_kg - Decimal(p["tare_min_kg"])
    if low <= lines_kg <= high:
        return None
    return Hit(
        "goods_weight_mismatch", weight,
        f"goods lines add up to {_kg(lines_kg)}; a declared gross of {_kg(ev.declared_gross_kg)} with a tare of "
        f"{_kg(p['tare_min_kg'])}–{_kg(p['tare_max_kg'])} allows {_kg(max(low, Decimal(0)))}–{_kg(high)}",
    )


#: Every rule by its name in the ruleset file; random_selection is in engine.py (it needs the seed).
RULES: dict[str, Rule] = {
    "weight_discrepancy": weight_discrepancy,
    "overweight": overweight,
    "plate_mismatch": plate_mismatch,
    "route_deviation": route_deviation,
    "unauthorized_stop": unauthorized_stop,
    "signal_lost": signal_lost,
    "overdue": overdue,
    "value_per_kg": value_per_kg,
    "repeat_offender": repeat_offender,
    "goods_weight_mismatch": goods_weight_mismatch,
}
