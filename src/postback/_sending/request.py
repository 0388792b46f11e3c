"""What a notification produces: the prepared request and the judged response.

``PreparedRequest`` is handed to an HTTP client as keyword arguments built for that
client (``to_httpx``, ``to_requests``, ``to_aiohttp``) or as a ``urllib`` request; no
client is imported (``to_aiohttp`` imports aiohttp's ``yarl``).  Every hand-off sends
the same bytes: the URL exactly as rendered, header values as their UTF-8 octets, and
the body; and none of them follows redirects, not even a ``Request`` from ``to_urllib``
given to ``urllib.request.urlopen``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypedDict
from urllib.parse import urlsplit, urlunsplit

from .._messages import short_repr
from .secrets import masked_headers

if TYPE_CHECKING:
    import urllib.request
    from collections.abc import Callable

__all__ = [
    "AiohttpArguments",
    "HttpxArguments",
    "Outcome",
    "OutcomeRule",
    "PreparedRequest",
    "ReceivedHeaders",
    "RequestsArguments",
    "ResponseHeaders",
    "redirect_note",
    "retry_advice",
]


class HttpxArguments(TypedDict):
    """Keyword arguments for ``httpx.Client.request`` and ``httpx.AsyncClient.request``."""

    method: str
    url: str
    headers: list[tuple[bytes, bytes]]
    content: bytes | None
    follow_redirects: bool


class RequestsArguments(TypedDict):
    """Keyword arguments for ``requests.Session.request`` and ``requests.request``."""

    method: str
    url: str
    headers: dict[str, bytes]
    data: bytes | None
    allow_redirects: bool
    auth: Callable[[Any], Any]


class AiohttpArguments(TypedDict):
    """Keyword arguments for ``aiohttp.ClientSession.request``."""

    method: str
    url: Any  # a yarl.URL, built with encoded=True
    headers: list[tuple[str, str]]
    data: bytes | None
    allow_redirects: bool
    skip_auto_headers: tuple[str, ...]


class _ExactTarget:
    """A requests auth hook that restores the path and query requests re-quoted.

    requests decodes percent-escapes of unreserved characters, so a path segment the
    url format wrote as ``%2E%2E`` would be sent as ``..``, which servers remove with
    the segment before it.  The hook keeps the rest of requests' URL (its host is
    IDNA-encoded; the fragment is never sent).
    """

    __slots__ = ("_path", "_query")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._path = parts.path
        self._query = parts.query

    def __call__(self, prepared: Any) -> Any:
        parts = urlsplit(prepared.url)
        prepared.url = urlunsplit(
            (parts.scheme, parts.netloc, self._path, self._query, parts.fragment)
        )
        return prepared

    def __repr__(self) -> str:
        return f"<postback: keep the path and query {self._path!r} {self._query!r}>"


@dataclass(frozen=True, slots=True, repr=False)
class PreparedRequest:
    """The complete request for one postback, built but not sent.

    ``headers`` holds ``(name, value)`` pairs: the notification's headers in their
    configured order, then ``Content-Type`` when there is a body (unless the
    notification configures its own).  ``Content-Length``, ``Host`` and the like are
    left to the HTTP client.  ``not_before`` is the earliest time (aware, UTC) the
    request may be sent: ClearedDate, else EventDate, else "now", plus ``min_delay``.

    ``repr`` and ``str`` show the values of secret headers (``Authorization``,
    ``Cookie``, names with ``token``, ``secret`` or ``key``, ...) as ``***``.
    """

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    content_type: str | None
    not_before: datetime

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["headers"] = masked_headers(self.headers)
        return f"PreparedRequest({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def header(self, name: str) -> str | None:
        """Return the value of header ``name`` (case-insensitive), or None."""
        folded = name.lower()
        for key, value in self.headers:
            if key.lower() == folded:
                return value
        return None

    def header_items(self, encoding: str = "utf-8") -> list[tuple[bytes, bytes]]:
        """Return the headers as they go on the wire: ``(name, value)`` byte strings.

        Names are ASCII (they are HTTP tokens); values are encoded in ``encoding``.
        UTF-8, the default, is what receivers decode a non-ASCII value as (RFC 9110
        calls such octets obs-text).
        """
        return [(name.encode("ascii"), value.encode(encoding)) for name, value in self.headers]

    def to_httpx(self) -> HttpxArguments:
        """Return keyword arguments for ``httpx.Client.request`` (or the async client).

        ``client.request(**req.to_httpx(), timeout=10)`` sends the URL as rendered,
        the headers as UTF-8 bytes, the body as ``content``, and does not follow a
        redirect (``follow_redirects=False``).
        """
        return {
            "method": self.method,
            "url": self.url,
            "headers": self.header_items(),
            "content": self.body,
            "follow_redirects": False,
        }

    def to_requests(self) -> RequestsArguments:
        """Return keyword arguments for ``requests.Session.request``.

        Header values are UTF-8 bytes (requests would send ``str`` values as Latin-1),
        the body is ``data``, and ``allow_redirects=False``.  ``auth`` is a hook that
        puts back the exact path and query after requests re-quotes the URL; the
        notification's own credentials travel in its headers.
        """
        return {
            "method": self.method,
            "url": self.url,
            "headers": {name.decode("ascii"): value for name, value in self.header_items()},
            "data": self.body,
            "allow_redirects": False,
            "auth": _ExactTarget(self.url),
        }

    def to_aiohttp(self) -> AiohttpArguments:
        """Return keyword arguments for ``aiohttp.ClientSession.request``.

        aiohttp writes ``str`` header values as UTF-8, so they are passed unchanged;
        the URL is a ``yarl.URL`` built with ``encoded=True`` (otherwise yarl would
        decode and normalise it); ``allow_redirects=False``; ``skip_auto_headers``
        keeps aiohttp from adding a ``Content-Type`` to a POST without a body.
        Imports ``yarl``, which aiohttp depends on.
        """
        # yarl is aiohttp's, not postback's: imported by name for aiohttp users only.
        from importlib import import_module

        url = import_module("yarl").URL(self.url, encoded=True)
        return {
            "method": self.method,
            "url": url,
            "headers": list(self.headers),
            "data": self.body,
            "allow_redirects": False,
            "skip_auto_headers": ("Content-Type",),
        }

    def to_urllib(self) -> urllib.request.Request:
        """Return an equivalent ``urllib.request.Request`` that no opener redirects.

        ``urllib.request.urlopen(req.to_urllib(), timeout=10)`` sends the request and
        does not follow a redirect: a 3xx response raises ``urllib.error.HTTPError``
        whose ``code`` is the status, whose ``headers`` hold the ``Location`` and which
        reads the response body, as for a 4xx or 5xx (otherwise ``urlopen`` re-sends
        a POST answered with 302 as a GET without its body).  The same holds with any
        opener built on ``urllib.request.HTTPRedirectHandler``.  urllib adds
        ``Content-Length`` (for a body), ``Host``, ``User-Agent`` and ``Connection``.
        """
        # urllib.request (http.client, ssl, email) loads only for those who send with it.
        import urllib.request

        # http.client sends str header values as Latin-1; passing the UTF-8 bytes
        # through Latin-1 makes it send exactly the UTF-8 encoding of the value.
        headers = {
            name: value if value.isascii() else value.encode("utf-8").decode("latin-1")
            for name, value in self.headers
        }
        request = urllib.request.Request(
            self.url, data=self.body, headers=headers, method=self.method
        )
        # urllib's redirect handler keeps the targets a request was redirected to in
        # its ``redirect_dict`` and refuses to follow one it has followed too often,
        # raising HTTPError with the response's status, headers and body.
        request.redirect_dict = _EveryTargetSeen()  # type: ignore[attr-defined]
        return request

    def to_http(self, *, mask: bool = False) -> bytes:
        """Return the request as HTTP/1.1 text, the bytes ``postback prepare`` prints.

        The request line in origin form (``POST /path?query HTTP/1.1``, the fragment
        left out), ``Host`` first (from the URL, or a ``Host`` header the request holds),
        the headers in order, ``Content-Length`` when there is a body, a blank line,
        then the body as it would be sent.  Lines end with CRLF; header values are
        written as UTF-8.  With ``mask=True`` secret header values are written ``***``.
        """
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
            for name, value in (masked_headers(self.headers) if mask else self.headers)
            if name.lower() not in ("host", "content-length")
        )
        if self.body is not None:
            if self.content_type and self.header("content-type") is None:
                lines.append(f"Content-Type: {self.content_type}")
            lines.append(f"Content-Length: {len(self.body)}")
        head = "".join(line + "\r\n" for line in lines) + "\r\n"
        return head.encode("utf-8") + (self.body or b"")


class _EveryTargetSeen:
    """The redirect record of a request from ``to_urllib``: every target already seen.

    ``HTTPRedirectHandler.http_error_302`` follows a redirect only when
    ``redirect_dict.get(target, 0)`` is below its ``max_repeats`` and
    ``len(redirect_dict)`` below its ``max_redirections``; this record answers more
    than any limit to both, so the handler raises ``HTTPError`` for the 3xx instead.
    (For a POST answered with 307 or 308 its ``redirect_request`` raises it first.)
    """

    __slots__ = ()

    def get(self, target: str, default: int = 0) -> float:
        return math.inf

    def __len__(self) -> int:
        return sys.maxsize

    def __repr__(self) -> str:
        return "<postback: redirects refused>"


OutcomeRule = Literal["error_response", "success_response", "status", "no_response"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How ``Notification.classify`` judged a response, or that there was none.

    ``ok`` is the verdict; ``reason`` says in words which rule decided and why, with
    the status, and for a failure whether to retry; ``rule`` names that rule:
    ``"error_response"``, ``"success_response"``, ``"status"``, or ``"no_response"``
    (``Outcome.no_response``).  ``retryable`` says whether the same request may
    succeed later: after no response at all, a 5xx, 429 (too many requests) or 408
    (request timeout), unless ``error_response`` was found; never for a success.
    ``status`` is the response's status code (None without a response).
    """

    ok: bool
    reason: str
    rule: OutcomeRule = "status"
    retryable: bool = False
    status: int | None = None

    @classmethod
    def no_response(cls, error: BaseException | str) -> Outcome:
        """Return the outcome of an attempt that got no response: a retryable failure.

        ``error`` is what the HTTP client raised (a refused connection, a timeout, a
        DNS failure, ...) or a description of it; the reason quotes it.
        """
        what = error if isinstance(error, str) else repr(error)
        return cls(False, f"no response: {what}; {_RETRY_LATER}", "no_response", True)


