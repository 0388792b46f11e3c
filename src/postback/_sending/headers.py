"""The headers of a notification's settings: their forms, names and values checked once.

Headers come as a mapping, ``(name, value)`` pairs or ``"Name: value"`` lines, as
typed on the settings screen.  Names must be HTTP tokens, given once in any case, and
not one of the headers the HTTP client sets; values are header templates (strings).
No message quotes what may be a secret: a header line without a name, or the value
of a secret header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from .._errors import ConfigError
from .secrets import MASK, describe_headers, is_secret_header, masked_line

__all__ = ["check_headers"]

# RFC 9110 §5.6.2: token = 1*tchar
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# Headers that frame the message or the connection, which the HTTP client sets: a
# configured one could only disagree with the url or the body (and a Host header, or
# one filled from a record, could send the request to another site than the url
# names), and hop-by-hop ones (RFC 9110 §7.6.1) describe one connection, not the
# postback.  Name -> what sets it.
_FRAMING_HEADERS: Final = {
    "host": "the url",
    "content-length": "the body",
    "transfer-encoding": "the body",
    "connection": "the connection",
    "keep-alive": "the connection",
    "proxy-connection": "the connection",
    "te": "the connection",
    "trailer": "the connection",
    "upgrade": "the connection",
}


_HEADER_FORMS: Final = (
    'a mapping of header names to values, (name, value) pairs or "Name: value" lines'
)


def _header_entries(headers: object) -> Iterable[object]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return headers.items()
    if isinstance(headers, str | bytes | bytearray):
        # Its text is quoted nowhere: it may be the credential alone.
        kind = "a string" if isinstance(headers, str) else "bytes"
        raise ConfigError(
            f"headers must be {_HEADER_FORMS}, not {kind}: put each line in a list",
            setting="headers",
        )
    if not isinstance(headers, Iterable):
        raise ConfigError(
            f"headers must be {_HEADER_FORMS}, not {describe_headers(headers)}", setting="headers"
        )
    return headers


def _header_pair(entry: object, index: int) -> tuple[object, object]:
    """Return ``(name, value)`` of one entry of a headers list: a pair or a line."""
    if isinstance(entry, str):
        # A line as typed on the settings screen: spaces around name and value
        # are not part of either (HTTP parsers drop them too).
        name, colon, value = entry.partition(":")
        if not colon:
            # A line without a name: it is not quoted, as it may be a value alone.
            raise ConfigError(
                f'header line {index + 1} has no colon (write "Name: value")', setting="headers"
            )
        return name.strip(" \t"), value.strip(" \t")
    if not isinstance(entry, tuple | list) or len(entry) != 2:
        raise ConfigError(
            f'header entry {index + 1} must be a (name, value) pair or a "Name: value" '
            f"line, not {describe_headers(entry)}",
            setting="headers",
        )
    name, value = entry
    return name, value


def _check_header(name: object, value: object, seen: dict[str, str]) -> tuple[str, str]:
    if not isinstance(name, str):
        raise ConfigError(
            f"a header name must be a string, not {describe_headers(name)}", setting="headers"
        )
    setting = f"headers.{name}"
    if not _TOKEN_RE.fullmatch(name):
        # An invalid name may hold the value too ("X-Api-Key s3cr3t"): it is shown,
        # and names the setting, only as far as it is not a secret.
        shown = masked_line(name)
        raise ConfigError(
            f"header name {shown!r} is not a valid HTTP token: use letters, digits and "
            "!#$%&'*+-.^_`|~ only (no spaces, colons or other separators)",
            setting=setting if shown == name else "headers",
        )
    folded = name.lower()
    if folded in seen:
        raise ConfigError(
            f"header {name!r} is given twice (as {seen[folded]!r} and {name!r}); header "
            "names are case-insensitive: give one value",
            setting=setting,
        )
    source = _FRAMING_HEADERS.get(folded)
    if source is not None:
        raise ConfigError(
            f"header {name!r} is set by the HTTP client from {source}; leave it out",
            setting=setting,
        )
    if not isinstance(value, str):
        kind = type(value).__name__
        described = f"{MASK} ({kind})" if is_secret_header(name) else describe_headers(value)
        raise ConfigError(
            f"the value of header {name!r} must be a string (a header template), not {described}",
            setting=setting,
        )
    seen[folded] = name
    return name, value


def check_headers(headers: object, body: str | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(_header_entries(headers)):
        name, value = _header_pair(entry, index)
        out.append(_check_header(name, value, seen))
    for name, _value in out:
        if name.lower() == "content-type" and body is None:
            raise ConfigError(
                f"header {name!r} is set but the request has no body", setting=f"headers.{name}"
            )
    return tuple(out)
