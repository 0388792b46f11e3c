"""``postback parse-request``: received requests read back into records with a notification.

A request is a JSON object in the shape one line of ``prepare --records`` writes:
``{"method": ..., "url": ..., "headers": [[NAME, VALUE], ...] or {NAME: VALUE}, "body":
TEXT or null}`` (or ``"body_base64"`` for a body that is not UTF-8; ``line`` and
``not_before`` are ignored).  One request (a file, or standard input) prints its record
as JSON, the shape ``render --record`` reads; ``--records FILE`` reads JSON Lines of
requests and writes one result per line, like the other bulk commands
(``{"line": N, "record": {...}}`` or ``{"line": N, "error": {...}}``).  A request that
does not read back (``ParseError``) fails: exit 1.  docs/cli.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

from .._bulk import Skipped
from .._errors import ParseError, TemplateError
from .._files.text import read_input
from .._messages import spelled
from .._sending.notification import Notification
from .bulk import _drive, _Source
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    STDIN,
    CliError,
    display,
    emit,
    err_line,
    template_error_lines,
    write,
)
from .prepare import _load_notification, _notification_label

__all__ = ["check_flags", "cmd_parse_request", "parse_requests"]

_IGNORED: Final = frozenset({"line", "not_before"})  # what prepare --records writes besides
_KEYS: Final = ("method", "url", "headers", "body", "body_base64")
_BLANK: Final = b" \t\r\n"

FailureCode = Literal["invalid-json", "not-an-object", "request-error", "parse-error"]


def cmd_parse_request(args: argparse.Namespace) -> int:
    """Run ``postback parse-request``; return the exit status."""
    check_flags(args)
    with spelled("notification"):
        try:
            notification = _load_notification(args.notification)
        except TemplateError as err:
            label = _notification_label(display(args.notification), err)
            write(sys.stderr, "".join(line + "\n" for line in template_error_lines(label, err)))
            return EXIT_FAILED
    return parse_requests(args, notification)


def check_flags(args: argparse.Namespace) -> None:
    """Refuse the options of ``--records`` without it, and two inputs on standard input."""
    request = STDIN if args.request is None else args.request
    if args.records is None:
        for flag, value in (("--fail-fast", args.fail_fast), ("--quiet", args.quiet)):
            if value:
                raise CliError(f"{flag} needs --records")
    if args.notification == STDIN and (args.records or request) == STDIN:
        what = "records" if args.records is not None else "request"
        raise CliError(f"the notification and the {what} cannot both be read from stdin (-)")


def parse_requests(args: argparse.Namespace, notification: Notification) -> int:
    """Run ``parse-request`` with the loaded ``notification``; return the exit status."""
    if args.records is not None:
        source = _Source(args.records)
        try:
            # _drive writes what each result's to_json says, as for render and prepare.
            results: Iterator[Any] = _results(notification, source.lines(), args.extra)
            return _drive(results, source, args, "parsing")
        finally:
            source.close()
    path = STDIN if args.request is None else args.request
    name = display(path)
    request = read_request(read_input(path, "request"))
    if isinstance(request, _Failure):
        where = "" if request.at is None else f":{request.at[0]}:{request.at[1]}"
        raise CliError(f"{name}{where}: {request.message}")
    try:
        action = request.parse(notification, args.extra)
    except ParseError as exc:
        part = f"[{exc.part}]" if exc.part else ""
        where = f":{exc.line}:{exc.column}" if exc.line is not None else ""
        err_line(f"{name}{part}{where}: {exc.message}")
        return EXIT_FAILED
    emit(json.dumps(action.to_dict(), indent=2, ensure_ascii=False, default=_json_value) + "\n")
    return EXIT_OK


# -- reading a request ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | bytes | None

    def parse(self, notification: Notification, extra: Literal["error", "keep"]) -> Any:
        return notification.parse(
            self.method, self.url, headers=self.headers, body=self.body, extra=extra
        )


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why a request (or one line of requests) gave no record."""

    code: FailureCode
    message: str
    error: ParseError | None = None
    at: tuple[int, int] | None = None  # the line and column of invalid JSON

    def to_dict(self) -> dict[str, object]:
        exc = self.error
        if exc is None:
            where = {} if self.at is None else {"line": self.at[0], "column": self.at[1]}
            return {"code": self.code, "message": self.message, **where}
        return {
            "code": self.code,
            "message": self.message,
            "part": exc.part,
            "line": exc.line,
            "column": exc.column,
            "field": exc.field,
        }


