"""Send prepared requests to a local server and check it receives exactly what was prepared.

The server listens on 127.0.0.1 only, on a port the OS picks, and is shut down after
each test.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

import postback
from postback._sending.notification import Notification, PreparedRequest

# Headers the HTTP client adds on its own; every other header must be a prepared one.
CLIENT_HEADERS = {"host", "user-agent", "accept-encoding", "connection", "content-length"}


@dataclass
class Seen:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Recorder:
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_handler(recorder: Recorder, reply: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            with recorder.lock:
                recorder.requests.append(
                    Seen(self.command, self.path, list(self.headers.items()), body)
                )
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = _record
        do_POST = _record

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorder, b"OK accepted"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        assert host == "127.0.0.1"
        yield f"http://127.0.0.1:{port}", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def send(prepared: PreparedRequest) -> tuple[int, bytes]:
    with urllib.request.urlopen(prepared.to_urllib(), timeout=5) as response:
        return response.status, response.read()


def assert_seen_exactly(seen: Seen, prepared: PreparedRequest) -> None:
    assert seen.method == prepared.method
    parts = urlsplit(prepared.url)
    assert seen.target == parts.path + ("?" + parts.query if parts.query else "")
    received = {name.lower(): value for name, value in seen.headers}
    assert len(received) == len(seen.headers), "no header was sent twice"
    for name, value in prepared.headers:
        assert received.pop(name.lower()) == value
    if prepared.body is None:
        assert received.pop("content-length", "0") == "0"
    else:
        assert received.pop("content-length") == str(len(prepared.body))
    assert set(received) <= CLIENT_HEADERS
    assert seen.body == (prepared.body or b"")


def test_get_reaches_the_server_exactly(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    n = Notification(
        base + "/pb/{CampaignId}?oid={ActionId}&sub={SubId3}&name={CampaignName}",
        headers={"Authorization": "Bearer abc", "X-Action-Id": "{ActionId}"},
        success_response="OK",
    )
    prepared = n.prepare(postback.sample_action())
    status, reply = send(prepared)
    assert n.classify(status, reply).ok
    assert len(recorder.requests) == 1
    seen = recorder.requests[0]
    assert_seen_exactly(seen, prepared)
    assert seen.target.startswith("/pb/4636?oid=1000.4636.158133&")
    assert seen.body == b""


def test_post_json_reaches_the_server_exactly(server: tuple[str, Recorder]) -> None:
    base, recorder = server
    body = (
        '{"id": "{ActionId}", "payout": {Payout}, "name": "{CampaignName}", '
        '"items": [{join(items, i, "{\\"sku\\": \\"{i.sku}\\", \\"name\\": \\"{i.name}\\"}")}]}'
    )
    n = Notification(
        base + "/postback?oid={ActionId}",
        method="POST",
        body=body,
        body_format="json",
        headers={"Authorization": "Bearer abc", "X-Sub": "{SubId2}"},
        success_response="OK",
        error_response="ERROR",
    )
    prepared = n.prepare(postback.sample_action())
    status, reply = send(prepared)
    assert n.classify(status, reply).ok
    assert len(recorder.requests) == 1
    seen = recorder.requests[0]
    assert_seen_exactly(seen, prepared)
    assert seen.method == "POST"
    assert dict((k.lower(), v) for k, v in seen.headers)["content-type"] == "application/json"
    assert seen.body == prepared.body
