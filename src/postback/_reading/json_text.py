"""Received JSON text as a tree of values with their places: the body side of the json reader.

The standard library's ``json`` gives neither the places of values (which a message
names) nor the text of numbers (``12.50`` must stay ``12.50``), and it keeps the last
of two equal keys.  This scanner reads RFC 8259 JSON with the standard library's C
string scanner and a few regular expressions, without recursion: containers nest at
most ``MAX_DEPTH`` levels (as in templates), and a key given twice in one object is an
error naming both places.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from json import JSONDecodeError, decoder
from typing import Final, NamedTuple

from .errors import Where, quote, snippet

__all__ = ["MAX_DEPTH", "JValue", "describe", "load"]

#: Arrays and objects nest at most this deep in a received body, as in a template.
MAX_DEPTH: Final = 512

_WS_RUN: Final = re.compile(r"[ \t\n\r]+").match
#: The standard library's C string scanner: (the string's value, the offset after it).
SCANSTRING: Final[Callable[[str, int, bool], tuple[str, int]]] = vars(decoder)["scanstring"]


def _WS(text: str, pos: int) -> int:
    """Return the offset after the JSON whitespace at ``pos``."""
    match = _WS_RUN(text, pos)
    return pos if match is None else match.end()


_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?").match
_LITERALS: Final = ("true", "false", "null")
_STRING_ERRORS: Final = {
    "Unterminated string starting at": "a string without its closing quote",
    "Invalid control character at": "a raw control character (write it as \\u00XX)",
    "Invalid \\escape": "an escape JSON does not have",
    "Invalid \\uXXXX escape": "an incomplete \\u escape",
}


class JValue(NamedTuple):
    """One received JSON value: its kind, where it starts, and what it holds.

    ``kind`` is ``object``, ``array``, ``string``, ``number``, ``true``, ``false`` or
    ``null``; ``text`` the decoded string or the number's text; ``members`` an object's
    (key, key offset, value) in order; ``elements`` an array's values; ``plain`` that a
    string has no escape (its characters map one to one onto the text).
    """

    kind: str
    offset: int
    text: str = ""
    members: tuple[tuple[str, int, JValue], ...] = ()
    elements: tuple[JValue, ...] = ()
    plain: bool = True


def describe(value: JValue) -> str:
    """Name a received value for a message: ``an object``, ``the string "x"``."""
    if value.kind == "object":
        return "an object"
    if value.kind == "array":
        return "an array"
    if value.kind == "string":
        return f"the string {quote(value.text)}"
    if value.kind == "number":
        return f"the number {value.text[:40]}"
    return value.kind


class _Frame:
    __slots__ = ("items", "key", "key_offset", "keys", "kind", "offset")

    def __init__(self, kind: str, offset: int) -> None:
        self.kind = kind
        self.offset = offset
        self.items: list[object] = []
        self.keys: dict[str, int] = {}
        self.key = ""
        self.key_offset = 0


def _string(text: str, pos: int, where: Where) -> tuple[str, int, bool]:
    """Read the string whose quote is at ``pos``: (value, offset after it, plain)."""
    try:
        value, end = SCANSTRING(text, pos + 1, True)
    except JSONDecodeError as exc:
        found = _STRING_ERRORS.get(exc.msg, exc.msg)
        raise where.error(
            expected="a JSON string", found=found, offset=exc.pos, template=None
        ) from None
    return value, end, text.find("\\", pos, end) < 0


def _key(text: str, pos: int, frame: _Frame, where: Where) -> int:
    """Read an object's key and its colon at ``pos``; return where its value starts."""
    if not text.startswith('"', pos):
        raise where.error(
            expected="a key (a string in double quotes)",
            found=snippet(text, pos),
            offset=pos,
            template=None,
        )
    key, end, _ = _string(text, pos, where)
    seen = frame.keys.get(key)
    if seen is not None:
        line, column = where.at(seen)
        raise where.error(
            expected="each key once in an object",
            found=f"the key {quote(key)} again (first at {line}:{column})",
            offset=pos,
            template=None,
        )
    frame.keys[key] = pos
    frame.key, frame.key_offset = key, pos
    end = _WS(text, end)
    if not text.startswith(":", end):
        raise where.error(
            expected="':' after the key", found=snippet(text, end), offset=end, template=None
        )
    return _WS(text, end + 1)


def _scalar(text: str, pos: int, where: Where) -> tuple[JValue, int]:
    """Read the string, number or literal at ``pos``."""
    ch = text[pos] if pos < len(text) else ""
    if ch == '"':
        value, end, plain = _string(text, pos, where)
        return JValue("string", pos, value, plain=plain), end
    number = _NUMBER(text, pos)
    if number is not None:
        return JValue("number", pos, number.group()), number.end()
    for literal in _LITERALS:
        if text.startswith(literal, pos):
            return JValue(literal, pos, literal), pos + len(literal)
    raise where.error(expected="a JSON value", found=snippet(text, pos), offset=pos, template=None)


def _open(text: str, pos: int, stack: list[_Frame], where: Where) -> tuple[JValue | None, int]:
    """Open the container at ``pos``: (the value, if it is empty, and where to go on)."""
    if len(stack) >= MAX_DEPTH:
        raise where.error(
            expected=f"containers nested at most {MAX_DEPTH} levels deep",
            found="a deeper one",
            offset=pos,
            template=None,
        )
    ch = text[pos]
    frame = _Frame("object" if ch == "{" else "array", pos)
    after = _WS(text, pos + 1)
    if text.startswith("}" if ch == "{" else "]", after):
        return JValue(frame.kind, frame.offset), after + 1
    stack.append(frame)
    return None, _key(text, after, frame, where) if ch == "{" else after


def _close(
    text: str, pos: int, stack: list[_Frame], value: JValue, where: Where
) -> tuple[JValue | None, int]:
    """Give ``value`` to the containers it completes: (the whole text's value once it is
    complete, else None; where the next value starts)."""
    while True:
        pos = _WS(text, pos)
        if not stack:
            if pos != len(text):
                raise where.error(
                    expected="the end of the text after the JSON value",
                    found=snippet(text, pos),
                    offset=pos,
                    template=None,
                )
            return value, pos
        top = stack[-1]
        top.items.append((top.key, top.key_offset, value) if top.kind == "object" else value)
        if text.startswith(",", pos):
            pos = _WS(text, pos + 1)
            return None, _key(text, pos, top, where) if top.kind == "object" else pos
        closer = "}" if top.kind == "object" else "]"
        if not text.startswith(closer, pos):
            raise where.error(
                expected=f"',' or '{closer}'", found=snippet(text, pos), offset=pos, template=None
            )
        stack.pop()
        if top.kind == "object":
            members: tuple[tuple[str, int, JValue], ...] = tuple(top.items)  # type: ignore[arg-type]
            value = JValue("object", top.offset, members=members)
        else:
            elements: tuple[JValue, ...] = tuple(top.items)  # type: ignore[arg-type]
            value = JValue("array", top.offset, elements=elements)
        pos += 1


def load(text: str, where: Where) -> JValue:
    """Return the JSON value ``text`` holds; raise ``ParseError`` naming the place."""
    pos = _WS(text, 0)
    stack: list[_Frame] = []
    while True:
        value: JValue | None
        if text.startswith(("{", "["), pos):
            value, pos = _open(text, pos, stack, where)
            if value is None:
                continue
        else:
            value, pos = _scalar(text, pos, where)
        done, pos = _close(text, pos, stack, value, where)
        if done is not None:
            return done
