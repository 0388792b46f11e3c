"""Temporary bridge: runs a scanner written against the raising protocol under ``OutputFormat``.

Removed once every format module implements ``OutputFormat`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from .._escape import (
    UNRESERVED,
    form_encode,
    header_value,
    json_quote,
    json_string_body,
    path_segment_encode,
    percent_encode,
)
from .._nodes import Field, ItemField, Span, Text
from .._problems import Code, Problem
from ._base import Context, Defect, Fusion

HoleNode = Field | ItemField


class FormatIssue(Exception):
    def __init__(self, code: str, message: str, offset: int, end: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.end = end if end is not None else offset + 1

    def problem(self) -> Problem:
        return Problem(Span(self.offset, self.end), Code(self.code), self.message)


@dataclass(frozen=True, slots=True)
class Binding:
    func: Callable[[Any], str]
    missing: str = ""
    nullable: Callable[[Any], str] | None = None
    quoted: Callable[[Any], str] | None = None


class ValueFormatters(Protocol):
    date_format: str

    def for_type(self, vtype: type) -> Callable[[Any], str]: ...

    def iso_or(self, missing: str, quote: str = "") -> Callable[[Any], str] | None: ...


_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
JSON_INERT = _PRINTABLE - frozenset('"\\')
JSON_STRING = Context("json string", json_string_body, "", JSON_INERT)
JSON_VALUE = Context("json value", json_quote, "null", JSON_INERT, '"', (bool, int, float, Decimal))
JSON_QUOTED = Context("json string with its quotes", json_quote, '""', JSON_INERT, '"')
_FORM = Context("form-encoded", form_encode, "", UNRESERVED)
_CONTEXTS = {
    "string": JSON_STRING,
    "value": JSON_VALUE,
    "query-key": _FORM,
    "query-value": _FORM,
    "url-query-key": _FORM,
    "url-query-value": _FORM,
    "url-path": Context("url path segment", path_segment_encode, "", UNRESERVED - {"."}),
    "url-fragment": Context("url fragment", percent_encode, "", UNRESERVED),
    "url-authority": Context("url authority", percent_encode),
    "text": Context("text", None),
}


def _context(key: Any) -> Context:
    if isinstance(key, tuple) and key[0] == "header":
        return Context("header value", header_value(key[1]), "", _PRINTABLE)
    return _CONTEXTS[key]


class LegacyFormat:
    def __init__(self, old: Any) -> None:
        self.old = old
        self.name = old.name
        self.content_type = old.content_type

    def initial(self) -> Any:
        return self.old.initial()

    def text(self, state: Any, node: Text, start: int = 0) -> Any:
        try:
            return self.old.text(state, node.value, node)
        except FormatIssue as issue:
            return Defect(issue.problem())

    def hole(self, state: Any, node: HoleNode) -> Any:
        try:
            after, key = self.old.hole(state, node)
        except FormatIssue as issue:
            return Defect(issue.problem())
        return after, _context(key)

    def loop(self, before: Any, after: Any) -> str | None:
        return self.old.loop(before, after)  # type: ignore[no-any-return]

    def end(self, state: Any, offset: int) -> Problem | None:
        try:
            self.old.end(state, offset)
        except FormatIssue as issue:
            return issue.problem()
        return None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        if context is not JSON_STRING or not (before.endswith('"') and after.startswith('"')):
            return None
        backslashes = len(before) - 1 - len(before[:-1].rstrip("\\"))
        if backslashes % 2:
            return None
        return Fusion(JSON_QUOTED, 1, 1)
