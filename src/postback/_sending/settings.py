"""A notification's settings as given, validated once, before anything is compiled.

``Settings`` is the single list of what a ``Notification`` holds: its construction,
equality, hashing, pickling and ``repr`` are all derived from these fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any, Final

from .._errors import ConfigError
from .._formats import Format, body_formats, format_spec, listed
from .._messages import describe_value, short_repr
from .._options import OPTION_DEFAULTS, CompileOptions, MissingPolicy, UnknownKeys
from .headers import check_headers
from .pacer import _check_max_requests
from .secrets import masked_headers

__all__ = ["Settings"]

_METHODS: Final = ("GET", "POST")

# How ``repr`` shows a setting whose own repr would be long or unusual.
_SHOW: Final = "show"
# A setting ``repr`` shows even when it has its default value.
_ALWAYS: Final = "always"


def _head(body: str) -> str:
    return body[:40] + ("..." if len(body) > 40 else "")


def _format_name(fmt: Format) -> str:
    return fmt.value


def _show_headers(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(masked_headers(headers))


# ---------------------------------------------------------------------------
# Checks of one setting each
# ---------------------------------------------------------------------------


def _check_url(url: object) -> None:
    if not isinstance(url, str):
        raise ConfigError(
            f"url must be a URL template string, not {describe_value(url)}", setting="url"
        )


def _check_method(method: object) -> str:
    if not isinstance(method, str):
        raise ConfigError(
            f"method must be 'GET' or 'POST', not {describe_value(method)}", setting="method"
        )
    normal = method.strip().upper()
    if normal not in _METHODS:
        raise ConfigError(
            f"method must be 'GET' or 'POST' (any case), not {method!r}", setting="method"
        )
    return normal


def _check_body(body: object, method: str) -> None:
    if body is not None and not isinstance(body, str):
        raise ConfigError(
            f"body must be a template string or None, not {describe_value(body)}", setting="body"
        )
    if body == "":
        raise ConfigError("body is empty; leave it out (None) to send no body", setting="body")
    if body is not None and method == "GET":
        raise ConfigError(
            "a GET request has no body: use method 'POST', or put the values in the "
            "url's query string",
            setting="body",
        )


def _check_body_format(body_format: object, body: str | None) -> Format | None:
    valid = listed(body_formats(), "or", aliases=True)
    if body_format is None:
        if body is not None:
            raise ConfigError(
                f"a body needs a body_format: {listed(body_formats(), 'or')}",
                setting="body_format",
            )
        return None
    if not isinstance(body_format, Format | str):
        raise ConfigError(
            f"body_format must be {valid}, not {describe_value(body_format)}",
            setting="body_format",
        )
    try:
        fmt = Format.parse(body_format)
    except ConfigError:
        raise ConfigError(
            f"unknown body_format {body_format!r}: use {valid}", setting="body_format"
        ) from None
    if not format_spec(fmt).body:
        raise ConfigError(
            f"body_format {fmt.value!r} is not a body format: use {valid}", setting="body_format"
        )
    if body is None:
        raise ConfigError(
            f"body_format {fmt.value!r} is set but there is no body; give a body or "
            "leave body_format out",
            setting="body_format",
        )
    return fmt


# The largest min_delay, in seconds: the 999,999,999 days a timedelta holds.  Numbers
# are compared with it before any conversion (an int too large for a float, a Decimal
# whose product would overflow the decimal context).
_MAX_DELAY: Final = timedelta.max.days * 86_400
# Rounds a Decimal number of seconds to the microsecond, whatever the thread's context.
_DELAY_CONTEXT: Final = Context(prec=40, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation])
_MICROSECOND: Final = Decimal("1e-6")


def _delay(min_delay: int | float | Decimal) -> timedelta:
    """Return the timedelta of a finite number of seconds within ``±_MAX_DELAY``."""
    if isinstance(min_delay, Decimal):
        seconds = min_delay.quantize(_MICROSECOND, context=_DELAY_CONTEXT)
        return timedelta(microseconds=int(seconds.scaleb(6, context=_DELAY_CONTEXT)))
    return timedelta(seconds=min_delay)


def _too_large(min_delay: object) -> ConfigError:
    return ConfigError(
        f"min_delay {short_repr(min_delay)} is too large: at most {_MAX_DELAY:,} seconds "
        "(999,999,999 days)",
        setting="min_delay",
    )


def _check_min_delay(min_delay: object) -> timedelta:
    if isinstance(min_delay, timedelta):
        delay = min_delay
    else:
        if isinstance(min_delay, bool) or not isinstance(min_delay, int | float | Decimal):
            raise ConfigError(
                f"min_delay must be a number of seconds, not {describe_value(min_delay)}",
                setting="min_delay",
            )
        finite = (
            min_delay.is_finite()
            if isinstance(min_delay, Decimal)
            else not isinstance(min_delay, float) or math.isfinite(min_delay)
        )
        if not finite:
            raise ConfigError(
                f"min_delay must be a finite number of seconds, not {short_repr(min_delay)}",
                setting="min_delay",
            )
        if min_delay < -_MAX_DELAY:
            delay = timedelta(-1)  # refused below, as every negative delay is
        elif min_delay > _MAX_DELAY:
            raise _too_large(min_delay)
        else:
            try:
                delay = _delay(min_delay)
            except OverflowError:  # a float that rounds past the last microsecond
                raise _too_large(min_delay) from None
    if delay < timedelta(0):
        raise ConfigError(
            f"min_delay must be 0 or more seconds, not {short_repr(min_delay)}",
            setting="min_delay",
        )
    return delay


def _check_response_text(value: object, setting: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ConfigError(
            f"{setting} must be the text to look for in the response body, "
            f"not {describe_value(value)}",
            setting=setting,
        )
    if not value:
        raise ConfigError(
            f"{setting} is empty, and the empty text occurs in every response; "
            "leave it out (None) to not check for it",
            setting=setting,
        )


# ---------------------------------------------------------------------------
# The settings
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """A notification's settings, validated and normalised on construction.

    ``method`` is stored upper-case, ``body_format`` as a ``Format`` and ``headers``
    as ``(name, value)`` pairs; the other settings are kept as given.  ``options`` are
    the compile options of every template and ``body_name`` names the body template
    in errors (``"body"``, or the path of its ``body_file``).  Two settings are equal
    when they make the same requests: ``min_delay`` is compared as ``delay`` (so
    ``30`` equals ``30.0``) and ``body_name`` not at all.
    """

    url: str
    method: str = field(default="GET", metadata={_ALWAYS: True})
    body: str | None = field(default=None, metadata={_SHOW: _head})
    body_format: Format | None = field(default=None, metadata={_SHOW: _format_name})
    headers: tuple[tuple[str, str], ...] = field(default=(), metadata={_SHOW: _show_headers})
    min_delay: int | float | Decimal | timedelta = field(default=0, compare=False)
    max_requests: int | None = None
    success_response: str | None = None
    error_response: str | None = None
    options: CompileOptions = field(default_factory=CompileOptions)
    body_name: str = field(default="body", compare=False, repr=False)
    delay: timedelta = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_url(self.url)
        method = _check_method(self.method)
        _check_body(self.body, method)
        body_format = _check_body_format(self.body_format, self.body)
        headers = check_headers(self.headers, self.body)
        delay = _check_min_delay(self.min_delay)
        max_requests = _check_max_requests(self.max_requests)
        _check_response_text(self.success_response, "success_response")
        _check_response_text(self.error_response, "error_response")
        for name, value in (
            ("method", method),
            ("body_format", body_format),
            ("headers", headers),
            ("max_requests", max_requests),
            ("delay", delay),
        ):
            object.__setattr__(self, name, value)

    @property
    def timezone(self) -> str | tzinfo | None:
        """The ``timezone`` compile option, as given (an IANA name, a tzinfo or None)."""
        return self.options.timezone

    @property
    def missing(self) -> MissingPolicy:
        """The ``missing`` compile option."""
        return self.options.missing

    @property
    def date_format(self) -> str:
        """The ``date_format`` compile option."""
        return self.options.date_format

    @property
    def unknown_keys(self) -> UnknownKeys:
        """The ``unknown_keys`` compile option: what a record's unknown keys become."""
        return self.options.unknown_keys

    @property
    def day_first(self) -> bool | None:
        """The ``day_first`` compile option: how a date such as ``04.03.2026`` is read."""
        return self.options.day_first

    @property
    def extra_fields(self) -> tuple[str, ...]:
        """The ``extra_fields`` compile option, as a sorted tuple."""
        return tuple(sorted(self.options.extra_fields))

    def arguments(self) -> tuple[object, ...]:
        """Return the values that rebuild these settings: ``Settings(*s.arguments())``."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.init)

    def shown(self) -> Iterator[tuple[str, object]]:
        """Yield ``(name, value)`` for each setting not at its default, as ``repr`` shows it.

        The compile options are shown one by one, under the names of their settings.
        """
        for f, value in _changed(self):
            if not isinstance(value, CompileOptions):
                yield f.name, f.metadata.get(_SHOW, _same)(value)
        for name, default in OPTION_DEFAULTS.items():
            value = getattr(self.options, name)
            if value != default:
                yield name, getattr(self, name, value)


def _changed(obj: Settings) -> Iterator[tuple[Field[Any], object]]:
    """Yield each init field of ``obj`` and its value, where it differs from its default."""
    for f in fields(obj):
        if not f.init or not f.repr:
            continue
        value = getattr(obj, f.name)
        if f.default is not MISSING:
            default: object = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = MISSING
        if default is MISSING or f.metadata.get(_ALWAYS) or value != default:
            yield f, value


def _same(value: object) -> object:
    return value
