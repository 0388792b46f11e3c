"""Where the keys and string values of a TOML document are, so errors can point into it.

``tomllib`` returns values without positions.  ``locate`` scans a document that
``tomllib`` has already accepted and records, for every key path, where its key is
written and, for a string value, the file offset of each character of the decoded
string.  A template taken from a TOML string can then report its defects at the
line and column of the file, through escapes and multi-line strings alike.

The scanner trusts the document to be valid TOML; should it still meet something it
does not follow, it stops and returns what it found so far (callers then fall back to
the key's position, or to none).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Final

__all__ = ["Located", "locate"]

KeyPath = tuple[str, ...]

_BARE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SIMPLE_ESCAPES: Final = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}
_HEX_LENGTHS: Final = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True, slots=True)
class Located:
    """Where one key path of the document is written.

    ``key`` is the offset of the key's last part; ``value`` and ``chars`` are set for
    string values: the decoded text and, for each of its characters (and one past
    the end), the offset in the document where it is written.
    """

    key: int
    value: str | None = None
    chars: tuple[int, ...] = ()


@dataclass
class _Scanner:
    text: str
    i: int = 0
    found: dict[KeyPath, Located] = field(default_factory=dict)

    # -- characters ----------------------------------------------------------

    def peek(self, ahead: int = 0) -> str:
        k = self.i + ahead
        return self.text[k] if k < len(self.text) else ""

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.i)

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces and tabs, comments, and with ``newlines`` line breaks too."""
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.i += 1
            elif ch == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end == -1 else end
            else:
                return

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise _Stop
        self.i += 1

    # -- keys ----------------------------------------------------------------

    def key(self) -> tuple[KeyPath, int]:
        """Read a (dotted) key; return its parts and the offset of the last part."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            start = self.i
            ch = self.peek()
            if ch in "\"'":
                value, _chars = self.single_line_string(ch)
            else:
                while self.peek() and self.peek() in _BARE:
                    self.i += 1
                value = self.text[start : self.i]
                if not value:
                    raise _Stop
            parts.append(value)
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts), start
            self.i += 1

    # -- strings -------------------------------------------------------------

    def single_line_string(self, quote: str) -> tuple[str, list[int]]:
        self.i += 1
        out: list[str] = []
        chars: list[int] = []
        while True:
            ch = self.peek()
            if ch == "" or ch == "\n":
                raise _Stop
            if ch == quote:
                chars.append(self.i)
                self.i += 1
                return "".join(out), chars
            if ch == "\\" and quote == '"':
                self.escape(out, chars)
            else:
                out.append(ch)
                chars.append(self.i)
                self.i += 1

    def multi_line_string(self, quote: str) -> tuple[str, list[int]]:
        self.i += 3
        # A line break right after the opening delimiter is not part of the string.
        if self.startswith("\r\n"):
            self.i += 2
        elif self.startswith("\n"):
            self.i += 1
        out: list[str] = []
        chars: list[int] = []
        while True:
            ch = self.peek()
            if ch == "":
                raise _Stop
            if self.startswith(quote * 3):
                run = 3
                while run < 5 and self.peek(run) == quote:
                    run += 1
                for extra in range(run - 3):  # up to two quotes end the content
                    out.append(quote)
                    chars.append(self.i + extra)
                chars.append(self.i + run - 3)
                self.i += run
                return "".join(out), chars
            if ch == "\\" and quote == '"':
                if self.line_ending_backslash():
                    continue
                self.escape(out, chars)
            else:
                out.append(ch)
                chars.append(self.i)
                self.i += 1

    def line_ending_backslash(self) -> bool:
        """Skip a backslash that ends a line and the blank space after it, if one is here."""
        k = self.i + 1
        text = self.text
        while k < len(text) and text[k] in " \t":
            k += 1
        if k >= len(text) or text[k] not in "\r\n":
            return False
        while k < len(text) and text[k] in " \t\r\n":
            k += 1
        self.i = k
        return True

    def escape(self, out: list[str], chars: list[int]) -> None:
        start = self.i
        code = self.peek(1)
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            self.i += 2
        elif code in _HEX_LENGTHS:
            digits = self.text[self.i + 2 : self.i + 2 + _HEX_LENGTHS[code]]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise _Stop from None
            self.i += 2 + _HEX_LENGTHS[code]
        else:
            raise _Stop
        chars.append(start)

    # -- values --------------------------------------------------------------

    def value(self, path: KeyPath, key: int) -> None:
        """Read the value of ``path`` (whose key is at offset ``key``)."""
        self.skip_blank(newlines=False)
        ch = self.peek()
        if ch in "\"'":
            if self.startswith(ch * 3):
                text, chars = self.multi_line_string(ch)
            else:
                text, chars = self.single_line_string(ch)
            self.found[path] = Located(key, text, tuple(chars))
            return
        self.found[path] = Located(key)
        if ch == "{":
            self.inline_table(path)
        elif ch == "[":
            self.array(path)
        else:
            while self.peek() and self.peek() not in ",]}\r\n#":
                self.i += 1

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.i += 1
                return
            parts, key = self.key()
            self.expect("=")
            self.value(path + parts, key)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.i += 1

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.i += 1
                return
            self.value((*path, str(index)), self.i)
            index += 1
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.i += 1

    # -- the document ----------------------------------------------------------

    def document(self) -> None:
        table: KeyPath | None = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return
            if self.startswith("[["):
                # Arrays of tables hold nothing a caller looks up by key path.
                self.i += 2
                self.key()
                self.expect("]")
                self.expect("]")
                table = None
            elif self.peek() == "[":
                self.i += 1
                parts, key = self.key()
                self.expect("]")
                table = parts
                self.found.setdefault(parts, Located(key))
            else:
                parts, key = self.key()
                self.expect("=")
                if table is None:
                    self.value_elsewhere(key)
                else:
                    self.value(table + parts, key)

    def value_elsewhere(self, key: int) -> None:
        """Read a value that is not recorded (inside an array of tables)."""
        kept = dict(self.found)
        self.value(("",), key)
        self.found = kept


class _Stop(Exception):
    """The scanner met something it does not follow."""


def locate(text: str) -> dict[KeyPath, Located]:
    """Return where each key path of the TOML document ``text`` is written."""
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, IndexError, RecursionError):
        scanner.document()
    return scanner.found
