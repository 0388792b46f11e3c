"""Expected files of golden cases and snapshots: read, written, and compared as a diff.

An expected file is read only when it is a regular file inside its own folder,
symbolic links resolved, and written through a new file and ``os.replace``, never
through a symbolic link (``confined``): a case folder cannot make a test print a
file from elsewhere, or an update write one.  ``unified_diff`` shows how a rendering
differs from one, every line of it one line of the files.
"""

from __future__ import annotations

import difflib
import os

from .._errors import CaseError
from .confined import Refused, read_inside, write_replacing
from .shown import printable

__all__ = ["read_expected_file", "unified_diff", "write_expected_file"]


def read_expected_file(path: str | os.PathLike[str]) -> bytes | None:
    """Return the bytes of the expected file ``path``, or None when there is none.

    Raises ``CaseError`` for a file that cannot be read, that is not a regular file,
    or that is a symbolic link out of its folder.
    """
    try:
        return read_inside(path)
    except FileNotFoundError:
        return None
    except Refused as exc:
        raise CaseError(f"cannot read {os.fspath(path)}: it {exc.reason}") from None
    except OSError as exc:
        raise CaseError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None


def write_expected_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to the expected file ``path``: a new file beside it, then renamed.

    Raises ``CaseError`` for a symbolic link, a file that is not a regular file, or
    one that cannot be written.
    """
    try:
        write_replacing(path, data)
    except Refused as exc:
        raise CaseError(f"cannot write {os.fspath(path)}: it {exc.reason}") from None
    except OSError as exc:
        raise CaseError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None


def _split_lines(text: str) -> list[str]:
    """Split on LF only (keeping it), so CR and other separators stay visible in diffs."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _diff_line(line: str) -> str:
    """A line of the diff as printed: its text escaped, so that it stays one line.

    A CR before the line's end is its CRLF line ending, written as it is.
    """
    text, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    ending = "\r" if text.endswith("\r") else ""
    text = text[: len(text) - len(ending)]
    if text.startswith(("---", "+++", "@@")):
        shown = printable(text, keep_tabs=True)
    else:  # the content after the one-character prefix
        shown = text[:1] + printable(text[1:], keep_tabs=True)
    return shown + ending + (newline or "\n\\ No newline at end of file\n")


def unified_diff(expected: bytes, actual: bytes, expected_name: str, actual_name: str) -> str:
    """Return a unified diff from ``expected`` to ``actual`` (UTF-8 bytes) that shows
    every difference: a missing final newline is marked, and a difference only in
    line endings or in bytes that are not UTF-8 is said in words.  Control characters
    (a carriage return, an escape) are shown escaped (``\\r``, ``\\x1b``), in the
    names too, so every line of the diff is one line of the files."""
    out: list[str] = []
    for line in difflib.unified_diff(
        _split_lines(expected.decode("utf-8", "replace")),
        _split_lines(actual.decode("utf-8", "replace")),
        fromfile=expected_name,
        tofile=actual_name,
    ):
        out.append(_diff_line(line))
    if expected == actual:
        return ""
    if expected.replace(b"\r\n", b"\n") == actual.replace(b"\r\n", b"\n"):
        out.append("(the files differ only in line endings, CRLF against LF)\n")
    elif not out or all(len(line) < 4 for line in out):
        out.append("(the difference is in bytes that are not valid UTF-8)\n")
    return "".join(out)
