"""The platform's HTTP API as the simulator uses it: one method per call, a token per role.

Devices, cameras and weighbridges post with the ``device`` token (the
devices are registered with that token's user as their owner, so it may
post their fixes); officers file declarations and record crossing steps;
the operator registers devices, plans and cancels trips and reads alerts.
One admin token may stand in for all three.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

#: Connection failures are retried this often, this far apart (a server restarting), then the run stops.
RETRIES = 3
RETRY_PAUSE_S = 1.0
#: Pages of alerts read at most (1,000 each): a bound, not a limit anyone should reach.
MAX_ALERT_PAGES = 200


class ApiError(Exception):
    """The platform refused a call: HTTP status and its error message."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path}: {status} {message}")
        self.status = status
        self.message = message


class PlatformUnreachable(Exception):
    """The server did not answer after RETRIES attempts."""


@dataclass(frozen=True)
class Credentials:
    operator: str
    officer: str
    device: str
    #: The device user that owns the registered devices (None when the tokens are an admin's).
    device_owner: str | None

    @classmethod
    def admin(cls, token: str) -> "Credentials":
        return cls(token, token, token, None)


class ChekaraApi:
    def __init__(self, base_url: str, credentials: Credentials, timeout_s: float = 120.0) -> None:
        self.credentials = credentials
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self.requests = 0

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, path: str, token: str | None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for attempt in range(RETRIES):
            try:
                self.requests += 1
                return self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                if attempt == RETRIES - 1:
                    raise PlatformUnreachable(f"{method} {path}: {exc}") from exc
                time.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    def call(self, method: str, path: str, token: str | None, **kwargs) -> Any:
        response = self._send(method, path, token, **kwargs)
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:300]
            raise ApiError(method, path, response.status_code, message)
        return response.json() if "json" in response.headers.get("content-type", "") else response.text

    # ---- reading --------------------------------------------------------------------------------

    def me(self, token: str) -> dict[str, Any]:
        return self.call("GET", "/api/v1/me", token)

    def checkpoints(self) -> dict[str, Any]:
        return self.call("GET", "/api/v1/checkpoints", self.credentials.operator)

    def corridors(self) -> list[dict[str, Any]]:
        listed = self.call("GET", "/api/v1/corridors", self.credentials.operator)
        return [self.call("GET", f"/api/v1/corridors/{f['properties']['code']}", self.credentials.operator)
                for f in listed["features"]]

    def alerts(self, since_iso: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in range(MAX_ALERT_PAGES):
            batch = self.call("GET", "/api/v1/alerts", self.credentials.operator,
                              params={"from": since_iso, "limit": 1000, "offset": page * 1000})
            found.extend(batch)
            if len(batch) < 1000:
                break
        return found

    def declaration(self, number: str) -> dict[str, Any] | None:
        try:
            return self.call("GET", f"/api/v1/declarations/{number}", self.credentials.operator)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def risk(self, number: str) -> dict[str, Any] | None:
        """The declaration's risk verdict in force (None: no such declaration, or no risk engine)."""
        try:
            return self.call("GET", f"/api/v1/declarations/{number}/risk", self.credentials.operator)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def trips(self, status: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in range(MAX_ALERT_PAGES):
            batch = self.call("GET", "/api/v1/trips", self.credentials.operator,
                              params={"status": status, "limit": 1000, "offset": page * 1000})
            found.extend(batch)
            if len(batch) < 1000:
                break
        return found

    # ---- writing --------------------------------------------------------------------------------

    def register_device(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/devices", self.credentials.operator, json=body)

    def plan_trip(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/trips", self.credentials.operator, json=body)

    def cancel_trip(self, trip_id: int, reason: str) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/trips/{trip_id}/cancel", self.credentials.operator, json={"reason": reason})

    def file_declaration(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/declarations", self.credentials.officer, json=body)

    def plate_read(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/plate-reads", self.credentials.device, json=body)

    def weighing(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/weighings", self.credentials.device, json=body)

    def crossing_step(self, crossing_id: int, step: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/crossings/{crossing_id}/steps/{step}", self.credentials.officer, json=body)

    def positions(self, fixes: list[dict[str, Any]]) -> dict[str, Any]:
        return self.call("POST", "/api/v1/positions", self.credentials.device, json=fixes)

    def osmand(self, params: dict[str, Any]) -> None:
        """One fix as Traccar Client sends it: POST with the fix in the query string, no token."""
        self.call("POST", "/osmand", None, params=params)