_RETRY_LATER: Final = "retry later"
_DO_NOT_RETRY: Final = "do not retry"


def retry_advice(status: int) -> tuple[bool, str]:
    """Return whether a failed attempt answered with ``status`` is worth retrying, and
    the words ``classify`` appends to its reason.

    Yes for a 5xx, 429 and 408: the receiver is failing or busy for now.  No for a
    redirect (postback follows none, so the same request meets the same answer until
    the url is corrected), for every other 4xx (the receiver refuses this request)
    and for any other status.
    """
    if 500 <= status <= 599:
        return True, f"{_RETRY_LATER}: a server error"
    if status == 429:
        return True, f"{_RETRY_LATER}: too many requests"
    if status == 408:
        return True, f"{_RETRY_LATER}: the receiver timed out waiting for the request"
    if 300 <= status <= 399:
        return False, f"{_DO_NOT_RETRY}: redirects are not followed; check the url"
    if 400 <= status <= 499:
        return False, f"{_DO_NOT_RETRY}: the receiver refused the request"
    return False, f"{_DO_NOT_RETRY}: not a final status of a delivered request"


class _HasItems(Protocol):
    """Response headers as every HTTP client exposes them: anything with ``items()``."""

    def items(self) -> Iterable[tuple[str, Any]]: ...


#: A response's headers: a mapping (or ``email.message.Message``) or ``(name, value)`` pairs.
ResponseHeaders = _HasItems | Iterable[tuple[str, str]]

#: A received request's headers (``Notification.parse``): names and values str or UTF-8 bytes.
ReceivedHeaders = Mapping[str, str | bytes] | Iterable[tuple[str | bytes, str | bytes]]


def redirect_note(status: int, headers: ResponseHeaders | None) -> str:
    """Return what ``classify`` adds to its reason for a 3xx response, or ``""``.

    Nothing without ``headers``, for a status that is not 3xx, or without a
    ``Location`` header.
    """
    if headers is None or not 300 <= status <= 399:
        return ""
    pairs = headers.items() if hasattr(headers, "items") else headers
    for name, value in pairs:
        if isinstance(name, str) and name.lower() == "location":
            return f", a redirect to {short_repr(str(value))} that is not followed"
    return ""
