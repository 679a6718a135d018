"""Weight control at the weighbridge: plausibility, limits and the declared weight.

A weighing is one measurement of a vehicle: its gross mass and the load on
each axle, in kilograms. Three findings can come of it, each with its
numbers (units in the key names):

- ``overweight_gross``: gross mass over the limit (44 t by default);
- ``overweight_axle``: an axle over the permitted load of its class, from a
  configurable table (single, tandem and tridem axles carry different loads
  because a group spreads the load over more road);
- ``weight_discrepancy``: measured gross differs from the declared gross by
  more than a threshold (5 % by default), relative to the declared gross.

Readings that cannot be a measurement (0 kg, 200 t, a 60 t axle, axles that
do not add up to the gross) are refused with WeightError, never assessed.

>>> limits = AxleLimits({"single": 10_000, "tandem": 8_000})
>>> [f.kind for f in assess_weighing(WeighingReading(47_000, (7_000, 10_500, 9_500, 10_000, 10_000)),
...                                  limits, declared_gross_kg=40_000)]
['overweight_gross', 'overweight_axle', 'weight_discrepancy']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: Default gross mass limit of a road vehicle or combination in Kyrgyzstan and the EAEU, kg.
GROSS_LIMIT_KG = 44_000
#: Default threshold of the declared-versus-measured difference, percent of the declared gross.
DISCREPANCY_THRESHOLD_PCT = Decimal("5")

#: A weighbridge measures road vehicles: below this it is not a vehicle, kg.
MIN_GROSS_KG = 500
#: Above this no road vehicle is weighed at a border post (heavy haul tops out well below), kg.
MAX_GROSS_KG = 150_000
#: No single axle of a road vehicle can carry this, kg.
MAX_AXLE_LOAD_KG = 40_000
MIN_AXLES, MAX_AXLES = 2, 12
#: The axle loads of a static weighbridge add up to its gross within this share (scale tolerance).
AXLE_SUM_TOLERANCE_PCT = Decimal("5")
#: The class of an axle when the weighbridge does not say.
DEFAULT_AXLE_CLASS = "single"
AXLE_LIMITS_COLUMNS = ("axle_class", "limit_kg", "description")


class WeightError(ValueError):
    """A reading that cannot be a measurement; names the field at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class AxleLimits:
    """Permitted load per axle, kg, by axle class.

    >>> AxleLimits({"single": 10_000}).limit_kg("single")
    10000
    """

    def __init__(self, limits_kg: Mapping[str, int]) -> None:
        if not limits_kg:
            raise ValueError("the axle limits table is empty")
        for axle_class, limit in limits_kg.items():
            if not axle_class or limit <= 0:
                raise ValueError(f"axle class {axle_class!r}: the limit must be a positive number of kg")
        self._limits = dict(limits_kg)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self._limits)

    def limit_kg(self, axle_class: str) -> int:
        return self._limits[axle_class]


def parse_axle_limits_csv(text: str) -> AxleLimits:
    """The table from CSV text with the header axle_class,limit_kg,description (# starts a comment)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if tuple(reader.fieldnames or ()) != AXLE_LIMITS_COLUMNS:
        raise ValueError(f"the header must be {','.join(AXLE_LIMITS_COLUMNS)}, not {reader.fieldnames}")
    limits: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        axle_class = (row["axle_class"] or "").strip()
        if axle_class in limits:
            raise ValueError(f"entry {number}: axle class {axle_class!r} is listed twice")
        try:
            limits[axle_class] = int((row["limit_kg"] or "").strip())
        except ValueError as exc:
            raise ValueError(f"entry {number}: limit_kg {row['limit_kg']!r} is not a whole number of kg") from exc
    return AxleLimits(limits)


@dataclass(frozen=True)
class WeighingReading:
    """What the weighbridge measured: gross kg and the load of each axle, front to back."""

    gross_kg: int
    axle_loads_kg: tuple[int, ...]
    #: The class of each axle (same length as axle_loads_kg); empty means every axle is single.
    axle_classes: tuple[str, ...] = ()

    def classes(self) -> tuple[str, ...]:
        return self.axle_classes or (DEFAULT_AXLE_CLASS,) * len(self.axle_loads_kg)


@dataclass(frozen=True)
class WeightFinding:
    """Something wrong with a vehicle's weight, with the numbers that show it."""

    kind: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


