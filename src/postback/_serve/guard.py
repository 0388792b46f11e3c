"""The rules that keep the playground safe on a developer's machine.

- **Host.**  A request whose ``Host`` is not the address the server listens on is
  refused: a web page elsewhere cannot reach the server through a name of its own
  that it points at 127.0.0.1 (DNS rebinding).  On the loopback address,
  ``127.0.0.1``, ``localhost`` and ``[::1]`` with the port are accepted.
- **Origin.**  A ``POST`` must come from the page itself: its ``Origin`` must be the
  server's, ``Sec-Fetch-Site`` (where the browser sends it) ``same-origin``, and its
  body JSON (``Content-Type: application/json``, which no form of another site can
  send without the browser asking first).
- **Size.**  A ``POST`` states its ``Content-Length``, at most ``MAX_BODY_BYTES``.

``refusal`` applies them to one request and returns the status and reason of a
refusal, or None.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Final, NamedTuple

__all__ = ["MAX_BODY_BYTES", "Refusal", "allowed_hosts", "is_loopback", "refusal"]

#: The largest request body: a template of 1 MiB of characters (``max_template_size``)
#: as UTF-8 and escaped in JSON, with a record and the other fields.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024


class Refusal(NamedTuple):
    """An HTTP status and the reason a request is refused, in words."""

    status: int
    reason: str


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` (an address, or ``localhost``) is this machine alone."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values a server listening on ``host`` and ``port`` accepts."""
    names = {host.lower()}
    if is_loopback(host):
        names |= {"127.0.0.1", "localhost", "::1"}
    return frozenset(_authority(name, port) for name in names)


def _post_refusal(headers: Mapping[str, str], hosts: frozenset[str]) -> Refusal | None:
    origin = headers.get("origin")
    if origin is None or origin.lower() not in {f"http://{h}" for h in hosts}:
        return Refusal(403, f"refused: the request comes from another site (Origin {origin!r})")
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return Refusal(403, f"refused: the request comes from another site ({site})")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return Refusal(
            415, "refused: the request body must be JSON (Content-Type: application/json)"
        )
    if "transfer-encoding" in headers:
        return Refusal(411, "refused: send the request body with a Content-Length")
    length = headers.get("content-length", "")
    if not length.isdigit() or not length.isascii():
        return Refusal(411, "refused: the request must state its Content-Length")
    if int(length) > MAX_BODY_BYTES:
        return Refusal(413, f"refused: the request body is larger than {MAX_BODY_BYTES:,} bytes")
    return None


def refusal(method: str, headers: Mapping[str, str], hosts: frozenset[str]) -> Refusal | None:
    """Why the request is refused, or None; ``headers`` are keyed in lower case."""
    host = headers.get("host")
    if host is None or host.lower() not in hosts:
        return Refusal(
            421, f"refused: this server answers only for {', '.join(sorted(hosts))}, not {host!r}"
        )
    if method == "POST":
        return _post_refusal(headers, hosts)
    return None
