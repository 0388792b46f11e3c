"""The exceptions postback raises on purpose.

::

    PostbackError                       base of everything the library raises on purpose
    ├── TemplateError                   compile-time; .message .line .column .source .name
    │   ├── TemplateSyntaxError         the language rules (docs/language.md)
    │   ├── UnknownFieldError           .field, .suggestion (or None)
    │   └── TemplateFormatError         the template cannot yield well-formed output
    ├── RecordError                     a record value of the wrong type/shape; .field
    │                                   (.line .column for invalid JSON)
    ├── RenderError                     a missing value under missing="error", a header
    │                                   value with CR/LF/NUL, a non-finite Decimal, ...
    ├── ParseError                      a received body its template cannot read back;
    │                                   .line .column .template_line .template_column
    │                                   .expected .found .field .readings .part
    ├── ConfigError                     invalid notification settings
    └── CaseError                       a golden case's input cannot be used
                                        (postback.testing)

Every ``PostbackError`` is also a ``ValueError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._diagnostic import Diagnostic

__all__ = [
    "CaseError",
    "ConfigError",
    "ParseError",
    "PostbackError",
    "RecordError",
    "RenderError",
    "TemplateError",
    "TemplateFormatError",
    "TemplateSyntaxError",
    "UnknownFieldError",
    "caret_snippet",
]


class PostbackError(ValueError):
    """Base class of every error postback raises on purpose."""


def caret_snippet(
    source: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None
) -> str:
    """Return the source line ``line`` and a caret line under ``column``..``end_column``.

    Columns are 1-based and count characters; ``end_column`` is exclusive.  A span
    that runs past the end of the line is underlined to the end of the line.
    """
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].rstrip("\r")
    # Tabs would shift the caret; show them as single spaces so columns line up.
    shown = "".join(" " if ch == "\t" else ch for ch in text)
    start = max(column, 1)
    if end_line is not None and end_line == line and end_column is not None:
        stop = max(end_column, start + 1)
    elif end_line is not None and end_line > line:
        stop = max(len(text) + 1, start + 1)
    else:
        stop = start + 1
    width = max(stop - start, 1)
    return f"    {shown}\n    {' ' * (start - 1)}{'^' * width}"


class TemplateError(PostbackError):
    """A template that cannot be compiled.

    Attributes: ``message`` (what is wrong and how to fix it), ``line`` and ``column``
    (1-based, in characters; ``None`` when the error has no position), ``end_line``,
    ``end_column``, ``source`` (the template text), ``name`` (the template's name, for
    example a file name, or ``"<template>"``), ``code`` (the stable diagnostic id),
    and ``diagnostics`` (every error found, as ``Diagnostic`` records).
    """

    code = "template-error"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        source: str = "",
        name: str = "<template>",
        code: str | None = None,
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.source = source
        self.name = name
        if code is not None:
            self.code = code
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        if self.line is None or self.column is None:
            return f"{self.message}\n  --> {self.name}"
        out = f"{self.message}\n  --> {self.name}:{self.line}:{self.column}"
        snippet = caret_snippet(self.source, self.line, self.column, self.end_line, self.end_column)
        if snippet:
            out += "\n" + snippet
        extra = len(self.diagnostics) - 1
        if extra > 0:
            out += f"\n  ({extra} more error{'s' if extra > 1 else ''}; postback.check() lists all)"
        return out

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_template_error,
            (
                type(self),
                self.message,
                self.line,
                self.column,
                self.end_line,
                self.end_column,
                self.source,
                self.name,
                self.code,
                self.diagnostics,
                getattr(self, "field", None),
                getattr(self, "suggestion", None),
            ),
        )


def _rebuild_template_error(
    cls: type[TemplateError],
    message: str,
    line: int | None,
    column: int | None,
    end_line: int | None,
    end_column: int | None,
    source: str,
    name: str,
    code: str,
    diagnostics: tuple[Diagnostic, ...],
    field: str | None,
    suggestion: str | None,
) -> TemplateError:
    err = TemplateError.__new__(cls)
    TemplateError.__init__(
        err,
        message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        source=source,
        name=name,
        code=code,
        diagnostics=diagnostics,
    )
    if isinstance(err, UnknownFieldError):
        err.field = field or ""
        err.suggestion = suggestion
    return err


class TemplateSyntaxError(TemplateError):
    """The template breaks a rule of the placeholder language."""

    code = "syntax-error"


class UnknownFieldError(TemplateError):
    """A placeholder names a field (or item attribute) that does not exist.

    ``field`` is the name as written; ``suggestion`` is the closest known name, or None.
    """

    code = "unknown-field"

    def __init__(
        self, message: str, *, field: str = "", suggestion: str | None = None, **kw: object
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.field = field
        self.suggestion = suggestion


class TemplateFormatError(TemplateError):
    """The template cannot yield well-formed output in its format."""

    code = "format-error"


class _FieldError(PostbackError):
    """The shared body of ``RecordError`` and ``RenderError``: a message and the field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_simple, (type(self), self.message, self.field))