def check_reading(reading: WeighingReading, limits: AxleLimits) -> None:
    """Raise WeightError unless the reading can be a real measurement."""
    gross = reading.gross_kg
    if isinstance(gross, bool) or not isinstance(gross, int):
        raise WeightError("gross_kg must be a whole number of kilograms", "gross_kg")
    if gross <= 0:
        raise WeightError(f"gross_kg must be positive, not {gross}", "gross_kg")
    if not MIN_GROSS_KG <= gross <= MAX_GROSS_KG:
        raise WeightError(
            f"gross_kg {gross} is not a road vehicle's mass (accepted: {MIN_GROSS_KG}-{MAX_GROSS_KG} kg)", "gross_kg"
        )
    loads = reading.axle_loads_kg
    if not MIN_AXLES <= len(loads) <= MAX_AXLES:
        raise WeightError(f"a vehicle has {MIN_AXLES} to {MAX_AXLES} axles, not {len(loads)}", "axle_loads_kg")
    for i, load in enumerate(loads):
        if isinstance(load, bool) or not isinstance(load, int) or not 0 < load <= MAX_AXLE_LOAD_KG:
            raise WeightError(
                f"axle {i + 1} load {load!r} is not plausible (accepted: 1-{MAX_AXLE_LOAD_KG} kg)", f"axle_loads_kg.{i}"
            )
    if reading.axle_classes:
        if len(reading.axle_classes) != len(loads):
            raise WeightError(
                f"{len(reading.axle_classes)} axle classes for {len(loads)} axle loads", "axle_classes"
            )
        for i, axle_class in enumerate(reading.axle_classes):
            if axle_class not in limits.classes:
                raise WeightError(
                    f"unknown axle class {axle_class!r}; known: {', '.join(limits.classes)}", f"axle_classes.{i}"
                )
    total = sum(loads)
    if abs(total - gross) * 100 > AXLE_SUM_TOLERANCE_PCT * gross:
        raise WeightError(
            f"the axle loads add up to {total} kg, more than {AXLE_SUM_TOLERANCE_PCT} % away from gross_kg {gross}",
            "axle_loads_kg",
        )


def discrepancy_pct(measured_kg: int, declared_kg: int) -> Decimal:
    """How far the measured gross is from the declared one, percent of the declared, 2 places.

    >>> discrepancy_pct(32_100, 30_000)
    Decimal('7.00')
    """
    return (Decimal(measured_kg - declared_kg) * 100 / Decimal(declared_kg)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def assess_weighing(
    reading: WeighingReading,
    limits: AxleLimits,
    declared_gross_kg: int | None = None,
    gross_limit_kg: int = GROSS_LIMIT_KG,
    threshold_pct: Decimal = DISCREPANCY_THRESHOLD_PCT,
) -> list[WeightFinding]:
    """The findings of a plausible reading (check_reading first), in a fixed order."""
    findings = []
    if reading.gross_kg > gross_limit_kg:
        excess = reading.gross_kg - gross_limit_kg
        findings.append(
            WeightFinding(
                "overweight_gross",
                f"gross {reading.gross_kg} kg is {excess} kg over the {gross_limit_kg} kg limit",
                {"gross_kg": reading.gross_kg, "limit_kg": gross_limit_kg, "excess_kg": excess},
            )
        )
    for i, (load, axle_class) in enumerate(zip(reading.axle_loads_kg, reading.classes())):
        limit = limits.limit_kg(axle_class)
        if load > limit:
            findings.append(
                WeightFinding(
                    "overweight_axle",
                    f"axle {i + 1} ({axle_class}) carries {load} kg, {load - limit} kg over its {limit} kg limit",
                    {"axle": i + 1, "axle_class": axle_class, "load_kg": load, "limit_kg": limit,
                     "excess_kg": load - limit},
                )
            )
    if declared_gross_kg:
        difference = reading.gross_kg - declared_gross_kg
        # Compared exactly; the rounded percentage is only what the finding shows.
        if abs(difference) * 100 > threshold_pct * declared_gross_kg:
            pct = discrepancy_pct(reading.gross_kg, declared_gross_kg)
            findings.append(
                WeightFinding(
                    "weight_discrepancy",
                    f"measured {reading.gross_kg} kg differs from the declared {declared_gross_kg} kg "
                    f"by {difference:+} kg ({pct:+} %, threshold {threshold_pct} %)",
                    {"measured_gross_kg": reading.gross_kg, "declared_gross_kg": declared_gross_kg,
                     "difference_kg": difference, "difference_pct": str(pct), "threshold_pct": str(threshold_pct)},
                )
            )
    return findings
