"""Converting record values: each field's raw value to the type it is stored as.

Each converter takes the raw value and the label an error names (``CampaignId``,
``items[2].amt``) and returns the stored value or raises ``RecordError``.  Dates are
converted in ``dates.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Final, Literal

from .._compiler.values import MAX_DIGITS, decimal_digits, fixed_point_digits
from .._messages import describe_value, short_repr
from .catalog import FIELDS, ITEM_FIELDS, FieldSpec
from .dates import to_datetime
from .expect import expected_error

__all__ = [
    "ACTION_PLAN",
    "CANONICAL_DECIMAL",
    "CONVERTERS",
    "DECIMAL_ERRORS",
    "DECIMAL_FAST_BOUND",
    "ITEM_PLAN",
    "UNKNOWN_KEYS",
    "Converter",
    "UnknownKeys",
    "check_day_first",
    "check_unknown_keys",
    "date_converter",
    "decimal_fast",
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
        except DECIMAL_ERRORS:
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
DECIMAL_FAST_BOUND: Final = _SHORT
"""The longest text, and the largest adjusted exponent, ``decimal_fast`` takes whole."""

CANONICAL_DECIMAL: Final = re.compile(r"-?(?:0|[1-9][0-9]{0,99})(?:\.[0-9]{1,100})?")
"""A decimal string that ``format(Decimal(text), "f")`` writes back unchanged (no sign
but a minus, no leading zero, no exponent, no space) and that ``decimal_fast`` takes
whole (at most 202 characters, an adjusted exponent under 100): the mapping render
path keeps such text as it is (``reader.generate_reader(decimal_text=True)``)."""
DECIMAL_ERRORS: Final = (InvalidOperation, ValueError, OverflowError)
"""What ``Decimal(text)`` raises for text it refuses."""


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


CONVERTERS: Final[Mapping[type, Converter]] = {
    int: _to_int,
    Decimal: _to_decimal,
    str: _to_str,
    datetime: to_datetime,
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
    None: to_datetime,
    True: partial(to_datetime, day_first=True),
    False: partial(to_datetime, day_first=False),
}


def date_converter(day_first: bool | None) -> Converter:
    """Return the converter of date fields that reads a numeric day and month
    (``04.03.2026``) as ``day_first`` says: day first, month first, or refused (None)."""
    return _DATE_CONVERTERS[check_day_first(day_first)]
