"""Defects found in a template: one ``Problem`` type from the parser to the public errors.

The parser, the checker and every format scanner report what they find as
``Problem`` values (they return them; nothing is raised on the way).  This module
turns problems into the public ``Diagnostic`` records and ``TemplateError``
exceptions, in one place, so a defect reads the same whether it comes from
``postback.check``, ``postback.compile`` or the command line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from ._compiler.nodes import Span
from ._errors import (
    TemplateFormatError,
    TemplateSyntaxError,
    UnknownFieldError,
)

if TYPE_CHECKING:
    from ._diagnostic import Diagnostic, Severity

__all__ = [
    "BLOCKING",
    "Code",
    "LineIndex",
    "Problem",
    "diagnostics",
    "has_errors",
    "raise_for",
]


class Code(StrEnum):
    """The stable id of every kind of defect (``Diagnostic.code``)."""

    # The placeholder language (TemplateSyntaxError unless noted).
    TEMPLATE_TOO_LARGE = "template-too-large"
    MALFORMED_PLACEHOLDER = "malformed-placeholder"
    INVALID_CALL = "invalid-call"
    UNTERMINATED_STRING = "unterminated-string"
    UNTERMINATED_CALL = "unterminated-call"
    UNKNOWN_FUNCTION = "unknown-function"
    NESTED_JOIN = "nested-join"
    JOIN_ARGUMENTS = "join-arguments"
    PLACEHOLDER_IN_SEPARATOR = "placeholder-in-separator"
    # Names (the checker).
    UNKNOWN_FIELD = "unknown-field"  # UnknownFieldError
    UNKNOWN_ITEM_FIELD = "unknown-item-field"  # UnknownFieldError
    UNKNOWN_COLLECTION = "unknown-collection"  # UnknownFieldError
    COLLECTION_AS_PLACEHOLDER = "collection-as-placeholder"
    ITEM_OUTSIDE_JOIN = "item-outside-join"
    ITEM_WITHOUT_ATTRIBUTE = "item-without-attribute"
    WRONG_LOOP_VARIABLE = "wrong-loop-variable"
    LOOP_VARIABLE_SHADOWS_FIELD = "loop-variable-shadows-field"
    # Warnings (never stop compile).
    FOREIGN_MACRO = "foreign-macro"
    PLACEHOLDER_LIKE = "placeholder-like"
    # The output format (TemplateFormatError).
    INVALID_JSON = "invalid-json"
    DUPLICATE_KEY = "duplicate-key"
    INVALID_XML = "invalid-xml"
    INVALID_QUERY = "invalid-query"
    INVALID_URL = "invalid-url"
    INVALID_HEADER = "invalid-header"
    DOCTYPE_NOT_ALLOWED = "doctype-not-allowed"
    XML_NAME_NOT_PORTABLE = "xml-name-not-portable"
    NESTING_TOO_DEEP = "nesting-too-deep"
    JOIN_STRUCTURE = "join-structure"
    AMBIGUOUS_POSITION = "ambiguous-position"
    PLACEHOLDER_GLUED = "placeholder-glued"
    PLACEHOLDER_POSITION = "placeholder-position"
    PLACEHOLDER_IN_KEY = "placeholder-in-key"
    PLACEHOLDER_IN_ESCAPE = "placeholder-in-escape"
    PLACEHOLDER_IN_REFERENCE = "placeholder-in-reference"
    PLACEHOLDER_OUTSIDE_ROOT = "placeholder-outside-root"
    PLACEHOLDER_IN_NAMESPACE_DECLARATION = "placeholder-in-namespace-declaration"
    PLACEHOLDER_IN_TAG_NAME = "placeholder-in-tag-name"
    PLACEHOLDER_IN_ATTRIBUTE_NAME = "placeholder-in-attribute-name"
    PLACEHOLDER_UNQUOTED_ATTRIBUTE = "placeholder-unquoted-attribute"
    PLACEHOLDER_IN_COMMENT = "placeholder-in-comment"
    PLACEHOLDER_IN_PROCESSING_INSTRUCTION = "placeholder-in-processing-instruction"
    PLACEHOLDER_IN_MARKUP = "placeholder-in-markup"
    PLACEHOLDER_IN_SCHEME = "placeholder-in-scheme"
    PLACEHOLDER_IN_USERINFO = "placeholder-in-userinfo"
    PLACEHOLDER_IN_HOST = "placeholder-in-host"
    PLACEHOLDER_IN_PORT = "placeholder-in-port"
    # Reading a body back (only when asked: ``check(reading=True)``).
    READING_ADJACENT = "reading-adjacent"
    READING_SEPARATOR = "reading-separator"
    READING_JOIN_SEPARATOR = "reading-join-separator"
    READING_HEADER_TRIM = "reading-header-trim"
    READING_AMBIGUOUS = "reading-ambiguous"
    READING_UNPROVEN = "reading-unproven"
    # Files the command line cannot use (never raised by compile or check).
    UNREADABLE_FILE = "unreadable-file"
    UNKNOWN_FORMAT = "unknown-format"
    INVALID_NOTIFICATION = "invalid-notification"

    def __str__(self) -> str:
        return self.value


# Codes after which the node list is incomplete or meaningless, so the format is
# not checked (its messages would only echo the first defect).
BLOCKING: frozenset[Code] = frozenset(
    {
        Code.TEMPLATE_TOO_LARGE,
        Code.INVALID_CALL,
        Code.UNTERMINATED_STRING,
        Code.UNTERMINATED_CALL,
        Code.UNKNOWN_FUNCTION,
        Code.NESTED_JOIN,
        Code.JOIN_ARGUMENTS,
        Code.PLACEHOLDER_IN_SEPARATOR,
        Code.UNKNOWN_COLLECTION,
        Code.LOOP_VARIABLE_SHADOWS_FIELD,
    }
)

_FIELD_CODES: frozenset[Code] = frozenset(
    {Code.UNKNOWN_FIELD, Code.UNKNOWN_ITEM_FIELD, Code.UNKNOWN_COLLECTION}
)
_SYNTAX_CODES: frozenset[Code] = frozenset(
    {
        Code.TEMPLATE_TOO_LARGE,
        Code.MALFORMED_PLACEHOLDER,
        Code.INVALID_CALL,
        Code.UNTERMINATED_STRING,
        Code.UNTERMINATED_CALL,
        Code.UNKNOWN_FUNCTION,
        Code.NESTED_JOIN,
        Code.JOIN_ARGUMENTS,
        Code.PLACEHOLDER_IN_SEPARATOR,
        Code.COLLECTION_AS_PLACEHOLDER,
        Code.ITEM_OUTSIDE_JOIN,
        Code.ITEM_WITHOUT_ATTRIBUTE,
        Code.WRONG_LOOP_VARIABLE,
        Code.LOOP_VARIABLE_SHADOWS_FIELD,
    }
)


class Problem(NamedTuple):
    """One defect of a template: where it is, what it is, and how to fix it.

    ``span`` is the half-open range of source offsets it covers; ``suggestion`` is
    the text that should stand there instead (``{DeltaAmount}``), if one is known.
    """

    span: Span
    code: Code
    message: str
    suggestion: str | None = None
    severity: Severity = "error"

    @property
    def blocking(self) -> bool:
        """Whether the template's structure is too broken to check its format."""
        return self.code in BLOCKING


