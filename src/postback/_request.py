"""What a notification produces: the prepared request and the judged response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import urllib.request

__all__ = ["Outcome", "OutcomeRule", "PreparedRequest"]


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """The complete request for one postback, built but not sent.

    ``headers`` holds ``(name, value)`` pairs: the notification's headers in their
    configured order, then ``Content-Type`` when there is a body (unless the
    notification configures its own).  ``Content-Length``, ``Host`` and the like are
    left to the HTTP client.  ``not_before`` is the earliest time (aware, UTC) the
    request may be sent: ClearedDate, else EventDate, else "now", plus ``min_delay``.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    content_type: str | None
    not_before: datetime

    def header(self, name: str) -> str | None:
        """Return the value of header ``name`` (case-insensitive), or None."""
        folded = name.lower()
        for key, value in self.headers:
            if key.lower() == folded:
                return value
        return None

    def to_urllib(self) -> urllib.request.Request:
        """Return an equivalent ``urllib.request.Request``; it is built, never opened.

        Send it with ``urllib.request.urlopen(req, timeout=...)``; urllib adds
        ``Content-Length`` (for a body), ``Host``, ``User-Agent`` and ``Connection``.
        """
        import urllib.request

        # http.client sends str header values as Latin-1; passing the UTF-8 bytes
        # through Latin-1 makes it send exactly the UTF-8 encoding of the value.
        headers = {
            name: value if value.isascii() else value.encode("utf-8").decode("latin-1")
            for name, value in self.headers
        }
        return urllib.request.Request(self.url, data=self.body, headers=headers, method=self.method)

    def to_http(self) -> bytes:
        """Return the request as HTTP/1.1 text, the bytes ``postback prepare`` prints.

        The request line in origin form (``POST /path?query HTTP/1.1``, the fragment
        left out), ``Host`` first (from the URL, or the configured ``Host`` header),
        the headers in order, ``Content-Length`` when there is a body, a blank line,
        then the body as it would be sent.  Lines end with CRLF; header values are
        written as UTF-8.
        """
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        host = parts.netloc.rpartition("@")[2]  # user info is never sent in Host
        for name, value in self.headers:
            if name.lower() == "host":
                host = value
                break
        lines = [f"{self.method} {target} HTTP/1.1", f"Host: {host}"]
        lines.extend(
            f"{name}: {value}"
            for name, value in self.headers
            if name.lower() not in ("host", "content-length")
        )
        if self.body is not None:
            if self.content_type and self.header("content-type") is None:
                lines.append(f"Content-Type: {self.content_type}")
            lines.append(f"Content-Length: {len(self.body)}")
        head = "".join(line + "\r\n" for line in lines) + "\r\n"
        return head.encode("utf-8") + (self.body or b"")


OutcomeRule = Literal["error_response", "success_response", "status"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How ``Notification.classify`` judged a response.

    ``ok`` is the verdict; ``reason`` says in words which rule decided and why;
    ``rule`` names that rule: ``"error_response"``, ``"success_response"`` or
    ``"status"``.
    """

    ok: bool
    reason: str
    rule: OutcomeRule = "status"