class RecordError(_FieldError):
    """A record value has the wrong type or shape; ``field`` names it.

    An error in the JSON text of a record (``Action.from_json``) also has ``line``
    and ``column`` (1-based; None otherwise), and ``str()`` starts with them.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}, column {self.column}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_record_error, (self.message, self.field, self.line, self.column))


class RenderError(_FieldError):
    """Rendering failed: a missing value under ``missing="error"``, a header value that
    would carry CR, LF or NUL, a non-finite Decimal, ..."""


class ParseError(PostbackError):
    """A received body that its template cannot read back (``Template.parse``).

    ``line`` and ``column`` (1-based, in characters) are where the received text stops
    matching; ``template_line`` and ``template_column`` where the template writes what
    was expected there (None when the error has no such place); ``expected`` and
    ``found`` say what was expected and what is there; ``field`` names the placeholder
    (``Payout``, ``i.amt``) whose text is there but does not convert; ``readings`` holds
    the two readings of a text that can be read two ways (else it is empty); ``part``,
    for ``Notification.parse``, the part of the request the error is in, named as its
    setting (``"url"``, ``"headers.X-Token"``, ``"body"``), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        template_line: int | None = None,
        template_column: int | None = None,
        expected: str | None = None,
        found: str | None = None,
        field: str | None = None,
        readings: tuple[str, ...] = (),
        part: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.template_line = template_line
        self.template_column = template_column
        self.expected = expected
        self.found = found
        self.field = field
        self.readings = readings
        self.part = part

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_parse_error, (self.message, dict(self.__dict__)))


def _rebuild_parse_error(message: str, attributes: dict[str, object]) -> ParseError:
    error = ParseError(message)
    error.__dict__.update(attributes)
    return error


class ConfigError(PostbackError):
    """Invalid notification settings; ``setting`` names the offending one."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.setting = setting

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_config, (self.message, self.setting))


class CaseError(PostbackError):
    """A case's input cannot be used: an unreadable file, a record that is not valid."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _rebuild_simple(cls: type[_FieldError], message: str, field: str | None) -> PostbackError:
    return cls(message, field=field)


def _rebuild_record_error(
    message: str, field: str | None, line: int | None, column: int | None
) -> RecordError:
    return RecordError(message, field=field, line=line, column=column)


def _rebuild_config(message: str, setting: str | None) -> ConfigError:
    return ConfigError(message, setting=setting)


def __getattr__(name: str) -> Any:
    # ``Diagnostic`` lives in _diagnostic.py, loaded with the first diagnostic made:
    # a dataclass costs its module's import (several milliseconds) at every start, and
    # a check that finds nothing makes none.  Its old home still names it.
    if name == "Diagnostic":
        from ._diagnostic import Diagnostic

        return Diagnostic
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
