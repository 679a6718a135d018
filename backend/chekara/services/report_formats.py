"""Reports as files: CSV and XLSX, from a header and rows.

The goods report becomes one table: a ``scope`` column ("group" for each
group, "total" for the last row), the grouping keys, then the figures.
Amounts stay Decimal to the end: CSV writes them as they are, XLSX stores
them as numbers with a fixed format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from chekara.domain.goods_accounting import METRICS, GoodsReport, figures

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"

_NUMBER_FORMATS = {"gross_kg": "#,##0.000", "tonnes": "#,##0.000000", "vehicles": "0", "goods_lines": "0",
                   "lines_without_rate": "0"}
_MONEY_FORMAT = "#,##0.00"


def goods_table(report: GoodsReport) -> tuple[list[str], list[list[Any]]]:
    header = ["scope", *report.group_by, *METRICS]
    rows = []
    for row in report.rows:
        values = figures(row)
        rows.append(["group", *(row.keys[k] for k in report.group_by), *(values[m] for m in METRICS)])
    totals = figures(report.totals)
    rows.append(["total", *([""] * len(report.group_by)), *(totals[m] for m in METRICS)])
    return header, rows


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for column, name in enumerate(header, start=1):
        number_format = _NUMBER_FORMATS.get(name, _MONEY_FORMAT if name.endswith("_kgs") else None)
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, (int, Decimal)):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
