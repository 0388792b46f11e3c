"""Converting record values: each field's raw value to the type it is stored as.

Each converter takes the raw value and the label an error names (``CampaignId``,
``items[2].amt``) and returns the stored value or raises ``RecordError``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Final, Literal

from .._compiler.values import MAX_DIGITS, decimal_digits, fixed_point_digits
from .._errors import RecordError
from .._messages import describe_value, option, short_repr
from .catalog import FIELDS, ITEM_FIELDS, FieldSpec

__all__ = [
    "ACTION_PLAN",
    "CONVERTERS",
    "ITEM_PLAN",
    "UNKNOWN_KEYS",
    "Converter",
    "UnknownKeys",
    "check_day_first",
    "check_unknown_keys",
    "date_converter",
    "decimal_fast",
    "expected_error",
    "require_mapping",
    "require_str_key",
]

Converter = Callable[[Any, str], Any]

# Only ASCII digits: ``int()``/``Decimal()`` would also take Arabic-Indic digits and
# ``1_000``, which in a postback record are far more likely mistakes than intent.
_INT_RE: Final = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE: Final = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|s?nan[0-9]*)",
    re.IGNORECASE,
)

_EXPECT_INT: Final = "an integer"
_INT_BOUND: Final = 10**MAX_DIGITS
_EXPECT_SHORT_INT: Final = f"an integer of at most {MAX_DIGITS} digits"
_EXPECT_SHORT_DECIMAL: Final = f"a decimal number of at most {MAX_DIGITS} digits in fixed-point"
_EXPECT_DECIMAL: Final = "a decimal number"
_EXPECT_STR: Final = "a string"
_EXPECT_DATETIME: Final = (
    "a date and time (a datetime, a date, or a string such as "
    "'2026-01-02T03:04:05-08:00' or 'Jan 2 2026 3:04 PM')"
)


UnknownKeys = Literal["error", "ignore", "extra"]
UNKNOWN_KEYS: Final = ("error", "ignore", "extra")


def check_unknown_keys(value: object) -> UnknownKeys:
    """Return ``value`` if it is a policy for unknown keys; else raise ``ValueError``."""
    if value not in UNKNOWN_KEYS:
        raise ValueError(
            f"unknown_keys must be 'error', 'ignore' or 'extra', not {short_repr(value)}"
        )
    return value


def check_day_first(value: object) -> bool | None:
    """Return ``value`` if it is a ``day_first`` setting (True, False or None); else raise
    ``TypeError``."""
    if value is not None and type(value) is not bool:
        raise TypeError(f"day_first must be True, False or None, not {describe_value(value)}")
    return value


def expected_error(label: str, expected: str, value: object) -> RecordError:
    """Return the error for ``value`` at ``label``, which should have been ``expected``."""
    return RecordError(f"{label}: expected {expected}, got {describe_value(value)}", field=label)


def _to_int(value: Any, label: str) -> int:
    if type(value) is int:
        if -_INT_BOUND < value < _INT_BOUND:
            return value
        raise expected_error(label, _EXPECT_SHORT_INT, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _to_int(int(value), label)
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            # Bounded like an int object, and before int() runs: its time grows with
            # the square of the number of digits, and past sys.get_int_max_str_digits()
            # it refuses the text with a message about a limit the record never heard of.
            if len(text) <= MAX_DIGITS:
                return int(text)
            digits = text.lstrip("+-").lstrip("0") or "0"
            if len(digits) > MAX_DIGITS:
                raise expected_error(label, _EXPECT_SHORT_INT, value)
            return -int(digits) if text[0] == "-" else int(digits)
    raise expected_error(label, _EXPECT_INT, value)


def decimal_fast(text: str) -> Decimal:
    """Return the decimal of a short decimal string; raise ``ValueError`` for any other text.

    The common case, a decimal string from JSON or a database, in one constructor call:
    on ASCII text without "_", ``Decimal()`` accepts exactly what ``_DECIMAL_RE`` does
    (after the same whitespace strip).  Text it refuses, or whose value needs a closer
    look (long, a far exponent, a signaling NaN), is left to the converter, which
    words the error.
    """
    if len(text) <= _SHORT and text.isascii() and "_" not in text:
        try:
            result = Decimal(text)
        except (InvalidOperation, ValueError, OverflowError):
            raise ValueError(text) from None
        if -_SHORT <= result.adjusted() <= _SHORT and not result.is_snan():
            return result
    raise ValueError(text)


def _to_decimal(value: Any, label: str) -> Decimal:
    result: Decimal
    if type(value) is str:
        try:
            return decimal_fast(value)
        except ValueError:
            pass
    if type(value) is Decimal:
        # str() is several times cheaper than as_tuple() and bounds the coefficient.
        short = -_SHORT <= value.adjusted() <= _SHORT and len(str(value)) <= _SHORT
        if short and not value.is_snan():
            return value
        result = value
    elif isinstance(value, bool):
        raise expected_error(label, _EXPECT_DECIMAL, value)
    elif isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, float):
        # The shortest repr is the decimal the user wrote: 0.1 -> Decimal("0.1"), not
        # the binary expansion.  float.__repr__ also serves float subclasses whose own
        # repr is decorated (numpy.float64 -> "np.float64(0.1)").
        result = Decimal(float.__repr__(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.fullmatch(text):
            raise expected_error(label, _EXPECT_DECIMAL, value)
        if not text.lstrip("+-")[:1].isalpha():  # a number, not inf or nan: count it first
            digits = fixed_point_digits(text)
            if digits is None or digits > MAX_DIGITS:
                raise expected_error(label, _EXPECT_SHORT_DECIMAL, value)
        try:
            result = Decimal(text)
        except (InvalidOperation, ValueError, OverflowError):
            raise expected_error(label, _EXPECT_DECIMAL, value) from None
    else:
        raise expected_error(label, _EXPECT_DECIMAL, value)
    return _checked_decimal(result, label, value)


# A decimal whose text and adjusted exponent are both within this bound has at most
# 2 * _SHORT + 1 digits in fixed-point, well under MAX_DIGITS: no need to count them.
_SHORT: Final = 300


def _checked_decimal(result: Decimal, label: str, value: object) -> Decimal:
    if result.is_snan():
        # A signaling NaN cannot be hashed or compared, so a record holding one
        # could be neither; quiet NaN and infinities are kept (rendering refuses them).
        raise expected_error(label, "a decimal number (not a signaling NaN)", value)
    if result.is_finite() and decimal_digits(result) > MAX_DIGITS:
        raise expected_error(label, _EXPECT_SHORT_DECIMAL, value)
    return result


def _to_str(value: Any, label: str) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = int(value)
        if -_INT_BOUND < number < _INT_BOUND:  # as for int fields: at most MAX_DIGITS digits
            return str(number)
    raise expected_error(label, _EXPECT_STR, value)


def _to_datetime(value: Any, label: str, day_first: bool | None = None) -> datetime:
    if type(value) is datetime:
        return value
    if isinstance(value, datetime):
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return _parse_datetime(value, label, day_first)
    raise expected_error(label, _EXPECT_DATETIME, value)


def _to_datetime_fast(value: Any, label: str, day_first: bool | None = None) -> datetime:
    if type(value) is str:
        # What the standard library reads, it reads as python-dateutil's isoparse
        # does (or isoparse refused it and the standard library read it next, as
        # before): a test compares them.  It is ten times faster; the forms it
        # refuses (2026-01, 24:00, ...) go on to dateutil as before.
        try:
            return _fromisoformat(value)
        except ValueError:
            pass
    return _to_datetime(value, label, day_first)


_fromisoformat: Final = datetime.fromisoformat


class _UnknownTimezoneName(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _tzinfos(name: str | None, offset: int | None) -> timezone | None:
    # Passed to dateutil.parser.parse so that a time-zone *name* never resolves to the
    # machine's local zone (dateutil does that for names in time.tzname) and an unknown
    # name is an error rather than a warning and a silently naive result.
    if offset is not None:
        return UTC if offset == 0 else timezone(timedelta(seconds=offset))
    if name is not None:
        raise _UnknownTimezoneName(name)
    return None


# Two defaults that differ in year, month and day: a string that leaves any of them
# out parses differently with each, and is refused instead of silently completed.
_DEFAULT_A: Final = datetime(2000, 1, 1)
_DEFAULT_B: Final = datetime(2001, 2, 2)
_EXPECT_FULL_DATE: Final = "a date with year, month and day"

# ISO 8601 dates of reduced precision, which isoparse completes with January and the
# 1st: a year, or a year and a month.
_REDUCED_ISO: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2})?")

# Day and month as numbers with the year last (04.03.2026, 3/4/26, 04-03-2026): which
# of the two comes first is a convention of the sender, which the text does not say.
_NUMERIC_DAY_MONTH: Final = re.compile(
    r"(?<![0-9./-])([0-9]{1,2})([./ -])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?![0-9./-])"
)
_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _numeric_day_month(label: str, value: str, match: re.Match[str]) -> RecordError:
    """Return the error for a date that writes day and month as numbers, year last.

    It is refused whichever readings are valid, so that a source's dates are refused on
    its first record, not only on the 1st to the 12th of a month.
    """
    first, second, year = int(match[1]), int(match[3]), match[4]
    readings: list[str] = []  # the valid readings, day first then month first
    if len(year) == 4:
        for day, month in ((first, second), (second, first)):
            with contextlib.suppress(ValueError):
                when = date(int(year), month, day)
                reading = f"{when.isoformat()} ({day} {_MONTHS[month - 1]})"
                if reading not in readings:
                    readings.append(reading)
        if not readings:
            return expected_error(label, _EXPECT_DATETIME, value)
    if len(readings) == 2:
        advice = f"{readings[0]} if the day comes first, {readings[1]} if the month does"
    elif readings:
        advice = readings[0]
    else:
        advice = "YYYY-MM-DD, with a four-digit year"
    return RecordError(
        f"{label}: expected a date whose month is certain, got {describe_value(value)}: "
        f"in {match[0]} the day and the month are both numbers, and senders write them "
        f"in either order; write the date in ISO 8601: {advice}",
        field=label,
    )


def _in_order(label: str, value: str, match: re.Match[str], day_first: bool) -> str:
    """Return the ISO 8601 date of the numeric date ``match`` read as ``day_first`` says.

    A reading that is no date (``13.03.2026`` month first) and a two-digit year, whose
    century the text does not say, are refused; the error names the setting.
    """
    first, second, year = int(match[1]), int(match[3]), match[4]
    day, month = (first, second) if day_first else (second, first)
    order = "the day" if day_first else "the month"
    setting = f"the settings say {order} comes first ({option('day_first', day_first)})"
    try:
        # A two-digit year is checked in a leap year: its century is refused below.
        when = date(int(year) if len(year) == 4 else 2000, month, day)
    except ValueError:
        if not 1 <= month <= 12:
            why = f"{match[0]} has no month {month}"
        elif len(year) == 2:
            why = f"{_MONTHS[month - 1]} has no day {day}"
        else:
            why = f"{_MONTHS[month - 1]} {year} has no day {day}"
        other = ""
        if len(year) == 4:
            with contextlib.suppress(ValueError):
                swapped = date(int(year), day, month)
                other = (
                    f"; read with {'the month' if day_first else 'the day'} first it would "
                    f"be {swapped.isoformat()} ({swapped.day} {_MONTHS[swapped.month - 1]})"
                )
        raise RecordError(
            f"{label}: expected a date, got {describe_value(value)}: {setting}, and {why}{other}",
            field=label,
        ) from None
    if len(year) == 2:
        raise RecordError(
            f"{label}: expected a date with a four-digit year, got {describe_value(value)}: "
            f"{setting}, but {match[0]} does not say the century of its year {year}; write "
            f"the date in ISO 8601: YYYY-{month:02d}-{day:02d}",
            field=label,
        )
    return when.isoformat()


def _parse_datetime(value: str, label: str, day_first: bool | None = None) -> datetime:
    # Imported here: dateutil's parser is only needed for string dates and is
    # comparatively slow to import.
    from dateutil import parser as dateparser
    from dateutil import tz as datetz

    text = value.strip()
    if not text:
        raise expected_error(label, _EXPECT_DATETIME, value)
    if _REDUCED_ISO.fullmatch(text):
        raise expected_error(label, _EXPECT_FULL_DATE, value)
    result: datetime | None = None
    with contextlib.suppress(ValueError, OverflowError):
        result = dateparser.isoparse(text)
    if result is None:
        # isoparse refuses offsets with seconds ("+00:19:32"), which isoformat()
        # produces for some historical zones; the standard library reads them.
        with contextlib.suppress(ValueError):
            result = datetime.fromisoformat(text)
    if result is None:
        numeric = _NUMERIC_DAY_MONTH.search(text)
        if numeric is not None:
            if day_first is None:
                raise _numeric_day_month(label, value, numeric)
            # The date in ISO 8601 in its place; the rest (a time, an offset, a weekday)
            # is read as any other date's.
            ordered = _in_order(label, value, numeric, day_first)
            text = text[: numeric.start()] + ordered + text[numeric.end() :]
        try:
            first = dateparser.parse(text, default=_DEFAULT_A, tzinfos=_tzinfos)
            second = dateparser.parse(text, default=_DEFAULT_B, tzinfos=_tzinfos)
        except _UnknownTimezoneName as exc:
            raise RecordError(
                f"{label}: unknown time zone name {exc.name!r} in {short_repr(value)}; "
                "give a numeric UTC offset such as -08:00 instead",
                field=label,
            ) from None
        except (ValueError, OverflowError):
            raise expected_error(label, _EXPECT_DATETIME, value) from None
        if first != second:
            raise expected_error(label, _EXPECT_FULL_DATE, value)
        result = first
    if isinstance(result.tzinfo, datetz.tzutc | datetz.tzoffset):
        # Prefer the standard library's fixed-offset zones: same instant, plainer repr.
        offset = result.utcoffset()
        assert offset is not None
        result = result.replace(tzinfo=UTC if not offset else timezone(offset))
    return result


CONVERTERS: Final[Mapping[type, Converter]] = {
    int: _to_int,
    Decimal: _to_decimal,
    str: _to_str,
    datetime: _to_datetime_fast,
}

# The exact types a stored value already has; anything else goes through the
# converter.  Decimal and int are absent on purpose: a Decimal must still be checked
# for sNaN, and both for their number of digits.
_SKIP_TYPES: Final[Mapping[type, type | None]] = {
    int: None,  # an int must still be checked for its number of digits
    Decimal: None,
    str: str,
    datetime: datetime,
}

_Plan = tuple[tuple[str, str, Converter, "type | None"], ...]


def _plan(specs: Sequence[FieldSpec]) -> _Plan:
    return tuple(
        (spec.attribute, spec.name, CONVERTERS[spec.type], _SKIP_TYPES[spec.type]) for spec in specs
    )


ACTION_PLAN: Final = _plan(FIELDS)
ITEM_PLAN: Final = _plan(ITEM_FIELDS)

_DATE_CONVERTERS: Final[Mapping[bool | None, Converter]] = {
    None: _to_datetime_fast,
    True: partial(_to_datetime_fast, day_first=True),
    False: partial(_to_datetime_fast, day_first=False),
}


def date_converter(day_first: bool | None) -> Converter:
    """Return the converter of date fields that reads a numeric day and month
    (``04.03.2026``) as ``day_first`` says: day first, month first, or refused (None)."""
    return _DATE_CONVERTERS[check_day_first(day_first)]


def require_mapping(mapping: object, label: str | None) -> Mapping[Any, Any]:
    """Return ``mapping`` if it is a mapping; else raise ``RecordError`` naming ``label``."""
    if not isinstance(mapping, Mapping):
        where = f"{label}: " if label else ""
        raise RecordError(
            f"{where}expected a mapping of field names to values, got {describe_value(mapping)}",
            field=label,
        )
    return mapping


def require_str_key(key: object, prefix: str) -> str:
    """Return ``key`` if it is a string; else raise ``RecordError`` naming ``prefix`` + key."""
    if not isinstance(key, str):
        label = f"{prefix}{key!s}"
        raise RecordError(
            f"{label}: field names must be strings, got {describe_value(key)}", field=label
        )
    return key
