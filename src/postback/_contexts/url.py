"""The ``url`` format: absolute http(s) URLs, as a state machine over their parts.

The template is tracked through RFC 3986's parts: scheme, ``//``, authority (user
info, host, port), path, query and fragment.  Placeholders may stand in a path segment
(percent-encoded as one segment), in a query key or value (form-encoded as in the
``query`` format) or in the fragment (percent-encoded); the scheme and the authority
must be literal.  Whether a character of the authority belongs to the user info, the
host or the port is known only when the authority ends (an '@' may follow), so the
authority is read whole and then checked (``_authority``).  No value or number of
items can make a dot segment of the path (``_segments``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import Final, NamedTuple

from .._compiler.nodes import Hole, Span, Text
from .._escape import UNRESERVED, percent_encode
from .._messages import placeholder_label
from .._problems import Code, Problem
from . import _segments as seg
from ._authority import MAX_AUTHORITY, Authority, authority_problems, placeholder_problem
from ._base import Context, Defect, Fusion
from ._segments import URL_PATH, Run
from .query import (
    HEX,
    INITIAL,
    PairMode,
    PairScanner,
    PairState,
    bad_escape,
    name_and_encoding,
    placeholder_in_escape,
)

__all__ = ["FORMAT", "URL_AUTHORITY", "URL_FRAGMENT", "URL_PATH", "Part", "UrlState"]

URL_FRAGMENT: Final = Context("url fragment", percent_encode, "", UNRESERVED)
"""The fragment: percent-encoded (``quote(value, safe="")``)."""
URL_AUTHORITY: Final = Context("url authority", percent_encode)
"""A placeholder read in the authority, refused when the authority ends."""


class Part(IntEnum):
    """The part of the URL the scanner is in."""

    SCHEME = 0  # up to the scheme's ':'
    SLASHES = 1  # the '//' after 'scheme:'
    AUTHORITY = 2  # user info, host and port, up to '/', '?', '#' or the end
    PATH = 3
    QUERY = 4
    FRAGMENT = 5


# The parts by name at module level: reading an enum member through its class is slow.
SCHEME, SLASHES, AUTHORITY, PATH, QUERY, FRAGMENT = Part
_PART_NAMES: Final = ("scheme", "authority", "authority", "path", "query", "fragment")


class UrlState(NamedTuple):
    """The URL scanner's state: the part it is in, and what that part needs to remember.

    Fields a part does not use keep their defaults, so two states are equal exactly
    when the scanner is in the same situation.
    """

    part: Part
    scheme: str = ""  # SCHEME, SLASHES: the scheme as written so far
    start: int = -1  # SCHEME: the source offset of the scheme's first character, -1 before it
    slashes: int = 0  # SLASHES: the number of '/' read after ':'
    authority: Authority = Authority()  # AUTHORITY: what was read of it so far
    # PATH, FRAGMENT: characters of an unfinished %XX escape read (0, 1, 2; 3 after a
    # '%2' in the path, which may be a dot)
    escape: int = 0
    run: Run = Run.START  # PATH: the current segment's literal text (``_segments``)
    dots: int = -1  # PATH: the source offset of the first dot of a run of dots, or -1
    pairs: PairState = INITIAL  # QUERY: the pair scanner's state
    # Defects of the authority that just ended, still to be reported; only ever
    # non-empty between the calls of ``text`` that report them.
    pending: tuple[Problem, ...] = ()


_START: Final = UrlState(SCHEME)
_AUTHORITY: Final = UrlState(AUTHORITY)
_PATH: Final = UrlState(PATH)
_QUERY: Final = UrlState(QUERY)
_FRAGMENT: Final = UrlState(FRAGMENT)
_AFTER_HOLE: Final = UrlState(PATH, run=seg.HOLE)
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

_PAIRS: Final = PairScanner(Code.INVALID_URL, "the query", stop="#")

# A transition: the state and position after the text at ``i``, or a defect.
_Step = tuple[UrlState, int] | Defect[UrlState]
_HoleStep = tuple[UrlState, Context] | Defect[UrlState]


def _problem(message: str, start: int, end: int | None = None) -> Problem:
    return Problem(Span(start, start + 1 if end is None else end), Code.INVALID_URL, message)


def _not_absolute(start: int, end: int) -> Defect[UrlState]:
    return Defect(
        _problem(
            "not an absolute URL: the URL must start with http:// or https:// followed by the host",
            start,
            end,
        )
    )


def _scheme(state: UrlState, node: Text, i: int) -> _Step:
    """In the scheme: letters, digits, '+', '-', '.' up to ':', then http or https only."""
    value = node.value
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
        return Defect(_problem(message, start, at))
    return UrlState(SLASHES, scheme), j + 1


def _slashes(state: UrlState, node: Text, i: int) -> _Step:
    """After 'scheme:': exactly '//'."""
    ch = node.value[i]
    if ch != "/":
        message = (
            f"expected '//' and the host after '{state.scheme}:', found {name_and_encoding(ch)}"
        )
        return Defect(_problem(message, node.offset_of(i)))
    if state.slashes:
        return _AUTHORITY, i + 1
    return UrlState(SLASHES, state.scheme, slashes=1), i + 1


def _authority(state: UrlState, node: Text, i: int) -> _Step:
    """In the authority: read up to '/', '?' or '#', then check it whole."""
    value = node.value
    found = _DELIMITER(value, i)
    end = len(value) if found is None else found.start()
    authority = state.authority
    room = MAX_AUTHORITY - len(authority.text)
    if end - i > room:
        message = (
            f"the authority (user info, host and port) is longer than {MAX_AUTHORITY} characters"
        )
        return Defect(_problem(message, node.offset_of(i + room)))
    authority = authority.extend(node, i, end)
    if end == len(value):
        return UrlState(AUTHORITY, authority=authority), end
    after = _AFTER[value[end]]
    problems = authority_problems(authority, node.offset_of(end))
    if not problems:
        return after, end + 1
    # The next part starts after the delimiter whatever the authority's defects.
    return Defect(problems[0], after._replace(pending=tuple(problems[1:])), end + 1)


def _escape_digit(state: UrlState, node: Text, i: int) -> _Step:
    """Inside a %XX escape: a hex digit, or a defect read on as if the '%' were '%25'."""
    ch = node.value[i]
    if ch not in HEX:
        problem = bad_escape(Code.INVALID_URL, ch, node.offset_of(i))
        resume = state._replace(escape=0, run=seg.SAFE, dots=-1)
        return Defect(problem, resume if state.part == PATH else UrlState(state.part), i)
    if state.escape == 1:
        return state._replace(escape=3 if ch == "2" and state.part == PATH else 2), i + 1
    if state.part != PATH:
        return UrlState(state.part), i + 1
    # A complete escape in the path: %2E is a dot to WHATWG parsers.
    at = node.offset_of(i) - 2 if node.exact else node.offset_of(i)
    return _add_literal(state, 1 if state.escape == 3 and ch in "eE" else -1, at), i + 1


def _add_literal(state: UrlState, dots: int, at: int) -> UrlState:
    """Return the path state after literal text of ``dots`` dots (-1: another character)
    that starts at source offset ``at``."""
    run, first = seg.after_literal(state.run, state.dots, dots, at)
    return UrlState(PATH, run=run, dots=first)


def _bad_char(state: UrlState, node: Text, i: int) -> Defect[UrlState]:
    """Refuse a character of the path or the fragment that must be percent-encoded."""
    problem = _problem(
        f"{name_and_encoding(node.value[i])} is not allowed in the URL's "
        f"{_PART_NAMES[state.part]}: literal text must already be percent-encoded",
        node.offset_of(i),
    )
    # The rest of the segment is likely written the same way: one report for it is
    # enough, and checking goes on at the next segment or part.  The fragment has none.
    found = _DELIMITER(node.value, i + 1) if state.part == PATH else None
    if found is None:
        return Defect(problem)
    return Defect(problem, state, found.start())


def _path(state: UrlState, node: Text, i: int) -> _Step:
    """In the path: segments of pchar and %XX escapes, up to '?' or '#'."""
    if state.escape:
        return _escape_digit(state, node, i)
    value = node.value
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
    return _bad_char(state._replace(run=seg.SAFE, dots=-1), node, j)


def _query(state: UrlState, node: Text, i: int) -> _Step:
    """In the query: ``key=value`` pairs as in the ``query`` format, up to '#'."""
    result = _PAIRS.scan(state.pairs, node, i)
    if isinstance(result, Defect):
        resume = None if result.resume is None else _in_query(result.resume)
        return Defect(result.problem, resume, result.at)
    pairs, i = result
    if i == len(node.value):
        return (state if pairs is state.pairs else _in_query(pairs)), i
    problem = _PAIRS.finish(pairs, node.offset_of(i), "the query ends (at '#')")
    if problem is None:
        return _FRAGMENT, i + 1
    return Defect(problem, _FRAGMENT, i + 1)


def _fragment(state: UrlState, node: Text, i: int) -> _Step:
    """In the fragment: pchar, '/', '?' and %XX escapes to the end."""
    if state.escape:
        return _escape_digit(state, node, i)
    value = node.value
    run = _FRAGMENT_RUN(value, i)
    assert run is not None  # every part of the pattern is optional
    i = run.end()
    if i == len(value):
        return state, i
    if value[i] == "%":
        return UrlState(FRAGMENT, escape=1), i + 1
    return _bad_char(state, node, i)


# The transition of each part, indexed by ``Part``.
_TRANSITIONS: Final[tuple[Callable[[UrlState, Text, int], _Step], ...]] = (
    _scheme,
    _slashes,
    _authority,
    _path,
    _query,
    _fragment,
)


def _in_query(pairs: PairState) -> UrlState:
    """Return the state in the query with the pair scanner in ``pairs``."""
    state = _QUERY_STATES.get(pairs)
    return UrlState(QUERY, pairs=pairs) if state is None else state


# The states in the query outside a pair's '&' (most of them), made once.
_QUERY_STATES: Final = {
    pairs: UrlState(QUERY, pairs=pairs)
    for pairs in (PairState(mode, escape) for mode in PairMode for escape in range(3))
}


def _hole_in_scheme(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder in the scheme (or the whole URL): refused."""
    label = placeholder_label(node)
    return Defect(placeholder_problem(Code.PLACEHOLDER_IN_SCHEME, "scheme", node.span, label))


