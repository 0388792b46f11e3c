"""Text to typed values: the inverse of ``_compiler/values.py``, for one template's options.

Each value is read as the template writes it: an ``int`` as its decimal digits, a
``Decimal`` as its digits with their scale (``12.50`` stays ``Decimal("12.50")``), a
date in the template's ``date_format`` and ``timezone`` (ISO 8601, ``unix``,
``unix_ms`` or a ``strftime`` pattern), returned aware, at the UTC offset the
template's timezone has at that instant (a fixed offset, so that it compares equal to
the same instant in any other zone, which a repeated local time in a named zone does
not).  A pattern
that writes less than a whole instant reads as what it holds: the parts it does not
write take ``strptime``'s defaults (1900-01-01, midnight), and ``%y`` reads 69-99 as
19xx and 00-68 as 20xx.  A text that reads as a date is formatted again and compared
with the text, so only what the template could have written is accepted, and a local
time that happens twice (when clocks go back) without ``%z`` or ``%Z`` to tell which
is refused rather than guessed.

The text a missing value writes (empty, ``null``) reads as None under
``missing="empty"``; under ``missing="error"`` no text is missing, so an empty text is
an empty string, and no value at all for another type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Final

from .._compiler.values import MAX_DIGITS, NUMERIC_DATE_FORMATS, Values, fixed_point_digits
from .pattern import Slot

__all__ = ["Conversion", "Refused"]

_INT: Final = re.compile(r"-?[0-9]+")
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# A date longer than this is no date any pattern writes (and is not searched for one).
_DATE_LIMIT: Final = 256

# What each strftime directive may write (see docs/language.md#dates for the portable
# ones); the text is then read by strptime and checked by formatting it again.
_DIRECTIVES: Final = {
    **dict.fromkeys("aAbBp", r"[^\W\d_]+"),
    **dict.fromkeys("dmHIMSyUWV", r"[0-9]{2}"),
    "j": r"[0-9]{3}",
    "f": r"[0-9]{6}",
    "Y": r"[0-9]{1,4}",
    "G": r"[0-9]{1,4}",
    "u": r"[0-9]",
    "w": r"[0-9]",
    "z": r"[+-][0-9]{4}(?:[0-9]{2}(?:\.[0-9]{6})?)?",
    "Z": r".*?",
    "%": "%",
}


class Refused(Exception):
    """A text that is no value of its placeholder; ``expected`` says what would be."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


