"""The check of a URL's authority (user info, host and port), once it has been read whole.

The ``url`` scanner collects the authority's literal characters and placeholders
into an ``Authority`` until '/', '?', '#' or the end of the template; only then is it
known which characters are user info (an '@' may come late), host and port.
``authority_problems`` splits it (``Layout``) and checks each part.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, NamedTuple

from .._compiler.nodes import Span, Text
from .._escape import UNRESERVED
from .._problems import Code, Problem
from ._percent import HEX, bad_escape, name_and_encoding

__all__ = [
    "MAX_AUTHORITY",
    "Authority",
    "AuthorityHole",
    "Layout",
    "authority_problems",
    "numeric_host_problem",
    "placeholder_problem",
]

# The longest authority a template may have (a DNS name has at most 253 characters);
# the scanner keeps the authority's characters in its state until it ends, so the
# limit keeps the check linear in the template's size.
MAX_AUTHORITY: Final = 1024

_DIGITS: Final = frozenset("0123456789")
# userinfo = *( unreserved / pct-encoded / sub-delims / ":" ) (RFC 3986 §3.2.1).
_USERINFO_CHARS: Final = UNRESERVED | frozenset("!$&'()*+,;=:")
# A reg-name (RFC 3986 §3.2.2) restricted to what DNS names and HTTP clients accept:
# no percent-encoding and no sub-delims (internationalized names go in punycode).
_HOST_CHARS: Final = UNRESERVED


class AuthorityHole(NamedTuple):
    """A placeholder in the authority."""

    chars_before: int  # the number of the authority's literal characters before it
    span: Span
    label: str  # as written: {Name}


class Authority(NamedTuple):
    """The authority as read so far: its literal text, where each character stands in
    the source, and its placeholders."""

    text: str = ""
    offsets: tuple[int, ...] = ()
    holes: tuple[AuthorityHole, ...] = ()

    def extend(self, node: Text, start: int, end: int) -> Authority:
        """Return the authority followed by characters ``start:end`` of ``node``."""
        if start == end:
            return self
        if node.exact and not node.escapes:
            first = node.span.start
            offsets = tuple(range(first + start, first + end))
        else:
            offsets = tuple(node.offset_of(k) for k in range(start, end))
        return Authority(self.text + node.value[start:end], self.offsets + offsets, self.holes)

    def with_hole(self, span: Span, label: str) -> Authority:
        """Return the authority followed by a placeholder."""
        hole = AuthorityHole(len(self.text), span, label)
        return Authority(self.text, self.offsets, (*self.holes, hole))


class Layout(NamedTuple):
    """Where the parts of a complete authority are, as indices into its text."""

    at: int  # the '@' that ends the user info, or -1
    second_at: int  # a second '@', or -1; what follows it is not checked
    host: int  # the host's first character
    end: int  # where the host and port end: the second '@' or the end of the text
    port: int  # the port's first character (after its ':'), or -1 without a port

    @classmethod
    def of(cls, text: str) -> Layout:
        """Split ``text`` at its first '@' and at the ':' before the port."""
        at = text.find("@")
        second_at = text.find("@", at + 1) if at >= 0 else -1
        host, end = at + 1, second_at if second_at >= 0 else len(text)
        if host < end and text[host] == "[":
            close = text.find("]", host, end)
            port = close + 2 if 0 <= close < end - 1 else -1
        else:
            colon = text.find(":", host, end)
            port = colon + 1 if colon >= 0 else -1
        return cls(at, second_at, host, end, port)

    def certain(self, text: str) -> bool:
        """Whether the parts are delimited beyond doubt.

        Not so after a second '@', or with a '[' or ']' other than around an IPv6
        address followed by nothing or ':': the author may have meant other parts
        (the ':' before the port may be one inside an address), so only the leftmost
        defect is sure to be one in its own right.
        """
        if self.second_at >= 0:
            return False
        host = text[self.host : self.end]
        if host.startswith("["):
            close = host.find("]")
            return (
                close >= 0
                and (close + 1 == len(host) or host[close + 1] == ":")
                and "[" not in host[1:]
                and "]" not in host[close + 1 :]
            )
        return "[" not in host and "]" not in host


def _problem(message: str, start: int, end: int | None = None) -> Problem:
    return Problem(Span(start, start + 1 if end is None else end), Code.INVALID_URL, message)


def placeholder_problem(code: Code, part: str, span: Span, label: str) -> Problem:
    """Return the problem of the placeholder ``label`` in the scheme or the authority."""
    return Problem(
        span,
        code,
        f"{label} stands in the URL's {part}; the scheme, user info, host and port must be "
        "literal, so no value can redirect the request (put values in the path or the query)",
    )


def _second_at(auth: Authority, layout: Layout) -> list[Problem]:
    if layout.second_at < 0:
        return []
    message = "a second '@' in the authority; write %40 for an '@' in the user info"
    return [_problem(message, auth.offsets[layout.second_at])]


def _userinfo(auth: Authority, layout: Layout) -> list[Problem]:
    """Check the user info: its characters and %XX escapes."""
    text, offsets = auth.text, auth.offsets
    found: list[Problem] = []
    k = 0
    while k < layout.at:
        ch = text[k]
        if ch == "%":
            for d in (1, 2):
                if k + d >= layout.at or text[k + d] not in HEX:
                    found.append(bad_escape(Code.INVALID_URL, text[k + d], offsets[k + d]))
                    break
            k += 3
        elif ch not in _USERINFO_CHARS:
            message = (
                f"{name_and_encoding(ch)} is not allowed in the URL's user info: literal "
                "text must already be percent-encoded"
            )
            found.append(_problem(message, offsets[k]))
            break
        else:
            k += 1
    return found


def _ipv6(auth: Authority, layout: Layout) -> list[Problem]:
    """Check a host in '[...]': an IPv6 address, followed by nothing or ':port'."""
    text, offsets, start = auth.text, auth.offsets, layout.host
    close = text.find("]", start, layout.end)
    if close < 0:
        return [_problem("an IPv6 address in '[' has no closing ']'", offsets[start])]
    found: list[Problem] = []
    literal = text[start + 1 : close]
    if "%" in literal:
        zone = literal[literal.index("%") :]
        message = (
            f"[{literal}] has a zone identifier ({zone!r}): WHATWG URL parsers (browsers, "
            "Node) reject the URL, and a zone names a network interface of the sender, "
            f"not a host; write [{literal[: literal.index('%')]}]"
        )
        found.append(_problem(message, offsets[start], offsets[close] + 1))
    else:
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            message = f"[{literal}] is not an IPv6 address"
            found.append(_problem(message, offsets[start], offsets[close] + 1))
    after = close + 1
    if after < layout.end and text[after] != ":":
        message = (
            f"{name_and_encoding(text[after])} after the IPv6 address; only ':port' may follow"
        )
        found.append(_problem(message, offsets[after]))
    return found


def _host(auth: Authority, layout: Layout, end_offset: int) -> list[Problem]:
    """Check the host: a name of ``_HOST_CHARS``, not empty unless a placeholder stands there."""
    text, offsets, start = auth.text, auth.offsets, layout.host
    if start < layout.end and text[start] == "[":
        return _ipv6(auth, layout)
    stop = layout.port - 1 if layout.port >= 0 else layout.end
    found: list[Problem] = []
    for k in range(start, stop):
        ch = text[k]
        if ch not in _HOST_CHARS:
            if not ch.isascii():
                message = (
                    f"{ch!r} in the host: write an internationalized domain name in its "
                    "ASCII form (punycode, xn--...)"
                )
            else:
                message = f"{name_and_encoding(ch)} is not allowed in a host name"
            found.append(_problem(message, offsets[k]))
            break
    if stop == start and not any(
        h.chars_before >= start and (layout.port < 0 or h.chars_before <= stop) for h in auth.holes
    ):
        where = offsets[start] if start < len(offsets) else end_offset
        found.append(_problem("the URL has no host: write https://host/...", where))
    if not found and stop > start:
        numeric = numeric_host_problem(text[start:stop])
        if numeric is not None:
            found.append(_problem(numeric, offsets[start], offsets[stop - 1] + 1))
    return found


# -- hosts that WHATWG URL parsers read as IPv4 addresses ---------------------------------------

_NUMBER: Final = {
    10: re.compile("[0-9]*").fullmatch,
    8: re.compile("[0-7]*").fullmatch,
    16: re.compile("[0-9A-Fa-f]*").fullmatch,
}


def _ipv4_number(part: str) -> int | None:
    """Return the number WHATWG's IPv4 number parser reads in ``part``, or None."""
    if not part:
        return None
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if _NUMBER[radix](part) is None:
        return None
    return int(part, radix) if part else 0


