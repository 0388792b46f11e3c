"""Temporary bridge: runs a scanner written against the raising protocol under ``OutputFormat``.

Removed once every format module implements ``OutputFormat`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .._escape import (
    xml_attribute,
    xml_cdata,
    xml_content,
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
_CONTEXTS = {
    "content": Context("xml content", xml_content, "", _PRINTABLE - frozenset("&<>]")),
    'attr"': Context("xml attribute", xml_attribute, "", _PRINTABLE - frozenset("&<>\"'")),
    "attr'": Context("xml attribute", xml_attribute, "", _PRINTABLE - frozenset("&<>\"'")),
    "cdata": Context("xml cdata", xml_cdata, "", _PRINTABLE - frozenset("]>")),
    "text": Context("text", None),
}


def _context(key: Any) -> Context:
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
        return None
