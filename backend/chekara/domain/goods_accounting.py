"""Accounting of goods: what released crossings carried, summed by the keys asked for.

The input is one GoodsEntry per goods line per released crossing; the
output is one row per group and a totals row. Every amount is a Decimal
sum of the lines, so the groups add up exactly to the totals and the totals
to the declarations. ``vehicles`` counts distinct crossings: grouped by HS
chapter, a vehicle carrying two chapters counts in both groups (once in
the totals), so vehicles is the one column that does not add up across
chapter groups.

>>> from datetime import date
>>> entries = [
...     GoodsEntry(1, "TORUGART", "inbound", "08", "CN", date(2026, 1, 5), Decimal("20000"),
...                Decimal("100.00"), Decimal("10.00"), Decimal("13.20"), Decimal("0"), False),
...     GoodsEntry(1, "TORUGART", "inbound", "84", "CN", date(2026, 1, 5), Decimal("500"),
...                Decimal("50.00"), Decimal("0.00"), Decimal("6.00"), Decimal("0"), False),
... ]
>>> report = aggregate(entries, ["hs_chapter"])
>>> [(r.keys["hs_chapter"], r.vehicles, r.tonnes) for r in report.rows]
[('08', 1, Decimal('20')), ('84', 1, Decimal('0.5'))]
>>> report.totals.vehicles, report.totals.payments_due_kgs
(1, Decimal('29.20'))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

#: What a report may be grouped by, in the order columns appear.
GROUP_KEYS = ("checkpoint", "direction", "hs_chapter", "country", "day")


class GroupingError(ValueError):
    """group_by names something that is not a grouping key."""


def parse_group_by(text: str | None) -> list[str]:
    """'checkpoint,day' -> ['checkpoint', 'day'] in GROUP_KEYS order; empty -> [] (totals only).

    >>> parse_group_by("day, checkpoint")
    ['checkpoint', 'day']
    """
    if text is None or not text.strip():
        return []
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [w for w in wanted if w not in GROUP_KEYS]
    if unknown:
        raise GroupingError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(GROUP_KEYS)}")
    return [key for key in GROUP_KEYS if key in wanted]


@dataclass(frozen=True)
class GoodsEntry:
    """One goods line carried through one released crossing, amounts in KGS and kg."""

    crossing_id: int
    checkpoint: str
    direction: str
    hs_chapter: str
    country: str | None
    day: date
    gross_kg: Decimal
    value_kgs: Decimal
    duty_kgs: Decimal
    vat_kgs: Decimal
    guarantee_kgs: Decimal
    #: An import line whose HS code has no tariff rate: its duty and VAT are unknown (counted as 0).
    without_rate: bool

    def key(self, group_by: Sequence[str]) -> tuple:
        return tuple(getattr(self, k) for k in group_by)


@dataclass
class GoodsRow:
    keys: dict[str, object]
    crossings: set[int] = field(default_factory=set)
    goods_lines: int = 0
    gross_kg: Decimal = Decimal("0")
    value_kgs: Decimal = Decimal("0")
    duty_kgs: Decimal = Decimal("0")
    vat_kgs: Decimal = Decimal("0")
    guarantee_kgs: Decimal = Decimal("0")
    lines_without_rate: int = 0

    @property
    def vehicles(self) -> int:
        return len(self.crossings)

    @property
    def tonnes(self) -> Decimal:
        return self.gross_kg / 1000

    @property
    def payments_due_kgs(self) -> Decimal:
        return self.duty_kgs + self.vat_kgs

    def add(self, entry: GoodsEntry) -> None:
        self.crossings.add(entry.crossing_id)
        self.goods_lines += 1
        self.gross_kg += entry.gross_kg
        self.value_kgs += entry.value_kgs
        self.duty_kgs += entry.duty_kgs
        self.vat_kgs += entry.vat_kgs
        self.guarantee_kgs += entry.guarantee_kgs
        self.lines_without_rate += entry.without_rate


@dataclass(frozen=True)
class GoodsReport:
    group_by: list[str]
    rows: list[GoodsRow]
    totals: GoodsRow


def _sort_key(key: tuple) -> tuple:
    # None (no country) sorts last, whatever the type of the other values.
    return tuple((value is None, value if value is not None else "") for value in key)


def aggregate(entries: Iterable[GoodsEntry], group_by: Sequence[str]) -> GoodsReport:
    """Sum entries by group_by (a subset of GROUP_KEYS); rows sorted by their keys."""
    for key in group_by:
        if key not in GROUP_KEYS:
            raise GroupingError(f"cannot group by {key}")
    groups: dict[tuple, GoodsRow] = {}
    totals = GoodsRow(keys={})
    for entry in entries:
        key = entry.key(group_by)
        row = groups.get(key)
        if row is None:
            row = groups[key] = GoodsRow(keys=dict(zip(group_by, key)))
        row.add(entry)
        totals.add(entry)
    rows = [groups[k] for k in sorted(groups, key=_sort_key)]
    return GoodsReport(list(group_by), rows, totals)


#: The figures of a row, in the order reports show them.
METRICS = (
    "vehicles", "goods_lines", "gross_kg", "tonnes", "value_kgs", "duty_kgs", "vat_kgs",
    "payments_due_kgs", "guarantee_kgs", "lines_without_rate",
)
_KG = Decimal("0.001")
_TONNES = Decimal("0.000001")


def figures(row: GoodsRow) -> dict[str, int | Decimal]:
    """A row's figures at their fixed precision (kg to the gram, tonnes exact, KGS to the tyiyn).

    >>> figures(GoodsRow(keys={}, gross_kg=Decimal("1500.5")))["tonnes"]
    Decimal('1.500500')
    """
    return {
        "vehicles": row.vehicles,
        "goods_lines": row.goods_lines,
        "gross_kg": row.gross_kg.quantize(_KG),
        "tonnes": row.tonnes.quantize(_TONNES),
        "value_kgs": row.value_kgs,
        "duty_kgs": row.duty_kgs,
        "vat_kgs": row.vat_kgs,
        "payments_due_kgs": row.payments_due_kgs,
        "guarantee_kgs": row.guarantee_kgs,
        "lines_without_rate": row.lines_without_rate,
    }
