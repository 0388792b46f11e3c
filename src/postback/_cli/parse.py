"""``postback parse``: a received body read back into its record, printed as JSON.

``postback parse TEMPLATE [BODY]`` compiles the template as ``render`` does (the same
flags and project settings), reads the body as bytes (standard input for ``-`` or
none) with ``Template.parse``, and prints the record as the JSON object ``render
--record`` reads, so that ``postback render TEMPLATE --record FILE`` with that output
gives the body back.  A body that does not read back is reported as
``BODY:LINE:COLUMN: message``, with a second line at the template's place when the
error has one, and exit status 1.

``--records FILE`` reads JSON Lines instead, each line a JSON string holding one body,
and writes one line per input line as ``render --records`` does: ``{"line": N,
"record": {...}}``, ``{"line": N, "error": {"code": ..., "message": ..., ...}}`` or
``{"line": N, "skipped": "blank line"}``.  docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Final, Literal

from .._bulk import Skipped
from .._errors import ParseError, TemplateError
from .._files.inputs import read_template
from .._files.text import read_input_bytes
from .._messages import not_utf8
from .._records.action import Action
from .._template import Template, compile_template
from .bulk import Outcome, check_bulk_flags, drive_records
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    STDIN,
    CliError,
    display,
    emit,
    one_line,
    printable,
    project_from,
    template_error_lines,
    template_format,
    write,
)

__all__ = ["FAILURE_CODES", "cmd_parse", "record_json"]

#: The ``code`` of each failed line of ``parse --records``, and what it means.
FAILURE_CODES: Final = {
    "invalid-json": "the line is not one JSON value in UTF-8",
    "not-a-string": "the line is valid JSON (or starts an object or an array) but not a string",
    "parse-error": "the body does not read back with the template (ParseError)",
}

FailureCode = Literal["invalid-json", "not-a-string", "parse-error"]

# What JSON counts as whitespace (RFC 8259, section 2), as render --records reads it.
_JSON_SPACE: Final = " \t\r\n"
_CONTAINERS: Final = {"{": "an object", "[": "an array"}


class _Number:
    """A JSON number on a line, left as its text: a line must be a string, and
    converting 5,000 digits to an int would raise an interpreter limit's ValueError."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_DECODER: Final = json.JSONDecoder(parse_int=_Number, parse_float=_Number, parse_constant=_Number)


# ---------------------------------------------------------------------------
# The record as JSON
# ---------------------------------------------------------------------------


def record_json(action: Action, *, indent: int | None = None) -> str:
    """Return ``action`` as the JSON object ``render --record`` reads: ``Action.to_dict()``,
    on one line, or with ``indent`` spaces per level.

    A ``Decimal`` among the extra fields (a JSON number ``Template.parse`` read) is
    written as a JSON number with its exact digits, which ``Action.from_json`` reads
    back as the same ``Decimal``: as a string, an extra field would render quoted.
    """
    return _value(action.to_dict(), indent, 0)


def _value(value: object, indent: int | None, depth: int) -> str:
    # One frame a level: an extra field nests at most as deep as Template.parse reads.
    if isinstance(value, dict):
        members = []
        for key, member in value.items():
            members.append(f"{encode_basestring(str(key))}: {_value(member, indent, depth + 1)}")
        return _container("{", members, "}", indent, depth)
    if isinstance(value, list | tuple):
        elements = []
        for element in value:
            elements.append(_value(element, indent, depth + 1))
        return _container("[", elements, "]", indent, depth)
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return encode_basestring(value.isoformat())
    raise TypeError(f"{type(value).__name__} is not JSON")  # pragma: no cover - never read


def _container(start: str, parts: list[str], end: str, indent: int | None, depth: int) -> str:
    if not parts:
        return start + end
    if indent is None:
        return start + ", ".join(parts) + end
    inner = "\n" + " " * (indent * (depth + 1))
    return start + inner + ("," + inner).join(parts) + "\n" + " " * (indent * depth) + end


# ---------------------------------------------------------------------------
# One body
# ---------------------------------------------------------------------------


def _error_lines(body: str, template: str, err: ParseError) -> list[str]:
    """``BODY:LINE:COLUMN: message``, and ``TEMPLATE:LINE:COLUMN: the template expects
    ... here`` when the error has a place in the template."""
    message = printable(one_line(err.message))
    where = printable(body)
    if err.line is not None and err.column is not None:
        where = f"{where}:{err.line}:{err.column}"
    lines = [f"{where}: {message}"]
    if err.template_line is not None and err.template_column is not None:
        expected = printable(one_line(err.expected or "what is written"))
        lines.append(
            f"{printable(template)}:{err.template_line}:{err.template_column}: "
            f"the template expects {expected} here"
        )
    return lines


