"""The ``json`` format: a JSON scanner over the template's text and the JSON escapers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from .._nodes import Field, Text
from .._values import format_decimal
from ._legacy import Binding, FormatIssue, HoleNode, ValueFormatters

__all__ = ["FORMAT", "json_quote", "json_string_body"]

# Scanner modes.  A state is (mode, stack, extra): ``stack`` is a tuple of "{" / "["
# for the open containers; ``extra`` depends on the mode.
VALUE = 0  # a value must follow (document start, after ':' or after ',' in an array)
ARRAY_FIRST = 1  # after '[': a value or ']'
OBJECT_FIRST = 2  # after '{': a key or '}'
KEY = 3  # after ',' in an object: a key
COLON = 4  # after a key: ':'
AFTER = 5  # after a value: ',' or the closer; extra is True right after a placeholder
STRING = 6  # inside a string; extra is (is_key, escape) - escape: 0 none, 1 after '\', 2-5 hex
TOKEN = 7  # inside a bare number or literal; extra is the characters so far

# The deepest nesting of objects and arrays a template may have.  It keeps the scanner
# linear (each state holds the stack of open containers) and the output readable by
# common receivers.
MAX_DEPTH = 512

_WS = re.compile(r"[ \t\n\r]*")
_STR_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_TOKEN_RUN = re.compile(r"[0-9A-Za-z.+\-]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = frozenset('"\\/bfnrtu')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_quote(value: str) -> str:
    """Return ``value`` as a JSON string literal; lone surrogates become ``\\udXXX``."""
    out = encode_basestring(value)
    if value.isascii():
        return out
    return _SURROGATE.sub(_surrogate_escape, out)


def json_string_body(value: str) -> str:
    """Return ``value`` escaped for the inside of a JSON string literal."""
    out: str = encode_basestring(value)[1:-1]
    if value.isascii():
        return out
    return _SURROGATE.sub(_surrogate_escape, out)


def _string_body_or_empty(value: str | None) -> str:
    if value is None:
        return ""
    out: str = encode_basestring(value)[1:-1]
    if value.isascii():
        return out
    return _SURROGATE.sub(_surrogate_escape, out)


def _quote_or_null(value: str | None) -> str:
    if value is None:
        return "null"
    out: str = encode_basestring(value)
    if value.isascii():
        return out
    return _SURROGATE.sub(_surrogate_escape, out)


def _quote_or_empty(value: str | None) -> str:
    if value is None:
        return '""'
    out: str = encode_basestring(value)
    if value.isascii():
        return out
    return _SURROGATE.sub(_surrogate_escape, out)


def _int_or(missing: str, quote: str = "") -> Callable[[Any], str]:
    def int_text(value: int | None) -> str:
        if value is None:
            return missing
        return quote + int.__repr__(value) + quote

    return int_text


def _decimal_or(missing: str, quote: str = "") -> Callable[[Any], str]:
    def decimal_text(value: Decimal | None) -> str:
        if value is None:
            return missing
        if value.is_finite():
            return quote + format(value, "f") + quote
        return format_decimal(value)  # raises RenderError

    return decimal_text


def _describe(ch: str) -> str:
    if ch in "\n\r\t":
        return {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}[ch]
    return repr(ch)


def _hole_name(node: HoleNode) -> str:
    if isinstance(node, Field):
        return f"{{{node.name}}}"
    return f"{{{node.var}.{node.attr}}}"


class _JsonFormat:
    """The JSON scanner and binder (see ``_base``)."""

    name = "json"
    content_type = "application/json"

    def initial(self) -> tuple[Any, ...]:
        return (VALUE, (), None)

    def text(self, state: tuple[Any, ...], value: str, node: Text) -> tuple[Any, ...]:
        mode, stack, extra = state
        i = 0
        n = len(value)
        while i < n:
            if mode == STRING:
                is_key, esc = extra
                if esc == 0:
                    j = _STR_RUN.match(value, i).end()  # type: ignore[union-attr]
                    if j >= n:
                        i = j
                        break
                    ch = value[j]
                    i = j + 1
                    if ch == '"':
                        mode, extra = (COLON, None) if is_key else (AFTER, False)
                    elif ch == "\\":
                        extra = (is_key, 1)
                    else:
                        raise FormatIssue(
                            "invalid-json",
                            f"invalid JSON: {_describe(ch)} inside a string must be escaped "
                            "(write \\n, \\t or \\u00XX)",
                            node.offset_of(j),
                        )
                elif esc == 1:
                    ch = value[i]
                    if ch not in _ESCAPES:
                        raise FormatIssue(
                            "invalid-json",
                            f"invalid JSON: \\{ch} is not a JSON escape "
                            '(valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
                            node.offset_of(i),
                        )
                    extra = (is_key, 2 if ch == "u" else 0)
                    i += 1
                else:
                    ch = value[i]
                    if ch not in _HEX:
                        raise FormatIssue(
                            "invalid-json",
                            "invalid JSON: \\u must be followed by four hex digits",
                            node.offset_of(i),
                        )
                    extra = (is_key, 0 if esc == 5 else esc + 1)
                    i += 1
                continue
            if mode == TOKEN:
                j = _TOKEN_RUN.match(value, i).end()  # type: ignore[union-attr]
                extra = extra + value[i:j]
                i = j
                if i >= n:
                    break
                mode, stack, extra = self._finish_token(stack, extra, node.offset_of(i))
                continue
            j = _WS.match(value, i).end()  # type: ignore[union-attr]
            if j >= n:
                break
            i = j
            ch = value[i]
            at = node.offset_of(i)
            if mode == AFTER:
                if ch == "," and stack:
                    mode, extra = (KEY if stack[-1] == "{" else VALUE), None
                elif (ch == "}" and stack and stack[-1] == "{") or (
                    ch == "]" and stack and stack[-1] == "["
                ):
                    stack = stack[:-1]
                    mode, extra = AFTER, False
                else:
                    raise FormatIssue("invalid-json", self._after_message(ch, stack, extra), at)
                i += 1
                continue
            if mode == COLON:
                if ch != ":":
                    raise FormatIssue(
                        "invalid-json",
                        f"invalid JSON: expected ':' after an object key, found {_describe(ch)}",
                        at,
                    )
                mode, extra = VALUE, None
                i += 1
                continue
            if mode in (OBJECT_FIRST, KEY):
                if ch == '"':
                    mode, extra = STRING, (True, 0)
                elif ch == "}" and mode == OBJECT_FIRST:
                    stack = stack[:-1]
                    mode, extra = AFTER, False
                else:
                    what = "a key string or '}'" if mode == OBJECT_FIRST else "a key string"
                    hint = " (a trailing comma is not allowed)" if ch == "}" else ""
                    raise FormatIssue(
                        "invalid-json",
                        f"invalid JSON: expected {what}, found {_describe(ch)}{hint}",
                        at,
                    )
                i += 1
                continue
            # VALUE or ARRAY_FIRST
            if ch == "]" and mode == ARRAY_FIRST:
                stack = stack[:-1]
                mode, extra = AFTER, False
            elif ch in "{[":
                if len(stack) >= MAX_DEPTH:
                    raise FormatIssue(
                        "nesting-too-deep",
                        f"invalid JSON: objects and arrays nested more than {MAX_DEPTH} "
                        "levels deep (JSON parsers refuse such documents)",
                        at,
                    )
                stack = (*stack, ch)
                mode, extra = (OBJECT_FIRST, None) if ch == "{" else (ARRAY_FIRST, None)
            elif ch == '"':
                mode, extra = STRING, (False, 0)
            elif ch in "-0123456789tfn":
                mode, extra = TOKEN, ""
                continue
            else:
                hint = " (a trailing comma is not allowed)" if ch in "]}" else ""
                raise FormatIssue(
                    "invalid-json",
                    f"invalid JSON: expected a value, found {_describe(ch)}{hint}",
                    at,
                )
            i += 1
        return (mode, stack, extra)

    @staticmethod
    def _after_message(ch: str, stack: tuple[str, ...], after_hole: Any) -> str:
        if after_hole:
            return (
                f"a placeholder at a value position must stand alone, but it is glued to "
                f"{_describe(ch)}; put the placeholder and the text inside one string "
                '("...") to make a string value'
            )
        if not stack:
            return f"invalid JSON: unexpected {_describe(ch)} after the end of the document"
        closer = "}" if stack[-1] == "{" else "]"
        return f"invalid JSON: expected ',' or '{closer}', found {_describe(ch)}"

    def _finish_token(
        self, stack: tuple[str, ...], token: str, at: int
    ) -> tuple[int, tuple[str, ...], Any]:
        if token in ("true", "false", "null") or _NUMBER.fullmatch(token):
            return AFTER, stack, False
        raise FormatIssue(
            "invalid-json",
            f"invalid JSON: {token!r} is not a value (strings need double quotes)",
            at - len(token),
            at,
        )

    def hole(self, state: tuple[Any, ...], node: HoleNode) -> tuple[tuple[Any, ...], Any]:
        mode, stack, extra = state
        start, end = node.span.start, node.span.end
        name = _hole_name(node)
        if mode == STRING:
            if extra[1] != 0:
                raise FormatIssue(
                    "placeholder-in-escape",
                    f"{name} follows a backslash inside a JSON string, so the escape would "
                    "be completed by the value; remove the backslash or write \\\\",
                    start,
                    end,
                )
            return state, "string"
        if mode in (VALUE, ARRAY_FIRST):
            return (AFTER, stack, True), "value"
        if mode in (OBJECT_FIRST, KEY):
            raise FormatIssue(
                "placeholder-in-key",
                f"{name} stands where an object key must be; a key is a string, so put it in "
                f'quotes: "{name}"',
                start,
                end,
            )
        if mode == TOKEN:
            raise FormatIssue(
                "placeholder-glued",
                f"{name} is glued to the bare value {extra!r}; put both inside one string",
                start,
                end,
            )
        if mode == AFTER:
            if extra:
                msg = f"{name} follows another value directly; separate values with ','"
            else:
                msg = f"{name} stands after a complete value; a ',' is missing before it"
            raise FormatIssue("placeholder-glued", msg, start, end)
        raise FormatIssue(
            "placeholder-position",
            f"{name} stands where JSON expects ':'; put it after the ':' of its key",
            start,
            end,
        )

    def loop(self, before: tuple[Any, ...], after: tuple[Any, ...]) -> str | None:
        # A join inside a string ("{join(items, i, "{i.sku}")}") may stay in it.
        if before[1] != after[1] or (after[0] in (STRING, TOKEN) and after != before):
            return "its template leaves an object, array or string open (or closes one)"
        return None

    def end(self, state: tuple[Any, ...], offset: int) -> None:
        mode, stack, extra = state
        if mode == TOKEN:
            mode, stack, extra = self._finish_token(stack, extra, offset)
        if mode == AFTER and not stack:
            return
        if mode == STRING:
            msg = "invalid JSON: the document ends inside a string (a closing '\"' is missing)"
        elif stack:
            closers = "".join("}" if c == "{" else "]" for c in reversed(stack))
            msg = f"invalid JSON: the document ends with {len(stack)} unclosed container(s); add {closers!r}"
        else:
            msg = "invalid JSON: the document is empty or incomplete"
        raise FormatIssue("invalid-json", msg, offset, offset)

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding:
        fmt = values.for_type(vtype)
        if context == "string":
            if vtype is str:
                return Binding(json_string_body, "", _string_body_or_empty, _quote_or_empty)
            # Digits, '-' and '.' never need escaping; nor do ISO dates.
            if vtype is int:
                return Binding(fmt, "", _int_or(""), _int_or('""', '"'))
            if vtype is Decimal:
                return Binding(fmt, "", _decimal_or(""), _decimal_or('""', '"'))
            iso = values.iso_or("")
            if vtype is datetime and iso is not None:
                return Binding(fmt, "", iso, values.iso_or('""', '"'))

            def in_string(value: Any, _fmt: Callable[[Any], str] = fmt) -> str:
                return json_string_body(_fmt(value))

            return Binding(in_string, "")
        # A bare value position: the value as a JSON value of its type.
        if vtype is int:
            return Binding(fmt, "null", _int_or("null"))
        if vtype is Decimal:
            return Binding(fmt, "null", _decimal_or("null"))
        if vtype is str:
            return Binding(json_quote, "null", _quote_or_null)
        iso = values.iso_or("null", '"')
        if vtype is datetime and iso is not None:
            return Binding(lambda value: json_quote(fmt(value)), "null", iso)
        if vtype is object:

            def any_value(value: Any, _fmt: Callable[[Any], str] = fmt) -> str:
                if isinstance(value, bool):
                    return "true" if value else "false"
                if isinstance(value, (int, Decimal, float)):
                    return _fmt(value)
                return json_quote(_fmt(value))

            return Binding(any_value, "null")

        def quoted(value: Any, _fmt: Callable[[Any], str] = fmt) -> str:
            return json_quote(_fmt(value))

        return Binding(quoted, "null")


FORMAT = _JsonFormat()
