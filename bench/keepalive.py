"""A lean HTTP/1.1 keep-alive client for the load benchmark (asyncio streams, no library overhead).

A general-purpose client (httpx) spends ~0.3 ms of CPU per request; at 2,000
requests a second on a 2-core machine that would be the benchmark measuring
itself. This one writes pre-formatted requests and reads Content-Length or
chunked answers, and nothing else.

    conn = await KeepAlive.open("127.0.0.1", 8000)
    status, body = await conn.request("GET", "/healthz")
"""

from __future__ import annotations

import asyncio


class KeepAlive:
    def __init__(self, host: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.host, self.port = host, port
        self._reader, self._writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> "KeepAlive":
        reader, writer = await asyncio.open_connection(host, port, limit=2**24)
        return cls(host, port, reader, writer)

    @property
    def local_port(self) -> int:
        """This end's port: the server side's processes know the connection by it."""
        return self._writer.get_extra_info("sockname")[1]

    async def request(self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None,
                      ) -> tuple[int, bytes]:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length, chunked, close = 0, False, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        payload = await (self._read_chunked() if chunked else self._reader.readexactly(length))
        if close:
            await self.reopen()
        return status, payload

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def reopen(self) -> None:
        self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port, limit=2**24)

    def close(self) -> None:
        self._writer.close()


class OneAtATime(asyncio.Protocol):
    """A keep-alive connection for the load's one-fix requests, read by a Protocol, not a StreamReader.

    At 2,000 requests a second the load client shares the 2 cores with the server it measures;
    KeepAlive's stream reads cost ~0.1 ms of CPU a request. This one writes a request made
    beforehand and reads an answer with a Content-Length (all the server sends to /osmand)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._answer: asyncio.Future | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> "OneAtATime":
        _, protocol = await asyncio.get_running_loop().create_connection(cls, host, port)
        return protocol

    def connection_made(self, transport) -> None:
        self._transport = transport

    def connection_lost(self, exc) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError("the server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self._buffer[:end]).lower()
        length, at = 0, head.find(b"\r\ncontent-length:")
        if at >= 0:
            line_end = head.find(b"\r\n", at + 2)
            length = int(head[at + 17:line_end if line_end > 0 else len(head)])
        if len(self._buffer) < end + 4 + length:
            return
        status, body = int(head[9:12]), bytes(self._buffer[end + 4:end + 4 + length])
        del self._buffer[:end + 4 + length]
        if self._answer is not None and not self._answer.done():
            self._answer.set_result((status, body))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one whole HTTP/1.1 request (bytes) and wait for its status and body."""
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._answer

    def close(self) -> None:
        self._transport.close()
