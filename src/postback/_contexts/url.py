"""The ``url`` format: absolute http(s) URLs, as a state machine over their parts.

The template is tracked through RFC 3986's parts: scheme, ``//``, authority (user
info, host, port), path, query and fragment.  Placeholders may stand in a path segment
(percent-encoded as one segment), in a query key or value (form-encoded as in the
``query`` format) or in the fragment (percent-encoded); the scheme and the authority
must be literal.  Whether a character of the authority belongs to the user info, the
host or the port is known only when the authority ends (an '@' may follow), so the
authority is read whole and then checked (``_authority``).  No value or number of
items can make a dot segment of the path (``_segments``).

``_url_state`` holds the state, ``_url_scanner`` the transitions over literal text;
this module adds the placeholders (``HOLE_TRANSITIONS``) and the contexts.
"""

from __future__ import annotations

from typing import Final

from .._compiler.nodes import Hole
from .._escape import UNRESERVED, percent_encode
from .._messages import placeholder_label
from .._problems import Code, Problem
from . import _segments as seg
from ._authority import authority_problems, placeholder_problem
from ._base import Context, Defect, Fusion
from ._percent import placeholder_in_escape
from ._segments import URL_PATH, Run
from ._url_scanner import QUERY_PAIRS, TEXT_TRANSITIONS, scan
from ._url_state import MODE_NAMES, HoleStep, HoleTransition, UrlMode, UrlState, in_query, invalid
from .query import FORM_ENCODED, pair_hole

__all__ = [
    "CONTEXTS",
    "FORMAT",
    "HOLE_TRANSITIONS",
    "TEXT_TRANSITIONS",
    "URL_AUTHORITY",
    "URL_FRAGMENT",
    "URL_PATH",
    "UrlMode",
    "UrlState",
]

URL_FRAGMENT: Final = Context("url fragment", percent_encode, "", UNRESERVED)
"""The fragment: percent-encoded (``quote(value, safe="")``)."""
URL_AUTHORITY: Final = Context("url authority", percent_encode)
"""A placeholder read in the authority, refused when the authority ends."""

CONTEXTS: Final = (
    URL_PATH,
    seg.whole_segment("{Name}"),
    FORM_ENCODED,
    URL_FRAGMENT,
    URL_AUTHORITY,
)
"""Every context a placeholder can land in (a path segment that may be made of values
only has a context per placeholder, named in its escaper's messages: one stands for all)."""

# The modes by name at module level: reading an enum member through its class is slow.
SCHEME, SLASHES, AUTHORITY, PATH, QUERY, FRAGMENT = UrlMode
_START: Final = UrlState(SCHEME)
_FRAGMENT: Final = UrlState(FRAGMENT)
_AFTER_HOLE: Final = UrlState(PATH, run=Run.HOLE)


# -- placeholders: one transition per mode ---------------------------------------------------


def _hole_in_scheme(state: UrlState, node: Hole) -> HoleStep:
    """SCHEME: a placeholder in the scheme (or the whole URL): refused."""
    label = placeholder_label(node)
    return Defect(placeholder_problem(Code.PLACEHOLDER_IN_SCHEME, "scheme", node.span, label))


def _hole_after_scheme(state: UrlState, node: Hole) -> HoleStep:
    """SLASHES: a placeholder where '//' and the host must be: refused."""
    label = placeholder_label(node)
    return Defect(placeholder_problem(Code.PLACEHOLDER_IN_HOST, "host", node.span, label))


def _hole_in_authority(state: UrlState, node: Hole) -> HoleStep:
    """AUTHORITY: a placeholder in the authority, kept to be refused when it ends.

    Whether it is user info, host or port is known only then (an '@' may follow).
    """
    authority = state.authority.with_hole(node.span, placeholder_label(node))
    return UrlState(AUTHORITY, authority=authority), URL_AUTHORITY


def _hole_in_segment(state: UrlState, node: Hole) -> HoleStep:
    """PATH: a placeholder in a path segment, not glued to a run of one or two dots.

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


def _hole_in_query(state: UrlState, node: Hole) -> HoleStep:
    """QUERY: a key or a value, as in the ``query`` format."""
    result = pair_hole(state.pairs, node)
    if isinstance(result, Defect):
        assert result.resume is not None
        return Defect(result.problem, in_query(result.resume))
    pairs, context = result
    return (state if pairs is state.pairs else in_query(pairs)), context


def _hole_in_fragment(state: UrlState, node: Hole) -> HoleStep:
    """FRAGMENT: a value in the fragment."""
    if state.escape:
        # The value stands in the fragment the '%' began.
        return Defect(placeholder_in_escape(node), _FRAGMENT)
    return state, URL_FRAGMENT


HOLE_TRANSITIONS: Final[dict[UrlMode, HoleTransition]] = {
    SCHEME: _hole_in_scheme,
    SLASHES: _hole_after_scheme,
    AUTHORITY: _hole_in_authority,
    PATH: _hole_in_segment,
    QUERY: _hole_in_query,
    FRAGMENT: _hole_in_fragment,
}
"""What a placeholder standing in each mode is."""

# The same, indexed by mode.
_HOLE_STEPS: Final = tuple(HOLE_TRANSITIONS[mode] for mode in UrlMode)


class _UrlFormat:
    """The URL scanner (see ``_base``)."""

    name = "url"

    def initial(self) -> UrlState:
        return _START

    # Literal text is the scanner's alone (one call less per text than a method calling it).
    text = staticmethod(scan)

    def hole(self, state: UrlState, node: Hole) -> HoleStep:
        return _HOLE_STEPS[state.mode](state, node)

    def loop(self, before: UrlState, after: UrlState) -> str | None:
        if before.mode <= AUTHORITY:
            return (
                "a join cannot stand in the scheme, user info, host or port: they must be "
                "literal (to loop over path segments, end the host with a literal '/' "
                "before the join)"
            )
        if before.mode != after.mode:
            return (
                f"its template moves from the {MODE_NAMES[before.mode]} into the "
                f"{MODE_NAMES[after.mode]} (a '?' or '#' inside the join template)"
            )
        if after.mode == QUERY:
            return QUERY_PAIRS.loop(before.pairs, after.pairs)
        if after.escape:
            return "its template ends inside a %-escape"
        return seg.JOIN_ENDS_WITH_DOTS if after.run in seg.DOTS else None

    def end(self, state: UrlState, offset: int) -> Problem | None:
        mode = state.mode
        if mode == SCHEME:
            message = (
                "the URL is empty"
                if not state.scheme
                else "not an absolute URL: the URL must start with http:// or https://"
            )
            return invalid(message, max(state.start, 0), offset)
        if mode == SLASHES:
            message = f"the URL ends after '{state.scheme}:'; expected //host"
            return invalid(message, offset, offset)
        if mode == AUTHORITY:
            # Only one problem can be returned here: the leftmost.
            problems = authority_problems(state.authority, offset)
            return problems[0] if problems else None
        if mode == QUERY:
            return QUERY_PAIRS.finish(state.pairs, offset, "the query ends")
        if state.escape:
            return invalid(
                "the URL ends inside a %-escape: '%' must be followed by two hex digits",
                offset,
                offset,
            )
        return seg.segment_problem(state.run, state.dots) if mode == PATH else None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        """Write a path value as in any segment where the literal text next to it shows
        that its segment has another character than dots (``_segments.relaxed``)."""
        if context.name == seg.WHOLE_SEGMENT and seg.relaxed(before, after):
            return Fusion(URL_PATH, 0, 0)
        return None


FORMAT = _UrlFormat()
