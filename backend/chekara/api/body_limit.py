"""A request body over the limit is refused with 413 before anything reads it.

A pure ASGI middleware: a declared Content-Length over the limit is answered
at once, before a byte of the body is received; a chunked body (no length) is
counted as it streams in and refused as soon as it passes the limit. The
route never gets the body, so a 50 MB upload costs neither memory nor
event-loop time.

Not FastAPI's own `max_body_size`: for a declared length it answers a plain
text 413, not our error body.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chekara.api.errors import error_body


class _BodyTooLarge(Exception):
    """Raised into the route's read of the body; the middleware answers 413 in its place."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        """`larger`: path prefixes that accept more (uploads), each with its own limit in bytes."""
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path == prefix or path.startswith(prefix + "/"):
                return max(limit, self.max_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return

        received = 0
        refused = response_started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return  # the 413 is the answer; what the route makes of the cut-off body is dropped
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # FastAPI wraps a failed body read in its own 400; either way the cause was ours.
            if not refused:
                raise
        if refused and not response_started:
            await _too_large(limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server refuses a malformed length itself
    return None


def _too_large(limit: int) -> JSONResponse:
    # Connection: close, since the rest of the body is never read.
    return JSONResponse(
        error_body("too_large", f"the request body is larger than {limit:,} bytes", "body"),
        status_code=413, headers={"Connection": "close"},
    )
