"""Reading a record from JSON text exactly: ``Action.from_json``'s parser.

The standard library's ``json.loads`` reads ``12.50`` as the float 12.5 (losing the
scale a postback writes back), keeps the last of two equal keys, accepts ``NaN`` and
``Infinity``, which JSON does not have, and refuses an integer of more than 4,300
digits with a message about an interpreter limit.  This parser reads numbers with
a fraction or an exponent as exact ``Decimal`` values and refuses the rest with a
``RecordError`` that names the key, before any long number (or far exponent) is
converted.
"""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from itertools import accumulate
from typing import Any, Final

from .._compiler.values import MAX_DIGITS, MAX_EXPONENT, fixed_point_digits
from .._errors import RecordError
from .._messages import byte_order_mark, not_utf8, short_repr

__all__ = ["MAX_NESTING", "loads_record"]

#: Arrays and objects in a JSON record nest at most this deep (the action, its items and
#: an item are three levels); deeper records are refused before they are parsed.
MAX_NESTING: Final = 100

# Number texts up to this long, without an exponent, have at most MAX_DIGITS digits.
_SHORT: Final = MAX_DIGITS


class _Refused:
    """Stands, in the parsed data, for a value the record cannot have; says why."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


class _RepeatedKey(dict[str, Any]):
    """A JSON object that gives ``key`` twice (as read, the last value kept)."""

    __slots__ = ("key",)
    key: str


def _too_long(digits: int | None) -> str:
    if digits is None:
        return (
            f"expected a number of at most {MAX_DIGITS} digits, got a JSON number with an "
            f"exponent beyond ±{MAX_EXPONENT:,}"
        )
    return f"expected a number of at most {MAX_DIGITS} digits, got a JSON number of {digits} digits"


class _Parser(threading.local):
    """The hooks ``json.loads`` calls, and the values they refused in the current parse.

    One per thread, made on its first parse: building a decoder costs about as much as
    parsing a small record.  A parse empties ``refused`` first; no hook parses JSON,
    so parses on one thread never overlap.
    """

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[object] = []
        decoder = json.JSONDecoder(
            object_pairs_hook=self.object,
            parse_float=self.number,
            parse_int=self.integer,
            parse_constant=self.constant,
        )
        self.loads = decoder.decode

    def refuse(self, marker: Any) -> Any:
        self.refused.append(marker)
        return marker

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        marked = _RepeatedKey(result)
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                marked.key = key
                break
            seen.add(key)
        return self.refuse(marked)  # type: ignore[no-any-return]

    def number(self, text: str) -> Any:
        if len(text) <= _SHORT and "e" not in text and "E" not in text:
            return Decimal(text)
        # Counted on the text: Decimal() refuses an exponent beyond about 10**18 with
        # decimal.InvalidOperation, and a number of many digits is refused anyway.
        digits = fixed_point_digits(text)
        if digits is None or digits > MAX_DIGITS:
            return self.refuse(_Refused(_too_long(digits)))
        return Decimal(text)

    def integer(self, text: str) -> Any:
        # Counted before int() runs: its time grows with the square of the length.
        if len(text) > MAX_DIGITS and len(text.lstrip("-")) > MAX_DIGITS:
            return self.refuse(_Refused(_too_long(len(text.lstrip("-")))))
        return int(text)

    def constant(self, text: str) -> Any:
        # A string is no way out: "NaN" is read as a decimal that rendering refuses.
        return self.refuse(
            _Refused(
                f"{text} is not valid JSON (JSON numbers are finite, and so are the numbers "
                "postback renders); give a finite number, or null for no value"
            )
        )


_PARSER: Final = _Parser()


def _label(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _paths(data: object) -> dict[int, str]:
    """Return the path (``items[2].amt``) of every refused value in ``data``, by id."""
    found: dict[int, str] = {}
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Refused | _RepeatedKey):
            found[id(node)] = path
        if isinstance(node, dict):
            stack.extend((value, _label(path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, f"{path}[{k}]") for k, value in enumerate(node))
    return found


def _refusal(data: object, refused: list[object]) -> RecordError:
    """Return the error for the first refused value that the parsed record kept.

    A refused value can be dropped again, when its key is given twice (the object
    keeps the last value); the repeated key is then the first refusal that stays.
    """
    paths = _paths(data)
    for marker in refused:
        path = paths.get(id(marker))
        if path is None:
            continue
        if isinstance(marker, _RepeatedKey):
            label = _label(path, marker.key)
            return RecordError(
                f"{label}: the key {short_repr(marker.key)} is given twice in one JSON object",
                field=label,
            )
        assert isinstance(marker, _Refused)
        return RecordError(f"{path}: {marker.why}", field=path)
    raise AssertionError("a refused value left no trace")  # the root object always stays


# A JSON string (valid or not, up to its closing quote) and what is not a bracket.
_STRING_RE: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS_RE: Final = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep(text: str) -> bool:
    """Tell whether the arrays and objects of ``text`` nest more than ``MAX_NESTING`` deep.

    Brackets inside strings do not count.  Linear in the length of ``text``, and only a
    count of brackets for a text with few of them.
    """
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    brackets = _NOT_BRACKETS_RE.sub("", _STRING_RE.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_NESTING


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def loads_record(data: str | bytes | bytearray | memoryview) -> dict[str, Any]:
    """Parse the JSON text of one record into a dict, exactly (see the module docstring).

    ``bytes`` must be UTF-8 (a byte order mark is allowed, as in a ``str``).  Raises
    ``RecordError``: invalid JSON (with ``line`` and ``column``), text that is not
    UTF-8, nesting deeper than ``MAX_NESTING``, a value that is not an object, ``NaN``
    or ``Infinity``, a key given twice in one object, or a number of more than 1,000
    digits or with an exponent beyond ``MAX_EXPONENT``.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            encoding = byte_order_mark(raw)
            if encoding is not None:
                raise RecordError(
                    f"the JSON record is {encoding} (byte-order mark), not UTF-8: decode "
                    "it and pass the text, or save the file as UTF-8"
                ) from None
            raise RecordError(f"the JSON record is {not_utf8(raw, exc.start)}") from None
    elif isinstance(data, str):
        text = data
    else:
        raise TypeError(f"a JSON record must be str or bytes, not {type(data).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _too_deep(text):
        # json.loads would recurse once per level, as deep as the stack allows.
        raise RecordError(f"the JSON record is nested more than {MAX_NESTING} levels deep")
    parser = _PARSER
    parser.refused.clear()
    try:
        value = parser.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"invalid JSON in the record: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:  # within MAX_NESTING, but the caller's stack was deep already
        raise RecordError("the JSON record is nested too deeply") from None
    if not isinstance(value, dict):
        raise RecordError(f"a record must be a JSON object, not {_json_type(value)}")
    if parser.refused:
        refused = parser.refused[:]
        parser.refused.clear()  # keep no part of a refused record alive
        raise _refusal(value, refused)
    return value