def _hole_after_scheme(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder where '//' and the host must be: refused."""
    label = placeholder_label(node)
    return Defect(placeholder_problem(Code.PLACEHOLDER_IN_HOST, "host", node.span, label))


def _hole_in_authority(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder in the authority: kept, to be refused when the authority ends.

    Whether it is user info, host or port is known only then (an '@' may follow).
    """
    authority = state.authority.with_hole(node.span, placeholder_label(node))
    return UrlState(AUTHORITY, authority=authority), URL_AUTHORITY


def _hole_in_query(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder in the query: a key or a value, as in the ``query`` format."""
    result = _PAIRS.hole(state.pairs, node)
    if isinstance(result, Defect):
        assert result.resume is not None
        return Defect(result.problem, _in_query(result.resume))
    pairs, context = result
    return (state if pairs is state.pairs else _in_query(pairs)), context


def _hole_in_segment(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder in a path segment: not glued to a run of one or two dots.

    The segment may turn out to be made of values only, so the context refuses a
    value ``.`` or ``..``, unless the literal text around the placeholder shows
    otherwise (``fuse``).
    """
    if state.escape:
        # The value stands in the segment the '%' began.
        return Defect(placeholder_in_escape(node), _AFTER_HOLE)
    label = placeholder_label(node)
    if state.run in seg.DOTS:
        return Defect(seg.glued_problem(state.run, state.dots, label), _AFTER_HOLE)
    return _AFTER_HOLE, seg.whole_segment(label)


def _hole_in_fragment(state: UrlState, node: Hole) -> _HoleStep:
    """A placeholder in the fragment."""
    if state.escape:
        # The value stands in the fragment the '%' began.
        return Defect(placeholder_in_escape(node), _FRAGMENT)
    return state, URL_FRAGMENT


# What a placeholder does in each part, indexed by ``Part``.
_HOLES: Final[tuple[Callable[[UrlState, Hole], _HoleStep], ...]] = (
    _hole_in_scheme,
    _hole_after_scheme,
    _hole_in_authority,
    _hole_in_segment,
    _hole_in_query,
    _hole_in_fragment,
)


class _UrlFormat:
    """The URL scanner (see ``_base``)."""

    name = "url"
    content_type: str | None = None

    def initial(self) -> UrlState:
        return _START

    def text(self, state: UrlState, node: Text, start: int = 0) -> UrlState | Defect[UrlState]:
        if state.pending:
            return Defect(state.pending[0], state._replace(pending=state.pending[1:]), start)
        value = node.value
        i, n = start, len(value)
        while i < n:
            result = _TRANSITIONS[state.part](state, node, i)
            if isinstance(result, Defect):
                return result
            state, i = result
        return state

    def hole(self, state: UrlState, node: Hole) -> tuple[UrlState, Context] | Defect[UrlState]:
        return _HOLES[state.part](state, node)

    def loop(self, before: UrlState, after: UrlState) -> str | None:
        if before.part <= AUTHORITY:
            return (
                "a join cannot stand in the scheme, user info, host or port: they must be "
                "literal (to loop over path segments, end the host with a literal '/' "
                "before the join)"
            )
        if before.part != after.part:
            return (
                f"its template moves from the {_PART_NAMES[before.part]} into the "
                f"{_PART_NAMES[after.part]} (a '?' or '#' inside the join template)"
            )
        if after.part == QUERY:
            return _PAIRS.loop(before.pairs, after.pairs)
        if after.escape:
            return "its template ends inside a %-escape"
        return seg.JOIN_ENDS_WITH_DOTS if after.run in seg.DOTS else None

    def end(self, state: UrlState, offset: int) -> Problem | None:
        part = state.part
        if part == SCHEME:
            message = (
                "the URL is empty"
                if not state.scheme
                else "not an absolute URL: the URL must start with http:// or https://"
            )
            return _problem(message, max(state.start, 0), offset)
        if part == SLASHES:
            message = f"the URL ends after '{state.scheme}:'; expected //host"
            return _problem(message, offset, offset)
        if part == AUTHORITY:
            # Only one problem can be returned here: the leftmost.
            problems = authority_problems(state.authority, offset)
            return problems[0] if problems else None
        if part == QUERY:
            return _PAIRS.finish(state.pairs, offset, "the query ends")
        if state.escape:
            return _problem(
                "the URL ends inside a %-escape: '%' must be followed by two hex digits",
                offset,
                offset,
            )
        return seg.segment_problem(state.run, state.dots) if part == PATH else None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        """Write a path value as in any segment where the literal text next to it shows
        that its segment has another character than dots (``_segments.relaxed``)."""
        if context.name == seg.WHOLE_SEGMENT and seg.relaxed(before, after):
            return Fusion(URL_PATH, 0, 0)
        return None


FORMAT = _UrlFormat()