def cmd_parse(args: argparse.Namespace) -> int:
    """Run ``postback parse``."""
    body: str = STDIN if args.body is None else args.body
    if args.records is not None and args.body is not None:
        raise CliError("BODY and --records cannot both be given: --records reads the bodies")
    if args.records is None and args.template == STDIN and body == STDIN:
        raise CliError(
            "the template and the body cannot both be read from stdin (-): name the body file"
        )
    check_bulk_flags(args, args.template)
    project = project_from(args, validate=False)
    fmt = template_format(project, args.template, args.format)
    name = display(args.template)
    source = read_template(args.template)
    options = project.compile_options(args.template, name)
    data = read_input_bytes(body, "body") if args.records is None else b""
    try:
        template = compile_template(source, fmt, options)
    except TemplateError as err:
        write(sys.stderr, "".join(line + "\n" for line in template_error_lines(name, err)))
        return EXIT_FAILED
    if args.records is not None:
        extra = args.extra

        def results_of(lines: Iterator[bytes]) -> Iterator[Outcome | Skipped]:
            return _parse_lines(template, lines, extra)

        return drive_records(args, results_of, "parsing", "bodies")
    try:
        action = template.parse(data, extra=args.extra)
    except ParseError as err:
        write(sys.stderr, "".join(line + "\n" for line in _error_lines(display(body), name, err)))
        return EXIT_FAILED
    emit(record_json(action, indent=2) + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------------
# --records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    """The record read from the body of line ``index + 1``."""

    index: int
    action: Action
    error: None = None

    def to_json(self) -> str:
        return f'{{"line": {self.index + 1}, "record": {record_json(self.action)}}}'


@dataclass(frozen=True, slots=True)
class _Failed:
    """Why line ``index + 1`` gave no record: ``error`` is the object written."""

    index: int
    error: dict[str, object]

    def to_json(self) -> str:
        return json.dumps({"line": self.index + 1, "error": self.error}, ensure_ascii=False)


def _failure(code: FailureCode, message: str, err: ParseError | None = None) -> dict[str, object]:
    """The error object of a failed line: the same keys whatever the code, null where the
    failure has nothing to say (only a ``parse-error`` has places)."""
    return {
        "code": code,
        "message": message,
        "line": err and err.line,
        "column": err and err.column,
        "template_line": err and err.template_line,
        "template_column": err and err.template_column,
        "expected": err and err.expected,
        "found": err and err.found,
        "field": err and err.field,
        "readings": list(err.readings) if err else [],
    }


def _body_of(line: bytes) -> str | dict[str, object] | None:
    """Return the body a line holds, the failure of a line that holds none, or None for
    a blank line."""
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return _failure("invalid-json", f"the line is {not_utf8(line, exc.start, 'the line')}")
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    if start == len(text):
        return None
    what = _CONTAINERS.get(text[start])
    if what is None:
        # A string or a scalar: read without recursion.
        try:
            value, end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            # "Unterminated string starting at", "Expecting value": the place follows.
            reason = exc.msg.removesuffix(" at")
            return _failure("invalid-json", f"invalid JSON: {reason} at character {exc.pos + 1}")
        if text[end:].strip(_JSON_SPACE):
            return _failure(
                "invalid-json", f"invalid JSON: extra data after the value at character {end + 1}"
            )
        if isinstance(value, str):
            return value
        what = "null" if value is None else _describe(value)
    return _failure("not-a-string", f"a line must be a JSON string holding one body, not {what}")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a number"  # a _Number: the decoder converts nothing else


def _parse_lines(
    template: Template, lines: Iterator[bytes], extra: Literal["error", "keep"]
) -> Iterator[Outcome | Skipped]:
    """Yield the result of each line: a record, a failure, or a skipped blank line."""
    for index, line in enumerate(lines):
        body = _body_of(line)
        if body is None:
            yield Skipped(index)
        elif isinstance(body, dict):
            yield _Failed(index, body)
        else:
            try:
                yield _Parsed(index, template.parse(body, extra=extra))
            except ParseError as err:
                yield _Failed(index, _failure("parse-error", err.message, err))