def read_request(text: str | bytes) -> _Request | _Failure:
    """Return the request a JSON object holds, or why it holds none."""
    try:
        data = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except _Duplicate as exc:
        return _Failure("request-error", f"the key {exc.args[0]!r} is given twice")
    except json.JSONDecodeError as exc:
        message = f"invalid JSON in the request: {exc.msg}"
        return _Failure("invalid-json", message, at=(exc.lineno, exc.colno))
    except UnicodeDecodeError:
        return _Failure("invalid-json", "the request is not UTF-8 text")
    except (ValueError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return _Failure("invalid-json", f"invalid JSON in the request: {why}")
    if not isinstance(data, dict):
        return _Failure(
            "not-an-object", f"the request must be a JSON object, not {_json_type(data)}"
        )
    return _request(data)


class _Duplicate(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _request(data: dict[str, Any]) -> _Request | _Failure:
    unknown = sorted(set(data) - set(_KEYS) - _IGNORED)
    if unknown:
        keys = ", ".join(repr(k) for k in _KEYS)
        return _Failure("request-error", f"unknown key {unknown[0]!r} (a request has {keys})")
    for key in ("method", "url"):
        if not isinstance(data.get(key), str):
            return _Failure("request-error", _wrong(key, "a string", data.get(key), key in data))
    headers = _headers(data.get("headers", []))
    if isinstance(headers, _Failure):
        return headers
    if "body" in data and "body_base64" in data:
        return _Failure("request-error", "a request has body or body_base64, not both")
    body: str | bytes | None = data.get("body")
    if body is not None and not isinstance(body, str):
        return _Failure("request-error", _wrong("body", "a string or null", body, True))
    if "body_base64" in data:
        encoded = data["body_base64"]
        try:
            body = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
        except binascii.Error:
            body = None
        if body is None:
            return _Failure("request-error", _wrong("body_base64", "base64", encoded, True))
    return _Request(data["method"], data["url"], headers, body)


def _headers(value: object) -> tuple[tuple[str, str], ...] | _Failure:
    pairs = list(value.items()) if isinstance(value, dict) else value
    if not isinstance(pairs, list):
        what = "a list of [name, value] pairs or an object"
        return _Failure("request-error", _wrong("headers", what, value, True))
    out: list[tuple[str, str]] = []
    for n, pair in enumerate(pairs, 1):
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
        ):
            what = "a [name, value] pair of strings"
            return _Failure("request-error", _wrong(f"header {n}", what, pair, True))
        out.append((pair[0], pair[1]))
    return tuple(out)


def _wrong(key: str, expected: str, value: object, given: bool) -> str:
    if not given:
        return f"the request has no {key!r}"
    return f"{key!r} must be {expected}, not {_json_type(value)}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else "a number"


def _json_value(value: object) -> object:
    """What ``Action.to_dict`` leaves to JSON's writer: an extra value kept from a body."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")  # pragma: no cover - never kept


# -- many requests ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    """The result of one line of requests: its record as JSON, or why there is none."""

    index: int
    record: dict[str, object] | None
    error: _Failure | None = None

    def to_json(self) -> str:
        out: dict[str, object] = {"line": self.index + 1}
        if self.error is None:
            out["record"] = self.record
        else:
            out["error"] = self.error.to_dict()
        return json.dumps(out, ensure_ascii=False, default=_json_value)


def _results(
    notification: Notification, lines: Iterator[bytes], extra: Literal["error", "keep"]
) -> Iterator[_Parsed | Skipped]:
    """Read each line as a request and parse it; a blank line is skipped."""
    for index, line in enumerate(lines):
        if not line.strip(_BLANK):
            yield Skipped(index)
            continue
        request = read_request(line)
        if isinstance(request, _Failure):
            yield _Parsed(index, None, request)
            continue
        try:
            action = request.parse(notification, extra)
        except ParseError as exc:
            yield _Parsed(index, None, _Failure("parse-error", exc.message, exc))
        else:
            yield _Parsed(index, action.to_dict())
