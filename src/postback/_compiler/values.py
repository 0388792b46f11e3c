"""Formats record values as text before escaping: numbers, decimals, dates, booleans."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from .._errors import ConfigError, RenderError

if TYPE_CHECKING:
    from .._contexts import Context

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "NUMERIC_DATE_FORMATS",
    "Values",
    "decimal_digits",
    "fixed_point_digits",
    "format_decimal",
    "resolve_timezone",
]

# Numbers longer than this would make one short value render as a huge text
# ("1e999999999" is a billion digits in fixed-point): records refuse them and extra
# fields raise RenderError.
MAX_DIGITS = 1000
_INT_BOUND = 10**MAX_DIGITS

# A number written with an exponent beyond this (the exponent range of Python's default
# decimal context) is refused from its text, before anything converts it: it would have
# a million digits or more in fixed-point.  Nearer exponents are counted exactly.
MAX_EXPONENT: Final = 999_999

_INT_CHARS = frozenset("-0123456789")
_DECIMAL_CHARS = _INT_CHARS | {"."}
_ISO_CHARS = _INT_CHARS | frozenset("T:+")  # 2026-01-02T03:04:05+00:00

# The date formats that write a date as a whole number of units since the Unix epoch.
NUMERIC_DATE_FORMATS: Final[Mapping[str, timedelta]] = MappingProxyType(
    {"unix": timedelta(seconds=1), "unix_ms": timedelta(milliseconds=1)}
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def decimal_digits(value: Decimal) -> int:
    """Return about how many digits the finite ``value`` has in fixed-point notation."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(value.adjusted(), 0) + max(-exponent, 0) + 1


def fixed_point_digits(text: str) -> int | None:
    """Return ``decimal_digits(Decimal(text))`` without converting ``text``, or None.

    ``text`` is a finite decimal number as JSON or ``Decimal`` writes it (a sign, ASCII
    digits with at most one point, an exponent), already matched.  None means that its
    exponent is beyond ``MAX_EXPONENT``.  Nothing here converts more than the exponent's
    few digits, so the time is linear in the length of ``text`` whatever it holds.
    """
    mantissa, _, exponent = text.replace("E", "e").partition("e")
    scale = 0
    if exponent:
        magnitude = exponent.lstrip("+-").lstrip("0")
        if len(magnitude) > len(str(MAX_EXPONENT)) or int(magnitude or "0") > MAX_EXPONENT:
            return None
        scale = -int(magnitude or "0") if exponent.startswith("-") else int(magnitude or "0")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    exponent_value = scale - len(fraction)  # the exponent of Decimal(text).as_tuple()
    significant = len((whole + fraction).lstrip("0"))
    adjusted = exponent_value + max(significant, 1) - 1
    return max(adjusted, 0) + max(-exponent_value, 0) + 1


def resolve_timezone(tz: str | tzinfo | None) -> tzinfo:
    """Return the tzinfo for an IANA name, a tzinfo, or None (UTC)."""
    if tz is None:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        if tz.upper() in ("UTC", "Z"):
            return UTC
        # zoneinfo loads with the first named time zone, not with import postback.
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ConfigError(
                f"unknown timezone {tz!r}: use an IANA name such as 'UTC' or 'America/New_York'",
                setting="timezone",
            ) from None
    raise ConfigError(
        f"timezone must be an IANA name or a tzinfo, not {type(tz).__name__}", setting="timezone"
    )


def format_decimal(value: Decimal) -> str:
    """Format a Decimal in fixed-point notation, keeping its scale (``5.00`` stays ``5.00``)."""
    if not value.is_finite():
        raise RenderError(f"cannot render the non-finite decimal {value}")
    return format(value, "f")


def _decimal_writer(missing: str, wrap: str) -> Callable[[Any], str]:
    """Return the one-call writer of optional decimals (see ``Values.nullable``)."""
    if not wrap:

        def decimal_text(value: Decimal | None) -> str:
            if value is None:
                return missing
            if value.is_finite():
                return format(value, "f")
            return format_decimal(value)  # raises RenderError

        return decimal_text

    def wrapped_decimal_text(value: Decimal | None) -> str:
        if value is None:
            return missing
        if value.is_finite():
            return wrap + format(value, "f") + wrap
        return format_decimal(value)  # raises RenderError

    return wrapped_decimal_text


def _iso_writer(tz: tzinfo, missing: str, wrap: str) -> Callable[[Any], str]:
    """Return the one-call writer of optional dates in ISO 8601 (see ``Values.nullable``)."""

    def iso_text(value: datetime | None) -> str:
        if value is None:
            return missing
        try:
            local = value.replace(tzinfo=tz) if value.utcoffset() is None else value.astimezone(tz)
            text = local.isoformat(timespec="seconds")
        except (OverflowError, ValueError) as exc:
            raise RenderError(
                f"cannot convert the date {value.isoformat()} to the template's timezone: {exc}"
            ) from None
        return wrap + text + wrap if wrap else text

    return iso_text


