"""Rendering and preparing many records in one pass: one result per record, in order.

``Template.render_many`` and ``Notification.prepare_many`` take any iterable of records
(``Action`` objects, mappings, or lines of JSON text as a file yields them) and yield
a ``Rendered`` or ``Prepared`` result per record as soon as it is made; a blank line
(nothing but JSON whitespace) is counted but yields nothing.  The command line reads
through ``render_lines`` and ``prepare_lines``, which yield a ``Skipped`` for each blank
line too, so that every line of a records file has its line of output.  Nothing is kept
from one record to the next, so memory stays flat however many records there are.  A
record that cannot be read or rendered yields a result whose ``error`` says why, and
the loop goes on: a bad record never stops the run and is never dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, TypeAlias, TypeVar

from ._errors import PostbackError, RecordError, RenderError
from ._records.action import Action
from ._records.convert import UnknownKeys
from ._sending.secrets import masked_headers

if TYPE_CHECKING:
    from ._sending.notification import Notification
    from ._sending.request import PreparedRequest
    from ._template import Template

__all__ = [
    "ERROR_CODES",
    "Prepared",
    "PreparedFailed",
    "PreparedOk",
    "RecordFailure",
    "Rendered",
    "RenderedFailed",
    "RenderedOk",
    "Skipped",
    "prepare_lines",
    "prepare_many",
    "read_line",
    "render_lines",
    "render_many",
    "request_dict",
]

FailureCode = Literal["invalid-json", "not-an-object", "record-error", "render-error"]

#: Every ``RecordFailure.code``, and what it means.
ERROR_CODES: Final[Mapping[str, str]] = {
    "invalid-json": "the line is not one JSON value in UTF-8 (or is nested too deeply)",
    "not-an-object": "the record is valid JSON but not an object (or, in Python, neither "
    "an Action, a mapping nor a line of text)",
    "record-error": "the record is an object that is not a valid action: an unknown key, "
    "a value of the wrong type, NaN, Infinity, a key given twice (RecordError)",
    "render-error": "the action cannot be rendered: a missing value under "
    'missing="error", a header value with CR or LF, ... (RenderError)',
}

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# What JSON counts as whitespace (RFC 8259, section 2): a line of nothing else is blank.
# Vertical tab, form feed and the other characters str.strip() removes are not.
_JSON_SPACE: Final = " \t\r\n"
_JSON_SPACE_BYTES: Final = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class RecordFailure:
    """Why one record gave no body or request.

    ``code`` is one of ``ERROR_CODES`` (``invalid-json``, ``not-an-object``,
    ``record-error``, ``render-error``); ``message`` says what is wrong in words;
    ``field`` names the field at fault when there is one (``"Payout"``,
    ``"items[2].amt"``), else None.
    """

    code: FailureCode
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Return ``{"code": ..., "message": ..., "field": ...}``."""
        return {"code": self.code, "message": self.message, "field": self.field}


class _Outcome:
    """What ``Rendered`` and ``Prepared`` share: the record's position and its failure."""

    __slots__ = ()
    index: int
    error: RecordFailure | None
    _shown_as: ClassVar[str]

    @property
    def line(self) -> int:
        """The 1-based position of the record: its line number in a JSON Lines file."""
        return self.index + 1

    @property
    def ok(self) -> bool:
        """Whether the record gave its result (no ``error``)."""
        return self.error is None

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{self._shown_as}({shown})"


# ``Rendered`` and ``Prepared`` are, for type checkers, the union of a result that
# succeeded and one that failed, told apart by ``ok`` (``Literal[True]`` or
# ``Literal[False]``): after ``if result.ok:`` the body or request is not None, and
# after ``if not result.ok:`` the error is not None.  At run time they are the base
# classes of those two, and calling one makes the one its arguments describe.


