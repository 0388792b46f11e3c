"""The URL scanner: one transition per mode over literal text.

``scan`` reads the literal text of a template as a URL from a ``UrlState``:
``TEXT_TRANSITIONS[mode]`` reads the text of one part of the URL and returns the state
where it stopped, most often after the delimiter that opens the next part.  The authority is read whole up to that delimiter and then
checked (``_authority``); the path follows its segments' dots (``_segments``); the
query is read by the pair scanner of the ``query`` format (``QUERY_PAIRS``).
"""

from __future__ import annotations

import re
from typing import Final

from .._compiler.nodes import Text
from .._problems import Code, Problem
from . import _segments as seg
from ._authority import MAX_AUTHORITY, authority_problems
from ._base import Defect
from ._percent import HEX, bad_escape, name_and_encoding
from ._query_scanner import PairScanner
from ._url_state import MODE_NAMES, TextStep, TextTransition, UrlMode, UrlState, in_query, invalid

__all__ = ["QUERY_PAIRS", "TEXT_TRANSITIONS", "scan"]

QUERY_PAIRS: Final = PairScanner(Code.INVALID_URL, "the query", stop="#")
"""The pair scanner of the query: its defects are ``invalid-url``, and it stops at '#'."""

# The modes by name at module level: reading an enum member through its class is slow.
SCHEME, SLASHES, AUTHORITY, PATH, QUERY, FRAGMENT = UrlMode
_AUTHORITY: Final = UrlState(AUTHORITY)
_PATH: Final = UrlState(PATH)
_QUERY: Final = UrlState(QUERY)
_FRAGMENT: Final = UrlState(FRAGMENT)
_AFTER: Final = {"/": _PATH, "?": _QUERY, "#": _FRAGMENT}  # the part a delimiter opens

_ALPHA: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SCHEMES: Final = ("http", "https")
_SCHEME_RUN: Final = re.compile(r"[A-Za-z0-9+.\-]*").match
# What ends the authority, and where a path segment or part begins.
_DELIMITER: Final = re.compile("[/?#]").search
# A path segment: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
# (RFC 3986 §3.3), and '/' between segments.
_PATH_CLASS: Final = r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]"
_PATH_RUN: Final = re.compile(f"{_PATH_CLASS}*(?:%[0-9A-Fa-f]{{2}}{_PATH_CLASS}*)*").match
# The fragment: pchar, '/' and '?' (RFC 3986 §3.5).
_FRAGMENT_CLASS: Final = r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?]"
_FRAGMENT_RUN: Final = re.compile(
    f"{_FRAGMENT_CLASS}*(?:%[0-9A-Fa-f]{{2}}{_FRAGMENT_CLASS}*)*"
).match


def _not_absolute(start: int, end: int) -> Defect[UrlState]:
    return Defect(
        invalid(
            "not an absolute URL: the URL must start with http:// or https:// followed by the host",
            start,
            end,
        )
    )


