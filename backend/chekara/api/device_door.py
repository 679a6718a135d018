"""The devices' door: a tracker's one-fix request answered before the app's middleware stack.

Thousands of trackers each send a fix every 10–60 s, one HTTP request each: at national traffic
that request is most of what the server does. Through the whole stack (the error, telemetry,
body-limit and exception middlewares, the router, their wrapped `send`s) it cost about half a
millisecond of CPU before the fix reached the pipeline (py-spy, docs/PERFORMANCE.md). A bodiless
`/osmand` request (the usual GET, or a POST with the fix in the query string) needs none of that
stack: it has no body to limit, and its answer is "OK" or one of our error bodies. So the app
answers it first, with the same function the documented route uses (`answer_osmand`), and errors
go through the app's own exception handlers, so the answers are the same as through the stack.

A request with a body (Traccar Client 8's JSON, a form) takes the ordinary route, body limit and all.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from starlette.types import Receive, Scope, Send

from chekara.api.routers.positions import OSMAND_OK, answer_osmand, check_query_length

OSMAND_PATH = "/osmand"
_OK_START = {"type": "http.response.start", "status": 200, "headers": OSMAND_OK.raw_headers}
_OK_BODY = {"type": "http.response.body", "body": OSMAND_OK.body}


def bodiless(scope: Scope) -> bool:
    """No body announced: no Content-Length above 0 and no chunked transfer."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.strip() not in (b"0", b""):
            return False
        if name == b"transfer-encoding":
            return False
    return True


def is_device_fix(scope: Scope) -> bool:
    return (scope["type"] == "http" and scope["path"] == OSMAND_PATH and scope["method"] in ("GET", "POST")
            and bodiless(scope))


class ChekaraApp(FastAPI):
    """FastAPI, with the devices' door in front of its middleware stack."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_device_fix(scope):
            await self._device_fix(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _device_fix(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        request = Request(scope, receive)
        try:
            check_query_length(scope["query_string"])
            # The query string as Starlette reads it (parse_qsl, blank values kept; the last repeat wins).
            params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
            response = await answer_osmand(request, params)
        except Exception as exc:  # noqa: BLE001 - answered by the app's handler for it, as through the stack
            response = await self._handler_for(exc)(request, exc)
        if response is OSMAND_OK:
            await send(_OK_START)
            await send(_OK_BODY)
        else:
            await response(scope, receive, send)

    def _handler_for(self, exc: Exception):
        for kind in type(exc).__mro__:
            if kind in self.exception_handlers:
                return self.exception_handlers[kind]
        raise RuntimeError("the app has no handler for Exception") from exc