class _Rendered(_Outcome):
    """The result of rendering one record: its position and the body, or the failure.

    ``index`` counts the records of the input from ``start`` (0 unless given), blank
    lines included; ``line`` is ``index + 1``, the line number when the input is the
    lines of a JSON Lines file.  Exactly one of ``body`` and ``error`` is set.  The body
    is the text ``render_bytes`` encodes: the text format's lone surrogates, which UTF-8
    cannot carry, are U+FFFD here too.
    """

    __slots__ = ()
    _shown_as = "Rendered"

    def __new__(  # type: ignore[misc]
        cls,
        index: int = 0,
        body: str | None = None,
        error: RecordFailure | None = None,
    ) -> RenderedOk | RenderedFailed:
        if cls is _Rendered:
            cls = RenderedOk if error is None else RenderedFailed
        return object.__new__(cls)  # type: ignore[return-value]

    def to_json(self) -> str:
        """Return the result as one line of JSON, without the newline.

        ``{"line": N, "body": "..."}``, or ``{"line": N, "error": {"code": ..., "message":
        ..., "field": ...}}`` for a failure.  Non-ASCII text is written as it is.
        """
        raise NotImplementedError  # each result says itself how it is written


@dataclass(frozen=True, slots=True, repr=False)
class RenderedOk(_Rendered):
    """A ``Rendered`` result that holds its body."""

    index: int
    body: str
    error: None = None

    @property
    def ok(self) -> Literal[True]:
        """True: the record gave its body."""
        return True

    def to_json(self) -> str:
        # What json.dumps writes for this dict, without its per-call setup.
        return f'{{"line": {self.index + 1}, "body": {encode_basestring(self.body)}}}'


@dataclass(frozen=True, slots=True, repr=False)
class RenderedFailed(_Rendered):
    """A ``Rendered`` result that holds why the record gave no body."""

    index: int
    body: None
    error: RecordFailure

    @property
    def ok(self) -> Literal[False]:
        """False: the record gave no body; ``error`` says why."""
        return False

    def to_json(self) -> str:
        return _dumps({"line": self.index + 1, "error": self.error.to_dict()})


class _Prepared(_Outcome):
    """The result of preparing one record: its position and the request, or the failure.

    ``index`` and ``line`` are those of ``Rendered``; exactly one of ``request`` and
    ``error`` is set.
    """

    __slots__ = ()
    _shown_as = "Prepared"

    def __new__(  # type: ignore[misc]
        cls,
        index: int = 0,
        request: PreparedRequest | None = None,
        error: RecordFailure | None = None,
    ) -> PreparedOk | PreparedFailed:
        if cls is _Prepared:
            cls = PreparedOk if error is None else PreparedFailed
        return object.__new__(cls)  # type: ignore[return-value]

    def to_json(self, *, mask: bool = False) -> str:
        """Return the result as one line of JSON, without the newline.

        ``{"line": N, "method": ..., "url": ..., "headers": [[name, value], ...],
        "body": ..., "not_before": ...}`` (see ``request_dict``; ``mask=True`` writes
        secret header values as ``***``), or ``{"line": N, "error": {...}}`` as for
        ``Rendered``.
        """
        raise NotImplementedError  # each result says itself how it is written


@dataclass(frozen=True, slots=True, repr=False)
class PreparedOk(_Prepared):
    """A ``Prepared`` result that holds its request."""

    index: int
    request: PreparedRequest
    error: None = None

    @property
    def ok(self) -> Literal[True]:
        """True: the record gave its request."""
        return True

    def to_json(self, *, mask: bool = False) -> str:
        return _dumps({"line": self.index + 1, **request_dict(self.request, mask=mask)})


@dataclass(frozen=True, slots=True, repr=False)
class PreparedFailed(_Prepared):
    """A ``Prepared`` result that holds why the record gave no request."""

    index: int
    request: None
    error: RecordFailure

    @property
    def ok(self) -> Literal[False]:
        """False: the record gave no request; ``error`` says why."""
        return False

    def to_json(self, *, mask: bool = False) -> str:
        return _dumps({"line": self.index + 1, "error": self.error.to_dict()})


if TYPE_CHECKING:
    Rendered: TypeAlias = RenderedOk | RenderedFailed
    Prepared: TypeAlias = PreparedOk | PreparedFailed
