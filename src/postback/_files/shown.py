"""How postback shows file names, templates and file contents: one line each, safely.

File names, messages and other text that users wrote reach the output of the command
line, of ``postback test`` and of the pytest plugin through ``printable``, so no file
name or template can write a line of its own (a forged ``::error ...::`` workflow
command in a CI log, a terminal escape sequence).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["one_line", "printable", "printable_lines"]


def one_line(text: str) -> str:
    """Collapse line breaks so a message fits on one line."""
    return " ".join(part.strip() for part in text.replace("\r\n", "\n").splitlines() if part)


# Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and
# the legacy "##[command]" marker GitHub's runner finds anywhere in a line.  (The two
# separators are a class of their own: in one class with the Latin-1 ranges, the class
# compiles to a table of every BMP character, a millisecond at each start.)
_UNPRINTABLE: Final = re.compile("[\x00-\x1f\x7f-\x9f]|[\u2028\u2029]|##\\[")
_UNPRINTABLE_KEEP_TABS: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]|[\u2028\u2029]|##\\[")
_SHORT_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "##[": "##\\x5b"}
# GitHub's runner reads a line as a workflow command when it starts with "::" after
# any leading white space.
_COMMAND_START: Final = re.compile(r"\s*:(?=:)")


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    short = _SHORT_ESCAPES.get(found)
    if short is not None:
        return short
    code = ord(found)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_tabs: bool = False) -> str:
    """Return ``text`` as one line that cannot pass for another line or a command.

    Line breaks and other control characters (C0, DEL, C1) and U+2028/U+2029 are
    written as escapes (``\\n``, ``\\r``, ``\\t``, ``\\x1b``, ``\\u2028``);
    ``##[`` is written ``##\\x5b``, and a leading ``::`` as ``\\x3a:``, so that
    no text reads as a GitHub workflow command.  Backslashes are kept (Windows
    paths).  With ``keep_tabs``, tabs stay (the lines of a diff).
    """
    pattern = _UNPRINTABLE_KEEP_TABS if keep_tabs else _UNPRINTABLE
    if pattern.search(text) is not None:
        text = pattern.sub(_escape, text)
    start = _COMMAND_START.match(text)
    if start is not None:
        text = text[: start.end() - 1] + "\\x3a" + text[start.end() :]
    return text


def printable_lines(text: str) -> str:
    """Return ``text`` with each of its lines ``printable`` (tabs kept); a CR before a
    line's end is its CRLF line ending and stays."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        ending = "\r" if line.endswith("\r") else ""
        lines[index] = printable(line[: len(line) - len(ending)], keep_tabs=True) + ending
    return "\n".join(lines)
