"""The XML scanner in markup other than tags: comments, CDATA sections, processing
instructions, the XML declaration and '<!' declarations (a DOCTYPE is refused), with
the context of a placeholder in a CDATA section."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, cast

from .._compiler.nodes import Hole, Span, Text
from .._escape import xml_cdata
from .._messages import describe_char
from .._problems import Code, Problem
from ._base import Context, Defect
from .xml_names import NAME_RUN, NAME_START, WS_CHARS, name_problem, unportable_name
from .xml_state import (
    BANG,
    CDATA,
    COMMENT,
    CONTENT,
    MISC,
    PI,
    PI_END,
    PI_TARGET,
    PROLOG,
    ROOT,
    START,
    XML_DECL,
    Brackets,
    Stack,
    TextStep,
    XmlPart,
    XmlState,
    after_markup,
    brackets_gt,
    invalid,
    more_brackets,
    most_brackets,
    refusal,
    straddle,
)

__all__ = [
    "CDATA_SECTION",
    "bang",
    "bang_hole",
    "cdata",
    "cdata_hole",
    "comment",
    "comment_hole",
    "declaration",
    "instruction_target",
    "pi",
    "pi_end",
    "pi_target",
    "processing_instruction_hole",
    "xml_decl",
]

_PRINTABLE: Final = frozenset(chr(c) for c in range(0x20, 0x7F))
CDATA_SECTION: Final = Context("xml cdata", xml_cdata, "", _PRINTABLE - frozenset("]>"))
"""A placeholder in a CDATA section: ``<![CDATA[{Text1}]]>``."""

_BANG_KEYWORDS: Final = ("--", "[CDATA[", "DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION")
_DTD_KEYWORDS: Final = frozenset(_BANG_KEYWORDS[2:])
_COMMENT_RUN: Final = re.compile(r"[^-]*").match
_DASHES: Final = re.compile(r"-*").match
_CDATA_RUN: Final = re.compile(r"[^\]>]*").match
_PI_RUN: Final = re.compile(r"[^?]*").match

_S: Final = r"[ \t\r\n]"
_XML_DECL: Final = re.compile(
    rf"""{_S}+version{_S}*={_S}*(["'])(?P<version>[^"']*)\1"""
    rf"""(?:{_S}+encoding{_S}*={_S}*(["'])(?P<encoding>[^"']*)\3)?"""
    rf"""(?:{_S}+standalone{_S}*={_S}*(["'])(?P<standalone>[^"']*)\5)?{_S}*"""
).fullmatch
# The one name of the encoding a body is sent in that every XML parser knows: expat
# (ElementTree, pyexpat) matches encoding names exactly, in any case, and reads other
# spellings it does not know ("UTF8", "utf_8") one byte at a time, so the first
# character that is not ASCII is "not well-formed".
_UTF8: Final = "utf-8"
_SEPARATORS: Final = re.compile(r"[-_\s]")


def bang(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """BANG: read the keyword after '<!' on."""
    return declaration(state.part, state.stack, state.token, text, i, node)


def declaration(
    part: XmlPart, stack: Stack, keyword: str, text: str, i: int, node: Text
) -> TextStep:
    """Read the keyword after '<!' on from ``i`` (``keyword``: what is read of it): a
    comment, a CDATA section, or refused markup."""
    n = len(text)
    while i < n:
        keyword += text[i]
        i += 1
        if keyword == "--":
            if i < n:
                return comment_text(part, stack, 0, text, i, node)
            return XmlState(COMMENT, part, stack), i
        if keyword == "[CDATA[":
            if part != ROOT:
                message = "a CDATA section can only stand inside the root element"
                return Defect(invalid(message, node.offset_of(i - 1)))
            if i < n:
                return cdata_text(stack, 0, text, i, node)
            return XmlState(CDATA, ROOT, stack), i
        start, end = node.offset_of(max(i - len(keyword) - 2, 0)), node.offset_of(i - 1) + 1
        if keyword in _DTD_KEYWORDS:
            return Defect(
                Problem(
                    Span(start, end),
                    Code.DOCTYPE_NOT_ALLOWED,
                    f"<!{keyword} is not allowed: postback accepts no document type "
                    "declaration or entity definitions, so no entity can expand; remove it",
                )
            )
        if not any(k.startswith(keyword) for k in _BANG_KEYWORDS):
            message = "'<!' must start a comment '<!--' or a CDATA section '<![CDATA['"
            return Defect(invalid(message, start, end))
    return XmlState(BANG, part, stack, token=keyword), i


def comment(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """COMMENT: read a comment on."""
    dashes = cast(int, state.closing)  # in a comment, a count of '-'
    return comment_text(state.part, state.stack, dashes, text, i, node)


def comment_text(
    part: XmlPart, stack: Stack, dashes: int, text: str, i: int, node: Text
) -> TextStep:
    """Read a comment on from ``i`` (``dashes``: the '-' just read) up to its '-->'."""
    n = len(text)
    while True:
        if dashes == 2:
            if text[i] == ">":
                return after_markup(part, stack), i + 1
            problem = invalid(
                "'--' cannot appear inside a comment",
                node.offset_of(max(i - 2, 0)),
                node.offset_of(i) + 1,
            )
            # Read on after the run of dashes if the comment certainly ends in this
            # text (else the '--' may be a mistyped '-->').
            k = _DASHES(text, i).end()  # type: ignore[union-attr]
            if text[k : k + 1] == ">":
                return Defect(problem, XmlState(COMMENT, part, stack, closing=2), k)
            if text.find("-->", k) >= 0:
                return Defect(problem, XmlState(COMMENT, part, stack), k)
            return Defect(problem)
        j = _COMMENT_RUN(text, i).end()  # type: ignore[union-attr]
        if j > i:
            dashes, i = 0, j
            if i >= n:
                break
        dashes += 1
        i += 1
        if i >= n:
            break
    return XmlState(COMMENT, part, stack, closing=dashes), i


def cdata(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """CDATA: read a CDATA section on."""
    return cdata_text(state.stack, state.closing, text, i, node)


def cdata_text(stack: Stack, closing: Brackets, text: str, i: int, node: Text) -> TextStep:
    """Read a CDATA section on from ``i`` (``closing``: the ']' just read) up to its ']]>'."""
    n = len(text)
    while True:
        j = _CDATA_RUN(text, i).end()  # type: ignore[union-attr]
        if j > i:
            closing, i = 0, j
            if i >= n:
                break
        if text[i] == "]":
            closing = more_brackets(closing)
        elif closing == 2:
            return XmlState(CONTENT, ROOT, stack), i + 1
        elif most_brackets(closing) == 2:
            return Defect(brackets_gt(closing, "a CDATA section", node.offset_of(i)))
        else:
            closing = 0
        i += 1
        if i >= n:
            break
    return XmlState(CDATA, ROOT, stack, closing=closing), i


def pi_target(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """PI_TARGET: read the target of a processing instruction on."""
    return instruction_target(state.part, state.stack, state.token, text, i, node)


def instruction_target(
    part: XmlPart, stack: Stack, target: str, text: str, i: int, node: Text
) -> TextStep:
    """Read the target of a processing instruction on from ``i`` (``target``: what is
    read of it), or the 'xml' of the XML declaration."""
    if not target and not NAME_START(text[i]):
        return Defect(
            invalid(
                "'<?' must be followed by a processing instruction target name, "
                f"not {describe_char(text[i])}",
                node.offset_of(i),
            )
        )
    j = NAME_RUN(text, i).end()  # type: ignore[union-attr]
    target += text[i:j]
    if j >= len(text):
        return XmlState(PI_TARGET, part, stack, token=target), j
    span = node.offset_of(max(j - len(target) - 2, 0)), node.offset_of(j)
    if target.lower() == "xml":
        if part == START and target == "xml":
            return XmlState(XML_DECL, PROLOG, stack), j
        problem = invalid(
            "the XML declaration <?xml ...?> may only stand at the very start of the "
            "document, before any whitespace",
            *span,
        )
        # It ends at the next '?>', like a processing instruction.
        return Defect(problem, XmlState(PI, PROLOG if part == START else part, stack), j)
    if part == START:
        part = PROLOG
    if ":" in target or name_problem(target) is not None:
        return Defect(invalid(f"{target!r} is not a valid processing instruction target", *span))
    ch = text[j]
    unportable = unportable_name("the processing instruction target", target, node, j)
    if unportable is not None:
        # The target is well-formed XML: the instruction reads on when its end is sure.
        if ch in WS_CHARS or ch == "?":
            return Defect(unportable, XmlState(PI, part, stack), j)
        return Defect(unportable)
    if ch in WS_CHARS:
        if j + 1 < len(text):
            return instruction(part, stack, 0, text, j + 1, node)
        return XmlState(PI, part, stack), j + 1
    if ch == "?":
        return XmlState(PI_END, part, stack), j + 1
    return Defect(
        invalid(
            f"the processing instruction target {target!r} must be followed by whitespace or '?>'",
            node.offset_of(j),
        )
    )


def pi(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """PI: read a processing instruction on."""
    question = cast(int, state.closing)  # in a PI, whether a '?' was just read
    return instruction(state.part, state.stack, question, text, i, node)


def instruction(
    part: XmlPart, stack: Stack, question: int, text: str, i: int, node: Text
) -> TextStep:
    """Read a processing instruction on from ``i`` (``question``: 1 right after a '?')
    up to its '?>'."""
    n = len(text)
    while True:
        if question and text[i] == ">":
            return after_markup(part, stack), i + 1
        j = _PI_RUN(text, i).end()  # type: ignore[union-attr]
        if j > i:
            question, i = 0, j
            if i >= n:
                break
        question = 1  # a '?'
        i += 1
        if i >= n:
            break
    return XmlState(PI, part, stack, closing=question), i


def pi_end(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """PI_END: read the '>' of '<?target?>'."""
    if text[i] != ">":
        return Defect(invalid("'<?target?' must be followed by '>'", node.offset_of(i)))
    return after_markup(state.part, state.stack), i + 1


def xml_decl(state: XmlState, text: str, i: int, node: Text) -> TextStep:
    """Read the XML declaration up to its '?>' and check it."""
    read = state.token + text[i:]
    k = read.find("?>")
    if k < 0:
        return XmlState(XML_DECL, state.part, state.stack, token=read), len(text)
    held = len(state.token)  # the characters read from earlier text

    def offset(p: int) -> int:
        # The source offset of read[p] (the start of this text for earlier ones).
        return node.offset_of(i + p - held) if p >= held else node.offset_of(i)

    problem = _declaration_problem(read[:k], offset)
    after, end = XmlState(MISC, state.part, state.stack), i + k + 2 - held
    if problem is not None:
        return Defect(problem, after, end)  # the declaration is read to its end
    return after, end


def _declaration_problem(decl: str, offset: Callable[[int], int]) -> Problem | None:
    """Return what is wrong with the XML declaration ``<?xml{decl}?>``, if anything;
    ``offset(p)`` is the source offset of ``decl[p]``."""
    at = offset(0)
    match = _XML_DECL(decl)
    if match is None:
        return invalid(
            'the XML declaration is malformed; write <?xml version="1.0" encoding="UTF-8"?>',
            at,
        )
    if match["version"] != "1.0":
        return invalid(
            f"XML version {match['version']!r} is not supported; postback writes "
            'XML 1.0: version="1.0"',
            at,
        )
    encoding = match["encoding"]
    if encoding is not None and encoding.lower() != _UTF8:
        return _encoding_problem(encoding, offset(match.start("encoding")))
    standalone = match["standalone"]
    if standalone is not None and standalone not in ("yes", "no"):
        return invalid('standalone must be "yes" or "no"', at)
    return None


def _encoding_problem(encoding: str, start: int) -> Problem:
    """Return the problem of the declared ``encoding`` (not UTF-8), which starts at ``start``."""
    if _SEPARATORS.sub("", encoding.lower()) == "utf8":
        message = (
            f"encoding={encoding!r} is not a name XML parsers know for UTF-8 (expat, which "
            "ElementTree uses, then fails on the first character that is not ASCII); "
            'did you mean encoding="UTF-8"?'
        )
    else:
        message = (
            f"the XML declaration says encoding={encoding!r}, but the body is sent as UTF-8; "
            'write encoding="UTF-8" or leave it out'
        )
    span = Span(start, start + max(len(encoding), 1))
    return Problem(span, Code.INVALID_XML, f"invalid XML: {message}", "UTF-8")


_IN_COMMENT: Final = (
    "stands in a comment; a value could end the comment early ('--'), so "
    "comments take no placeholders"
)


def cdata_hole(state: XmlState, node: Hole) -> tuple[XmlState, Context]:
    """A placeholder in a CDATA section is a value there."""
    closing = straddle(state.closing)
    if closing == state.closing:
        return state, CDATA_SECTION
    return XmlState(CDATA, ROOT, state.stack, closing=closing), CDATA_SECTION


def comment_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in a comment: refused.

    The scanner stops: a comment left open by mistake would have every placeholder
    after it reported.
    """
    return Defect(refusal(node, Code.PLACEHOLDER_IN_COMMENT, _IN_COMMENT))


def bang_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in unfinished '<!' markup: refused."""
    if state.token == "-":
        return Defect(refusal(node, Code.PLACEHOLDER_IN_COMMENT, _IN_COMMENT))
    return Defect(
        refusal(
            node,
            Code.PLACEHOLDER_IN_MARKUP,
            "stands inside a '<!' declaration, which takes no placeholders",
        )
    )


def _pi_problem(state: XmlState, node: Hole) -> Problem:
    what = "the XML declaration" if state.mode == XML_DECL else "a processing instruction"
    return refusal(
        node,
        Code.PLACEHOLDER_IN_PROCESSING_INSTRUCTION,
        f"stands in {what}, which takes no placeholders",
    )


def processing_instruction_hole(state: XmlState, node: Hole) -> Defect[XmlState]:
    """A placeholder in a processing instruction or the XML declaration: refused.

    The scanner stops, as in a comment.
    """
    return Defect(_pi_problem(state, node))
