"""Notifications: a postback's settings, compiled once, turned into prepared requests.

A ``Notification`` holds impact.com's settings screen (server URL, HTTP method, body and
body format, HTTP headers, minimum delay, maximum requests, success and error response)
with every template compiled.  ``prepare(action)`` builds the request a sender would make
as a ``PreparedRequest``; nothing here opens a connection.  ``classify(status, body)``
reads a response as the success/error settings say, and ``pacer()`` schedules starts
for ``max_requests``.  See docs/notifications.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final, Generic, Literal, TypeVar, overload

from .._bulk import Prepared, Reading, prepare_many
from .._errors import RenderError
from .._files.toml import located
from .._formats import Format, FormatName
from .._options import OPTION_NAMES, CompileOptions, UnknownKeys
from .._pickling import init_values, restore, state
from .._records.action import Action, coerce
from .._template import Template, compile_template
from .config import check_keys, read_file
from .header_templates import compile_header
from .pacer import Pacer
from .request import Outcome, PreparedRequest, ReceivedHeaders, ResponseHeaders
from .response import classify_response
from .settings import Settings

__all__ = ["Notification", "Outcome", "PreparedRequest"]

_FORBIDDEN_IN_HEADER_VALUE: Final = re.compile(r"[\r\n\x00]")

_T = TypeVar("_T")


class _Setting(Generic[_T]):
    """A read-only attribute of ``Notification``: the setting of the same name."""

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> _Setting[_T]: ...
    @overload
    def __get__(self, obj: Notification, owner: type) -> _T: ...
    def __get__(self, obj: Notification | None, owner: type) -> _Setting[_T] | _T:
        if obj is None:
            return self
        value: _T = getattr(obj._settings, self.name)
        return value


class Notification:
    """One postback's settings, validated and compiled on construction.

    ``url`` is a ``"url"`` template; ``body`` (POST only) a template in ``body_format``
    (``"json"``, ``"xml"`` or ``"query"``); each header value a ``"header"`` template,
    the headers given as a mapping, ``(name, value)`` pairs or ``"Name: value"`` lines
    (as on the settings screen; spaces around name and value are dropped).
    ``min_delay`` is seconds (``int``, ``float``, ``Decimal`` or ``timedelta``, >= 0),
    ``max_requests`` a positive ``int`` or None, ``success_response`` /
    ``error_response`` texts looked for in a response body, or None.  ``timezone``,
    ``missing``, ``extra_fields``, ``date_format``, ``unknown_keys`` and ``day_first``
    are passed to every template's ``compile`` (``timezone`` also places naive record
    dates for ``not_before``; ``unknown_keys`` decides what ``prepare`` does with a
    mapping's keys the catalog lacks, ``day_first`` whether it reads a date such as
    ``04.03.2026`` day first, month first or not at all).

    Any invalid setting raises ``ConfigError`` with ``.setting`` naming it; a
    defective template raises the ``TemplateError`` of ``postback.compile``, whose
    ``.name`` names the setting (``"url"``, ``"body"``, ``"headers.X-Token"``).

    ``repr`` and errors show the values of secret headers (``Authorization``,
    ``Cookie``, names with ``token``, ``secret`` or ``key``, ...) masked.  Instances
    are immutable, hashable, comparable, picklable and thread-safe.
    """

    __slots__ = ("_body_template", "_header_templates", "_settings", "_url_template")

    _settings: Settings
    _url_template: Template
    _header_templates: tuple[tuple[str, Template], ...]
    _body_template: Template | None

    url: _Setting[str] = _Setting()
    method: _Setting[str] = _Setting()
    body: _Setting[str | None] = _Setting()
    body_format: _Setting[Format | None] = _Setting()
    headers: _Setting[tuple[tuple[str, str], ...]] = _Setting()
    min_delay: _Setting[int | float | Decimal | timedelta] = _Setting()
    max_requests: _Setting[int | None] = _Setting()
    success_response: _Setting[str | None] = _Setting()
    error_response: _Setting[str | None] = _Setting()
    timezone: _Setting[str | tzinfo | None] = _Setting()
    missing: _Setting[Literal["empty", "error"]] = _Setting()
    extra_fields: _Setting[tuple[str, ...]] = _Setting()
    date_format: _Setting[str] = _Setting()
    unknown_keys: _Setting[UnknownKeys] = _Setting()
    day_first: _Setting[bool | None] = _Setting()
    delay: _Setting[timedelta] = _Setting()  # min_delay as a timedelta

    def __init__(
        self,
        url: str,
        method: str = "GET",
        body: str | None = None,
        body_format: Format | FormatName | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str] | str] | None = None,
        min_delay: int | float | Decimal | timedelta = 0,
        max_requests: int | None = None,
        success_response: str | None = None,
        error_response: str | None = None,
        *,
        timezone: str | tzinfo | None = None,
        missing: Literal["empty", "error"] = "empty",
        extra_fields: Iterable[str] = (),
        date_format: str = "iso",
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
    ) -> None:
        # CompileOptions and Settings validate what they are given and convert it
        # to the types they declare (extra_fields, body_format, headers).
        options = CompileOptions(
            missing=missing,
            timezone=timezone,
            date_format=date_format,
            extra_fields=extra_fields,
            unknown_keys=unknown_keys,
            day_first=day_first,
        )
        settings = Settings(
            url,
            method,
            body,
            body_format,  # type: ignore[arg-type]
            headers,  # type: ignore[arg-type]
            min_delay,
            max_requests,
            success_response,
            error_response,
            options=options,
        )
        self._setup(settings)

    @classmethod
    def _from_settings(cls, settings: Settings) -> Notification:
        self = cls.__new__(cls)
        self._setup(settings)
        return self

    def _setup(self, settings: Settings) -> None:
        """Compile every template of ``settings`` and keep them with the settings."""
        options = settings.options
        url_template = compile_template(settings.url, Format.URL, options.replace(name="url"))
        header_templates = tuple(
            (name, compile_header(name, value, options)) for name, value in settings.headers
        )
        body_template = None
        if settings.body is not None and settings.body_format is not None:
            body_options = options.replace(name=settings.body_name)
            body_template = compile_template(settings.body, settings.body_format, body_options)
        object.__setattr__(self, "_settings", settings)
        object.__setattr__(self, "_url_template", url_template)
        object.__setattr__(self, "_header_templates", header_templates)
        object.__setattr__(self, "_body_template", body_template)

    # -- immutability, equality, pickling ------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Notification objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Notification objects are immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Notification):
            return NotImplemented
        return self._settings == other._settings

    def __hash__(self) -> int:
        return hash(self._settings)

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled templates do not pickle; the settings do, by name and with the
        # version (``_pickling``), and are compiled again (from the template cache,
        # usually) where they are unpickled.
        settings = init_values(self._settings)
        settings["options"] = settings["options"].given()
        return (_rebuild, (state(settings=settings),))

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={value!r}" for name, value in self._settings.shown())
        return f"Notification({parts})"

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
        options = self._settings.options
        record = coerce(
            action, options.extra_fields, "prepare", options.unknown_keys, options.day_first
        )
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

    def prepare_many(
        self, records: Iterable[Any], *, now: datetime | None = None, start: int = 0
    ) -> Iterator[Prepared]:
        """Prepare every record of ``records``, yielding one ``Prepared`` per record, in order.

        Records are read as ``Template.render_many`` reads them (actions, mappings or
        lines of JSON text; blank lines counted, not yielded), and a failure is a
        result with ``error`` set, never an exception.  ``now`` (default: the time of
        this call) is the one base of ``not_before`` for every record without
        ClearedDate or EventDate, so a run's requests do not drift with its duration.
        """
        reading = Reading(self.extra_fields, self.unknown_keys, self.day_first)
        return prepare_many(self.prepare, records, reading, now, start)

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
                base = base.replace(tzinfo=self._settings.options.tz)
            return base.astimezone(UTC) + self._settings.delay
        except (OverflowError, ValueError) as exc:
            raise RenderError(
                f"cannot compute the send time from {label} {base.isoformat()} plus "
                f"min_delay {self._settings.delay}: {exc}",
                field=None if label == "now" else label,
            ) from None

    def parse(
        self,
        method: str,
        url: str | bytes,
        *,
        headers: ReceivedHeaders | None = None,
        body: str | bytes | None = None,
        extra: Literal["error", "keep"] = "error",
    ) -> Action:
        """Read a received request back into the ``Action`` it holds: the fields of its
        url, templated headers (others are ignored) and body, which must agree where a
        field is written twice.  Raises ``ParseError``, whose ``part`` names the part;
        ``extra`` as in ``Template.parse``, for the url's query and the body."""
        # The reading side loads on the first parse: sending never needs it.
        from .receive import parse_request

        return parse_request(self, method, url, headers, body, extra)

    # -- the response ---------------------------------------------------------

    def classify(
        self,
        status: int,
        body: str | bytes | bytearray | memoryview | None,
        *,
        headers: ResponseHeaders | None = None,
    ) -> Outcome:
        """Judge a response: ``error_response`` found in the body -> not ok; else, with
        ``success_response`` set, ok iff the status is 2xx and it is found in the body;
        else ok iff the status is 2xx.

        ``body`` may be ``str``, bytes-like (decoded as UTF-8, invalid bytes replaced)
        or None (no body).  Matching is case-sensitive substring search.  ``headers``
        (the response's, as the HTTP client gives them) lets the reason of a 3xx
        response name its ``Location``: redirects are never followed, so a 3xx is a
        failed attempt.  Every reason names the status; a failure's ends with whether
        to retry, which ``Outcome.retryable`` holds: yes for a 5xx, 429 or 408 without
        ``error_response`` in the body, no otherwise.
        """
        return classify_response(status, body, headers, self.success_response, self.error_response)

    def pacer(self) -> Pacer:
        """Return a new ``Pacer`` for ``max_requests`` (no limit when it is None)."""
        return Pacer(self.max_requests)

    # -- loading --------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        mapping: Mapping[str, object],
        *,
        base_dir: str | os.PathLike[str] | None = None,
        body_root: str | os.PathLike[str] | None = None,
    ) -> Notification:
        """Build a notification from a mapping with the keys of a notification file.

        Keys: ``url`` (required), ``method``, ``body`` or ``body_file``, ``body_format``,
        ``headers`` (a mapping, or a list of ``"Name: value"`` lines), ``min_delay``,
        ``max_requests``, ``success_response``, ``error_response``, ``timezone``,
        ``missing``, ``extra_fields``, ``date_format``, ``unknown_keys``, ``day_first``
        (true or false).
        A relative ``body_file`` is read relative to ``base_dir`` (default: the
        current directory), and only if it is a regular file of at most 1 MiB inside
        ``body_root`` (default: ``base_dir``), symbolic links resolved.  An unknown
        key, a value of the wrong type or a refused body file raises ``ConfigError``
        naming the key.
        """
        values, body_name = check_keys(mapping, base_dir, body_root)
        options = CompileOptions(
            **{name: values.pop(name) for name in OPTION_NAMES if name in values}
        )
        return cls._from_settings(Settings(**values, options=options, body_name=body_name))

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, body_root: str | os.PathLike[str] | None = None
    ) -> Notification:
        """Load a notification from a TOML file (the keys of ``from_dict``).

        ``body_file`` is read relative to the TOML file's directory, and must be
        inside ``body_root`` (default: that directory).  An unreadable file or
        invalid TOML raises ``ConfigError`` with the path (and for TOML errors the
        line and column); an invalid setting raises ``ConfigError`` with the path in
        its message and ``.setting`` naming the key.
        """
        table, file = read_file(path)
        with located(str(file)):
            return cls.from_dict(table, base_dir=file.parent, body_root=body_root)


def _rebuild(pickled: object) -> Notification:
    settings = dict(restore("Notification", pickled)["settings"])
    options = CompileOptions(**settings.pop("options"))
    return Notification._from_settings(Settings(**settings, options=options))
