"""A partner's pre-arrival notice against what we measure and find: weight and seals.

- ``weight_differs``: our weighbridge's gross against the partner's, relative
  to the partner's figure; a difference of exactly the tolerance is not one.
- ``compare_seals``: the seal ids the partner announced against those our
  officer found, after normalisation (case, spaces and dashes do not count:
  "kz-0012 345" is "KZ0012345").

>>> weight_differs(31_600, 30_000, 5)
True
>>> weight_differs(31_500, 30_000, 5)
False
>>> compare_seals(["KZ-001", "KZ 002"], ["kz001", "KZ003"]).missing
('KZ002',)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_IGNORED = re.compile(r"[\s\-_./]+")


def weight_differs(measured_kg: int, announced_kg: int, tolerance_pct: Decimal | float) -> bool:
    """True when measured is further from announced than tolerance_pct percent of announced (compared exactly)."""
    if announced_kg <= 0:
        raise ValueError("announced_kg must be positive")
    return abs(measured_kg - announced_kg) * 100 > Decimal(str(tolerance_pct)) * announced_kg


def normalize_seal_id(seal_id: str) -> str:
    """The comparable form of a seal id: upper case, without spaces, dashes, dots, slashes or underscores."""
    normalized = _IGNORED.sub("", seal_id).upper()
    if not normalized:
        raise ValueError(f"{seal_id!r} is not a seal id")
    return normalized


@dataclass(frozen=True)
class SealComparison:
    #: Announced by the partner, not found here.
    missing: tuple[str, ...]
    #: Found here, not announced.
    unexpected: tuple[str, ...]

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.unexpected)


def compare_seals(announced: list[str] | tuple[str, ...], found: list[str] | tuple[str, ...]) -> SealComparison:
    a = {normalize_seal_id(s) for s in announced}
    f = {normalize_seal_id(s) for s in found}
    return SealComparison(missing=tuple(sorted(a - f)), unexpected=tuple(sorted(f - a)))
