"""The XML scanner in start tags: element names, attributes, their values and the
references in them, with the context of a placeholder in an attribute value."""

from __future__ import annotations

import re
from typing import Final

from .._compiler.nodes import Hole, Span, Text
from .._escape import xml_attribute
from .._messages import describe_char, placeholder_label
from .._problems import Code, Problem
from ._base import Context, Defect
from .xml_names import (
    NAME_RUN,
    NAME_START,
    REF_RUN,
    WS,
    decode_reference,
    holds_placeholder,
    name_problem,
    placeholder_in_reference,
    placeholder_in_tag_name,
    unportable_name,
)
from .xml_namespaces import declare, declares_namespace, namespace_problem
from .xml_state import (
    ATTR_EQ,
    ATTR_NAME,
    ATTR_QUOTE,
    ATTR_REF,
    ATTR_VALUE,
    CONTENT,
    EMPTY_SLASH,
    EPILOG,
    MISC,
    ROOT,
    STAG_NAME,
    TAG,
    Element,
    Stack,
    Tag,
    TextStep,
    XmlPart,
    XmlState,
    invalid,
    refusal,
)

__all__ = [
    "ATTRIBUTE_VALUE",
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "attr_eq",
    "attr_name",
    "attr_quote",
    "attr_ref",
    "attr_ref_hole",
    "attr_value",
    "attr_value_hole",
    "attribute_name_hole",
    "empty_slash",
    "stag_name",
    "start_tag_name",
    "tag",
    "tag_name_hole",
    "unquoted_hole",
]

# The deepest element nesting and the most attributes of one start tag a template may
# have: the open elements and the tag's attribute names live in the state, so limits
# keep the check linear in the template's size.
MAX_DEPTH: Final = 512
MAX_ATTRIBUTES: Final = 512

_PRINTABLE: Final = frozenset(chr(c) for c in range(0x20, 0x7F))
ATTRIBUTE_VALUE: Final = Context(
    "xml attribute", xml_attribute, "", _PRINTABLE - frozenset("&<>\"'")
)
"""A placeholder in a quoted attribute value (either quote): ``id="{ActionId}"``."""

_VALUE_RUN: Final = {'"': re.compile(r'[^<&"]*').match, "'": re.compile(r"[^<&']*").match}
# A parser turns literal tab, LF and CR in an attribute value into spaces.
_NORMALIZED: Final = str.maketrans("\t\n\r", "   ")


