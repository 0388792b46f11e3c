"""A playground server on 127.0.0.1 for a test, and a client that speaks to it as the
page does (its own Host and Origin, JSON bodies)."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from postback._serve.files import Workspace
from postback._serve.server import PlaygroundServer

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "tests" / "data" / "seed_body.json.txt").read_text(encoding="utf-8")


class Answer(NamedTuple):
    """A response: status, headers (lower-case names) and the body, parsed if JSON."""

    status: int
    headers: dict[str, str]
    data: Any


class Client:
    """Requests to one server, with the headers the page sends unless told otherwise."""

    def __init__(self, server: PlaygroundServer) -> None:
        self.server = server
        self.origin = f"http://127.0.0.1:{server.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        timeout: float = 60,
    ) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"127.0.0.1:{self.server.port}"}
            if body is not None:
                sent |= {
                    "Origin": self.origin,
                    "Content-Type": "application/json",
                    "Content-Length": str(len(body)),
                }
            sent |= dict(headers or {})
            for name, value in sent.items():
                if value:  # an empty value: the header is left out
                    conn.putheader(name, value)
            conn.endheaders()
            if body is not None:
                conn.send(body)
            response = conn.getresponse()
            raw = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
        finally:
            conn.close()
        data: Any = raw
        if found.get("content-type") == "application/json":
            data = json.loads(raw)
        return Answer(response.status, found, data)

    def post(self, path: str, payload: object, **kwargs: Any) -> Answer:
        return self.request("POST", path, json.dumps(payload).encode("utf-8"), **kwargs)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)


@contextmanager
def playground(paths: Sequence[str] = ()) -> Iterator[Client]:
    """A server for the files ``paths`` on a free port, serving in a thread."""
    server = PlaygroundServer("127.0.0.1", 0, Workspace(paths))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Client(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def settings(**fields: object) -> dict[str, object]:
    """The settings of the docs' example notification, with ``fields`` changed."""
    base: dict[str, object] = {
        "url": "https://postbacks.example.com/impact/{CampaignId}?action_id={ActionId}",
        "method": "POST",
        "body": (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8"),
        "body_format": "json",
        "headers": "X-Action-Id: {ActionId}\nAuthorization: Bearer s3cr3t",
        "min_delay": "30",
        "max_requests": "10",
        "success_response": "OK",
        "error_response": "ERROR",
    }
    return base | fields
