"""A body over CHEKARA_MAX_BODY_BYTES is refused with 413 before the server reads it (issue 15).

Raw sockets, because the point is what the server does before the body has
arrived: a declared 50 MB body gets its 413 while the client has sent nothing
but the headers, and a chunked body is cut off soon after the limit.
"""

from __future__ import annotations

import json
import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from chekara.config import get_settings

FIFTY_MB = 50 * 1024 * 1024


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _headers(path: str, extra: str) -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{extra}\r\n".encode()


@pytest.mark.parametrize("path", ["/api/v1/positions", "/osmand"])
def test_a_declared_50_mb_body_is_refused_before_it_is_sent(live_server, path):
    """No token either: the size is refused before anything else is looked at."""
    with _connect(live_server.url) as sock:
        started = time.monotonic()
        sock.sendall(_headers(path, f"Content-Length: {FIFTY_MB}\r\n"))
        status, _, body = _read_response(sock)  # sent: the headers only
        elapsed = time.monotonic() - started
    assert status == 413
    error = json.loads(body)["error"]
    assert error["code"] == "too_large" and error["field"] == "body"
    assert f"{get_settings().max_body_bytes:,}" in error["message"]
    assert elapsed < 2


@pytest.mark.parametrize("path", ["/api/v1/positions", "/osmand"])
def test_a_chunked_body_is_cut_off_soon_after_the_limit(live_server, path):
    limit = get_settings().max_body_bytes
    piece = b"[" + b" " * (64 * 1024 - 2) + b"\n"  # never valid JSON: the server must not get to parse it
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sent = 0
    with _connect(live_server.url) as sock:
        sock.sendall(_headers(path, f"Authorization: Bearer {live_server.tokens['device']}\r\nTransfer-Encoding: chunked\r\n"))
        while sent < FIFTY_MB:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered: stop sending
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        status, _, body = _read_response(sock)
    assert status == 413, body
    assert json.loads(body)["error"]["code"] == "too_large"
    # Cut off long before 50 MB: what was sent past the limit sat in the two sockets' buffers (MBs on loopback).
    assert sent < limit + 16 * 1024 * 1024


def test_a_batch_within_the_limit_is_read(live_server):
    """The largest legal batch (10,000 fixes) fits under the default limit with room to spare."""
    fix = {"device_id": "NO-SUCH-DEVICE-000000", "ts": "2026-01-01T00:00:00.000000+00:00", "lat": 42.123456789,
           "lon": 74.123456789, "speed_kmh": 88.123, "heading_deg": 359.12, "accuracy_m": 12.5, "battery_pct": 99.5}
    body = json.dumps([fix] * 10_000).encode()
    assert len(body) < get_settings().max_body_bytes * 0.75
    with _connect(live_server.url) as sock:
        sock.sendall(_headers("/api/v1/positions", f"Authorization: Bearer {live_server.tokens['device']}\r\n"
                                                   f"Content-Length: {len(body)}\r\n") + body)
        status, _, answer = _read_response(sock)
    assert status == 200, answer
    assert len(json.loads(answer)["rejected"]) == 10_000  # read and judged fix by fix
