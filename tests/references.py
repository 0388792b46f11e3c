"""Independent references the tests judge postback by, written without the library.

Import them as ``from references import expected_text, remove_dot_segments``
(``tests/`` is on the import path through its conftest): how docs/language.md says a
value is written, what a UTF-8 body makes of lone surrogates, and how URL resolvers
read dot segments.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

__all__ = ["expected_text", "remove_dot_segments", "utf8_safe", "whatwg_dot"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_safe(value: str) -> str:
    """What a value becomes in a UTF-8 body: lone surrogates as U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def expected_text(value: Any, tz: tzinfo = UTC) -> str:
    """Format a value as docs/language.md says: booleans ``true``/``false``, dates in
    ISO 8601 to the second in ``tz`` (a naive one taken as ``tz``), decimals in plain
    notation, anything else as ``str``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=tz)
        return value.astimezone(tz).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def whatwg_dot(segment: str) -> bool:
    """Whether the WHATWG URL standard reads ``segment`` as a single- or double-dot segment."""
    return segment.lower().replace("%2e", ".") in (".", "..")


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, as a resolver applies it to a path."""
    out: list[str] = []
    rest = path
    while rest:
        if rest.startswith(("../", "./")):
            rest = rest[rest.index("/") + 1 :]
        elif rest.startswith("/./") or rest == "/.":
            rest = "/" + rest[3:]
        elif rest.startswith("/../") or rest == "/..":
            rest = "/" + rest[4:]
            if out:
                out.pop()
        elif rest in (".", ".."):
            rest = ""
        else:
            match = re.match(r"/?[^/]*", rest)
            assert match is not None
            out.append(match.group())
            rest = rest[match.end() :]
    return "".join(out)