def _whatwg_ipv4(host: str) -> str | None:
    """Return the IPv4 address WHATWG's IPv4 parser makes of ``host``, or None if it fails."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1] + sum(n << (8 * (3 - k)) for k, n in enumerate(values[:-1]))
    return str(ipaddress.IPv4Address(address))


def numeric_host_problem(host: str) -> str | None:
    """Say why WHATWG and RFC 3986 parsers read the literal host ``host`` differently, or None.

    A WHATWG URL parser (browsers, Node, ``ada-url``) reads a host whose last label is
    a number (decimal, or hexadecimal after ``0x``) as an IPv4 address, in decimal,
    octal or hexadecimal parts, or rejects the URL; an RFC 3986 parser (``urllib``)
    reads any host but a dotted-decimal address as a name.  They agree only on the
    four decimal numbers of an address written as WHATWG writes it back.
    """
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    hexadecimal = last[:2] in ("0x", "0X") and _NUMBER[16](last[2:]) is not None
    if not (last.isascii() and last.isdigit()) and not hexadecimal:
        return None
    address = _whatwg_ipv4(host)
    if address == host:
        return None
    if address is None:
        return (
            f"WHATWG URL parsers (browsers, Node) reject the host {host!r}: its last label "
            "is a number, so it must be an IPv4 address, and it is not one; RFC 3986 "
            f"parsers (urllib) read it as the name {host!r}"
        )
    return (
        f"WHATWG URL parsers (browsers, Node) read the host {host!r} as the IPv4 address "
        f"{address}, RFC 3986 parsers (urllib) as the name {host!r}; write {address}"
    )


def _port(auth: Authority, layout: Layout) -> list[Problem]:
    """Check the port: decimal digits up to 65535, not empty unless a placeholder stands there."""
    if layout.port < 0:
        return []
    text, offsets, start, end = auth.text, auth.offsets, layout.port, layout.end
    digits = text[start:end]
    bad = next((k for k, c in enumerate(digits) if c not in _DIGITS), None)
    if bad is not None:
        message = f"{name_and_encoding(digits[bad])} in the port: a port is decimal digits"
        return [_problem(message, offsets[start + bad])]
    if not digits and not any(h.chars_before >= start for h in auth.holes):
        message = "':' after the host must be followed by a port number"
        return [_problem(message, offsets[start - 1])]
    if digits and int(digits) > 65535:
        message = f"port {digits} is out of range (0-65535)"
        return [_problem(message, offsets[start], offsets[end - 1] + 1)]
    return []


def _placeholders(auth: Authority, layout: Layout) -> list[Problem]:
    """Refuse every placeholder of the authority, naming the part it stands in."""
    found: list[Problem] = []
    for hole in auth.holes:
        if layout.at >= 0 and hole.chars_before <= layout.at:
            code, part = Code.PLACEHOLDER_IN_USERINFO, "user info"
        elif layout.port >= 0 and hole.chars_before >= layout.port:
            code, part = Code.PLACEHOLDER_IN_PORT, "port"
        else:
            code, part = Code.PLACEHOLDER_IN_HOST, "host"
        found.append(placeholder_problem(code, part, hole.span, hole.label))
    return found


def authority_problems(auth: Authority, end_offset: int) -> list[Problem]:
    """Return the defects of a complete authority, leftmost first.

    ``end_offset`` is where the authority ends in the source (for an empty host).
    Where its parts are not delimited beyond doubt, only the leftmost defect.
    """
    layout = Layout.of(auth.text)
    found = _second_at(auth, layout)
    if layout.at >= 0:
        found += _userinfo(auth, layout)
    found += _host(auth, layout, end_offset)
    found += _port(auth, layout)
    found += _placeholders(auth, layout)
    found.sort(key=lambda problem: problem.span.start)
    return found if layout.certain(auth.text) else found[:1]
