"""The defects the page lists, each with the field it is in and, where there is one,
its line and column in that field's text.

Templates are checked with ``postback.check``; the header lines, the numbers and the
record are read here, so that each defect is reported where it was typed, and every
defect of every field is listed at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from .. import Action, ConfigError, Diagnostic, RecordError, check

__all__ = [
    "Finding",
    "HeaderLine",
    "checked",
    "config_finding",
    "header_lines",
    "number",
    "record_finding",
    "template_findings",
]

#: The code of a defect in a setting that is not a template (the one ``postback check``
#: gives a notification file's), of a record that cannot be read, and of a response.
INVALID_NOTIFICATION: Final = "invalid-notification"
INVALID_RECORD: Final = "invalid-record"
INVALID_RESPONSE: Final = "invalid-response"


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect: the page's ``field`` it is in, and the ``Diagnostic``'s parts.

    ``line`` and ``column`` are 1-based and count characters of the field's text
    (``end_column`` exclusive); they are None for a defect of the field as a whole.
    """

    field: str
    severity: str
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    suggestion: str | None = None

    def to_json(self) -> dict[str, object]:
        """The finding as the page reads it."""
        return {
            "field": self.field,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "suggestion": self.suggestion,
        }


def _frozen(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@lru_cache(maxsize=32)
def _check(
    source: str, fmt: str, name: str, options: tuple[tuple[str, Any], ...]
) -> list[Diagnostic]:
    kwargs: dict[str, Any] = dict(options)
    return check(source, fmt, name=name, **kwargs)  # type: ignore[arg-type]


def checked(source: str, fmt: str, name: str, options: Mapping[str, Any]) -> tuple[Diagnostic, ...]:
    """``postback.check`` of ``source``, remembered for the last templates checked: the
    page sends every field on each keystroke, and a large body is checked once."""
    key = tuple(sorted((k, _frozen(v)) for k, v in options.items()))
    return tuple(_check(source, fmt, name, key))


def template_findings(
    field: str,
    diagnostics: tuple[Diagnostic, ...],
    *,
    line: int = 1,
    column: int = 1,
) -> list[Finding]:
    """The diagnostics of a template that starts at ``line`` and ``column`` of the
    field's text (a header value, after its name)."""

    def moved(at_line: int, at_column: int) -> tuple[int, int]:
        if at_line == 1:
            return line, column + at_column - 1
        return line + at_line - 1, at_column

    found = []
    for d in diagnostics:
        start_line, start_column = moved(d.line, d.column)
        end_line, end_column = moved(d.end_line, d.end_column)
        found.append(
            Finding(
                field, d.severity, d.code, d.message,
                start_line, start_column, end_line, end_column, d.suggestion,
            )
        )  # fmt: skip
    return found


def config_finding(field: str, message: str, line: int | None = None) -> Finding:
    """A defect of a setting, at ``line`` of the field when it is known."""
    if line is None:
        return Finding(field, "error", INVALID_NOTIFICATION, message)
    return Finding(field, "error", INVALID_NOTIFICATION, message, line, 1, line, 2)


@dataclass(frozen=True, slots=True)
class HeaderLine:
    """One ``Name: value`` line of the HTTP header field: its line number, the name,
    the value with the spaces around it dropped, and the column the value starts at."""

    line: int
    name: str
    value: str
    column: int


def header_lines(text: str) -> tuple[list[HeaderLine], list[Finding]]:
    """Split the HTTP header field into lines; blank lines are skipped, and a line
    without a colon is a defect at its line."""
    found: list[HeaderLine] = []
    problems: list[Finding] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        name, colon, rest = line.partition(":")
        if not colon:
            problems.append(
                config_finding(
                    "headers",
                    f"header line {number} has no colon: write each header as "
                    "Name: value, for example X-Action-Id: {ActionId}",
                    number,
                )
            )
            continue
        value = rest.strip()
        start = len(name) + 1 + (len(rest) - len(rest.lstrip()))
        found.append(HeaderLine(number, name.strip(), value, start + 1))
    return found, problems


_INTEGER: Final = re.compile(r"[0-9]+")
_DECIMAL: Final = re.compile(r"[0-9]+\.[0-9]+")


def number(text: str, field: str, label: str, *, fraction: bool) -> int | Decimal | Finding:
    """Read a number typed in ``field``: digits, or with ``fraction`` digits with a
    decimal point; anything else is a defect naming the field as the screen does."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if fraction and _DECIMAL.fullmatch(text):
        return Decimal(text)
    example = "a number of seconds, such as 30 or 1.5" if fraction else "a whole number, such as 10"
    return config_finding(field, f"{label} must be {example}, not {text!r}")


def record_finding(exc: RecordError) -> Finding:
    """The defect of a record that cannot be read, at its line and column if known."""
    if exc.line is None or exc.column is None:
        return Finding("record", "error", INVALID_RECORD, exc.message)
    return Finding(
        "record", "error", INVALID_RECORD, exc.message,
        exc.line, exc.column, exc.line, exc.column + 1,
    )  # fmt: skip


def read_record(text: str, options: Mapping[str, Any]) -> Action | Finding:
    """The record's JSON text as an ``Action``, read with the notification's options."""
    if not text.strip():
        return Finding(
            "record", "error", INVALID_RECORD, "the record is empty: write a JSON object"
        )
    try:
        return Action.from_json(
            text,
            extra=tuple(options.get("extra_fields", ()) or ()),
            unknown_keys=options.get("unknown_keys", "error"),
            day_first=options.get("day_first"),
        )
    except RecordError as exc:
        return record_finding(exc)
    except ConfigError as exc:
        return config_finding("options", exc.message)
