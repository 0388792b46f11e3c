"""The ``header`` format: one HTTP header field value, with no way to inject another.

RFC 9110 §5.5: ``field-value = *field-content``, made of visible ASCII, space, tab and
``obs-text``; CR, LF and NUL are "invalid and dangerous" and other controls invalid.
Literal text is checked at compile time; values are checked when rendered: a value
carrying CR, LF, NUL, another C0 control (tab excepted) or DEL raises ``RenderError``
naming the placeholder.  Non-ASCII text passes through (sent as UTF-8 octets, which
RFC 9110 calls obs-text); lone surrogates become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from .._errors import RenderError
from .._nodes import Text
from ._legacy import Binding, FormatIssue, HoleNode, ValueFormatters
from .query import hole_name

__all__ = ["FORMAT", "header_checker"]

# A state is (started, trailing): ``started`` is False until the first character or
# placeholder; ``trailing`` is the source offset of literal whitespace that ends the
# text so far, or -1.
_State = tuple[bool, int]

_FORBIDDEN: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
_SURROGATES: Final = re.compile("[\ud800-\udfff]")
_WS: Final = frozenset(" \t")

_CHAR_NAMES: Final = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\x00": "a NUL character",
    "\x7f": "a DEL character",
}


def _char_name(ch: str) -> str:
    return _CHAR_NAMES.get(ch) or f"the control character U+{ord(ch):04X}"


def header_checker(label: str) -> Callable[[str], str]:
    """Return the render-time check of a header value for the placeholder ``label``."""
    field = label.strip("{}")

    def header_value(value: str) -> str:
        if value.isprintable():
            return value
        bad = _FORBIDDEN.search(value)
        if bad is not None:
            ch = bad.group()
            injection = " (header injection)" if ch in "\r\n\x00" else ""
            raise RenderError(
                f"the value of {label} contains {_char_name(ch)} at index {bad.start()}, "
                f"which an HTTP header value cannot carry{injection}; clean the record value",
                field=field,
            )
        if value.isascii():
            return value
        return _SURROGATES.sub("\ufffd", value)

    return header_value


class _HeaderFormat:
    """The header-value scanner and binder (see ``_base``)."""

    name = "header"
    content_type: str | None = None

    def initial(self) -> _State:
        return (False, -1)

    def text(self, state: _State, value: str, node: Text) -> _State:
        if not value:
            return state
        started, trailing = state
        bad = _FORBIDDEN.search(value)
        if bad is not None:
            ch = bad.group()
            raise FormatIssue(
                "invalid-header",
                f"{_char_name(ch)} is not allowed in a header value (RFC 9110 §5.5); "
                "a header value is one line of visible text, spaces and tabs",
                node.offset_of(bad.start()),
            )
        lone = _SURROGATES.search(value)
        if lone is not None:
            raise FormatIssue(
                "invalid-header",
                f"the lone surrogate U+{ord(lone.group()):04X} cannot be encoded in a header value",
                node.offset_of(lone.start()),
            )
        if not started and value[0] in _WS:
            raise FormatIssue(
                "invalid-header",
                "a header value cannot start with whitespace: HTTP parsers strip it",
                node.offset_of(0),
            )
        k = len(value)
        while k > 0 and value[k - 1] in _WS:
            k -= 1
        if k == len(value):
            trailing = -1
        elif k == 0:
            trailing = trailing if trailing >= 0 else node.offset_of(0)
        else:
            trailing = node.offset_of(k)
        return (True, trailing)

    def hole(self, state: _State, node: HoleNode) -> tuple[_State, Any]:
        return (True, -1), ("header", hole_name(node))

    def loop(self, before: _State, after: _State) -> str | None:
        return None

    def end(self, state: _State, offset: int) -> None:
        if state[1] >= 0:
            raise FormatIssue(
                "invalid-header",
                "a header value cannot end with whitespace: HTTP parsers strip it",
                state[1],
                offset,
            )

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding:
        fmt = values.for_type(vtype)
        if vtype in (int, Decimal):
            return Binding(fmt, "")  # digits, '-' and '.' only
        check = header_checker(context[1])
        if vtype is str:
            return Binding(check, "")

        def formatted(value: Any, _fmt: Callable[[Any], str] = fmt) -> str:
            return check(_fmt(value))

        return Binding(formatted, "")


FORMAT = _HeaderFormat()
