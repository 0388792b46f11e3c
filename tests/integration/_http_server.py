"""A loopback HTTP server for the sender tests: it records what arrives, byte for byte.

It listens on 127.0.0.1 only, on a port the OS picks, and stops when its ``with``
block ends.  Every request is answered 200 with ``OK accepted`` (or ``status`` with
``reply``); with ``redirect=True`` every request except one to ``/landed`` is answered
302 (or the status ``redirect`` names) with ``Location: <server>/landed`` instead, so a
test sees whether a client followed it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from postback import PreparedRequest

__all__ = ["LANDED", "REPLY", "TRANSPORT", "LoopbackServer", "Received", "assert_received_exactly"]

REPLY = b"OK accepted"
LANDED = "/landed"
# What a client may add on its own; everything else must be a prepared header.
TRANSPORT = {b"host", b"user-agent", b"accept", b"accept-encoding", b"connection"}


@dataclass(frozen=True)
class Received:
    """One request as it arrived: the request line's parts, raw header lines, body."""

    method: str
    target: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def header_values(self, name: bytes) -> list[bytes]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class LoopbackServer:
    redirect: bool | int = False
    status: int = 200
    reply: bytes = REPLY
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def landed(self) -> list[Received]:
        """The requests that reached the redirect target."""
        return [r for r in self.received if r.target.startswith(LANDED)]

    def __enter__(self) -> LoopbackServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        assert host == "127.0.0.1"
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                # http.server decodes header lines as Latin-1: encoding them back
                # gives the octets that arrived.
                headers = tuple(
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in self.headers.items()
                )
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.received.append(Received(self.command, self.path, headers, body))
                if server.redirect and not self.path.startswith(LANDED):
                    status = 302 if server.redirect is True else server.redirect
                    self._reply(status, b"moved", [("Location", server.url + LANDED)])
                elif self.path.startswith(LANDED):
                    self._reply(200, REPLY, [])
                else:
                    self._reply(server.status, server.reply, [])

            def _reply(self, status: int, body: bytes, extra: list[tuple[str, str]]) -> None:
                self.send_response(status)
                for name, value in extra:
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def assert_received_exactly(seen: Received, req: PreparedRequest) -> None:
    """Check that ``seen`` is ``req`` as sent: target, header octets, body; and that
    the client added only transport headers."""
    assert seen.method == req.method
    parts = urlsplit(req.url)
    assert seen.target == parts.path + ("?" + parts.query if parts.query else "")
    names = [name.lower() for name, _ in seen.headers]
    assert len(names) == len(set(names)), f"a header was sent twice: {names}"
    received = {name.lower(): value for name, value in seen.headers}
    for name, value in req.header_items():
        assert received.pop(name.lower()) == value, name
    length = received.pop(b"content-length", None)
    if req.body:
        assert length == str(len(req.body)).encode()
    else:
        assert length in (None, b"0")
    assert set(received) <= TRANSPORT, set(received) - TRANSPORT
    assert seen.body == (req.body or b"")
