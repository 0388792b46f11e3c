"""The playground's HTTP server: the page, and the API it calls.

| request | answer |
|---|---|
| ``GET /``, ``/app.js``, ``/app.css`` | the page (``static/``) |
| ``GET /api/start`` | the first state, the files named on the command line, the sample record |
| ``POST /api/evaluate`` | ``evaluate.evaluate`` of the page's state |
| ``POST /api/export`` | the notification file and the body template of the state |
| ``POST /api/import`` | the fields a named file sets (``{"name": ...}``) |

Every request passes ``guard.refusal`` first.  Each runs in its own thread, and at
most ``MAX_WORKING`` evaluations run at once (more are answered 503 at once, and the
page tries again), so a large template being checked never holds up the page or
another request.  Answers are JSON, never cached, and the page's own content
security policy allows nothing but its files and its API.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Final

from .. import ConfigError, PostbackError, __version__
from .evaluate import BODY_FORMATS, evaluate
from .export import body_file_name, notification_toml
from .files import Workspace, first_state, sample_record
from .guard import Refusal, allowed_hosts, refusal
from .state import settings_from, state_from

__all__ = ["MAX_WORKING", "PlaygroundServer"]

#: How many API requests are worked on at once.
MAX_WORKING: Final = 4

_STATIC: Final = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
}

_HEADERS: Final = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


@cache
def _static(name: str) -> bytes:
    return resources.files("postback._serve").joinpath("static", name).read_bytes()


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server for the playground page on ``host`` and ``port``."""

    daemon_threads = True

    def __init__(self, host: str, port: int, workspace: Workspace) -> None:
        if ":" in host:
            # socket is needed only for an IPv6 address.
            import socket

            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.workspace = workspace
        self.host = host
        self.port = int(self.server_address[1])
        self.hosts = allowed_hosts(host, self.port)
        self.working = threading.BoundedSemaphore(MAX_WORKING)

    @property
    def url(self) -> str:
        """The page's address."""
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{shown}:{self.port}/"

    def start(self) -> dict[str, object]:
        """The answer of ``/api/start``."""
        return {
            "version": __version__,
            "state": first_state(self.workspace),
            "files": [entry.to_json() for entry in self.workspace.entries],
            "sample": sample_record(),
            "body_formats": BODY_FORMATS,
        }


def _export(payload: object) -> dict[str, object]:
    table = payload if isinstance(payload, dict) else {}
    settings = settings_from(table.get("settings", {}))
    return {
        "notification": notification_toml(settings),
        "notification_name": "notification.toml",
        "template": settings.body,
        "template_name": body_file_name(settings.body_format),
    }


class _Handler(BaseHTTPRequestHandler):
    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    server_version = "postback-playground"
    timeout = 30  # seconds a client may take to send its request
    disable_nagle_algorithm = True  # the headers and the body go out at once

    def version_string(self) -> str:
        """The ``Server`` header: the playground's name, without Python's version."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing of each request: the terminal shows the address and errors only."""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        for name, value in _HEADERS:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        body = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        self._send(status, body, "application/json")

    def _refused(self) -> bool:
        headers = {name.lower(): value for name, value in self.headers.items()}
        refused: Refusal | None = refusal(self.command, headers, self.server.hosts)
        if refused is not None:
            self.close_connection = True
            self._json(refused.status, {"error": refused.reason})
        return refused is not None

    def do_GET(self) -> None:
        """The page's files and ``/api/start``."""
        if self._refused():
            return
        path = self.path.split("?", 1)[0]
        if path in _STATIC:
            name, content_type = _STATIC[path]
            self._send(200, _static(name), content_type)
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif path == "/api/start":
            self._work(lambda _payload: self.server.start(), None)
        else:
            self._json(404, {"error": f"not found: {path}"})

    def do_POST(self) -> None:
        """The API: ``evaluate``, ``export`` and ``import``."""
        if self._refused():
            return
        routes: dict[str, Callable[[Any], object]] = {
            "/api/evaluate": lambda payload: evaluate(state_from(payload)),
            "/api/export": _export,
            "/api/import": self._import,
        }
        route = routes.get(self.path)
        data = self.rfile.read(int(self.headers["Content-Length"]))
        if route is None:
            self._json(404, {"error": f"not found: {self.path}"})
            return
        try:
            payload = json.loads(data)
        except ValueError as exc:  # not UTF-8, or not JSON
            self._json(400, {"error": f"the request body is not JSON: {exc}"})
            return
        self._work(route, payload)

    def _import(self, payload: object) -> object:
        name = payload.get("name") if isinstance(payload, dict) else None
        if not isinstance(name, str):
            raise ConfigError("name the file to import", setting="name")
        return self.server.workspace.load(name)

    def _work(self, route: Callable[[Any], object], payload: object) -> None:
        if not self.server.working.acquire(blocking=False):
            self._json(503, {"error": "busy: the server is working on other requests"})
            return
        try:
            answer = route(payload)
        except PermissionError as exc:
            self._json(403, {"error": f"refused: {exc}"})
        except ConfigError as exc:
            self._json(422, {"error": exc.message, "setting": exc.setting})
        except PostbackError as exc:
            self._json(422, {"error": str(exc)})
        except Exception as exc:  # a defect of the playground: the page says so, the
            # terminal shows it, and the server goes on serving.
            print(f"postback serve: internal error: {exc!r}", file=sys.stderr)
            self._json(500, {"error": f"internal error: {type(exc).__name__}: {exc}"})
        else:
            self._json(200, answer)
        finally:
            self.server.working.release()