def stag_name(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """STAG_NAME: read the name of a start tag on."""
    return start_tag_name(state.part, state.stack, state.token, text, i, node)


def start_tag_name(
    part: XmlPart, stack: Stack, read: str, text: str, i: int, node: Text
) -> TextStep:
    """Read the name of a start tag on from ``i`` (``read``: what is read of it)."""
    j = NAME_RUN(text, i).end()  # type: ignore[union-attr]
    name = read + text[i:j]
    if j >= len(text):
        return XmlState(STAG_NAME, part, stack, token=name), j
    problem = name_problem(name)
    if problem is not None:
        start, end = node.offset_of(max(j - len(name), 0)), node.offset_of(j)
        return Defect(invalid(f"the element name {name!r} {problem}", start, end))
    current = Tag(name, (), ())
    unportable = unportable_name("the element name", name, node, j)
    if unportable is not None:
        # The name is well-formed XML: the tag reads on.
        return Defect(unportable, XmlState(TAG, part, stack, current), j)
    return tag_text(part, stack, current, False, text, j, node)


def tag(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """TAG: read a start tag on between its attributes."""
    return tag_text(state.part, state.stack, state.tag, state.spaced, text, i, node)


def tag_text(
    part: XmlPart, stack: Stack, current: Tag, spaced: bool, text: str, i: int, node: Text
) -> TextStep:
    """Read the start tag ``current`` on from ``i`` up to '>', '/>' or an attribute name
    (``spaced``: whitespace was read since its last attribute)."""
    j = WS(text, i).end()  # type: ignore[union-attr]
    spaced = spaced or j > i
    if j >= len(text):
        return XmlState(TAG, part, stack, current, spaced=spaced), j
    ch = text[j]
    if ch == ">":
        return _start_element(stack, current, j, node)
    if ch == "/":
        if j + 1 < len(text):
            return _empty_element(part, stack, current, text, j + 1, node)
        return XmlState(EMPTY_SLASH, part, stack, current), j + 1
    if NAME_START(ch):
        if not spaced:
            problem = invalid(
                f"attributes of <{current.name}> must be separated by whitespace",
                node.offset_of(j),
            )
            # Read on as if the whitespace were there.
            return Defect(problem, XmlState(ATTR_NAME, part, stack, current), j)
        return attribute_name(part, stack, current, "", text, j, node)
    return Defect(
        invalid(
            f"unexpected {describe_char(ch)} in the start tag <{current.name}>; expected an "
            "attribute name, '>' or '/>'",
            node.offset_of(j),
        )
    )


def _start_element(stack: Stack, current: Tag, i: int, node: Text) -> TextStep:
    """Open the element of the start tag ``current``, whose '>' is at ``i``."""
    at = node.offset_of(i)
    problem = namespace_problem(current, stack, at)
    if problem is not None:
        # No reading on: a missing declaration would be reported again at each use.
        return Defect(problem)
    if len(stack) >= MAX_DEPTH:
        return Defect(
            Problem(
                Span(at, at + 1),
                Code.NESTING_TOO_DEEP,
                f"elements nested more than {MAX_DEPTH} levels deep; receivers "
                "refuse such documents and the check would slow down",
            )
        )
    return XmlState(CONTENT, ROOT, (*stack, Element(current.name, current.namespaces))), i + 1


def empty_slash(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """EMPTY_SLASH: read the '>' of '/>'."""
    return _empty_element(state.part, state.stack, state.tag, text, i, node)


def _empty_element(
    part: XmlPart, stack: Stack, current: Tag, text: str, i: int, node: Text
) -> TextStep:
    """Read the '>' at ``i`` that ends the empty-element tag ``current``."""
    if text[i] != ">":
        message = f"'/' in the start tag <{current.name}> must be followed by '>'"
        return Defect(invalid(message, node.offset_of(i)))
    problem = namespace_problem(current, stack, node.offset_of(i))
    if problem is not None:
        return Defect(problem)
    return (XmlState(CONTENT, ROOT, stack) if stack else XmlState(MISC, EPILOG, stack)), i + 1


def attr_name(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ATTR_NAME: read an attribute name on."""
    return attribute_name(state.part, state.stack, state.tag, state.token, text, i, node)


def attribute_name(
    part: XmlPart, stack: Stack, current: Tag, read: str, text: str, i: int, node: Text
) -> TextStep:
    """Read an attribute name of ``current`` on from ``i`` (``read``: what is read of it)."""
    j = NAME_RUN(text, i).end()  # type: ignore[union-attr]
    name = read + text[i:j]
    if j >= len(text):
        return XmlState(ATTR_NAME, part, stack, current, name), j
    if holds_placeholder(name):
        # Refused already: its value is read on, the name is unknown.
        return _equals(part, stack, current, name, text, j, node)
    why = name_problem(name)
    if why is not None or name in current.attributes or len(current.attributes) >= MAX_ATTRIBUTES:
        return _attribute_name_defect(part, stack, current, name, why, j, node)
    added = Tag(current.name, (*current.attributes, name), current.namespaces)
    unportable = unportable_name("the attribute name", name, node, j)
    if unportable is not None:
        # The name is well-formed XML: its value reads on.
        return Defect(unportable, XmlState(ATTR_EQ, part, stack, added, name), j)
    return _equals(part, stack, added, name, text, j, node)


def _attribute_name_defect(
    part: XmlPart, stack: Stack, current: Tag, name: str, why: str | None, j: int, node: Text
) -> Defect[XmlState]:
    """Return what is wrong with the attribute name ``name`` of ``current`` ending at ``j``."""
    start, end = node.offset_of(max(j - len(name), 0)), node.offset_of(j)
    if why is not None:
        return Defect(invalid(f"the attribute name {name!r} {why}", start, end))
    if name in current.attributes:
        problem = invalid(f"<{current.name}> has the attribute {name!r} twice", start, end)
        # Its value is read on; it counts once.
        return Defect(problem, XmlState(ATTR_EQ, part, stack, current, name), j)
    message = f"<{current.name}> has more than {MAX_ATTRIBUTES} attributes"
    return Defect(invalid(message, start, end))


def attr_eq(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ATTR_EQ: read the '=' after an attribute name."""
    return _equals(state.part, state.stack, state.tag, state.token, text, i, node)


def _equals(
    part: XmlPart, stack: Stack, current: Tag, attr: str, text: str, i: int, node: Text
) -> TextStep:
    """Read the '=' after the name ``attr`` of an attribute of ``current``."""
    i = WS(text, i).end()  # type: ignore[union-attr]
    if i >= len(text):
        return XmlState(ATTR_EQ, part, stack, current, attr), i
    if text[i] != "=":
        message = f'the attribute {attr!r} of <{current.name}> needs a value: write {attr}="..."'
        return Defect(invalid(message, node.offset_of(i)))
    if i + 1 < len(text):
        return _opening_quote(part, stack, current, attr, text, i + 1, node)
    return XmlState(ATTR_QUOTE, part, stack, current, attr), i + 1


def attr_quote(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ATTR_QUOTE: read the quote that opens an attribute value."""
    return _opening_quote(state.part, state.stack, state.tag, state.token, text, i, node)


def _opening_quote(
    part: XmlPart, stack: Stack, current: Tag, attr: str, text: str, i: int, node: Text
) -> TextStep:
    """Read the quote that opens the value of the attribute ``attr`` of ``current``."""
    i = WS(text, i).end()  # type: ignore[union-attr]
    if i >= len(text):
        return XmlState(ATTR_QUOTE, part, stack, current, attr), i
    ch = text[i]
    if ch == '"' or ch == "'":
        namespace = "" if declares_namespace(attr) else None
        return XmlState(ATTR_VALUE, part, stack, current, attr, "", 0, ch, namespace), i + 1
    message = f'the value of the attribute {attr!r} must be quoted: {attr}="..."'
    return Defect(invalid(message, node.offset_of(i)))


def attr_value(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ATTR_VALUE: read an attribute value up to its closing quote or a reference."""
    j = _VALUE_RUN[state.quote](text, i).end()  # type: ignore[union-attr]
    namespace = state.namespace
    if namespace is not None and j > i:
        namespace += text[i:j].translate(_NORMALIZED)
    if j >= len(text):
        return (state if namespace == state.namespace else state._replace(namespace=namespace)), j
    ch = text[j]
    if ch == state.quote:
        current = declare(state.tag, state.token, namespace)
        return tag_text(state.part, state.stack, current, False, text, j + 1, node)
    if ch == "&":
        return state._replace(mode=ATTR_REF, namespace=namespace), j + 1
    problem = invalid("'<' cannot appear in an attribute value; write &lt;", node.offset_of(j))
    if namespace is None and _literal_lt(text, j + 1):
        return Defect(problem, state, j + 1)  # as if written '&lt;', as the message asks
    return Defect(problem)


def _literal_lt(text: str, i: int) -> bool:
    """Whether the '<' before character ``i`` in an attribute value is certainly meant as a
    literal '<' (``title="a < b"``): no name or markup character follows it."""
    if i >= len(text) or text[i] in "/!?":
        return False
    return NAME_RUN(text, i).end() == i  # type: ignore[union-attr]


def attr_ref(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """ATTR_REF: read a reference in an attribute value on, up to its ';'."""
    ref = state.ref
    j = REF_RUN(text, i).end()  # type: ignore[union-attr]
    if j >= len(text):
        return state._replace(ref=ref + text[i:j]), j
    amp = node.offset_of(max(i - len(ref) - 1, 0))
    char = decode_reference(ref + text[i:j], text[j], amp, node.offset_of(j))
    namespace = state.namespace
    if isinstance(char, Problem):
        if namespace is not None:
            return Defect(char)
        # Read on after the reference, or after the '&' taken as a literal one.
        return Defect(char, state._replace(mode=ATTR_VALUE, ref=""), j + (text[j] == ";"))
    if namespace is not None:
        namespace += char
    return state._replace(mode=ATTR_VALUE, ref="", namespace=namespace), j + 1


# ---------------------------------------------------------------------------
# Placeholders in start tags
# ---------------------------------------------------------------------------


def tag_name_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in the name of a start or end tag: refused.

    The scanner stops: with the element unknown, or an end tag that may close any of
    the open elements or none, what follows cannot be judged with certainty.
    """
    return Defect(placeholder_in_tag_name(node))


def attribute_name_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder where an attribute name goes: refused.

    Glued to a name (``data-{Status}="1"``) it is certainly part of that name, and the
    scanner reads on; standing alone it may stand for whole attributes, so it stops.
    """
    label = placeholder_label(node)
    problem = refusal(
        node,
        Code.PLACEHOLDER_IN_ATTRIBUTE_NAME,
        f"stands in the start tag <{state.tag.name}> where an attribute name goes; "
        f'attribute names must be literal (put the placeholder in a quoted value: name="{label}")',
    )
    if state.mode == ATTR_NAME:
        return Defect(problem, state._replace(token=state.token + label))
    return Defect(problem)


def unquoted_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder right after '=': refused, XML attribute values are quoted."""
    attr, label = state.token, placeholder_label(node)
    return Defect(
        refusal(
            node,
            Code.PLACEHOLDER_UNQUOTED_ATTRIBUTE,
            f"is the unquoted value of the attribute {attr!r}; XML attribute values "
            f'must be quoted: {attr}="{label}"',
        )
    )


def attr_value_hole(state: XmlState, node: Hole) -> tuple[XmlState, Context] | Defect[XmlState]:
    """A placeholder in an attribute value is a value there, unless it declares a namespace."""
    if state.namespace is None:
        return state, ATTRIBUTE_VALUE
    return Defect(
        refusal(
            node,
            Code.PLACEHOLDER_IN_NAMESPACE_DECLARATION,
            f"stands in the namespace declaration {state.token!r}; a value would "
            "change the namespace of the elements, so namespace names must be literal",
        )
    )


def attr_ref_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in a reference in an attribute value: refused; the value reads on."""
    if state.namespace is not None:
        return Defect(placeholder_in_reference(node))
    return Defect(placeholder_in_reference(node), state._replace(mode=ATTR_VALUE, ref=""))
