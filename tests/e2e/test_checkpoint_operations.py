"""A vehicle's whole passage through a checkpoint over real HTTP against real PostGIS.

declaration → entry read (OCR-confused, Cyrillic) → documents → weighing 7 % over the declared gross →
inspection → release → exit read; then the crossing's timeline, the weight finding, the queue figures
and the goods report must all show it. Irkeshtam is this test's own checkpoint in the session database.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from openpyxl import load_workbook

from chekara.domain.bishkek_time import today_in_bishkek

CHECKPOINT = "IRKESHTAM"
NUMBER = "E2E-IRK-0001"


def _declaration() -> dict:
    return {
        "number": NUMBER,
        "kind": "import",
        "declaration_date": today_in_bishkek().isoformat(),
        "vehicle_plate": "02 345 KMT",
        "declared_gross_kg": 30_000,
        "goods_lines": [
            {"hs_code": "0808 10 800 0", "description": "Fresh apples", "gross_kg": "15000", "net_kg": "14500",
             "value": "9000.00", "currency": "USD"},
            {"hs_code": "4011 20 900 0", "description": "Truck tyres", "gross_kg": "6000.250", "net_kg": "5900",
             "value": "12345.67", "currency": "EUR"},
        ],
        "consignor": "Kashgar Trading Co.",
        "consignee": "Osh Wholesale LLC",
        "dispatch_country": "CN",
        "destination_country": "KG",
        "entry_checkpoint": CHECKPOINT,
    }


def test_a_vehicle_through_irkeshtam_shows_in_timeline_findings_queue_and_report(live_server):
    api = httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30)
    officer, camera, planner = (live_server.headers(r) for r in ("officer", "device", "planner"))
    queue_before = api.get(f"/checkpoints/{CHECKPOINT}/queue", params={"hours": 2}, headers=planner).json()

    filed = api.post("/declarations", json=_declaration(), headers=officer)
    assert filed.status_code == 201, filed.text
    # 9,000.00 USD x 84.80 = 763,200.00; 12,345.67 EUR x 101.16 = 1,248,887.9772 -> 1,248,887.98.
    assert Decimal(filed.json()["value_kgs"]) == Decimal("763200.00") + Decimal("1248887.98")

    entered_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=50)
    entry = api.post("/plate-reads", headers=camera, json={
        "checkpoint": CHECKPOINT, "camera_id": "IRK-CAM-IN", "lane": 1, "direction": "entry",
        "plate": "O2 345 КМТ",  # O for 0 (an OCR confusion), Cyrillic К, М, Т
        "confidence": 0.84, "time": entered_at.isoformat(), "image_ref": "irk/in/000123.jpg",
    })
    assert entry.status_code == 201, entry.text
    entry_body = entry.json()
    assert entry_body["plate"] == "O2345KMT" and entry_body["alerts"] == []
    assert entry_body["match_kind"] == "probable" and entry_body["match_confidence"] < 1
    crossing = entry_body["crossing"]
    assert crossing["plate"] == "02345KMT" and crossing["declaration_number"] == NUMBER
    assert crossing["direction"] == "inbound" and crossing["status"] == "arrived"
    crossing_id = crossing["id"]

    def step(name: str, **body) -> httpx.Response:
        return api.post(f"/crossings/{crossing_id}/steps/{name}", json=body or None, headers=officer)

    early = step("released")
    assert early.status_code == 409 and "documents_checked" in early.json()["error"]["message"]
    assert step("documents_checked", notes="CMR, invoices, phytosanitary certificate").status_code == 201

    weighed = api.post("/weighings", headers=camera, json={
        "checkpoint": CHECKPOINT, "plate": "02 345 KMT", "gross_kg": 32_100,
        "axle_loads_kg": [6_900, 9_800, 7_700, 7_700], "axle_classes": ["single", "single", "tandem", "tandem"],
        "time": datetime.now(UTC).isoformat(), "weighbridge_id": "IRK-WB-1",
    })
    assert weighed.status_code == 201, weighed.text
    [finding] = weighed.json()["findings"]
    assert finding["kind"] == "weight_discrepancy"
    assert finding["evidence"]["difference_kg"] == 2_100 and finding["evidence"]["difference_pct"] == "7.00"

    assert step("inspected", result="not_found", notes="apples and tyres as declared; the extra 2.1 t is ice").status_code == 201
    assert step("released").status_code == 201
    exit_read = api.post("/plate-reads", headers=camera, json={
        "checkpoint": CHECKPOINT, "camera_id": "IRK-CAM-OUT", "lane": 2, "direction": "exit",
        "plate": "02345KMT", "confidence": 0.97, "time": datetime.now(UTC).isoformat(),
    })
    assert exit_read.status_code == 201, exit_read.text
    assert exit_read.json()["alerts"] == [] and exit_read.json()["crossing"]["status"] == "exited"

    detail = api.get(f"/crossings/{crossing_id}", headers=live_server.headers("supervisor")).json()
    assert [s["step"] for s in detail["timeline"]] == [
        "arrived", "documents_checked", "weighed", "inspected", "released", "exited",
    ]
    assert [s["actor"] for s in detail["timeline"]] == ["e2e-device", "e2e-officer", "e2e-device", "e2e-officer",
                                                        "e2e-officer", "e2e-device"]
    assert detail["timeline"][0]["details"]["match_kind"] == "probable"
    assert [f["kind"] for f in detail["findings"]] == ["weight_discrepancy"]
    assert 50 <= detail["processing_min"] < 52 and detail["alerts"] == []

    declared = api.get(f"/declarations/{NUMBER}", headers=live_server.headers("callcenter")).json()
    assert declared["status"] == "released"
    assert [f["kind"] for f in declared["findings"]] == ["weight_discrepancy"]
    listed = api.get("/crossings", params={"plate": "02 345 кмт", "checkpoint": CHECKPOINT},
                     headers=live_server.headers("callcenter")).json()
    assert [c["id"] for c in listed] == [crossing_id]
    assert api.get("/alerts", params={"checkpoint": CHECKPOINT}, headers=live_server.headers("operator")).json() == []

    queue = api.get(f"/checkpoints/{CHECKPOINT}/queue", params={"hours": 2}, headers=planner).json()
    assert queue["processed"] == queue_before["processed"] + 1 == 1
    assert queue["inside"] == queue_before["inside"] == 0
    assert 50 <= queue["median_processing_min"] < 52 and queue["p90_processing_min"] == queue["median_processing_min"]
    assert queue["by_direction"]["inbound"]["processed"] == 1
    # Nobody inside: a lane is free and the newcomer waits the median processing time.
    assert queue["estimated_wait_min"] == queue["median_processing_min"] and queue["estimate_basis"] == "free lane"

    today = today_in_bishkek()  # from yesterday: a release just before Bishkek's midnight (18:00 UTC) is in it too
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat(),
              "group_by": "checkpoint,direction,country"}
    report = api.get("/reports/goods", params=period, headers=planner).json()
    [row] = [r for r in report["rows"] if r["keys"]["checkpoint"] == CHECKPOINT]
    assert row["keys"] == {"checkpoint": CHECKPOINT, "direction": "inbound", "country": "CN"}
    assert row["vehicles"] == 1 and row["goods_lines"] == 2
    assert Decimal(row["gross_kg"]) == Decimal("21000.250") and Decimal(row["tonnes"]) == Decimal("21.000250")
    assert Decimal(row["value_kgs"]) == Decimal(declared["value_kgs"])
    assert Decimal(row["payments_due_kgs"]) == Decimal(declared["payments_due_kgs"]) > 0

    as_csv = api.get("/reports/goods", params=period | {"format": "csv"}, headers=live_server.headers("operator"))
    csv_rows = [r for r in csv.DictReader(io.StringIO(as_csv.text)) if r["checkpoint"] == CHECKPOINT]
    assert [Decimal(r["payments_due_kgs"]) for r in csv_rows] == [Decimal(declared["payments_due_kgs"])]
    as_xlsx = api.get("/reports/goods", params=period, headers={
        **live_server.headers("supervisor"),
        "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    })
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    header = [c.value for c in sheet[1]]
    xlsx_rows = [dict(zip(header, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
    [irk] = [r for r in xlsx_rows if r["checkpoint"] == CHECKPOINT]
    assert Decimal(str(irk["value_kgs"])) == Decimal(declared["value_kgs"])
