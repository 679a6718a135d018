"""Reports: the accounting of goods through checkpoints, as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.domain.goods_accounting import GroupingError, figures, parse_group_by
from chekara.domain.roles import Actor, Role
from chekara.errors import InvalidInput
from chekara.services import goods_report, report_formats

router = APIRouter(prefix="/reports", tags=["reports"])

ReportReader = Annotated[Actor, Depends(Allowed(Role.planner, Role.supervisor, Role.operator))]

_FORMAT_BY_MEDIA_TYPE = {
    "application/json": "json",
    report_formats.CSV_MEDIA_TYPE: "csv",
    report_formats.XLSX_MEDIA_TYPE: "xlsx",
}


class GoodsFigures(BaseModel):
    vehicles: int = Field(description="released crossings (distinct within the row)")
    goods_lines: int
    gross_kg: Decimal
    tonnes: Decimal
    value_kgs: Decimal
    duty_kgs: Decimal
    vat_kgs: Decimal
    payments_due_kgs: Decimal = Field(description="duty + VAT on imports")
    guarantee_kgs: Decimal = Field(description="guarantees of transits")
    lines_without_rate: int = Field(description="goods lines whose HS code has no tariff rate (counted as 0)")


class GoodsRowPublic(GoodsFigures):
    keys: dict[str, Any]


class GoodsReportPublic(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    group_by: list[str]
    rows: list[GoodsRowPublic]
    totals: GoodsFigures


def _format(requested: str | None, request: Request) -> str:
    """The format from ?format=, else from the Accept header, else JSON."""
    if requested:
        return requested
    accept = request.headers.get("accept", "")
    for part in accept.split(","):
        media_type = part.split(";")[0].strip().lower()
        if media_type in _FORMAT_BY_MEDIA_TYPE:
            return _FORMAT_BY_MEDIA_TYPE[media_type]
    return "json"


@router.get(
    "/goods",
    summary="Goods through checkpoints: vehicles, tonnes, value and payments due (planner, supervisor, operator)",
    response_model=GoodsReportPublic,
    responses={200: {"content": {report_formats.CSV_MEDIA_TYPE: {}, report_formats.XLSX_MEDIA_TYPE: {}}}},
)
def get_goods_report(
    request: Request,
    session: SessionDep,
    _: ReportReader,
    from_: date = Query(alias="from", description="first day (Asia/Bishkek), inclusive"),
    to: date = Query(description="last day (Asia/Bishkek), inclusive"),
    group_by: str | None = Query(
        None, max_length=100, description="comma-separated: checkpoint, direction, hs_chapter, country, day"
    ),
    format: Literal["json", "csv", "xlsx"] | None = Query(None, description="default: from Accept, else json"),
) -> Any:
    try:
        keys = parse_group_by(group_by)
    except GroupingError as exc:
        raise InvalidInput(str(exc), field="group_by") from exc
    report = goods_report.goods_report(session, from_, to, keys)
    chosen = _format(format, request)
    filename = f"goods_{from_.isoformat()}_{to.isoformat()}"
    if chosen == "csv":
        header, rows = report_formats.goods_table(report)
        return Response(
            report_formats.to_csv(header, rows), media_type=f"{report_formats.CSV_MEDIA_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if chosen == "xlsx":
        header, rows = report_formats.goods_table(report)
        return Response(
            report_formats.to_xlsx(header, rows, "goods"), media_type=report_formats.XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return GoodsReportPublic(
        from_=from_, to=to, group_by=keys,
        rows=[GoodsRowPublic(keys=row.keys, **figures(row)) for row in report.rows],
        totals=GoodsFigures(**figures(report.totals)),
    )
