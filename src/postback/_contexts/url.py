"""The ``url`` format: a scanner for absolute http(s) URLs and the escapers of their parts.

The template is tracked through RFC 3986's parts: scheme, ``//``, authority (user
info, host, port), path, query and fragment.  Placeholders may stand in a path segment
(percent-encoded as one segment), in a query key or value (form-encoded as in the
``query`` format) or in the fragment (percent-encoded); the scheme and the authority
must be literal.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from .._nodes import Text
from ._legacy import Binding, FormatIssue, HoleNode, ValueFormatters
from .query import (
    INITIAL,
    PairScanner,
    bind_escaper,
    describe_char,
    form_encode,
    hole_name,
    percent_encode,
)

__all__ = ["FORMAT", "path_segment_encode"]

# Parts of the URL (the first item of every state).
SCHEME = 0  # (SCHEME, scheme so far, offset of its first character)
SLASHES = 1  # (SLASHES, scheme, number of '/' seen after ':')
# The longest authority a template may have (a DNS name has at most 253 characters);
# the scanner keeps the authority's characters in its state until it ends, so the
# limit keeps the check linear in the template's size.
MAX_AUTHORITY = 1024
AUTHORITY = 2  # (AUTHORITY, ((char, offset), ...), placeholders: ((start, end, index, name), ...))
PATH = 3  # (PATH, pct): pct counts the characters of a %XX escape seen so far
QUERY = 4  # (QUERY, pair state of query.PairScanner)
FRAGMENT = 5  # (FRAGMENT, pct)

_ALPHA: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGIT: Final = frozenset("0123456789")
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_UNRESERVED: Final = _ALPHA | _DIGIT | frozenset("-._~")
_SUB_DELIMS: Final = frozenset("!$&'()*+,;=")
_SCHEME_CHARS: Final = _ALPHA | _DIGIT | frozenset("+-.")
# RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
_PATH_CHARS: Final = _UNRESERVED | _SUB_DELIMS | frozenset(":@/")
# §3.5: fragment = *( pchar / "/" / "?" ).
_FRAGMENT_CHARS: Final = _PATH_CHARS | frozenset("?")
# §3.2.1: userinfo = *( unreserved / pct-encoded / sub-delims / ":" ).
_USERINFO_CHARS: Final = _UNRESERVED | _SUB_DELIMS | frozenset(":")
# §3.2.2 reg-name, restricted to what DNS names and HTTP clients accept: no
# percent-encoding and no sub-delims (internationalized names go in punycode).
_HOST_CHARS: Final = _UNRESERVED
_SCHEMES: Final = ("http", "https")

_PART_NAMES: Final = {
    SCHEME: "scheme",
    SLASHES: "authority",
    AUTHORITY: "authority",
    PATH: "path",
    QUERY: "query",
    FRAGMENT: "fragment",
}

_PAIRS: Final = PairScanner("invalid-url", "the query", "url-query-key", "url-query-value")

_DOTS: Final = frozenset(".")


def path_segment_encode(value: str) -> str:
    """Percent-encode ``value`` as one path segment (``quote(value, safe="")``).

    A value made only of dots (``.``, ``..``) is a dot-segment that URL resolvers
    (RFC 3986 §5.2.4, urllib3, curl) would remove together with the segment before
    it; its dots are written as ``%2E`` so the path keeps its segments.
    """
    out = percent_encode(value)
    if out and not out.strip("."):
        return "%2E" * len(out)
    return out


def _bad_char(ch: str, part: str, offset: int) -> FormatIssue:
    return FormatIssue(
        "invalid-url",
        f"{describe_char(ch)} is not allowed in the URL's {part}: literal text must "
        "already be percent-encoded",
        offset,
    )


def _pct_issue(ch: str, offset: int) -> FormatIssue:
    return FormatIssue(
        "invalid-url",
        f"invalid percent-escape: '%' must be followed by two hex digits, found {ch!r} "
        "(write %25 for a literal '%')",
        offset,
    )


def _placeholder_issue(code: str, part: str, start: int, end: int, name: str) -> FormatIssue:
    return FormatIssue(
        code,
        f"{name} stands in the URL's {part}; the scheme, user info, host and port must be "
        "literal, so no value can redirect the request (put values in the path or the query)",
        start,
        end,
    )


def _check_authority(
    chars: tuple[tuple[str, int], ...], holes: tuple[tuple[int, int, int, str], ...], at: int
) -> None:
    """Validate a complete authority; raise the first (leftmost) defect."""
    issues: list[FormatIssue] = []
    text = "".join(c for c, _ in chars)
    ats = [k for k, c in enumerate(text) if c == "@"]
    if len(ats) > 1:
        k = ats[1]
        issues.append(
            FormatIssue(
                "invalid-url",
                "a second '@' in the authority; write %40 for an '@' in the user info",
                chars[k][1],
            )
        )
    host_from = ats[0] + 1 if ats else 0
    # The user info.
    if ats:
        k = 0
        while k < ats[0]:
            ch, off = chars[k]
            if ch == "%":
                for d in (1, 2):
                    if k + d >= ats[0] or text[k + d] not in _HEX:
                        nxt = text[k + d] if k + d < len(text) else "the end"
                        issues.append(_pct_issue(nxt, chars[min(k + d, len(chars) - 1)][1]))
                        break
                k += 3
                continue
            if ch not in _USERINFO_CHARS:
                issues.append(_bad_char(ch, "user info", off))
                break
            k += 1
    # The host and the port.
    k = host_from
    end = ats[1] if len(ats) > 1 else len(text)
    port_from: int | None = None
    if k < end and text[k] == "[":
        close = text.find("]", k, end)
        if close < 0:
            issues.append(
                FormatIssue("invalid-url", "an IPv6 address in '[' has no closing ']'", chars[k][1])
            )
            k = end
        else:
            literal = text[k + 1 : close]
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                issues.append(
                    FormatIssue(
                        "invalid-url",
                        f"[{literal}] is not an IPv6 address",
                        chars[k][1],
                        chars[close][1] + 1,
                    )
                )
            k = close + 1
            if k < end and text[k] != ":":
                issues.append(
                    FormatIssue(
                        "invalid-url",
                        f"{describe_char(text[k])} after the IPv6 address; only ':port' may follow",
                        chars[k][1],
                    )
                )
            if k < end:
                port_from = k + 1
    else:
        start = k
        while k < end and text[k] != ":":
            ch, off = chars[k]
            if ch not in _HOST_CHARS:
                if not ch.isascii():
                    msg = (
                        f"{ch!r} in the host: write an internationalized domain name in "
                        "its ASCII form (punycode, xn--...)"
                    )
                else:
                    msg = f"{describe_char(ch)} is not allowed in a host name"
                issues.append(FormatIssue("invalid-url", msg, off))
                break
            k += 1
        while k < end and text[k] != ":":
            k += 1
        host_holes = [h for h in holes if h[2] >= host_from and (k >= end or h[2] <= k)]
        if k == start and not host_holes:
            where = chars[start][1] if start < len(chars) else at
            issues.append(
                FormatIssue("invalid-url", "the URL has no host: write https://host/...", where)
            )
        if k < end:
            port_from = k + 1
    if port_from is not None:
        digits = text[port_from:end]
        port_holes = [h for h in holes if h[2] >= port_from]
        bad = next((p for p, c in enumerate(digits) if c not in _DIGIT), None)
        where = chars[port_from - 1][1]
        if bad is not None:
            issues.append(
                FormatIssue(
                    "invalid-url",
                    f"{describe_char(digits[bad])} in the port: a port is decimal digits",
                    chars[port_from + bad][1],
                )
            )
        elif not digits and not port_holes:
            issues.append(
                FormatIssue(
                    "invalid-url", "':' after the host must be followed by a port number", where
                )
            )
        elif digits and int(digits) > 65535:
            issues.append(
                FormatIssue(
                    "invalid-url",
                    f"port {digits} is out of range (0-65535)",
                    chars[port_from][1],
                    chars[end - 1][1] + 1,
                )
            )
    for start_off, end_off, index, name in holes:
        if ats and index <= ats[0]:
            code, part = "placeholder-in-userinfo", "user info"
        elif port_from is not None and index >= port_from:
            code, part = "placeholder-in-port", "port"
        else:
            code, part = "placeholder-in-host", "host"
        issues.append(_placeholder_issue(code, part, start_off, end_off, name))
    if issues:
        raise min(issues, key=lambda issue: issue.offset)


class _UrlFormat:
    """The URL scanner and binder (see ``_base``)."""

    name = "url"
    content_type: str | None = None

    def initial(self) -> tuple[Any, ...]:
        return (SCHEME, "", -1)

    def text(self, state: tuple[Any, ...], value: str, node: Text) -> tuple[Any, ...]:
        i = 0
        n = len(value)
        part = state[0]
        while i < n:
            ch = value[i]
            if part == SCHEME:
                scheme, first = state[1], state[2]
                at = node.offset_of(i)
                if first < 0:
                    first = at
                if ch == ":" and scheme and scheme[0] in _ALPHA:
                    if scheme.lower() not in _SCHEMES:
                        raise FormatIssue(
                            "invalid-url",
                            f"the scheme {scheme!r} is not allowed: the URL must start with "
                            "http:// or https://",
                            first,
                            at,
                        )
                    state = (SLASHES, scheme, 0)
                    part = SLASHES
                elif ch in _SCHEME_CHARS and (scheme or ch in _ALPHA):
                    state = (SCHEME, scheme + ch, first)
                else:
                    raise FormatIssue(
                        "invalid-url",
                        "not an absolute URL: the URL must start with http:// or https:// "
                        "followed by the host",
                        first,
                        at + 1,
                    )
                i += 1
            elif part == SLASHES:
                if ch != "/":
                    raise FormatIssue(
                        "invalid-url",
                        f"expected '//' and the host after '{state[1]}:', found "
                        f"{describe_char(ch)}",
                        node.offset_of(i),
                    )
                state = (AUTHORITY, (), ()) if state[2] else (SLASHES, state[1], 1)
                part = state[0]
                i += 1
            elif part == AUTHORITY:
                if ch in "/?#":
                    _check_authority(state[1], state[2], node.offset_of(i))
                    state, part = self._enter(ch)
                else:
                    if len(state[1]) >= MAX_AUTHORITY:
                        raise FormatIssue(
                            "invalid-url",
                            f"the authority (user info, host and port) is longer than "
                            f"{MAX_AUTHORITY} characters",
                            node.offset_of(i),
                        )
                    state = (AUTHORITY, (*state[1], (ch, node.offset_of(i))), state[2])
                i += 1
            elif part == QUERY:
                pairs, i = _PAIRS.scan(state[1], value, i, node, stop="#")
                if i < n:
                    _PAIRS.finish(pairs, node.offset_of(i), "the query ends (at '#')")
                    state, part = (FRAGMENT, 0), FRAGMENT
                    i += 1
                else:
                    state = (QUERY, pairs)
            else:  # PATH or FRAGMENT: (part, pct)
                pct = state[1]
                if pct:
                    if ch not in _HEX:
                        raise _pct_issue(ch, node.offset_of(i))
                    state = (part, 0 if pct == 2 else 2)
                elif ch == "%":
                    state = (part, 1)
                elif part == PATH and ch in "?#":
                    state, part = self._enter(ch)
                elif ch not in (_PATH_CHARS if part == PATH else _FRAGMENT_CHARS):
                    raise _bad_char(ch, _PART_NAMES[part], node.offset_of(i))
                i += 1
        return state

    @staticmethod
    def _enter(delimiter: str) -> tuple[tuple[Any, ...], int]:
        if delimiter == "/":
            return (PATH, 0), PATH
        if delimiter == "?":
            return (QUERY, INITIAL), QUERY
        return (FRAGMENT, 0), FRAGMENT

    def hole(self, state: tuple[Any, ...], node: HoleNode) -> tuple[tuple[Any, ...], Any]:
        part = state[0]
        name = hole_name(node)
        start, end = node.span.start, node.span.end
        if part == SCHEME:
            raise _placeholder_issue("placeholder-in-scheme", "scheme", start, end, name)
        if part == SLASHES:
            raise _placeholder_issue("placeholder-in-host", "host", start, end, name)
        if part == AUTHORITY:
            # Whether this is user info, host or port is known only when the authority
            # ends (an '@' may follow); _check_authority reports it then.
            chars, holes = state[1], state[2]
            hole = (start, end, len(chars), name)
            return (AUTHORITY, chars, (*holes, hole)), "url-authority"
        if part == QUERY:
            pairs, ctx = _PAIRS.hole(state[1], node)
            return (QUERY, pairs), ctx
        if state[1]:
            raise FormatIssue(
                "placeholder-in-escape",
                f"{name} follows an unfinished %-escape, so the value would complete it; "
                "write %25 for a literal '%'",
                start,
                end,
            )
        return state, "url-path" if part == PATH else "url-fragment"

    def loop(self, before: tuple[Any, ...], after: tuple[Any, ...]) -> str | None:
        if before[0] in (SCHEME, SLASHES, AUTHORITY):
            return (
                "a join cannot stand in the scheme, user info, host or port: they must be "
                "literal (to loop over path segments, end the host with a literal '/' "
                "before the join)"
            )
        if before[0] != after[0]:
            return (
                f"its template moves from the {_PART_NAMES[before[0]]} into the "
                f"{_PART_NAMES[after[0]]} (a '?' or '#' inside the join template)"
            )
        if after[0] == QUERY:
            return _PAIRS.loop(before[1], after[1])
        if after[1]:
            return "its template ends inside a %-escape"
        return None

    def end(self, state: tuple[Any, ...], offset: int) -> None:
        part = state[0]
        if part == SCHEME:
            msg = (
                "the URL is empty"
                if not state[1]
                else "not an absolute URL: the URL must start with http:// or https://"
            )
            raise FormatIssue("invalid-url", msg, max(state[2], 0), offset)
        if part == SLASHES:
            raise FormatIssue(
                "invalid-url", f"the URL ends after '{state[1]}:'; expected //host", offset, offset
            )
        if part == AUTHORITY:
            _check_authority(state[1], state[2], offset)
        elif part == QUERY:
            _PAIRS.finish(state[1], offset, "the query ends")
        elif state[1]:
            raise FormatIssue(
                "invalid-url",
                "the URL ends inside a %-escape: '%' must be followed by two hex digits",
                offset,
                offset,
            )

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding:
        if context == "url-path":
            return bind_escaper(path_segment_encode, vtype, values)
        if context == "url-fragment":
            return bind_escaper(percent_encode, vtype, values)
        return bind_escaper(form_encode, vtype, values)


FORMAT = _UrlFormat()