def _epoch_writer(tz: tzinfo, unit: timedelta) -> Callable[[datetime], str]:
    """Return the formatter of dates as whole units since the Unix epoch, rounded down.

    The number is computed from the aware datetime by exact arithmetic, never with
    ``strftime("%s")`` or ``timestamp()``'s local-time path, so it does not depend on
    the platform or the process's time zone.
    """

    def epoch_text(value: datetime) -> str:
        try:
            if value.utcoffset() is None:
                value = value.replace(tzinfo=tz)  # a naive date is in the template's zone
            return int.__repr__((value - _EPOCH) // unit)
        except (OverflowError, ValueError) as exc:
            raise RenderError(f"cannot convert the date {value.isoformat()}: {exc}") from None

    return epoch_text


def _identity(value: str) -> str:
    return value


class Values:
    """The value formatters of one set of compile options (timezone and date format)."""

    __slots__ = ("_dt", "date_format", "tz")

    def __init__(self, tz: tzinfo, date_format: str) -> None:
        self.tz = tz
        self.date_format = date_format
        self._dt = self._make_datetime()

    def _make_datetime(self) -> Callable[[datetime], str]:
        tz = self.tz
        pattern = self.date_format

        def convert(value: datetime) -> datetime:
            try:
                if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
                    return value.replace(tzinfo=tz)
                return value.astimezone(tz)
            except (OverflowError, ValueError) as exc:
                raise RenderError(
                    f"cannot convert the date {value.isoformat()} to the template's timezone: {exc}"
                ) from None

        unit = NUMERIC_DATE_FORMATS.get(pattern)
        if unit is not None:
            return _epoch_writer(tz, unit)

        if pattern == "iso":

            def fmt_iso(value: datetime) -> str:
                try:
                    if value.utcoffset() is None:
                        value = value.replace(tzinfo=tz)
                    else:
                        value = value.astimezone(tz)
                    return value.isoformat(timespec="seconds")
                except (OverflowError, ValueError):
                    return convert(value).isoformat(timespec="seconds")  # raises RenderError

            return fmt_iso

        def fmt_pattern(value: datetime) -> str:
            try:
                return convert(value).strftime(pattern)
            except (ValueError, OverflowError) as exc:
                raise RenderError(f"cannot format the date {value.isoformat()}: {exc}") from None

        return fmt_pattern

    def nullable(self, vtype: type, missing: str, wrap: str = "") -> Callable[[Any], str]:
        """Return a one-call writer of optional ``vtype`` values that need no escaping.

        It returns ``missing`` for None and the value's text between ``wrap``
        characters otherwise.  The render path calls it once per value, so each type
        gets its own small function rather than a composition of calls.
        """
        if vtype is int:
            if not wrap:
                return lambda value: missing if value is None else int.__repr__(value)
            return lambda value: missing if value is None else wrap + int.__repr__(value) + wrap
        if vtype is Decimal:
            return _decimal_writer(missing, wrap)
        if vtype is datetime and self.date_format == "iso":
            return _iso_writer(self.tz, missing, wrap)
        fmt = self.for_type(vtype)
        return lambda value: missing if value is None else wrap + fmt(value) + wrap

    def charset(self, vtype: type) -> frozenset[str] | None:
        """Return every character the text of a ``vtype`` value can hold, or None (any).

        Formats skip escaping where none of these characters needs it.
        """
        if vtype is int:
            return _INT_CHARS
        if vtype is Decimal:
            return _DECIMAL_CHARS
        if vtype is datetime and self.date_format == "iso":
            return _ISO_CHARS
        if vtype is datetime and self.date_format in NUMERIC_DATE_FORMATS:
            return _INT_CHARS
        return None

    def numbers(self, context: Context) -> Context:
        """Return ``context``, made to write dates bare if it writes integers bare.

        A position knows only which value types it writes as bare text (numbers at a
        JSON value position); a date formatted as a number (``"unix"``,
        ``"unix_ms"``) is one of them there.
        """
        bare = context.bare
        if int in bare and datetime not in bare and self.date_format in NUMERIC_DATE_FORMATS:
            return context._replace(bare=(*bare, datetime))
        return context

    def for_type(self, vtype: type) -> Callable[[Any], str]:
        """Return the formatter for present values of ``vtype``."""
        if vtype is str:
            return _identity
        if vtype is int:
            return int.__repr__
        if vtype is Decimal:
            return format_decimal
        if vtype is datetime:
            return self._dt
        return self.format_any

    def format_any(self, value: Any) -> str:
        """Format a value whose type is only known at render time (extra fields)."""
        if type(value) is str:
            return value
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            if -_INT_BOUND < value < _INT_BOUND:
                return int.__repr__(value)
            raise RenderError(f"cannot render an integer of more than {MAX_DIGITS} digits")
        if isinstance(value, Decimal):
            if value.is_finite() and decimal_digits(value) > MAX_DIGITS:
                raise RenderError(f"cannot render a decimal of more than {MAX_DIGITS} digits")
            return format_decimal(value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise RenderError(f"cannot render the non-finite number {value!r}")
            return format(Decimal(float.__repr__(value)), "f")
        if isinstance(value, datetime):
            return self._dt(value)
        if isinstance(value, date):
            return value.isoformat()
        raise RenderError(
            f"cannot render a value of type {type(value).__name__}: extra fields take "
            "str, int, Decimal, float, bool, date or datetime"
        )
