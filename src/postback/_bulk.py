"""Rendering and preparing many records in one pass: one result per record, in order.

``Template.render_many`` and ``Notification.prepare_many`` take any iterable of records
(``Action`` objects, mappings, or lines of JSON text as a file yields them) and yield
a ``Rendered`` or ``Prepared`` result per record as soon as it is made; a blank line
(nothing but JSON whitespace) is counted but yields nothing.  The command line reads
through ``render_lines`` and ``prepare_lines``, which yield a ``Skipped`` for each blank
line too, so that every line of a records file has its line of output.  Nothing is kept
from one record to the next, so memory stays flat however many records there are.  A
record that cannot be read or rendered yields a result whose ``error`` says why, and
the loop goes on: a bad record never stops the run and is never dropped.  The loops
know neither templates nor notifications: they are given the function that renders
or prepares one record and the ``Reading`` of a line of text.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Protocol, TypeAlias, TypeVar

from ._errors import RecordError, RenderError
from ._records.action import Action
from ._records.convert import UnknownKeys
from ._records.lines import ERROR_CODES, RecordFailure, failure_of, read_line, read_record
from ._sending.secrets import masked_headers

if TYPE_CHECKING:
    from ._sending.request import PreparedRequest

__all__ = [
    "ERROR_CODES",
    "Prepared",
    "PreparedFailed",
    "PreparedOk",
    "Preparer",
    "Reading",
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

#: A record as the render and prepare functions take it.
Record: TypeAlias = Action | Mapping[str, object]


class Reading(NamedTuple):
    """How a line of JSON text becomes a record: as ``Action.from_json`` reads it with
    the extra fields, unknown-key policy and ``day_first`` of the template or
    notification, which read a mapping so too."""

    extra_fields: Iterable[str]
    unknown_keys: UnknownKeys
    day_first: bool | None


class Preparer(Protocol):
    """``Notification.prepare``: the request of one record, ``now`` the base of its time."""

    def __call__(self, action: Record, /, *, now: datetime | None = ...) -> PreparedRequest: ...


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
            out["body_base64"] = base64.b64encode(body).decode("ascii")
    out["not_before"] = request.not_before.isoformat()
    return out


# ---------------------------------------------------------------------------
# The loops
# ---------------------------------------------------------------------------


def _check_start(start: object) -> int:
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be an int, not {type(start).__name__}")
    return start


def render_many(
    render: Callable[[Record], str], records: Iterable[object], reading: Reading, start: int = 0
) -> Iterator[Rendered]:
    """Return the results of ``Template.render_many``: ``render`` makes a record's body.

    The arguments are checked now, the records read as the caller asks for results.
    """
    return _results(render, _Rendered, _no_line, records, reading, _check_start(start))


def render_lines(
    render: Callable[[Record], str], lines: Iterable[object], reading: Reading
) -> Iterator[Rendered | Skipped]:
    """Return ``render_many``'s results and a ``Skipped`` for each blank line."""
    return _results(render, _Rendered, Skipped, lines, reading, 0)


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
    reading: Reading,
    start: int,
) -> Iterator[_Result | _Blank]:
    """Read each record, ``produce`` its body or request, and yield its ``result``.

    A blank line yields what ``blank`` returns for its index, unless that is None.
    """
    extra, unknown_keys, day_first = reading
    index = start - 1
    for record in records:
        index += 1
        value = read_record(record, extra, unknown_keys, day_first)
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
            yield result(index, None, failure_of(exc))
        else:
            yield result(index, produced, None)


def _one_now(prepare: Preparer, now: datetime | None) -> Callable[[Record], PreparedRequest]:
    """Return the function that prepares one record with the one ``now`` of a run."""
    if now is None:
        now = datetime.now(UTC)
    elif not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    run_now = now

    def produce(record: Record) -> PreparedRequest:
        return prepare(record, now=run_now)

    return produce


def prepare_many(
    prepare: Preparer,
    records: Iterable[object],
    reading: Reading,
    now: datetime | None = None,
    start: int = 0,
) -> Iterator[Prepared]:
    """Return the results of ``Notification.prepare_many``: ``prepare`` makes a record's
    request.  The arguments are checked now."""
    produce = _one_now(prepare, now)
    return _results(produce, _Prepared, _no_line, records, reading, _check_start(start))


def prepare_lines(
    prepare: Preparer, lines: Iterable[object], reading: Reading, now: datetime | None = None
) -> Iterator[Prepared | Skipped]:
    """Return ``prepare_many``'s results and a ``Skipped`` for each blank line."""
    return _results(_one_now(prepare, now), _Prepared, Skipped, lines, reading, 0)
