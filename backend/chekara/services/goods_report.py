"""The goods accounting report: what released crossings carried, in tonnes, KGS and payments due.

Every crossing with a release step counts, on the Bishkek day of its
release, with all the goods lines of its declaration:

- checkpoint and direction are the crossing's; a transit therefore counts
  twice, inbound where it enters and outbound where it leaves (this is a
  report of what went through checkpoints, not a revenue ledger);
- country is the partner country of the move: where the goods came from
  (dispatch country) inbound, where they go (destination country)
  outbound; for a crossing of unknown direction, the dispatch country of
  an import or transit and the destination of an export;
- payments due (duty + VAT) are counted for imports, the guarantee for
  transits; a line without a tariff rate counts 0 and is counted in
  lines_without_rate.

The sums are done in chekara.domain.goods_accounting on the stored line
amounts, so the report reconciles exactly with the declarations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Checkpoint, Crossing, Declaration, GoodsLine
from chekara.domain.bishkek_time import bishkek_day, day_bounds_utc
from chekara.domain.goods_accounting import GoodsEntry, GoodsReport, aggregate
from chekara.domain.hs_codes import hs_chapter
from chekara.errors import InvalidInput

#: The longest period one report covers, days.
MAX_PERIOD_DAYS = 3 * 366
ZERO = Decimal("0")


def partner_country(declaration: Declaration, direction: str) -> str:
    if direction == "inbound":
        return declaration.dispatch_country
    if direction == "outbound":
        return declaration.destination_country
    return declaration.destination_country if declaration.kind == "export" else declaration.dispatch_country


def goods_entries(session: Session, day_from: date, day_to: date) -> list[GoodsEntry]:
    """One entry per goods line per crossing released between day_from and day_to (Bishkek days, inclusive)."""
    if day_to < day_from:
        raise InvalidInput("'to' is before 'from'", field="to")
    if (day_to - day_from).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_PERIOD_DAYS} days", field="to")
    start, _ = day_bounds_utc(day_from)
    _, end = day_bounds_utc(day_to)
    rows = session.execute(
        select(Crossing, Checkpoint.code, Declaration, GoodsLine)
        .join(Checkpoint, Crossing.checkpoint_id == Checkpoint.id)
        .join(Declaration, Crossing.declaration_id == Declaration.id)
        .join(GoodsLine, GoodsLine.declaration_id == Declaration.id)
        .where(Crossing.released_at >= start, Crossing.released_at < end)
        .order_by(Crossing.id, GoodsLine.line_no)
    ).all()
    entries = []
    for crossing, code, declaration, line in rows:
        priced = line.duty_kgs is not None and line.vat_kgs is not None
        owed = (line.duty_kgs + line.vat_kgs) if priced else ZERO
        entries.append(
            GoodsEntry(
                crossing_id=crossing.id,
                checkpoint=code,
                direction=crossing.direction,
                hs_chapter=hs_chapter(line.hs_code),
                country=partner_country(declaration, crossing.direction),
                day=bishkek_day(crossing.released_at),
                gross_kg=line.gross_kg,
                value_kgs=line.value_kgs,
                duty_kgs=(line.duty_kgs or ZERO) if declaration.kind == "import" else ZERO,
                vat_kgs=(line.vat_kgs or ZERO) if declaration.kind == "import" else ZERO,
                guarantee_kgs=owed if declaration.kind == "transit" else ZERO,
                without_rate=declaration.kind in ("import", "transit") and not priced,
            )
        )
    return entries


def goods_report(session: Session, day_from: date, day_to: date, group_by: list[str]) -> GoodsReport:
    return aggregate(goods_entries(session, day_from, day_to), group_by)
