"""Builders for the exchange tests: a partner with its token, a webhook, a recording receiver, a crossing at Ak-Tilek."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session

from chekara.domain.exchange import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from chekara.services import outbox
from tests.integration.checkpoint_ops_helpers import NOW, Desk, ago, declaration, read, weighing

CHECKPOINT = "AK-TILEK"
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_numbers)}"


@dataclass
class PartnerAccess:
    code: str
    headers: dict[str, str]


def register_partner(client, auth, code: str | None = None, country: str = "KZ") -> PartnerAccess:
    code = code or unique("KZ-T")
    response = client.post("/api/v1/exchange/partners", headers=auth("admin"),
                           json={"code": code, "name": f"Partner {code}", "country": country})
    assert response.status_code == 201, response.text
    return PartnerAccess(code, {"Authorization": f"Bearer {response.json()['token']}"})


def put_webhook(client, auth, code: str, url: str = "http://partner.test/hook", secret: str = "s" * 24,
                event_types: list[str] | None = None) -> dict[str, Any]:
    response = client.put(f"/api/v1/exchange/partners/{code}/webhook", headers=auth("admin"),
                          json={"url": url, "secret": secret, "event_types": event_types or []})
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Receiver:
    """A partner's endpoint inside the test (httpx.MockTransport): records, verifies, fails on request."""

    secret: bytes
    fail_next: int = 0
    status_when_failing: int = 503
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        verify(self.secret, request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER],
               request.content, now_s=datetime.now().timestamp())
        if self.fail_next > 0:
            self.fail_next -= 1
            return httpx.Response(self.status_when_failing, text="partner system down for maintenance")
        self.received.append(json.loads(request.content))
        return httpx.Response(204)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def ids(self) -> list[str]:
        return [e["id"] for e in self.received]


def transit_into_kyrgyzstan(number: str, plate: str, **over: Any) -> dict[str, Any]:
    """A transit from Kazakhstan (Ak-Tilek) to China (Torugart)."""
    return declaration(
        number, kind="transit", vehicle_plate=plate, trailer_plate=None, dispatch_country="KZ",
        destination_country="CN", entry_checkpoint=CHECKPOINT, exit_checkpoint="TORUGART",
        delivery_deadline=(NOW + timedelta(days=1)).isoformat(),
    ) | over


def crossing_to_release(desk: Desk, number: str, plate: str, gross_kg: int = 30_000, *, seal_ids=None,
                        entered_min_ago: float = 60) -> int:
    """Declaration, entry read, documents (with seals), weighing, inspection, release at Ak-Tilek; the crossing id."""
    desk.declare(transit_into_kyrgyzstan(number, plate))
    crossing_id = desk.read(read(plate, at=ago(entered_min_ago), checkpoint=CHECKPOINT, camera_id="AKT-CAM-1"))["crossing"]["id"]
    desk.step(crossing_id, "documents_checked", **({"seal_ids": seal_ids} if seal_ids else {}))
    desk.weigh(weighing(plate, gross_kg, at=ago(entered_min_ago - 10), checkpoint=CHECKPOINT))
    desk.step(crossing_id, "inspected", result="not_found", notes="seals intact")
    desk.step(crossing_id, "released")
    return crossing_id


def exit_read(desk: Desk, plate: str, minutes_ago: float = 30) -> dict[str, Any]:
    return desk.read(read(plate, "exit", at=ago(minutes_ago), checkpoint=CHECKPOINT, camera_id="AKT-CAM-2"))


def events_since(session: Session, cursor: int, *types: str) -> list:
    return [e for e in outbox.events_after(session, cursor, 10_000) if not types or e.type in types]


def unique_plate() -> str:
    """A Kyrgyz plate (RR 999 AAA) no other test uses."""
    return f"08 {700 + next(_numbers) % 300} AKT"