def has_errors(problems: Iterable[Problem]) -> bool:
    """Return whether any of ``problems`` prevents compiling (warnings do not)."""
    return any(p.severity == "error" for p in problems)


class LineIndex:
    """Turns character offsets into 1-based (line, column) pairs."""

    __slots__ = ("_starts",)

    def __init__(self, source: str) -> None:
        starts = [0]
        find = source.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return ``(line, column)`` of ``offset``."""
        i = bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


def _diagnostic(problem: Problem, lines: LineIndex) -> Diagnostic:
    # The public record loads with the first defect found (docs/performance.md).
    from ._diagnostic import Diagnostic

    start, end = problem.span
    line, col = lines.position(start)
    end_line, end_col = lines.position(max(end, start))
    return Diagnostic(
        problem.severity,
        problem.code.value,
        problem.message,
        line,
        col,
        end_line,
        end_col,
        problem.suggestion,
    )


def diagnostics(problems: Iterable[Problem], lines: LineIndex) -> list[Diagnostic]:
    """Return ``problems`` as public ``Diagnostic`` records."""
    return [_diagnostic(p, lines) for p in problems]


def _field_name(problem: Problem, source: str) -> str:
    """Return the unknown name an ``UnknownFieldError`` reports, as written."""
    text = source[problem.span.start : problem.span.end]
    if problem.code == Code.UNKNOWN_COLLECTION:
        return text
    inner = text[1:-1]
    return inner.split(".", 1)[1] if problem.code == Code.UNKNOWN_ITEM_FIELD else inner


def raise_for(problems: Sequence[Problem], source: str, lines: LineIndex, name: str) -> NoReturn:
    """Raise the ``TemplateError`` for ``problems``: its class is that of the first error."""
    errors = [p for p in problems if p.severity == "error"]
    first = errors[0]
    found = tuple(_diagnostic(p, lines) for p in errors)
    diag = found[0]
    common = {
        "line": diag.line,
        "column": diag.column,
        "end_line": diag.end_line,
        "end_column": diag.end_column,
        "source": source,
        "name": name,
        "code": first.code.value,
        "diagnostics": found,
    }
    if first.code in _FIELD_CODES:
        raise UnknownFieldError(
            first.message,
            field=_field_name(first, source),
            suggestion=first.suggestion,
            **common,
        )
    if first.code in _SYNTAX_CODES:
        raise TemplateSyntaxError(first.message, **common)  # type: ignore[arg-type]
    raise TemplateFormatError(first.message, **common)  # type: ignore[arg-type]
