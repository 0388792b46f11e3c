"""The shared wording of messages: naming characters, placeholders and values, and hints.

Every message that names a character, a placeholder or a record value, or suggests
the name the user probably meant, goes through this module, so the wording is the
same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import Final

from ._nodes import Field, ItemField

__all__ = [
    "CHAR_NAMES",
    "describe_char",
    "describe_value",
    "placeholder_label",
    "short_repr",
    "show",
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
