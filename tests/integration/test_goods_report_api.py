"""The goods report: released crossings only, every grouping, JSON/CSV/XLSX, reconciled with declarations."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from chekara.domain.bishkek_time import today_in_bishkek
from tests.integration.checkpoint_ops_helpers import Desk, ago, declaration, goods_line, read, transit

ADDITIVE = ("goods_lines", "gross_kg", "tonnes", "value_kgs", "duty_kgs", "vat_kgs", "payments_due_kgs",
            "guarantee_kgs", "lines_without_rate")
PERIOD = {"from": (today_in_bishkek() - timedelta(days=1)).isoformat(),
          "to": (today_in_bishkek() + timedelta(days=1)).isoformat()}
RELEASED = ["IM-80", "IM-81", "TR-82", "EX-83", "IM-85"]


@pytest.fixture
def traffic(client, auth) -> Desk:
    """Five released crossings (imports, a transit, an export, two checkpoints) and one still inside."""
    desk = Desk(client, auth)
    salt = goods_line(hs_code="2501009100", description="Salt", gross_kg="2000.5", net_kg="2000", value="777.77",
                      currency="EUR")
    desk.declare(declaration("IM-80", vehicle_plate="01 801 AAA", trailer_plate=None))
    desk.declare(declaration("IM-81", vehicle_plate="01 811 AAA", trailer_plate=None,
                             goods_lines=[goods_line(value="1234.56"), salt]))
    desk.declare(transit("TR-82", vehicle_plate="01 821 AAA", trailer_plate=None,
                         goods_lines=[goods_line(hs_code="8471300000", description="Laptops", value="55555.55")]))
    desk.declare(declaration("EX-83", kind="export", vehicle_plate="01 831 AAA", trailer_plate=None,
                             entry_checkpoint=None, exit_checkpoint="TORUGART", dispatch_country="KG",
                             destination_country="CN",
                             goods_lines=[goods_line(hs_code="0713339000", description="Kidney beans")]))
    desk.declare(declaration("IM-84", vehicle_plate="01 841 AAA", trailer_plate=None))
    desk.declare(declaration("IM-85", vehicle_plate="01 851 AAA", trailer_plate=None, entry_checkpoint="DOSTUK",
                             dispatch_country="UZ",
                             goods_lines=[goods_line(hs_code="520811", description="Cotton fabric", value="999.99",
                                                     currency="RUB")]))
    for plate in ("01 801 AAA", "01 811 AAA", "01 821 AAA", "01 831 AAA"):
        desk.walk_to_release(plate, ago(90), ago(80), 30_000)
    desk.walk_to_release("01 851 AAA", ago(90), ago(80), 30_000, checkpoint="DOSTUK")
    desk.read(read("01 841 AAA", at=ago(30)))  # inside, not released: not in the report
    return desk


def _report(client, auth, **params) -> dict:
    response = client.get("/api/v1/reports/goods", params=PERIOD | params, headers=auth("planner"))
    assert response.status_code == 200, response.text
    return response.json()


def _expected_totals(client, auth) -> dict[str, Decimal]:
    """The totals computed straight from the declarations as the API shows them."""
    totals = {k: Decimal("0") for k in ("vehicles", "gross_kg", "value_kgs", "payments_due_kgs", "guarantee_kgs",
                                         "goods_lines", "lines_without_rate")}
    for number in RELEASED:
        d = client.get(f"/api/v1/declarations/{number}", headers=auth("planner")).json()
        totals["vehicles"] += sum(1 for c in d["crossings"] if c["released_at"])
        totals["goods_lines"] += len(d["goods_lines"])
        totals["gross_kg"] += sum(Decimal(line["gross_kg"]) for line in d["goods_lines"])
        totals["value_kgs"] += Decimal(d["value_kgs"])
        totals["payments_due_kgs"] += Decimal(d["payments_due_kgs"])
        totals["guarantee_kgs"] += Decimal(d["guarantee_kgs"] or 0)
        totals["lines_without_rate"] += d["lines_without_rate"]
    return totals


def test_the_totals_reconcile_exactly_with_the_declarations(traffic, client, auth):
    expected = _expected_totals(client, auth)
    totals = _report(client, auth)["totals"]
    assert totals["vehicles"] == expected["vehicles"] == 5
    assert totals["goods_lines"] == expected["goods_lines"] == 6
    assert totals["lines_without_rate"] == expected["lines_without_rate"] == 1
    for name in ("gross_kg", "value_kgs", "payments_due_kgs", "guarantee_kgs"):
        assert Decimal(totals[name]) == expected[name], name
    assert Decimal(totals["tonnes"]) * 1000 == expected["gross_kg"]
    assert Decimal(totals["duty_kgs"]) + Decimal(totals["vat_kgs"]) == Decimal(totals["payments_due_kgs"])
    assert Decimal(totals["guarantee_kgs"]) > 0 and Decimal(totals["payments_due_kgs"]) > 0


def test_every_grouping_adds_up_to_the_totals(traffic, client, auth):
    full = _report(client, auth, group_by="day,country,hs_chapter,direction,checkpoint")
    assert full["group_by"] == ["checkpoint", "direction", "hs_chapter", "country", "day"]
    for name in ADDITIVE:
        assert sum(Decimal(str(r[name])) for r in full["rows"]) == Decimal(str(full["totals"][name])), name
    keys = {tuple(r["keys"].values()) for r in full["rows"]}
    today = full["rows"][0]["keys"]["day"]
    assert ("TORUGART", "inbound", "08", "CN", today) in keys
    assert ("TORUGART", "outbound", "07", "CN", today) in keys  # the export, to China
    assert ("DOSTUK", "inbound", "52", "UZ", today) in keys
    assert ("TORUGART", "inbound", "25", "CN", today) in keys  # the salt without a rate

    by_direction = _report(client, auth, group_by="direction")
    vehicles = {r["keys"]["direction"]: r["vehicles"] for r in by_direction["rows"]}
    assert vehicles == {"inbound": 4, "outbound": 1}
    by_checkpoint = _report(client, auth, group_by="checkpoint")
    assert {r["keys"]["checkpoint"]: r["vehicles"] for r in by_checkpoint["rows"]} == {"DOSTUK": 1, "TORUGART": 4}
    by_chapter = _report(client, auth, group_by="hs_chapter")
    salt = next(r for r in by_chapter["rows"] if r["keys"]["hs_chapter"] == "25")
    assert salt["lines_without_rate"] == 1 and Decimal(salt["payments_due_kgs"]) == 0
    laptops = next(r for r in by_chapter["rows"] if r["keys"]["hs_chapter"] == "84")
    assert Decimal(laptops["payments_due_kgs"]) == 0 and Decimal(laptops["guarantee_kgs"]) > 0


def test_csv_and_xlsx_carry_the_same_figures(traffic, client, auth):
    as_json = _report(client, auth, group_by="checkpoint")
    response = client.get("/api/v1/reports/goods", params=PERIOD | {"group_by": "checkpoint", "format": "csv"},
                          headers=auth("operator"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["scope"] for r in rows] == ["group", "group", "total"]
    assert rows[0]["checkpoint"] == "DOSTUK" and rows[-1]["checkpoint"] == ""
    for name in ("vehicles", "value_kgs", "payments_due_kgs", "guarantee_kgs", "tonnes"):
        assert Decimal(rows[-1][name]) == Decimal(str(as_json["totals"][name])), name

    by_accept = client.get("/api/v1/reports/goods", params=PERIOD | {"group_by": "checkpoint"},
                           headers={**auth("supervisor"), "Accept": "text/csv"})
    assert by_accept.text == response.text

    xlsx = client.get("/api/v1/reports/goods", params=PERIOD | {"group_by": "checkpoint", "format": "xlsx"},
                      headers=auth("planner"))
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    total = dict(zip(header, [c.value for c in sheet[sheet.max_row]]))
    assert total["scope"] == "total" and total["vehicles"] == 5
    assert Decimal(str(total["value_kgs"])) == Decimal(str(as_json["totals"]["value_kgs"]))


def test_report_parameters_are_checked(client, auth):
    for params, field in [
        ({"group_by": "checkpoint,colour"}, "group_by"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"format": "pdf"}, "format"),
    ]:
        response = client.get("/api/v1/reports/goods", params=PERIOD | params, headers=auth("planner"))
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["field"] == field, (params, response.text)
    missing = client.get("/api/v1/reports/goods", params={"to": "2026-01-01"}, headers=auth("planner"))
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "from"
    assert client.get("/api/v1/reports/goods", params=PERIOD, headers=auth("callcenter")).status_code == 403
    empty = _report(client, auth, **{"from": "2001-01-01", "to": "2001-01-31"})
    assert empty["rows"] == [] and empty["totals"]["vehicles"] == 0
