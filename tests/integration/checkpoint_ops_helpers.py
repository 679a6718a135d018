"""Small builders for the checkpoint-operations tests: a declaration, a read, a weighing, a whole crossing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chekara.domain.bishkek_time import today_in_bishkek

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def goods_line(**over: Any) -> dict[str, Any]:
    line = {
        "hs_code": "0808108000",
        "description": "Fresh apples",
        "gross_kg": "18000",
        "net_kg": "17500",
        "value": "10000.00",
        "currency": "USD",
    }
    return line | over


def declaration(number: str = "D-0001", **over: Any) -> dict[str, Any]:
    """An import of apples from China through Torugart on the seed USD rate (84.80)."""
    body = {
        "number": number,
        "kind": "import",
        "declaration_date": today_in_bishkek().isoformat(),
        "vehicle_plate": "01 123 ABC",
        "trailer_plate": "01 456 ABD",
        "declared_gross_kg": 30_000,
        "goods_lines": [goods_line()],
        "consignor": "Kashgar Fruit Co.",
        "consignee": "Bishkek Fresh LLC",
        "dispatch_country": "CN",
        "destination_country": "KG",
        "entry_checkpoint": "TORUGART",
    }
    return body | over


def transit(number: str = "T-0001", **over: Any) -> dict[str, Any]:
    """A transit from China (Torugart) to Kazakhstan (Ak-Jol) with a deadline tomorrow."""
    return declaration(
        number,
        kind="transit",
        destination_country="KZ",
        entry_checkpoint="TORUGART",
        exit_checkpoint="AK-JOL",
        delivery_deadline=(NOW + timedelta(days=1)).isoformat(),
    ) | over


def read(plate: str, direction: str = "entry", at: datetime | None = None, **over: Any) -> dict[str, Any]:
    body = {
        "checkpoint": "TORUGART",
        "camera_id": "TOR-CAM-1" if direction == "entry" else "TOR-CAM-2",
        "lane": 1,
        "direction": direction,
        "plate": plate,
        "confidence": 0.91,
        "time": (at or ago(60)).isoformat(),
    }
    return body | over


def weighing(plate: str = "01 123 ABC", gross_kg: int = 30_000, at: datetime | None = None, **over: Any) -> dict:
    """Five axles adding up to gross_kg, each within the single-axle limit for a 30 t vehicle."""
    share = gross_kg // 5
    loads = [share] * 4 + [gross_kg - share * 4]
    body = {"checkpoint": "TORUGART", "plate": plate, "gross_kg": gross_kg, "axle_loads_kg": loads,
            "time": (at or ago(40)).isoformat()}
    return body | over


class Desk:
    """An officer's and a camera's calls against the in-process client."""

    def __init__(self, client, auth) -> None:
        self.client = client
        self.auth = auth

    def declare(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/api/v1/declarations", json=body, headers=self.auth("officer"))
        assert response.status_code in (200, 201), response.text
        return response.json()

    def read(self, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
        response = self.client.post("/api/v1/plate-reads", json=body, headers=self.auth("device"))
        assert response.status_code == expect, response.text
        return response.json()

    def weigh(self, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
        response = self.client.post("/api/v1/weighings", json=body, headers=self.auth("device"))
        assert response.status_code == expect, response.text
        return response.json()

    def step(self, crossing_id: int, step: str, expect: int = 201, **body: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/crossings/{crossing_id}/steps/{step}", json=body or None, headers=self.auth("officer")
        )
        assert response.status_code == expect, response.text
        return response.json()

    def crossing(self, crossing_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/crossings/{crossing_id}", headers=self.auth("operator"))
        assert response.status_code == 200, response.text
        return response.json()

    def walk_to_release(self, plate: str, entered: datetime, weighed: datetime, gross_kg: int,
                        checkpoint: str = "TORUGART") -> int:
        """Entry read, documents, weighing, inspection, release; the crossing id."""
        crossing_id = self.read(read(plate, at=entered, checkpoint=checkpoint))["crossing"]["id"]
        self.step(crossing_id, "documents_checked")
        self.weigh(weighing(plate, gross_kg, at=weighed, checkpoint=checkpoint))
        self.step(crossing_id, "inspected", result="not_found", notes="seals intact")
        self.step(crossing_id, "released")
        return crossing_id
