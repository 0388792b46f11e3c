"""Reading the records of a bulk run: a line of JSON text, a mapping or an ``Action``.

``Template.render_many``, ``Notification.prepare_many`` and the command line's
``--records`` read each record here.  A record that cannot be read gives a
``RecordFailure`` saying why (``ERROR_CODES``), never an exception, so that a bad
record never stops the run; a blank line (nothing but JSON whitespace) gives None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from .._errors import PostbackError, RecordError, RenderError
from .action import Action
from .convert import UnknownKeys

__all__ = ["ERROR_CODES", "FailureCode", "RecordFailure", "failure_of", "read_line", "read_record"]

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

# What JSON counts as whitespace (RFC 8259, section 2): a line of nothing else is blank.
# Vertical tab, form feed and the other characters str.strip() removes are not.
_JSON_SPACE: Final = " \t\r\n"
_JSON_SPACE_BYTES: Final = b" \t\r\n"
_NOT_AN_OBJECT: Final = "a record must be a JSON object"


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


def read_record(
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


def failure_of(exc: PostbackError) -> RecordFailure:
    """Return the failure of a record whose rendering raised ``exc``."""
    code: FailureCode = "render-error" if isinstance(exc, RenderError) else "record-error"
    return RecordFailure(code, str(exc), getattr(exc, "field", None))
