"""How urgent an alert is, by its type: high, medium or low.

The defaults follow what the people on duty must do about it: goods may be
leaving control (a convoy off its corridor, stopped where it should not be,
split from its escort; a vehicle leaving unreleased or undeclared) is high;
a situation to check within the shift is medium; equipment trouble is low.
A deployment changes them with CHEKARA_ALERT_SEVERITY (JSON), e.g.
'{"low_battery": "medium"}'. An unknown type is medium.

>>> severity_table({"low_battery": "medium"})["low_battery"]
'medium'
"""

from __future__ import annotations

from collections.abc import Mapping

SEVERITIES = ("high", "medium", "low")
#: Sort order: most urgent first.
RANK = {name: i for i, name in enumerate(SEVERITIES)}
FALLBACK = "medium"

DEFAULT_SEVERITY = {
    "route_deviation": "high",
    "unauthorized_stop": "high",
    "convoy_separation": "high",
    "exit_without_release": "high",
    "undeclared_vehicle": "high",
    "fix_conflict": "high",  # two senders for one device: the signature of a forged track
    "signal_lost": "medium",
    "overdue": "medium",
    "plate_mismatch": "medium",
    "transit_not_closed": "medium",
    "announced_not_arrived": "medium",
    "clock_skew": "medium",
    "gps_anomaly": "low",
    "low_battery": "low",
}


def severity_table(overrides: Mapping[str, str]) -> dict[str, str]:
    """The defaults with a deployment's overrides; ValueError naming a bad severity."""
    for alert_type, severity in overrides.items():
        if severity not in SEVERITIES:
            raise ValueError(f"CHEKARA_ALERT_SEVERITY: {alert_type!r} has {severity!r}; use one of {', '.join(SEVERITIES)}")
    return {**DEFAULT_SEVERITY, **overrides}


def severity_of(table: Mapping[str, str], alert_type: str) -> str:
    return table.get(alert_type, FALLBACK)
