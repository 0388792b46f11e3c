"""Reading a file as text: UTF-8, without its byte order mark, the first bad byte placed.

Every file postback reads as text goes through ``read_text`` or ``decode_text``: a
template, a record, a notification file and its ``body_file``, the project settings,
the files ``postback init`` adds to.  So a file that cannot be read is reported in one
wording wherever it is read: ``cannot read template t.json: No such file or
directory``, ``cannot read template t.json: not UTF-8 text (byte 0xff at offset 8,
line 2, column 3)``, or for a file saved as UTF-16 or UTF-32 ``cannot read template
t.json: the file is UTF-16 (byte-order mark); save it as UTF-8``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

from .._errors import ConfigError
from .._messages import not_utf8
from .confined import Refused, read_inside

__all__ = [
    "STDIN",
    "STDIN_NAME",
    "UnreadableFileError",
    "decode_text",
    "display",
    "read_bytes",
    "read_input",
    "read_input_bytes",
    "read_text",
]

#: The file argument that means standard input, and how messages name it.
STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"

_BYTE_ORDER_MARK: Final = b"\xef\xbb\xbf"


class UnreadableFileError(ConfigError):
    """A file that cannot be read as UTF-8 text.

    ``line`` and ``column`` (1-based, in characters) place the first byte that is not
    UTF-8; both are 1 when the file cannot be read at all.
    """

    def __init__(
        self, message: str, *, line: int = 1, column: int = 1, setting: str | None = None
    ) -> None:
        super().__init__(message, setting=setting)
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.message, self.line, self.column, self.setting))


def _rebuild(message: str, line: int, column: int, setting: str | None) -> UnreadableFileError:
    return UnreadableFileError(message, line=line, column=column, setting=setting)


def decode_text(
    data: bytes, label: str, *, subject: str = "the file", setting: str | None = None
) -> str:
    """Return ``data`` as UTF-8 text, without a byte order mark.

    Bytes that are not UTF-8 raise ``UnreadableFileError``: ``cannot read LABEL: not
    UTF-8 text (byte 0xff at offset 8, line 2, column 3)``, or, for bytes that start
    with a UTF-16 or UTF-32 byte-order mark, ``cannot read LABEL: SUBJECT is UTF-16
    (byte-order mark); save it as UTF-8``.  ``setting`` is the error's.
    """
    # The byte order mark some editors write is not part of the text.  It is cut off
    # here, not by the "utf-8-sig" codec, whose error offsets do not count it.
    skip = len(_BYTE_ORDER_MARK) if data.startswith(_BYTE_ORDER_MARK) else 0
    try:
        return str(memoryview(data)[skip:], "utf-8")
    except UnicodeDecodeError as exc:
        start = skip + exc.start
        # Where the first bad byte is, as an editor shows it.
        before = data[skip:start].decode("utf-8").split("\n")
        line, column = len(before), len(before[-1]) + 1
        reason = not_utf8(data, start, subject, at=(line, column))
        raise UnreadableFileError(
            f"cannot read {label}: {reason}", line=line, column=column, setting=setting
        ) from None


def read_bytes(
    path: str | os.PathLike[str],
    label: str,
    *,
    confined: bool = False,
    setting: str | None = None,
) -> bytes:
    """Return the bytes of the file ``path``; ``label`` names it in errors.

    A file that cannot be read raises ``UnreadableFileError``: ``cannot read LABEL: No
    such file or directory``.  With ``confined`` (the files of a golden case, or
    found by walking a folder) the file must be a regular file whose real path is
    inside its own folder: no symbolic link out of it is followed.
    """
    try:
        return read_inside(path) if confined else Path(path).read_bytes()
    except Refused as exc:
        raise UnreadableFileError(
            f"cannot read {label}: it {exc.reason}", setting=setting
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise UnreadableFileError(f"cannot read {label}: {reason}", setting=setting) from None


def read_text(
    path: str | os.PathLike[str],
    label: str,
    *,
    confined: bool = False,
    setting: str | None = None,
) -> str:
    """Return the UTF-8 text of the file ``path`` (see ``read_bytes`` and ``decode_text``)."""
    data = read_bytes(path, label, confined=confined, setting=setting)
    return decode_text(data, label, setting=setting)


def display(path: str) -> str:
    """Return how messages name the file argument ``path`` (``<stdin>`` for ``-``)."""
    return STDIN_NAME if path == STDIN else path


def _read_stdin(what: str) -> bytes:
    stdin = sys.stdin
    if stdin is None:
        raise UnreadableFileError(f"cannot read the {what} from stdin: there is no stdin")
    try:
        buffer = getattr(stdin, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read()
            return data
        return stdin.read().encode("utf-8")
    except OSError as exc:
        reason = exc.strerror or exc
        raise UnreadableFileError(f"cannot read the {what} from stdin: {reason}") from None


def read_input(path: str, what: str, *, confined: bool = False) -> str:
    """Return the UTF-8 text of the file ``path``, or of standard input for ``-``.

    ``what`` says what the file holds (``"template"``, ``"record"``); errors name it
    and the file: ``cannot read template t.json: ...``, ``cannot read record
    <stdin>: the input is UTF-16 (byte-order mark); save it as UTF-8``.
    ``confined`` is ``read_bytes``'s.
    """
    label = f"{what} {display(path)}"
    if path != STDIN:
        return read_text(path, label, confined=confined)
    return decode_text(_read_stdin(what), label, subject="the input")


def read_input_bytes(path: str, what: str) -> bytes:
    """Return the bytes of the file ``path``, or of standard input for ``-``, as they are.

    For data whose bytes are its own to judge (a received body, which ``Template.parse``
    decodes): no byte order mark is removed and nothing is decoded.  A file that cannot
    be read raises ``UnreadableFileError``: ``cannot read body b.json: Is a directory``.
    """
    if path != STDIN:
        return read_bytes(path, f"{what} {path}")
    return _read_stdin(what)
