"""Where the keys and string values of a TOML document are, so errors can point into it.

``tomllib`` returns values without positions.  ``locate`` scans a document that
``tomllib`` has already accepted and records, for every key path, where its key is
written and, for a string value, the file offset of each character of the decoded
string.  A template taken from a TOML string can then report its defects at the
line and column of the file, through escapes and multi-line strings alike.

The scanner trusts the document to be valid TOML; should it still meet something it
does not follow, it stops and returns what it found so far (callers then fall back to
the key's position, or to none).

``beyond_bounds`` reads a document *before* ``tomllib`` does, for the two things
``tomllib`` cannot be given: arrays and inline tables nested deeper than
``MAX_NESTING`` (it recurses once or more per level, and would raise
``RecursionError``) and integers of more than ``MAX_DIGITS`` digits (``int()`` takes
time quadratic in their length, and refuses more than 4,300 digits with
``ValueError``).
"""

from __future__ import annotations

import contextlib
import re
from typing import Final, NamedTuple

from .._compiler.values import MAX_DIGITS

__all__ = ["MAX_NESTING", "Located", "beyond_bounds", "locate"]

#: Arrays and inline tables of a TOML document nest at most this deep.
MAX_NESTING: Final = 100

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


class Located(NamedTuple):
    """Where one key path of the document is written.

    ``key`` is the offset of the key's last part; ``value`` and ``chars`` are set for
    string values: the decoded text and, for each of its characters (and one past
    the end), the offset in the document where it is written.
    """

    key: int
    value: str | None = None
    chars: tuple[int, ...] = ()


class _Scanner:
    __slots__ = ("found", "i", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found: dict[KeyPath, Located] = {}

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
                # Only the header of an array of tables is recorded (an unknown
                # setting's key is found there): its tables hold nothing a caller
                # looks up by key path.
                self.i += 2
                parts, key = self.key()
                self.expect("]")
                self.expect("]")
                table = None
                self.found.setdefault(parts, Located(key))
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
        kept = self.found
        self.found = {}  # a scratch table, dropped: copying the found ones was quadratic
        try:
            self.value(("",), key)
        finally:
            self.found = kept


class _Stop(Exception):
    """The scanner met something it does not follow."""


# The tokens of the bounds scan: strings and comments (skipped whole, or as far as
# they go unclosed), the "[" or "[[" of a table header (first on its line), the
# brackets of arrays and inline tables, and a run of more than MAX_DIGITS digits (and
# underscores) that starts a number.  A run after a letter, a digit, "_", or one of
# them and "-" (``a-1``) starts no number: it is in a bare key, or after "x", "o" or
# "b" in a hexadecimal, octal or binary integer (which int() converts in linear
# time), or after "e" in a float's exponent.
_TOKENS_RE: Final = re.compile(
    r"(?P<skip>"
    r'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:""""?"?)?'
    r"|'''[^']*(?:'(?!'')[^']*)*(?:''''?'?)?"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
    r"|'[^'\n]*'?"
    r"|#[^\n]*)"
    r"|(?P<header>^[ \t]*\[\[?)"
    r"|(?P<open>[\[{])"
    r"|(?P<close>[\]}])"
    r"|(?P<number>(?<![0-9A-Za-z_])(?<![0-9A-Za-z_]-)[0-9][0-9_]{" + str(MAX_DIGITS) + "})",
    re.MULTILINE,
)


def beyond_bounds(text: str) -> tuple[int, str] | None:
    """Return the offset and the reason of the first thing in ``text`` beyond the bounds.

    Nesting deeper than ``MAX_NESTING`` arrays and inline tables, or an integer of more
    than ``MAX_DIGITS`` digits, outside strings and comments; None if there is neither.
    ``text`` need not be valid TOML: strings, comments, table headers and values are
    told apart as ``tomllib`` tells them apart in a valid document, and what follows an
    error ``tomllib`` never reads.  Linear in the length of ``text``, without recursion.
    """
    depth = 0
    for match in _TOKENS_RE.finditer(text):
        kind = match.lastgroup
        if kind == "skip" or (kind == "header" and not depth):
            continue  # a table header's brackets open nothing
        if kind == "close":
            depth -= depth > 0
            continue
        if kind == "number":
            return match.start(), f"a number of more than {MAX_DIGITS:,} digits"
        depth += match.group().count("[") if kind == "header" else 1
        if depth > MAX_NESTING:
            return match.end() - 1, (
                f"arrays and inline tables nested more than {MAX_NESTING} levels deep"
            )
    return None


def locate(text: str) -> dict[KeyPath, Located]:
    """Return where each key path of the TOML document ``text`` is written."""
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, IndexError, RecursionError):
        scanner.document()
    return scanner.found
