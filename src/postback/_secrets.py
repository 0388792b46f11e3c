"""Which header values are secret, and how they are shown when they must not be.

A request's ``repr``, a notification's ``repr`` and errors about a header end up in
logs and error trackers; the credentials a partner configured must not.  The header
names come from RFC 9110 and the usual API-key conventions, compared case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["MASK", "is_secret_header", "mask_template", "masked_headers", "shown_line"]

#: What is shown instead of a secret header value.
MASK: Final = "***"

_SECRET_NAMES: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_PARTS: Final = re.compile(r"token|secret|key", re.IGNORECASE)
_VISIBLE: Final = re.compile(r"\S")


def is_secret_header(name: str) -> bool:
    """Whether the value of header ``name`` is masked when shown.

    ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``, and every
    header whose name contains ``token``, ``secret`` or ``key``, in any case.
    """
    return name.lower() in _SECRET_NAMES or _SECRET_PARTS.search(name) is not None


def masked_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Return ``headers`` with the value of every secret header replaced by ``MASK``."""
    return tuple((name, MASK if is_secret_header(name) else value) for name, value in headers)


def mask_template(source: str) -> str:
    """Return a header template with each visible character of its literal text as ``*``.

    Placeholders (and joins) stay as written and every character keeps its offset, so
    an error's line, column and caret still point at the right place.
    """
    from ._nodes import Text
    from ._parser import parse

    chars = list(source)
    for node in parse(source).nodes:
        if isinstance(node, Text):
            start, end = node.span
            chars[start:end] = _VISIBLE.sub("*", source[start:end])
    return "".join(chars)


def shown_line(line: str) -> str:
    """Return ``line``, a ``"Name: value"`` header line, quoted for a message.

    The value of a secret header is masked; in a line without a colon the name is
    taken to be its first word.
    """
    from ._messages import short_repr

    name, colon, _value = line.partition(":")
    if not colon:
        name = (line.split(None, 1) or [""])[0]
    name = name.strip()
    return short_repr(f"{name}{colon} {MASK}" if is_secret_header(name) else line)
