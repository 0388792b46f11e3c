"""Notifications: a postback's settings, compiled once, turned into prepared requests.

A ``Notification`` holds impact.com's settings screen (server URL, HTTP method, body and
body format, HTTP headers, minimum delay, maximum requests, success and error response)
with every template compiled.  ``prepare(action)`` builds the request a sender would make
as a ``PreparedRequest``; nothing here opens a connection.  ``classify(status, body)``
reads a response as the success/error settings say, and ``pacer()`` schedules starts
for ``max_requests``.  See docs/notifications.md.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from ._errors import ConfigError, RecordError, RenderError
from ._pacer import Pacer, _check_max_requests
from ._record import Action
from ._template import Format, Template, compile
from ._values import resolve_timezone

if TYPE_CHECKING:
    import urllib.request
    from pathlib import Path

__all__ = ["Notification", "Outcome", "PreparedRequest"]

_METHODS: Final = ("GET", "POST")
_BODY_FORMATS: Final = (Format.JSON, Format.XML, Format.QUERY)

# RFC 9110 §5.6.2: token = 1*tchar
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# Computed by the HTTP client from the body; a configured value could only disagree.
_TRANSPORT_HEADERS: Final = frozenset({"content-length", "transfer-encoding"})

_FORBIDDEN_IN_HEADER_VALUE: Final = re.compile(r"[\r\n\x00]")

_TOML_POSITION_RE: Final = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END: Final = " (at end of document)"

_REPR_LIMIT: Final = 60


def _short(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def _describe(value: object) -> str:
    return f"{_short(value)} ({type(value).__name__})"


# ---------------------------------------------------------------------------
# The prepared request and the response outcome
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Setting validation
# ---------------------------------------------------------------------------


def _check_method(method: object) -> str:
    if not isinstance(method, str):
        raise ConfigError(
            f"method must be 'GET' or 'POST', not {_describe(method)}", setting="method"
        )
    normal = method.strip().upper()
    if normal not in _METHODS:
        raise ConfigError(
            f"method must be 'GET' or 'POST' (any case), not {method!r}", setting="method"
        )
    return normal


def _check_body_format(body_format: object) -> Format:
    valid = "'json', 'xml' or 'query' ('querystring', 'query_string' and 'form' mean 'query')"
    if not isinstance(body_format, Format | str):
        raise ConfigError(
            f"body_format must be {valid}, not {_describe(body_format)}", setting="body_format"
        )
    try:
        fmt = Format.parse(body_format)
    except ConfigError:
        raise ConfigError(
            f"unknown body_format {body_format!r}: use {valid}", setting="body_format"
        ) from None
    if fmt not in _BODY_FORMATS:
        raise ConfigError(
            f"body_format {fmt.value!r} is not a body format: use {valid}", setting="body_format"
        )
    return fmt


def _check_min_delay(min_delay: object) -> timedelta:
    if isinstance(min_delay, timedelta):
        delay = min_delay
    else:
        if isinstance(min_delay, bool) or not isinstance(min_delay, int | float | Decimal):
            raise ConfigError(
                f"min_delay must be a number of seconds, not {_describe(min_delay)}",
                setting="min_delay",
            )
        finite = (
            min_delay.is_finite() if isinstance(min_delay, Decimal) else math.isfinite(min_delay)
        )
        if not finite:
            raise ConfigError(
                f"min_delay must be a finite number of seconds, not {min_delay!r}",
                setting="min_delay",
            )
        try:
            if isinstance(min_delay, Decimal):
                micros = (min_delay * 1_000_000).to_integral_value(ROUND_HALF_EVEN)
                delay = timedelta(microseconds=int(micros))
            else:
                delay = timedelta(seconds=min_delay)
        except OverflowError:
            raise ConfigError(
                f"min_delay {min_delay!r} is too large to be a number of seconds",
                setting="min_delay",
            ) from None
    if delay < timedelta(0):
        raise ConfigError(
            f"min_delay must be 0 or more seconds, not {min_delay!r}", setting="min_delay"
        )
    return delay


def _check_response_text(value: object, setting: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            f"{setting} must be the text to look for in the response body, not {_describe(value)}",
            setting=setting,
        )
    if not value:
        raise ConfigError(
            f"{setting} is empty, and the empty text occurs in every response; "
            "leave it out (None) to not check for it",
            setting=setting,
        )
    return value


def _check_headers(headers: object) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    pairs: Iterable[object]
    if isinstance(headers, Mapping):
        pairs = headers.items()
    elif isinstance(headers, str | bytes) or not isinstance(headers, Iterable):
        raise ConfigError(
            f"headers must be a mapping of header names to values, not {_describe(headers)}",
            setting="headers",
        )
    else:
        pairs = headers
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ConfigError(
                f"headers must be a mapping or (name, value) pairs, got {_describe(pair)}",
                setting="headers",
            )
        name, value = pair
        if not isinstance(name, str):
            raise ConfigError(
                f"a header name must be a string, not {_describe(name)}", setting="headers"
            )
        setting = f"headers.{name}"
        if not _TOKEN_RE.fullmatch(name):
            raise ConfigError(
                f"header name {name!r} is not a valid HTTP token: use letters, digits and "
                "!#$%&'*+-.^_`|~ only (no spaces, colons or other separators)",
                setting=setting,
            )
        folded = name.lower()
        if folded in seen:
            raise ConfigError(
                f"header {name!r} is given twice (as {seen[folded]!r} and {name!r}); header "
                "names are case-insensitive: give one value",
                setting=setting,
            )
        if folded in _TRANSPORT_HEADERS:
            raise ConfigError(
                f"header {name!r} is set by the HTTP client from the body; leave it out",
                setting=setting,
            )
        if not isinstance(value, str):
            raise ConfigError(
                f"the value of header {name!r} must be a string (a header template), not "
                f"{_describe(value)}",
                setting=setting,
            )
        seen[folded] = name
        out.append((name, value))
    return tuple(out)


def _check_extra_fields(extra_fields: object) -> tuple[str, ...]:
    if isinstance(extra_fields, str):
        names: tuple[object, ...] = (extra_fields,)
    elif isinstance(extra_fields, Iterable) and not isinstance(extra_fields, bytes | Mapping):
        names = tuple(extra_fields)
    else:
        raise ConfigError(
            f"extra_fields must be a list of field names, not {_describe(extra_fields)}",
            setting="extra_fields",
        )
    for name in names:
        if not isinstance(name, str):
            raise ConfigError(
                f"extra field names must be strings, not {_describe(name)}",
                setting="extra_fields",
            )
    return tuple(sorted(set(names)))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Notification
# ---------------------------------------------------------------------------

_Key = tuple[object, ...]


class Notification:
    """One postback's settings, validated and compiled on construction.

    ``url`` is a ``"url"`` template; ``body`` (POST only) a template in ``body_format``
    (``"json"``, ``"xml"`` or ``"query"``); each header value a ``"header"`` template.
    ``min_delay`` is seconds (``int``, ``float``, ``Decimal`` or ``timedelta``, >= 0),
    ``max_requests`` a positive ``int`` or None, ``success_response`` /
    ``error_response`` texts looked for in a response body, or None.  ``timezone``,
    ``missing``, ``extra_fields`` and ``date_format`` are passed to every template's
    ``compile`` (and ``timezone`` also places naive record dates for ``not_before``).

    Any invalid setting raises ``ConfigError`` with ``.setting`` naming it; a
    defective template raises the ``TemplateError`` of ``postback.compile``, whose
    ``.name`` names the setting (``"url"``, ``"body"``, ``"headers.X-Token"``).

    Instances are immutable, hashable, comparable, picklable and thread-safe.
    """

    __slots__ = (
        "_body_name",
        "_body_template",
        "_delay",
        "_header_templates",
        "_key",
        "_tz",
        "_url_template",
        "body",
        "body_format",
        "date_format",
        "error_response",
        "extra_fields",
        "headers",
        "max_requests",
        "method",
        "min_delay",
        "missing",
        "success_response",
        "timezone",
        "url",
    )

    url: str
    method: str
    body: str | None
    body_format: Format | None
    headers: tuple[tuple[str, str], ...]
    min_delay: int | float | Decimal | timedelta
    max_requests: int | None
    success_response: str | None
    error_response: str | None
    timezone: str | tzinfo | None
    missing: Literal["empty", "error"]
    extra_fields: tuple[str, ...]
    date_format: str
    _body_name: str
    _tz: tzinfo
    _delay: timedelta
    _url_template: Template
    _header_templates: tuple[tuple[str, Template], ...]
    _body_template: Template | None
    _key: _Key

    def __init__(
        self,
        url: str,
        method: str = "GET",
        body: str | None = None,
        body_format: Format | str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        min_delay: int | float | Decimal | timedelta = 0,
        max_requests: int | None = None,
        success_response: str | None = None,
        error_response: str | None = None,
        *,
        timezone: str | tzinfo | None = None,
        missing: Literal["empty", "error"] = "empty",
        extra_fields: Iterable[str] = (),
        date_format: str = "iso",
    ) -> None:
        self._setup(
            url,
            method,
            body,
            body_format,
            headers,
            min_delay,
            max_requests,
            success_response,
            error_response,
            timezone,
            missing,
            extra_fields,
            date_format,
            "body",
        )

    def _setup(
        self,
        url: object,
        method: object,
        body: object,
        body_format: object,
        headers: object,
        min_delay: object,
        max_requests: object,
        success_response: object,
        error_response: object,
        timezone: object,
        missing: object,
        extra_fields: object,
        date_format: object,
        body_name: str,
    ) -> None:
        if not isinstance(url, str):
            raise ConfigError(
                f"url must be a URL template string, not {_describe(url)}", setting="url"
            )
        norm_method = _check_method(method)
        if body is not None and not isinstance(body, str):
            raise ConfigError(
                f"body must be a template string or None, not {_describe(body)}", setting="body"
            )
        if body == "":
            raise ConfigError("body is empty; leave it out (None) to send no body", setting="body")
        if body is not None and norm_method == "GET":
            raise ConfigError(
                "a GET request has no body: use method 'POST', or put the values in the "
                "url's query string",
                setting="body",
            )
        fmt: Format | None = None
        if body_format is not None:
            fmt = _check_body_format(body_format)
            if body is None:
                raise ConfigError(
                    f"body_format {fmt.value!r} is set but there is no body; give a body or "
                    "leave body_format out",
                    setting="body_format",
                )
        elif body is not None:
            raise ConfigError(
                "a body needs a body_format: 'json', 'xml' or 'query'", setting="body_format"
            )
        header_pairs = _check_headers(headers)
        for name, _value in header_pairs:
            if name.lower() == "content-type" and body is None:
                raise ConfigError(
                    f"header {name!r} is set but the request has no body",
                    setting=f"headers.{name}",
                )
        delay = _check_min_delay(min_delay)
        max_req = _check_max_requests(max_requests)
        success = _check_response_text(success_response, "success_response")
        error = _check_response_text(error_response, "error_response")
        if missing not in ("empty", "error"):
            raise ConfigError(
                f"missing must be 'empty' or 'error', not {_short(missing)}", setting="missing"
            )
        if not isinstance(date_format, str) or not date_format:
            raise ConfigError(
                f"date_format must be 'iso' or a strftime pattern, not {_short(date_format)}",
                setting="date_format",
            )
        if timezone is not None and not isinstance(timezone, str | tzinfo):
            raise ConfigError(
                f"timezone must be an IANA name or a tzinfo, not {_describe(timezone)}",
                setting="timezone",
            )
        tz = resolve_timezone(timezone)
        extras = _check_extra_fields(extra_fields)

        options: dict[str, Any] = {
            "missing": missing,
            "timezone": timezone,
            "date_format": date_format,
            "extra_fields": extras,
        }
        url_template = compile(url, Format.URL, name="url", **options)
        header_templates = tuple(
            (name, compile(value, Format.HEADER, name=f"headers.{name}", **options))
            for name, value in header_pairs
        )
        body_template = (
            compile(body, fmt, name=body_name, **options)
            if body is not None and fmt is not None
            else None
        )

        for attr, value in (
            ("url", url),
            ("method", norm_method),
            ("body", body),
            ("body_format", fmt),
            ("headers", header_pairs),
            ("min_delay", min_delay),
            ("max_requests", max_req),
            ("success_response", success),
            ("error_response", error),
            ("timezone", timezone),
            ("missing", missing),
            ("extra_fields", extras),
            ("date_format", date_format),
            ("_body_name", body_name),
            ("_tz", tz),
            ("_delay", delay),
            ("_url_template", url_template),
            ("_header_templates", header_templates),
            ("_body_template", body_template),
            (
                "_key",
                (
                    url,
                    norm_method,
                    body,
                    fmt,
                    header_pairs,
                    delay,
                    max_req,
                    success,
                    error,
                    tz,
                    missing,
                    extras,
                    date_format,
                ),
            ),
        ):
            object.__setattr__(self, attr, value)

    # -- immutability, equality, pickling ------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Notification objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Notification objects are immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Notification):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                self.url,
                self.method,
                self.body,
                self.body_format.value if self.body_format is not None else None,
                self.headers,
                self.min_delay,
                self.max_requests,
                self.success_response,
                self.error_response,
                self.timezone,
                self.missing,
                self.extra_fields,
                self.date_format,
                self._body_name,
            ),
        )

    def __repr__(self) -> str:
        parts = [f"url={self.url!r}", f"method={self.method!r}"]
        if self.body is not None:
            head = self.body[:40] + ("..." if len(self.body) > 40 else "")
            parts.append(f"body={head!r}")
            parts.append(f"body_format={self.body_format.value if self.body_format else None!r}")
        if self.headers:
            parts.append(f"headers={dict(self.headers)!r}")
        if self._delay:
            parts.append(f"min_delay={self.min_delay!r}")
        for attr in ("max_requests", "success_response", "error_response", "timezone"):
            value = getattr(self, attr)
            if value is not None:
                parts.append(f"{attr}={value!r}")
        return f"Notification({', '.join(parts)})"

    # -- compiled templates ---------------------------------------------------

    @property
    def url_template(self) -> Template:
        """The compiled ``url`` template (format ``"url"``)."""
        return self._url_template

    @property
    def body_template(self) -> Template | None:
        """The compiled body template (in ``body_format``), or None without a body."""
        return self._body_template

    @property
    def header_templates(self) -> tuple[tuple[str, Template], ...]:
        """``(name, template)`` for each configured header, in order (format ``"header"``)."""
        return self._header_templates

    @property
    def delay(self) -> timedelta:
        """``min_delay`` as a ``timedelta``."""
        return self._delay

    # -- the request ----------------------------------------------------------

    def prepare(
        self, action: Action | Mapping[str, object], *, now: datetime | None = None
    ) -> PreparedRequest:
        """Build the request for ``action`` (a ``postback.Action`` or a mapping).

        Renders the url, the headers and the body; raises ``RenderError`` (a missing
        value under ``missing="error"``, a header value with CR/LF/NUL, ...) or
        ``RecordError`` (a mapping that is not a valid record).  ``now`` (default: the
        current time) is the base of ``not_before`` when the record has neither
        ClearedDate nor EventDate; a naive ``now`` or record date is taken to be in the
        notification's timezone.
        """
        record = self._coerce(action)
        url = self._url_template.render(record)
        headers: list[tuple[str, str]] = []
        content_type: str | None = None
        for name, template in self._header_templates:
            value = template.render(record)
            if _FORBIDDEN_IN_HEADER_VALUE.search(value):
                raise RenderError(
                    f"the value of header {name!r} would contain CR, LF or NUL", field=name
                )
            headers.append((name, value))
            if name.lower() == "content-type":
                content_type = value
        body: bytes | None = None
        if self._body_template is not None:
            body = self._body_template.render_bytes(record)
            if content_type is None:
                content_type = self._body_template.format.content_type
                assert content_type is not None
                headers.append(("Content-Type", content_type))
        return PreparedRequest(
            method=self.method,
            url=url,
            headers=tuple(headers),
            body=body,
            content_type=content_type,
            not_before=self._not_before(record, now),
        )

    def _coerce(self, action: object) -> Action:
        if isinstance(action, Action):
            return action
        if isinstance(action, Mapping):
            return Action.from_dict(action, extra=self.extra_fields)
        raise RecordError(
            f"prepare takes a postback.Action or a mapping, not {type(action).__name__}"
        )

    def _not_before(self, record: Action, now: datetime | None) -> datetime:
        label = "ClearedDate"
        base = record.cleared_date
        if base is None:
            label, base = "EventDate", record.event_date
        if base is None:
            label = "now"
            if now is None:
                base = datetime.now(UTC)
            elif isinstance(now, datetime):
                base = now
            else:
                raise TypeError(f"now must be a datetime, not {type(now).__name__}")
        try:
            if base.tzinfo is None or base.tzinfo.utcoffset(base) is None:
                base = base.replace(tzinfo=self._tz)
            return base.astimezone(UTC) + self._delay
        except (OverflowError, ValueError) as exc:
            raise RenderError(
                f"cannot compute the send time from {label} {base.isoformat()} plus "
                f"min_delay {self._delay}: {exc}",
                field=None if label == "now" else label,
            ) from None

    # -- the response ---------------------------------------------------------

    def classify(self, status: int, body: str | bytes | bytearray | memoryview | None) -> Outcome:
        """Judge a response: ``error_response`` found in the body -> not ok; else, with
        ``success_response`` set, ok iff the status is 2xx and it is found in the body;
        else ok iff the status is 2xx.

        ``body`` may be ``str``, bytes-like (decoded as UTF-8, invalid bytes replaced)
        or None (no body).  Matching is case-sensitive substring search.
        """
        if isinstance(status, bool) or not isinstance(status, int):
            raise TypeError(f"status must be an int HTTP status code, not {type(status).__name__}")
        if body is None:
            text = ""
        elif isinstance(body, str):
            text = body
        elif isinstance(body, bytes | bytearray | memoryview):
            text = bytes(body).decode("utf-8", errors="replace")
        else:
            raise TypeError(f"body must be str, bytes or None, not {type(body).__name__}")
        code = int(status)
        is_2xx = 200 <= code <= 299
        status_text = f"status {code} is {'' if is_2xx else 'not '}2xx"
        if self.error_response is not None and self.error_response in text:
            return Outcome(
                False,
                f"error_response {self.error_response!r} found in the response body",
                "error_response",
            )
        if self.success_response is not None:
            found = self.success_response in text
            where = "found" if found else "not found"
            reason = f"success_response {self.success_response!r} {where} in the response body"
            if not is_2xx:
                return Outcome(False, f"{status_text} ({reason})", "success_response")
            if not found:
                return Outcome(False, f"{reason} ({status_text})", "success_response")
            return Outcome(True, f"{status_text} and {reason}", "success_response")
        return Outcome(is_2xx, status_text, "status")

    def pacer(self) -> Pacer:
        """Return a new ``Pacer`` for ``max_requests`` (no limit when it is None)."""
        return Pacer(self.max_requests)

    # -- loading --------------------------------------------------------------

    @classmethod
    def from_dict(
        cls, mapping: Mapping[str, object], *, base_dir: str | os.PathLike[str] | None = None
    ) -> Notification:
        """Build a notification from a mapping with the keys of a notification file.

        Keys: ``url`` (required), ``method``, ``body`` or ``body_file``, ``body_format``,
        ``headers`` (a mapping), ``min_delay``, ``max_requests``, ``success_response``,
        ``error_response``, ``timezone``, ``missing``, ``extra_fields``, ``date_format``.
        A relative ``body_file`` is read relative to ``base_dir`` (default: the
        current directory).  An unknown key or a value of the wrong type raises
        ``ConfigError`` naming the key.
        """
        if not isinstance(mapping, Mapping):
            raise ConfigError(
                f"notification settings must be a mapping (a TOML table), not {_describe(mapping)}"
            )
        values: dict[str, Any] = {}
        for key, value in mapping.items():
            if not isinstance(key, str):
                raise ConfigError(f"setting names must be strings, not {_describe(key)}")
            spec = _KEYS.get(key)
            if spec is None:
                import difflib

                close = difflib.get_close_matches(key, list(_KEYS), n=1)
                hint = (
                    f"did you mean {close[0]!r}?" if close else f"the keys are {', '.join(_KEYS)}"
                )
                raise ConfigError(f"unknown setting {key!r}: {hint}", setting=key)
            if value is None:
                continue
            expected, check = spec
            if not check(value):
                raise ConfigError(f"{key} must be {expected}, not {_describe(value)}", setting=key)
            values[key] = value
        if "url" not in values:
            raise ConfigError("the url setting is required", setting="url")
        body_name = "body"
        if "body_file" in values:
            if "body" in values:
                raise ConfigError("give either body or body_file, not both", setting="body_file")
            from pathlib import Path

            path = Path(base_dir if base_dir is not None else ".") / values.pop("body_file")
            values["body"] = _read_body_file(path)
            body_name = str(path)
        self = cls.__new__(cls)
        self._setup(
            values["url"],
            values.get("method", "GET"),
            values.get("body"),
            values.get("body_format"),
            values.get("headers"),
            values.get("min_delay", 0),
            values.get("max_requests"),
            values.get("success_response"),
            values.get("error_response"),
            values.get("timezone"),
            values.get("missing", "empty"),
            values.get("extra_fields", ()),
            values.get("date_format", "iso"),
            body_name,
        )
        return self

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Notification:
        """Load a notification from a TOML file (the keys of ``from_dict``).

        ``body_file`` is read relative to the TOML file's directory.  An unreadable
        file or invalid TOML raises ``ConfigError`` with the path (and for TOML
        errors the line and column); an invalid setting raises ``ConfigError`` with
        the path in its message and ``.setting`` naming the key.
        """
        from pathlib import Path

        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ConfigError(f"cannot read notification file {str(file)!r}: {reason}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{file}: not UTF-8 text (invalid byte at offset {exc.start})"
            ) from None
        import tomllib

        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            match = _TOML_POSITION_RE.search(message)
            if match:
                where = f"{file}:{match.group(1)}:{match.group(2)}"
                message = message[: match.start()]
            elif message.endswith(_TOML_AT_END):
                lines = text.split("\n")
                where = f"{file}:{len(lines)}:{len(lines[-1]) + 1}"
                message = message[: -len(_TOML_AT_END)] + " at the end of the file"
            else:
                where = str(file)
            raise ConfigError(f"{where}: invalid TOML: {message}") from None
        try:
            return cls.from_dict(table, base_dir=file.parent)
        except ConfigError as exc:
            raise ConfigError(f"{file}: {exc.message}", setting=exc.setting) from None


def _read_body_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot read body_file {str(path)!r}: {reason}", setting="body_file"
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"body_file {str(path)!r} is not UTF-8 text (invalid byte at offset {exc.start})",
            setting="body_file",
        ) from None
    # One final line ending is the file's, not the body's (editors add it).
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_mapping(value: object) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


_KEYS: Final[dict[str, tuple[str, Any]]] = {
    "url": ("a string (the URL template)", _is_str),
    "method": ("a string: 'GET' or 'POST'", _is_str),
    "body": ("a string (the body template)", _is_str),
    "body_file": ("a string (a path relative to the notification file)", _is_str),
    "body_format": ("a string: 'json', 'xml' or 'query'", _is_str),
    "headers": ("a table of header names to value templates", _is_str_mapping),
    "min_delay": ("a number of seconds", _is_number),
    "max_requests": ("a whole number of requests per second", _is_int),
    "success_response": ("a string", _is_str),
    "error_response": ("a string", _is_str),
    "timezone": ("a string (an IANA time zone name)", _is_str),
    "missing": ("a string: 'empty' or 'error'", _is_str),
    "extra_fields": ("a list of strings (field names)", _is_str_list),
    "date_format": ("a string: 'iso' or a strftime pattern", _is_str),
}


def _rebuild(
    url: str,
    method: str,
    body: str | None,
    body_format: str | None,
    headers: tuple[tuple[str, str], ...],
    min_delay: Any,
    max_requests: int | None,
    success_response: str | None,
    error_response: str | None,
    timezone: str | tzinfo | None,
    missing: str,
    extra_fields: tuple[str, ...],
    date_format: str,
    body_name: str,
) -> Notification:
    self = Notification.__new__(Notification)
    self._setup(
        url,
        method,
        body,
        body_format,
        headers,
        min_delay,
        max_requests,
        success_response,
        error_response,
        timezone,
        missing,
        extra_fields,
        date_format,
        body_name,
    )
    return self
