"""One example envelope per event type, as a partner receives them (also the shapes docs/EXCHANGE.md shows)."""

from __future__ import annotations

from typing import Any

CHECKPOINT = {"code": "AK-JOL", "name": "Ak-Jol", "neighbour_country": "KZ"}
DECLARATION = {
    "number": "T-2026-000123", "kind": "transit", "dispatch_country": "CN", "destination_country": "KZ",
    "entry_checkpoint": "TORUGART", "exit_checkpoint": "AK-JOL", "delivery_deadline": "2026-05-03T12:00:00Z",
    "declared_gross_kg": 30000,
    "goods": [{"line_no": 1, "hs_code": "0808108000", "description": "Fresh apples", "gross_kg": 18000.0,
               "net_kg": 17500.0}],
}
CROSSING = {
    "crossing_id": 41, "checkpoint": CHECKPOINT, "direction": "outbound", "vehicle_plate": "01123ABC",
    "trailer_plate": "01456ABD", "declaration": DECLARATION,
    "weighing": {"gross_kg": 30150, "axle_loads_kg": [6030, 6030, 6030, 6030, 6030], "weighed_at": "2026-05-02T08:20:00Z"},
    "seal_ids": ["KG0012345"], "entered_at": "2026-05-02T08:00:00Z", "released_at": "2026-05-02T08:40:00Z",
    "exited_at": None, "released": True,
}
TRIP = {
    "trip_id": 7, "status": "in_transit", "declaration_number": "T-2026-000123", "vehicle_plates": ["01123ABC"],
    "origin": {"code": "TORUGART", "name": "Torugart", "neighbour_country": "CN"}, "destination": CHECKPOINT,
    "corridor": "TORUGART-AKJOL", "planned_departure": "2026-05-01T06:00:00Z", "deadline": "2026-05-03T12:00:00Z",
    "departed_at": "2026-05-01T06:12:00Z", "arrived_at": None, "cancelled_at": None, "declaration": DECLARATION,
}
ALERT = {
    "alert_id": 301, "type": "route_deviation", "status": "open", "checkpoint": None, "trip_id": 7,
    "crossing_id": None, "declaration_number": "T-2026-000123", "plates": ["01123ABC"],
    "raised_at": "2026-05-01T09:30:00Z", "ended_at": None, "resolved_at": None,
}


def envelope(type_: str, data: dict[str, Any], sequence: int = 1) -> dict[str, Any]:
    return {"id": "0b7c2b8e-3f52-4d3e-9c3a-2f0e6f1d9a11", "sequence": sequence, "type": type_, "schema_version": 1,
            "occurred_at": "2026-05-02T08:40:00Z", "data": data}


EXAMPLES = {
    "crossing.released": envelope("crossing.released", CROSSING),
    "crossing.exited": envelope("crossing.exited", CROSSING | {"exited_at": "2026-05-02T08:55:00Z"}),
    "trip.departed": envelope("trip.departed", TRIP),
    "trip.arrived": envelope("trip.arrived", TRIP | {"status": "arrived", "arrived_at": "2026-05-02T07:30:00Z"}),
    "trip.closed": envelope("trip.closed", TRIP | {"status": "cancelled", "cancelled_at": "2026-05-01T07:00:00Z"}),
    "alert.raised": envelope("alert.raised", ALERT),
    "alert.resolved": envelope("alert.resolved", ALERT | {"status": "resolved", "ended_at": "2026-05-01T09:45:00Z",
                                                           "resolved_at": "2026-05-01T09:45:01Z"}),
}
NOTICE = {
    "notice_id": "KZ-PAN-2026-000987", "checkpoint": "AK-JOL", "vehicle_plate": "01 123 ABC",
    "trailer_plate": "01 456 ABD", "declaration_number": "T-2026-000123", "departed_at": "2026-05-02T10:00:00+05:00",
    "expected_at": "2026-05-02T11:30:00+06:00", "gross_kg": 30100, "seal_ids": ["KZ-0012345"],
    "goods": [{"hs_code": "0808108000", "description": "Fresh apples", "gross_kg": 18000}],
}