def _scheme(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """SCHEME: letters, digits, '+', '-', '.' up to ':', then http or https only."""
    start = state.start if state.start >= 0 else node.offset_of(i)
    if not state.scheme and value[i] not in _ALPHA:
        return _not_absolute(start, node.offset_of(i) + 1)
    run = _SCHEME_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    j = run.end()
    scheme = state.scheme + value[i:j]
    if j == len(value):
        return UrlState(SCHEME, scheme, start), j
    at = node.offset_of(j)
    if value[j] != ":":
        return _not_absolute(start, at + 1)
    if scheme.lower() not in _SCHEMES:
        message = (
            f"the scheme {scheme!r} is not allowed: the URL must start with http:// or https://"
        )
        return Defect(invalid(message, start, at))
    return UrlState(SLASHES, scheme), j + 1


def _slashes(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """SLASHES: after 'scheme:', exactly '//'."""
    ch = value[i]
    if ch != "/":
        message = (
            f"expected '//' and the host after '{state.scheme}:', found {name_and_encoding(ch)}"
        )
        return Defect(invalid(message, node.offset_of(i)))
    if state.slashes:
        return _AUTHORITY, i + 1
    return UrlState(SLASHES, state.scheme, slashes=1), i + 1


def _authority(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """AUTHORITY: read up to '/', '?' or '#', then check it whole."""
    found = _DELIMITER(value, i)
    end = len(value) if found is None else found.start()
    authority = state.authority
    room = MAX_AUTHORITY - len(authority.text)
    if end - i > room:
        message = (
            f"the authority (user info, host and port) is longer than {MAX_AUTHORITY} characters"
        )
        return Defect(invalid(message, node.offset_of(i + room)))
    authority = authority.extend(node, i, end)
    if end == len(value):
        return UrlState(AUTHORITY, authority=authority), end
    after = _AFTER[value[end]]
    problems = authority_problems(authority, node.offset_of(end))
    if not problems:
        return after, end + 1
    # The next part starts after the delimiter whatever the authority's defects.
    return Defect(problems[0], after._replace(pending=tuple(problems[1:])), end + 1)


def _escape_digit(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """Inside a %XX escape: a hex digit, or a defect read on as if the '%' were '%25'."""
    ch = value[i]
    if ch not in HEX:
        problem = bad_escape(Code.INVALID_URL, ch, node.offset_of(i))
        resume = state._replace(escape=0, run=seg.SAFE, dots=-1)
        return Defect(problem, resume if state.mode == PATH else UrlState(state.mode), i)
    if state.escape == 1:
        return state._replace(escape=3 if ch == "2" and state.mode == PATH else 2), i + 1
    if state.mode != PATH:
        return UrlState(state.mode), i + 1
    # A complete escape in the path: %2E is a dot to WHATWG parsers.
    at = node.offset_of(i) - 2 if node.exact else node.offset_of(i)
    return _add_literal(state, 1 if state.escape == 3 and ch in "eE" else -1, at), i + 1


def _add_literal(state: UrlState, dots: int, at: int) -> UrlState:
    """Return the path state after literal text of ``dots`` dots (-1: another character)
    that starts at source offset ``at``."""
    run, first = seg.after_literal(state.run, state.dots, dots, at)
    return UrlState(PATH, run=run, dots=first)


def _bad_char(state: UrlState, value: str, i: int, node: Text) -> Defect[UrlState]:
    """Refuse a character of the path or the fragment that must be percent-encoded."""
    problem = invalid(
        f"{name_and_encoding(value[i])} is not allowed in the URL's "
        f"{MODE_NAMES[state.mode]}: literal text must already be percent-encoded",
        node.offset_of(i),
    )
    # The rest of the segment is likely written the same way: one report for it is
    # enough, and checking goes on at the next segment or part.  The fragment has none.
    found = _DELIMITER(value, i + 1) if state.mode == PATH else None
    if found is None:
        return Defect(problem)
    return Defect(problem, state, found.start())


def _path(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """PATH: segments of pchar and %XX escapes, up to '?' or '#'."""
    if state.escape:
        return _escape_digit(state, value, i, node)
    run = _PATH_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    j = run.end()
    if j > i:
        found = seg.path_text(state.run, state.dots, node, i, j)
        if isinstance(found[0], Problem):
            return Defect(found[0], _PATH, found[1])
        state = UrlState(PATH, run=found[0], dots=found[1])
    if j == len(value):
        return state, j
    ch = value[j]
    if ch == "%":
        return state._replace(escape=1), j + 1
    if ch == "?" or ch == "#":
        problem = seg.segment_problem(state.run, state.dots)
        if problem is not None:
            return Defect(problem, _AFTER[ch], j + 1)
        return _AFTER[ch], j + 1
    return _bad_char(state._replace(run=seg.SAFE, dots=-1), value, j, node)


def _query(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """QUERY: ``key=value`` pairs as in the ``query`` format, up to '#'."""
    result = QUERY_PAIRS.scan(state.pairs, node, i)
    if isinstance(result, Defect):
        resume = None if result.resume is None else in_query(result.resume)
        return Defect(result.problem, resume, result.at)
    pairs, i = result
    if i == len(value):
        return (state if pairs is state.pairs else in_query(pairs)), i
    problem = QUERY_PAIRS.finish(pairs, node.offset_of(i), "the query ends (at '#')")
    if problem is None:
        return _FRAGMENT, i + 1
    return Defect(problem, _FRAGMENT, i + 1)


def _fragment(state: UrlState, value: str, i: int, node: Text) -> TextStep:
    """FRAGMENT: pchar, '/', '?' and %XX escapes to the end."""
    if state.escape:
        return _escape_digit(state, value, i, node)
    run = _FRAGMENT_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    i = run.end()
    if i == len(value):
        return state, i
    if value[i] == "%":
        return UrlState(FRAGMENT, escape=1), i + 1
    return _bad_char(state, value, i, node)


TEXT_TRANSITIONS: Final[dict[UrlMode, TextTransition]] = {
    SCHEME: _scheme,
    SLASHES: _slashes,
    AUTHORITY: _authority,
    PATH: _path,
    QUERY: _query,
    FRAGMENT: _fragment,
}
"""The transition over literal text of each mode."""

# The same, indexed by mode, for ``scan``.
_TEXT_STEPS: Final = tuple(TEXT_TRANSITIONS[mode] for mode in UrlMode)


def scan(state: UrlState, node: Text, start: int = 0) -> UrlState | Defect[UrlState]:
    """Return the state after the text of ``node`` from ``start`` on, or its first defect.

    The defects of an authority that ended in earlier text are reported first, one a call.
    """
    if state.pending:
        return Defect(state.pending[0], state._replace(pending=state.pending[1:]), start)
    value = node.value
    i, n = start, len(value)
    while i < n:
        result = _TEXT_STEPS[state.mode](state, value, i, node)
        if isinstance(result, Defect):
            return result
        state, i = result
    return state
