"""Converting a date field's value: a ``datetime``, a ``date``, or a string.

ISO 8601 strings are read by the standard library, other strings by python-dateutil.
A string that leaves out the year, the month or the day, names an unknown time zone,
or writes day and month as numbers before the year (``04.03.2026``) while no
``day_first`` setting says which comes first is refused with ``RecordError``, never
completed by a guess.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

from .._errors import RecordError
from .._messages import describe_value, option, short_repr
from .expect import expected_error

__all__ = ["EXPECT_DATETIME", "to_datetime"]

EXPECT_DATETIME: Final = (
    "a date and time (a datetime, a date, or a string such as "
    "'2026-01-02T03:04:05-08:00' or 'Jan 2 2026 3:04 PM')"
)


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
        return parse_datetime(value, label, day_first)
    raise expected_error(label, EXPECT_DATETIME, value)


def to_datetime(value: Any, label: str, day_first: bool | None = None) -> datetime:
    """Return the datetime of ``value``, a date field's value at ``label``; raise
    ``RecordError`` for a value that is no date, naming ``label``."""
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
            return expected_error(label, EXPECT_DATETIME, value)
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


def parse_datetime(value: str, label: str, day_first: bool | None = None) -> datetime:
    # Imported here: dateutil's parser is only needed for string dates and is
    # comparatively slow to import.
    from dateutil import parser as dateparser
    from dateutil import tz as datetz

    text = value.strip()
    if not text:
        raise expected_error(label, EXPECT_DATETIME, value)
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
            raise expected_error(label, EXPECT_DATETIME, value) from None
        if first != second:
            raise expected_error(label, _EXPECT_FULL_DATE, value)
        result = first
    if isinstance(result.tzinfo, datetz.tzutc | datetz.tzoffset):
        # Prefer the standard library's fixed-offset zones: same instant, plainer repr.
        offset = result.utcoffset()
        assert offset is not None
        result = result.replace(tzinfo=UTC if not offset else timezone(offset))
    return result
