"""The shared wording of messages: naming characters, placeholders and values, and hints.

Every message that names a character, a placeholder or a record value, suggests the
name the user probably meant, or tells how to set an option, goes through this
module, so the wording is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final, Literal

from ._compiler.nodes import Field, ItemField

__all__ = [
    "CHAR_NAMES",
    "byte_order_mark",
    "describe_char",
    "describe_value",
    "not_utf8",
    "option",
    "placeholder_label",
    "short_repr",
    "show",
    "spelled",
    "suggest",
]

# How messages name the characters people cannot see.
CHAR_NAMES: Final[Mapping[str, str]] = {
    "\n": "a line break",
    "\r": "a carriage return",
    "\t": "a tab",
}

# A repr longer than this is cut in messages (a 10 MB value must not make a 10 MB error).
_REPR_LIMIT: Final = 60


def describe_char(
    ch: str, *, names: Mapping[str, str] = CHAR_NAMES, code_points: bool = True
) -> str:
    """Name the character ``ch`` for a message.

    A character in ``names`` gets that name; a visible one is quoted (``'<'``); any
    other is written as its code point (``U+0001``), or quoted when ``code_points``
    is false.
    """
    name = names.get(ch)
    if name is not None:
        return name
    if (ch.isprintable() and not ch.isspace()) or not code_points:
        return repr(ch)
    return f"U+{ord(ch):04X}"


def placeholder_label(node: Field | ItemField) -> str:
    """Return a placeholder as written in the template: ``{Name}`` or ``{i.attr}``."""
    if isinstance(node, Field):
        return f"{{{node.name}}}"
    return f"{{{node.var}.{node.attr}}}"


def show(text: str) -> str:
    """Return template text for a one-line message, with line breaks and tabs visible."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def short_repr(value: object) -> str:
    """Return ``repr(value)``, cut to a readable length; never raises."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        if isinstance(value, int):  # more digits than sys.get_int_max_str_digits() allows
            sign = "-" if value < 0 else ""
            text = f"<{sign}int of about {value.bit_length() * 30103 // 100000 + 1:,} digits>"
        else:
            text = f"<{type(value).__name__} object>"
    if len(text) > _REPR_LIMIT:
        text = text[: _REPR_LIMIT - 3] + "..."
    return text


def describe_value(value: object) -> str:
    """Return a value and its type for a message: ``'12,5' (str)``."""
    return f"{short_repr(value)} ({type(value).__name__})"


def suggest(name: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """Return the candidate ``name`` most likely meant, or None.

    Candidates are tried in the order given (a set is sorted first).  In order: the
    same name in another case (``subid1`` -> ``SubId1``); the same
    name ignoring case and ``_`` (``sub_id1`` -> ``SubId1``); the closest spelling by
    ``difflib`` with the given similarity ``cutoff``, as written and then ignoring case.
    """
    # difflib loads with the first suggestion, not with import postback.
    import difflib

    pool = sorted(candidates) if isinstance(candidates, Set) else list(dict.fromkeys(candidates))
    folded: dict[str, str] = {}
    for candidate in pool:  # the first of the names that differ only in case wins
        folded.setdefault(candidate.lower(), candidate)
    key = name.lower()
    if key in folded:
        return folded[key]
    squashed: dict[str, str] = {}
    for lowered in folded:
        squashed.setdefault(lowered.replace("_", ""), lowered)
    if key.replace("_", "") in squashed:
        return folded[squashed[key.replace("_", "")]]
    close: list[str] = difflib.get_close_matches(name, pool, n=1, cutoff=cutoff)
    if close:
        return close[0]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=cutoff)
    return folded[close[0]] if close else None


#: Who reads a message, and so how it spells an option: as a Python argument
#: (``unknown_keys='ignore'``), as a command-line flag (``--unknown-keys ignore``), or
#: as a key of a notification file (``unknown_keys = "ignore"``, the body's format as
#: ``body_format = "query"``).
Spelling = Literal["python", "flags", "notification"]

_SPELLING: Final[ContextVar[Spelling]] = ContextVar("postback_spelling", default="python")
_NOTIFICATION_KEYS: Final = {"format": "body_format"}


# The flags that set a true-or-false option, by its name and value.
_SWITCHES: Final = {("day_first", True): "--day-first", ("day_first", False): "--month-first"}


def option(name: str, value: str | bool) -> str:
    """Return how the reader of the message being made sets option ``name`` to ``value``.

    ``name`` is the Python argument (``unknown_keys``, ``format``, ``day_first``); the
    spelling is the one ``spelled`` selected, Python's by default.
    """
    spelling = _SPELLING.get()
    if isinstance(value, bool):
        if spelling == "flags":
            return _SWITCHES[name, value]
        if spelling == "notification":
            return f"{name} = {str(value).lower()}"
        return f"{name}={value!r}"
    if spelling == "flags":
        return f"--{name.replace('_', '-')} {value}"
    if spelling == "notification":
        return f'{_NOTIFICATION_KEYS.get(name, name)} = "{value}"'
    return f"{name}={value!r}"


@contextmanager
def spelled(spelling: Spelling) -> Iterator[None]:
    """Spell options in the messages made in this block (in this thread or task) as
    ``spelling`` says: the command line selects its flags, or a notification file's
    keys."""
    token = _SPELLING.set(spelling)
    try:
        yield
    finally:
        _SPELLING.reset(token)


# Byte-order marks of the encodings a text file that is not UTF-8 most often has
# (Windows editors write UTF-16 with one); the four-byte ones first.
_BYTE_ORDER_MARKS: Final = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def byte_order_mark(data: bytes) -> str | None:
    """Return the encoding whose byte-order mark ``data`` starts with (``"UTF-16"`` or
    ``"UTF-32"``), or None."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    return None


def not_utf8(
    data: bytes, start: int, subject: str = "the file", *, at: tuple[int, int] | None = None
) -> str:
    """Say why ``data`` is not UTF-8 text, ``start`` being its first invalid byte.

    ``"the file is UTF-16 (byte-order mark); save it as UTF-8"`` when it starts with a
    UTF-16 or UTF-32 byte-order mark (``subject`` names it), else ``"not UTF-8 text
    (byte 0xff at offset 12)"``, with the byte's line and column when ``at`` gives
    them: ``"not UTF-8 text (byte 0xff at offset 12, line 2, column 3)"``.
    """
    encoding = byte_order_mark(data)
    if encoding is not None:
        return f"{subject} is {encoding} (byte-order mark); save it as UTF-8"
    where = "" if at is None else f", line {at[0]}, column {at[1]}"
    return f"not UTF-8 text (byte 0x{data[start]:02x} at offset {start}{where})"