else:
    # The names the package exports, for isinstance() and pickling by reference.
    Rendered, Prepared = _Rendered, _Prepared
    _Rendered.__name__ = _Rendered.__qualname__ = "Rendered"
    _Prepared.__name__ = _Prepared.__qualname__ = "Prepared"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A blank line of a records file: no record, but its line of output on the command line.

    ``render_lines`` and ``prepare_lines`` yield one where ``render_many`` and
    ``prepare_many`` yield nothing; ``index`` counts as theirs do.
    """

    index: int

    @property
    def line(self) -> int:
        """The 1-based line number of the blank line."""
        return self.index + 1

    def to_json(self) -> str:
        """Return ``{"line": N, "skipped": "blank line"}``, without the newline."""
        return f'{{"line": {self.index + 1}, "skipped": "blank line"}}'


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def request_dict(request: PreparedRequest, *, mask: bool = False) -> dict[str, Any]:
    """Return a prepared request as JSON-ready values.

    ``method`` and ``url`` as they are; ``headers`` a list of ``[name, value]`` pairs in
    order (with ``mask``, the values of secret headers written ``***`` as
    ``PreparedRequest.to_http(mask=True)`` writes them); ``body`` the body as text when it is UTF-8 (which every rendered body is),
    or null without a body; a body that is not UTF-8 is written instead as
    ``body_base64`` (standard base64) with no ``body`` key, so no reader can take it for
    text; ``not_before`` in ISO 8601 with its UTC offset.
    """
    headers = masked_headers(request.headers) if mask else request.headers
    out: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "headers": [list(pair) for pair in headers],
    }
    body = request.body
    if body is None:
        out["body"] = None
    else:
        try:
            out["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            import base64

            out["body_base64"] = base64.b64encode(body).decode("ascii")
    out["not_before"] = request.not_before.isoformat()
    return out


# ---------------------------------------------------------------------------
# Reading one record
# ---------------------------------------------------------------------------


_NOT_AN_OBJECT: Final = "a record must be a JSON object"


def read_line(
    line: str | bytes | bytearray,
    extra: Iterable[str],
    unknown_keys: UnknownKeys,
    day_first: bool | None = None,
) -> Action | RecordFailure:
    """Return the action one line of JSON text holds, or why there is none.

    The line is read as ``Action.from_json`` reads it (``--record`` too): numbers with
    a fraction are exact ``Decimal``, and NaN, Infinity, a key given twice or a number
    of more than 1,000 digits are refused, naming the key.
    """
    try:
        return Action.from_json(line, extra=extra, unknown_keys=unknown_keys, day_first=day_first)
    except RecordError as exc:
        return _line_failure(line, exc)


def _line_failure(line: str | bytes | bytearray, exc: RecordError) -> RecordFailure:
    if exc.line is not None:
        # Placed by character within the line, without its line end, so that a file's
        # line and the same line without its newline (as Spark hands it over) report
        # the same place.
        text = line if isinstance(line, str) else bytes(line).decode("utf-8", "replace")
        column = exc.column if exc.line == 1 else len(text.rstrip("\r\n")) + 1
        return RecordFailure("invalid-json", f"{exc.message} at character {column}")
    if exc.field is None:  # the JSON as a whole: not UTF-8, nested too deeply, ...
        code: FailureCode = (
            "not-an-object" if exc.message.startswith(_NOT_AN_OBJECT) else "invalid-json"
        )
        return RecordFailure(code, exc.message)
    return RecordFailure("record-error", exc.message, exc.field)


def _read(
    record: object, extra: Iterable[str], unknown_keys: UnknownKeys, day_first: bool | None
) -> Action | Mapping[str, object] | RecordFailure | None:
    """Return the record to render, a failure, or None for a blank line.

    A line is blank when it holds nothing but JSON whitespace: space, tab, CR and LF.
    """
    if isinstance(record, str):
        if not record.strip(_JSON_SPACE):
            return None
        return read_line(record, extra, unknown_keys, day_first)
    if isinstance(record, bytes | bytearray):
        if not record.strip(_JSON_SPACE_BYTES):
            return None
        return read_line(record, extra, unknown_keys, day_first)
    if isinstance(record, Action | Mapping):
        return record
    return RecordFailure(
        "not-an-object",
        "a record must be a postback.Action, a mapping or a line of JSON text, "
        f"not {type(record).__name__}",
    )


def _failure(exc: PostbackError) -> RecordFailure:
    code: FailureCode = "render-error" if isinstance(exc, RenderError) else "record-error"
    return RecordFailure(code, str(exc), getattr(exc, "field", None))


# ---------------------------------------------------------------------------
# The loops
# ---------------------------------------------------------------------------


def _body_function(template: Template) -> Callable[[Any], str]:
    """Return the function that makes a record's body text, chosen once per run."""
    render = template.render
    if template.format.value != "text":
        return render

    # Only the text format writes values as they are, lone surrogates included.
    def text_body(record: Any) -> str:
        body = render(record)
        return body if body.isascii() else _SURROGATE.sub("\ufffd", body)

    return text_body


