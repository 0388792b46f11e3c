"""The ``header`` format: one HTTP header field value, with no way to inject another.

RFC 9110 §5.5: ``field-value = *field-content``, made of visible ASCII, space, tab and
``obs-text``; CR, LF and NUL are "invalid and dangerous" and other controls invalid.
Literal text is checked at compile time; values are checked when rendered by
``_escape.header_value``: a value carrying CR, LF, NUL, another C0 control (tab
excepted) or DEL raises ``RenderError`` naming the placeholder.  Non-ASCII text passes
through (sent as UTF-8 octets, which RFC 9110 calls obs-text); lone surrogates become
U+FFFD.

Spaces and tabs at the ends of the rendered value are trimmed, as recipients do
(``trim``); the template's own literal whitespace at its ends is refused.

Recovery: every forbidden character of the literal text is reported, then every lone
surrogate after the last of them; a literal with neither is checked for leading
whitespace.  Trailing whitespace is reported at the end.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._escape import HEADER_FORBIDDEN, header_value, http_char_name
from .._messages import placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion

__all__ = ["FORMAT", "HeaderState", "header_context"]

# Printable ASCII: the header escaper writes it as it is.
_INERT: Final = frozenset(chr(c) for c in range(0x20, 0x7F))
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_WS: Final = " \t"


@lru_cache(maxsize=1024)
def header_context(label: str) -> Context:
    """Return the context of the placeholder ``label`` (``{SubId1}``): its escaper names it."""
    return Context("header value", header_value(label), "", _INERT)


class HeaderState(NamedTuple):
    """What the literal text so far means for the rest of the value."""

    started: bool  # the value has a character or a placeholder already
    trailing: int  # the source offset of the whitespace that ends the text so far, or -1


_START: Final = HeaderState(False, -1)
_STARTED: Final = HeaderState(True, -1)


def _bad_character(node: Text, match: re.Match[str]) -> Problem:
    ch = match.group()
    if "\ud800" <= ch <= "\udfff":
        message = f"the lone surrogate U+{ord(ch):04X} cannot be encoded in a header value"
    else:
        message = (
            f"{http_char_name(ch)} is not allowed in a header value (RFC 9110 §5.5); "
            "a header value is one line of visible text, spaces and tabs"
        )
    at = node.offset_of(match.start())
    return Problem(Span(at, at + 1), Code.INVALID_HEADER, message)


class _HeaderFormat:
    """The header-value state machine (see ``_base``): one mode, so no table."""

    name = "header"
    content_type: str | None = None
    # Recipients strip spaces and tabs around a field value (RFC 9110 §5.5), and
    # strict ones (h11) refuse a value that has them; the render function trims them
    # where a value or a join ends the template (``_compiler.codegen.generate``).
    trim = " \t"

    def initial(self) -> HeaderState:
        return _START

    def text(
        self, state: HeaderState, node: Text, start: int = 0
    ) -> HeaderState | Defect[HeaderState]:
        value = node.value
        bad = HEADER_FORBIDDEN.search(value, start) or _SURROGATE.search(value, start)
        if bad is not None:
            return Defect(_bad_character(node, bad), _STARTED, bad.end())
        if start == 0 and not state.started and value[:1] in (" ", "\t"):
            at = node.offset_of(0)
            problem = Problem(
                Span(at, at + 1),
                Code.INVALID_HEADER,
                "a header value cannot start with whitespace: HTTP parsers strip it",
            )
            # The leading whitespace is reported; it must not count as trailing too.
            return Defect(problem, _STARTED, len(value) - len(value.lstrip(_WS)))
        return self._after(state, node, start)

    @staticmethod
    def _after(state: HeaderState, node: Text, start: int) -> HeaderState:
        """Return the state after the valid text ``node.value[start:]``."""
        value = node.value
        if start == len(value):
            return state
        k = len(value.rstrip(_WS))
        if k == len(value):
            return _STARTED
        if k <= start:  # only whitespace: the text so far ends with it
            return HeaderState(
                True, state.trailing if state.trailing >= 0 else node.offset_of(start)
            )
        return HeaderState(True, node.offset_of(k))

    def hole(self, state: HeaderState, node: Hole) -> tuple[HeaderState, Context]:
        return _STARTED, header_context(placeholder_label(node))

    def loop(self, before: HeaderState, after: HeaderState) -> str | None:
        return None

    def end(self, state: HeaderState, offset: int) -> Problem | None:
        if state.trailing < 0:
            return None
        return Problem(
            Span(state.trailing, offset),
            Code.INVALID_HEADER,
            "a header value cannot end with whitespace: HTTP parsers strip it",
        )

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _HeaderFormat()