class Conversion:
    """The readers of one template's values (see the module docstring)."""

    __slots__ = ("_date", "_format", "date_format", "empty", "tz")

    def __init__(self, tz: tzinfo, date_format: str, missing: str) -> None:
        self.tz = tz
        self.date_format = date_format
        self.empty = missing == "empty"
        self._format: Callable[[datetime], str] = Values(tz, date_format).for_type(datetime)
        self._date = self._date_reader()

    def value(self, slot: Slot, text: str) -> object:
        """Return the value ``text`` holds for ``slot``; raise ``Refused``."""
        if self.empty and (not text or text == slot.missing):
            return None
        kind = slot.kind
        if kind is str or kind is object:
            return text
        if not text:
            raise Refused(f"a value of {slot.label} (the template has missing='error')")
        if kind is int:
            return read_int(text)
        if kind is Decimal:
            return read_decimal(text)
        return self._date(text)

    def reader(self, slot: Slot) -> Callable[[str], object]:
        """Return ``value`` for ``slot`` alone, its choices made once: ``value(slot, text)``
        is ``reader(slot)(text)``."""
        kind = slot.kind
        missing = slot.missing
        convert: Callable[[str], object] | None = None
        if kind is int:
            convert = read_int
        elif kind is Decimal:
            convert = read_decimal
        elif kind is not str and kind is not object:
            convert = self._date
        if self.empty:
            if convert is None:
                return lambda text: None if not text or text == missing else text
            read = convert

            def empty_is_none(text: str) -> object:
                return None if not text or text == missing else read(text)

            return empty_is_none
        if convert is None:
            return _same
        label = slot.label
        present = convert

        def required(text: str) -> object:
            if not text:
                raise Refused(f"a value of {label} (the template has missing='error')")
            return present(text)

        return required

    def number_date(self) -> bool:
        """Whether dates are written as numbers (``unix``, ``unix_ms``)."""
        return self.date_format in NUMERIC_DATE_FORMATS

    def _date_reader(self) -> Callable[[str], datetime]:
        tz = self.tz
        unit = NUMERIC_DATE_FORMATS.get(self.date_format)
        if unit is not None:
            name = self.date_format

            def epoch(text: str) -> datetime:
                if not _INT.fullmatch(text) or len(text) > 25:
                    raise Refused(f"a date as a whole number of {_UNITS[name]} since 1970")
                try:
                    return local(_EPOCH + int(text) * unit, tz)
                except (OverflowError, ValueError):
                    raise Refused(f"a date from year 1 to 9999 ({name})") from None

            return epoch
        if self.date_format == "iso":
            return self._iso_utc if tz is UTC else self._iso
        return self._pattern

    def _iso_utc(self, text: str) -> datetime:
        """``_iso`` for a template in UTC: a date it wrote is returned as it reads."""
        try:
            value = datetime.fromisoformat(text)
        except (OverflowError, ValueError):
            raise Refused("a date in ISO 8601 such as 2026-01-02T03:04:05+00:00") from None
        if value.tzinfo is UTC:  # in UTC already, fold 0: what local() would return
            return value
        return self._iso(text)

    def _iso(self, text: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
            if value.utcoffset() is None:
                value = value.replace(tzinfo=self.tz)
            return local(value, self.tz)
        except (OverflowError, ValueError):
            raise Refused("a date in ISO 8601 such as 2026-01-02T03:04:05+00:00") from None

    def _pattern(self, text: str) -> datetime:
        pattern = self.date_format
        expected = f"a date written as {pattern!r}"
        if len(text) > _DATE_LIMIT:
            raise Refused(expected)
        regex, directives = _compiled(pattern)
        match = regex.fullmatch(text)
        if match is None:
            raise Refused(expected)
        # strptime reads every directive but %Z, which names the zone: formatting
        # again checks it (and tells the two instants of a repeated local time apart).
        kept_text = "".join(
            match.group(i + 1) if d != "Z" else "" for i, d in enumerate(directives)
        )
        kept_pattern = "".join(
            ("%" + d if len(d) == 1 else re.sub("%", "%%", d[1:])) if d != "Z" else ""
            for d in directives
        )
        if not {"Y", "y", "G"} & set(directives):
            # strptime's default year, given: Python 3.13 warns of a day without a year.
            kept_text, kept_pattern = kept_text + " 1900", kept_pattern + " %Y"
        try:
            parsed = datetime.strptime(kept_text, kept_pattern)
        except (ValueError, OverflowError):
            raise Refused(expected) from None
        if parsed.tzinfo is not None:
            candidates = [parsed]
        else:
            candidates = [parsed.replace(tzinfo=self.tz, fold=f) for f in (0, 1)]
        instants: list[datetime] = []
        for candidate in candidates:
            try:
                instant = candidate.astimezone(UTC)
                if self._format(instant) == text and instant not in instants:
                    instants.append(instant)
            except (OverflowError, ValueError):
                continue
        if not instants:
            raise Refused(expected)
        if len(instants) > 1:
            shown = " or ".join(i.astimezone(self.tz).isoformat() for i in instants)
            raise Refused(
                f"a date that happens once in the template's timezone ({text!r} is {shown}; "
                "add %z to date_format to tell them apart)"
            )
        try:
            return local(instants[0], self.tz)
        except (OverflowError, ValueError):
            raise Refused(expected) from None


def _same(text: str) -> str:
    return text


def local(instant: datetime, tz: tzinfo) -> datetime:
    """Return ``instant`` in ``tz``, at that instant's fixed UTC offset."""
    value = instant.astimezone(tz)
    offset = value.utcoffset()
    zone = UTC if not offset else timezone(offset)
    return value.replace(tzinfo=zone, fold=0)


_UNITS: Final = {"unix": "seconds", "unix_ms": "milliseconds"}
_patterns: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {}


def _compiled(pattern: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Return the regex of a strftime pattern and its pieces: a directive letter each,
    or ``"="`` followed by literal text."""
    hit = _patterns.get(pattern)
    if hit is not None:
        return hit
    pieces: list[str] = []
    regex: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            d = pattern[i + 1]
            if d == "%":
                pieces.append("=%")
                regex.append("(%)")
            else:
                pieces.append(d)
                regex.append(f"({_DIRECTIVES.get(d, '.*?')})")
            i += 2
            continue
        j = pattern.find("%", i + 1) if pattern[i] != "%" else -1
        j = len(pattern) if j < 0 else j
        pieces.append("=" + pattern[i:j])
        regex.append(f"({re.escape(pattern[i:j])})")
        i = j
    result = re.compile("".join(regex), re.DOTALL), tuple(pieces)
    if len(_patterns) < 64:
        _patterns[pattern] = result
    return result


def read_int(text: str) -> int:
    """Return the ``int`` written as ``text`` (decimal digits, a leading ``-``)."""
    if not _INT.fullmatch(text):
        raise Refused("an integer")
    if len(text.lstrip("-").lstrip("0")) > MAX_DIGITS:
        raise Refused(f"an integer of at most {MAX_DIGITS} digits")
    return int(text)


def read_decimal(text: str) -> Decimal:
    """Return the ``Decimal`` written as ``text``, digits and scale kept."""
    if not _DECIMAL.fullmatch(text):
        raise Refused("a decimal number")
    # Without an exponent a number has no more digits than characters.
    if len(text) >= MAX_DIGITS or "e" in text or "E" in text:
        digits = fixed_point_digits(text)
        if digits is None or digits > MAX_DIGITS:
            raise Refused(f"a decimal number of at most {MAX_DIGITS} digits")
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):  # pragma: no cover - the pattern is Decimal's
        raise Refused("a decimal number") from None