def _check_start(start: object) -> int:
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be an int, not {type(start).__name__}")
    return start


def render_many(
    template: Template, records: Iterable[object], start: int = 0
) -> Iterator[Rendered]:
    """Return the results of ``Template.render_many``; the arguments are checked now."""
    body_of = _body_function(template)
    options = (template.extra_fields, template.unknown_keys, template.day_first)
    return _results(body_of, _Rendered, _no_line, records, options, _check_start(start))


def render_lines(template: Template, lines: Iterable[object]) -> Iterator[Rendered | Skipped]:
    """Return ``render_many``'s results and a ``Skipped`` for each blank line."""
    body_of = _body_function(template)
    options = (template.extra_fields, template.unknown_keys, template.day_first)
    return _results(body_of, _Rendered, Skipped, lines, options, 0)


_Result = TypeVar("_Result", Rendered, Prepared)
_Blank = TypeVar("_Blank")


def _no_line(index: int) -> None:
    """What a blank line yields in Python: nothing."""
    return None


def _results(
    produce: Callable[[Any], Any],
    result: Callable[[int, Any, RecordFailure | None], _Result],
    blank: Callable[[int], _Blank | None],
    records: Iterable[object],
    options: tuple[Iterable[str], UnknownKeys, bool | None],
    start: int,
) -> Iterator[_Result | _Blank]:
    """Read each record, ``produce`` its body or request, and yield its ``result``.

    A blank line yields what ``blank`` returns for its index, unless that is None.
    """
    extra, unknown_keys, day_first = options
    index = start - 1
    for record in records:
        index += 1
        value = _read(record, extra, unknown_keys, day_first)
        if value is None:
            if (skipped := blank(index)) is not None:
                yield skipped
            continue
        if type(value) is RecordFailure:
            yield result(index, None, value)
            continue
        try:
            produced = produce(value)
        except (RecordError, RenderError) as exc:
            yield result(index, None, _failure(exc))
        else:
            yield result(index, produced, None)


def _preparer(
    notification: Notification, now: datetime | None
) -> Callable[[Action | Mapping[str, object]], PreparedRequest]:
    """Return the function that prepares one record with the one ``now`` of a run."""
    if now is None:
        now = datetime.now(UTC)
    elif not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    prepare = notification.prepare
    run_now = now

    def produce(record: Action | Mapping[str, object]) -> PreparedRequest:
        return prepare(record, now=run_now)

    return produce


def _prepare_options(notification: Notification) -> tuple[Iterable[str], UnknownKeys, bool | None]:
    # A line is read with the extra fields, unknown-key policy and day_first prepare
    # reads a mapping with.
    return (notification.extra_fields, notification.unknown_keys, notification.day_first)


def prepare_many(
    notification: Notification,
    records: Iterable[object],
    now: datetime | None = None,
    start: int = 0,
) -> Iterator[Prepared]:
    """Return the results of ``Notification.prepare_many``; the arguments are checked now."""
    produce = _preparer(notification, now)
    options = _prepare_options(notification)
    return _results(produce, _Prepared, _no_line, records, options, _check_start(start))


def prepare_lines(
    notification: Notification, lines: Iterable[object], now: datetime | None = None
) -> Iterator[Prepared | Skipped]:
    """Return ``prepare_many``'s results and a ``Skipped`` for each blank line."""
    produce = _preparer(notification, now)
    options = _prepare_options(notification)
    return _results(produce, _Prepared, Skipped, lines, options, 0)
