"""Reports: the accounting of goods through checkpoints (JSON, CSV or XLSX); the supervisor's shift report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from chekara.api.deps import Allowed, SessionDep
from chekara.domain.goods_accounting import GroupingError, figures, parse_group_by
from chekara.domain.roles import Actor, Role
from chekara.errors import InvalidInput
from chekara.services import alerts, goods_report, report_formats, shift_report

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


# ---- the supervisor's shift report -------------------------------------------------------------

ShiftSupervisor = Annotated[Actor, Depends(Allowed(Role.supervisor))]
#: A shift: the report's default window, ending now.
SHIFT_HOURS = 12


class AlertFigures(BaseModel):
    raised: int = Field(description="situations that began in the window")
    acknowledged: int = Field(description="acknowledgements made in the window")
    resolved: int = Field(description="resolutions made in the window (people and detectors)")
    still_open: int = Field(description="raised before the window's end and not resolved by then")


class PersonActivityPublic(BaseModel):
    by: str
    role: str
    acknowledged: int
    resolved: int
    notes: int


class AlertActivityPublic(BaseModel):
    at: datetime
    alert_id: int
    type: str
    severity: str
    action: Literal["raised", "acknowledged", "resolved", "note"]
    by: str
    role: str
    note: str
    corridor: str | None
    checkpoint: str | None
    trip_id: int | None
    declaration_number: str | None


class OpenAlertPublic(BaseModel):
    alert_id: int
    type: str
    severity: str
    status: str
    raised_at: datetime
    corridor: str | None
    checkpoint: str | None
    trip_id: int | None
    declaration_number: str | None


class ShiftReportPublic(BaseModel):
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    totals: AlertFigures
    by_severity: dict[str, AlertFigures]
    people: list[PersonActivityPublic] = Field(description="who did what, busiest first")
    activity: list[AlertActivityPublic] = Field(description="in time order")
    still_open: list[OpenAlertPublic] = Field(description=f"oldest first, at most {shift_report.MAX_OPEN_LISTED}")


def _figures(counts) -> AlertFigures:
    return AlertFigures(**{name: counts[name] for name in AlertFigures.model_fields})


@router.get(
    "/alerts",
    summary="The shift report: alerts raised, acknowledged, resolved and still open in a window, with who did what (supervisor)",
    response_model=ShiftReportPublic,
    responses={200: {"content": {report_formats.CSV_MEDIA_TYPE: {}}}},
)
def get_shift_report(
    session: SessionDep,
    _: ShiftSupervisor,
    from_: AwareDatetime | None = Query(None, alias="from", description=f"default: {SHIFT_HOURS} h before `to`"),
    to: AwareDatetime | None = Query(None, description="default: now"),
    format: Literal["json", "csv"] = Query("json", description="csv: the activity, one row per event"),
) -> Any:
    end = to or datetime.now(UTC)
    try:
        start = from_ or end - timedelta(hours=SHIFT_HOURS)
    except OverflowError as exc:  # a `to` in the first hours of year 1
        raise InvalidInput("the window would begin before year 1", field="to") from exc
    report = shift_report.shift_report(session, start, end)
    if format == "csv":
        filename = f"shift_{start:%Y%m%dT%H%M}_{end:%Y%m%dT%H%M}"
        return Response(
            report_formats.to_csv(shift_report.ACTIVITY_HEADER, shift_report.activity_rows(report)),
            media_type=f"{report_formats.CSV_MEDIA_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    corridors = report.corridors
    return ShiftReportPublic(
        from_=start, to=end, totals=_figures(report.totals),
        by_severity={s: _figures(c) for s, c in report.by_severity.items()},
        people=[PersonActivityPublic(**vars(p)) for p in report.people],
        activity=[
            AlertActivityPublic(
                at=a.at, alert_id=a.alert.id, type=a.alert.type, severity=alerts.severity(a.alert.type),
                action=a.action, by=a.by, role=a.role, note=a.note, corridor=corridors.get(a.alert.trip_id),
                checkpoint=a.alert.checkpoint.code if a.alert.checkpoint else None, trip_id=a.alert.trip_id,
                declaration_number=a.alert.declaration_number,
            )
            for a in report.activity
        ],
        still_open=[
            OpenAlertPublic(
                alert_id=a.id, type=a.type, severity=alerts.severity(a.type), status=a.status, raised_at=a.raised_at,
                corridor=corridors.get(a.trip_id), checkpoint=a.checkpoint.code if a.checkpoint else None,
                trip_id=a.trip_id, declaration_number=a.declaration_number,
            )
            for a in report.still_open
        ],
    )
