"""Declarations: filing, payments in KGS, the no-rate finding, idempotence, bad input naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from chekara.db.models import Declaration, Finding, GoodsLine
from chekara.services import audit
from tests.integration.checkpoint_ops_helpers import declaration, goods_line, transit


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_an_import_is_valued_in_kgs_with_duty_and_vat(client, auth, db_session):
    auth("officer")
    before = audit.count(db_session)
    response = client.post("/api/v1/declarations", json=declaration("IM-1"), headers=auth("officer"))
    assert response.status_code == 201, response.text
    body = response.json()
    line = body["goods_lines"][0]
    # 10,000.00 USD at the seed rate 84.80 = 848,000.00 KGS; heading 0808 pays 10 %.
    assert Decimal(line["value_kgs"]) == Decimal("848000.00")
    assert Decimal(line["duty_pct"]) == 10 and Decimal(line["duty_kgs"]) == Decimal("84800.00")
    assert Decimal(line["vat_kgs"]) == Decimal("111936.00")  # 12 % of 932,800.00
    assert Decimal(body["payments_due_kgs"]) == Decimal("196736.00")
    assert Decimal(body["duty_kgs"]) + Decimal(body["vat_kgs"]) == Decimal(body["payments_due_kgs"])
    assert body["guarantee_kgs"] is None
    assert body["vehicle_plate"] == "01123ABC" and body["trailer_plate"] == "01456ABD"
    assert body["status"] == "declared" and body["channel"] == "green"  # clean, and not drawn at random and body["findings"] == []
    assert audit.count(db_session) == before + 2  # the declaration, and its first risk verdict

    got = client.get("/api/v1/declarations/im-1", headers=auth("callcenter"))
    assert got.status_code == 200
    assert got.json()["payments_due_kgs"] == body["payments_due_kgs"]


def test_a_transit_carries_a_guarantee_and_no_payments(client, auth):
    body = client.post("/api/v1/declarations", json=transit("TR-1"), headers=auth("officer")).json()
    assert Decimal(body["payments_due_kgs"]) == 0
    assert Decimal(body["guarantee_kgs"]) == Decimal("196736.00")
    assert body["entry_checkpoint"] == "TORUGART" and body["exit_checkpoint"] == "AK-JOL"


def test_an_unknown_heading_is_a_no_rate_finding_not_a_guess(client, auth):
    lines = [goods_line(), goods_line(hs_code="2501 00 910 0", description="Salt", gross_kg="1000", net_kg="1000",
                                      value="500.00", currency="KGS")]
    body = client.post("/api/v1/declarations", json=declaration("IM-2", goods_lines=lines), headers=auth("officer")).json()
    salt = body["goods_lines"][1]
    assert salt["hs_code"] == "2501009100"
    assert salt["duty_pct"] is None and salt["duty_kgs"] is None and salt["vat_kgs"] is None
    assert Decimal(salt["value_kgs"]) == Decimal("500.00") and Decimal(salt["kgs_per_unit"]) == 1
    assert body["lines_without_rate"] == 1
    assert Decimal(body["payments_due_kgs"]) == Decimal("196736.00")  # only the apples
    [finding] = body["findings"]
    assert finding["kind"] == "no_rate" and finding["evidence"]["hs_heading"] == "2501"
    assert "no rate" in finding["message"]


def test_the_rate_in_force_on_the_declaration_date_is_used(client, auth):
    client.put("/api/v1/rates/USD", json={"kgs_per_unit": "90", "effective_date": "2026-03-01"}, headers=auth("admin"))
    old = client.post("/api/v1/declarations", json=declaration("IM-3", declaration_date="2026-02-28"),
                      headers=auth("officer")).json()
    new = client.post("/api/v1/declarations", json=declaration("IM-4", declaration_date="2026-03-01"),
                      headers=auth("officer")).json()
    assert Decimal(old["goods_lines"][0]["kgs_per_unit"]) == Decimal("84.80")
    assert Decimal(new["goods_lines"][0]["value_kgs"]) == Decimal("900000.00")


def test_the_same_declaration_twice_is_stored_once_and_a_different_one_conflicts(client, auth, db_session):
    first = client.post("/api/v1/declarations", json=declaration("IM-5"), headers=auth("officer"))
    again = client.post("/api/v1/declarations", json=declaration("im-5", vehicle_plate="01 123 авс"),
                        headers=auth("officer"))
    assert first.status_code == 201 and again.status_code == 200, again.text
    assert again.json()["outcome"] == "existing"
    assert _count(db_session, Declaration) == 1
    other = client.post("/api/v1/declarations", json=declaration("IM-5", declared_gross_kg=31_000),
                        headers=auth("officer"))
    assert other.status_code == 409 and other.json()["error"]["field"] == "number"


BAD = [
    ({"number": "41700000/150126/1"}, "number"),
    ({"vehicle_plate": ""}, "vehicle_plate"),
    ({"vehicle_plate": "01\x07123ABC"}, "vehicle_plate"),
    ({"trailer_plate": "X" * 21}, "trailer_plate"),
    ({"declared_gross_kg": 0}, "declared_gross_kg"),
    ({"declared_gross_kg": 200_000}, "declared_gross_kg"),
    ({"declared_gross_kg": 10_000}, "declared_gross_kg"),  # lighter than its goods
    ({"entry_checkpoint": "NOWHERE"}, "entry_checkpoint"),
    ({"entry_checkpoint": None}, "entry_checkpoint"),
    ({"dispatch_country": "C1"}, "dispatch_country"),
    ({"delivery_deadline": "2030-01-01T00:00:00+06:00"}, "delivery_deadline"),
    ({"goods_lines": []}, "goods_lines"),
    ({"goods_lines": [goods_line(hs_code="12345")]}, "goods_lines.0.hs_code"),
    ({"goods_lines": [goods_line(hs_code="08081080001")]}, "goods_lines.0.hs_code"),
    ({"goods_lines": [goods_line(hs_code="0808-10")]}, "goods_lines.0.hs_code"),
    ({"goods_lines": [goods_line(hs_code="7700000000")]}, "goods_lines.0.hs_code"),
    ({"goods_lines": [goods_line(), goods_line(currency="XYZ")]}, "goods_lines.1.currency"),
    ({"goods_lines": [goods_line(currency="DOLLAR")]}, "goods_lines.0.currency"),
    ({"goods_lines": [goods_line(net_kg="19000")]}, "goods_lines.0.net_kg"),
    ({"goods_lines": [goods_line(gross_kg="-5")]}, "goods_lines.0.gross_kg"),
    ({"goods_lines": [goods_line(value="10.005")]}, "goods_lines.0.value"),
    ({"goods_lines": [goods_line(description=" ")]}, "goods_lines.0.description"),
    ({"kind": "smuggling"}, "kind"),
]


@pytest.mark.parametrize("change, field", BAD, ids=[f for _, f in BAD])
def test_bad_declarations_name_the_field_and_write_nothing(client, auth, db_session, change, field):
    auth("officer")
    before = (_count(db_session, Declaration), _count(db_session, GoodsLine), _count(db_session, Finding),
              audit.count(db_session))
    response = client.post("/api/v1/declarations", json=declaration("BAD-1") | change, headers=auth("officer"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field, response.text
    after = (_count(db_session, Declaration), _count(db_session, GoodsLine), _count(db_session, Finding),
             audit.count(db_session))
    assert after == before


def test_a_transit_needs_its_route_and_deadline(client, auth):
    for change, field in [
        ({"exit_checkpoint": None}, "exit_checkpoint"),
        ({"delivery_deadline": None}, "delivery_deadline"),
        ({"exit_checkpoint": "TORUGART"}, "exit_checkpoint"),
        ({"delivery_deadline": "2020-01-01T00:00:00+06:00"}, "delivery_deadline"),
    ]:
        response = client.post("/api/v1/declarations", json=transit("TR-BAD") | change, headers=auth("officer"))
        assert response.status_code == 422, (change, response.text)
        assert response.json()["error"]["field"] == field, (change, response.text)


def test_an_unknown_declaration_is_404(client, auth):
    response = client.get("/api/v1/declarations/NOPE-1", headers=auth("callcenter"))
    assert response.status_code == 404 and response.json()["error"]["field"] == "number"
