"""Reads well-formed templates without Lark: a scanner that mirrors the grammar's lexer.

Lark's lexer tries the terminals a parser state accepts in the order of their
priority and takes the first that matches; ``_scan`` tries the same patterns
(``grammar.lark``) in the same order, so a template it reads yields exactly the
nodes, spans included, that the Lark path (``parser.py``) builds.  It reads only
what it is sure of: at anything else (a call that is not a well-formed ``join``, a
call inside a join's template, a placeholder in a separator, a defect of any kind)
it gives up and returns ``None``, and the Lark path reads the template again, so
every diagnostic still comes from there.  A template it reads never loads Lark.
"""

from __future__ import annotations

import re

from .nodes import Field, ItemField, Join, Malformed, Node, Span, Text

__all__ = ["inner_text", "scan"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# The grammar's terminals, same patterns; FIELD and ITEM (priority 5) come before
# CALL_OPEN (4), then MALFORMED (3), and a lone brace (0) last.
_FIELD = re.compile(r"\{(" + _NAME + r")\}")
_ITEM = re.compile(r"\{(" + _NAME + r")\.(" + _NAME + r")\}")
_CALL_OPEN = re.compile(r"\{(" + _NAME + r")\(\s*")
_MALFORMED = re.compile(r"\{[0-9_.\s]*[A-Za-z][A-Za-z0-9_.\s]*\}")
_TEXT = re.compile(r"(?:[^{}\\]|\\[^{}])+")
_ARG_NAME = re.compile(_NAME)
_STRING = re.compile(r'"(?:[^"\\]|\\[\s\S])*"')
_COMMA = re.compile(r"\s*,\s*")
_CALL_CLOSE = re.compile(r"\s*\)\s*\}")
_INNER_ESCAPE = re.compile(r'\\["\\]')


class _GiveUp(Exception):
    """Raised where the scanner meets what it does not read; the Lark path takes over."""


def scan(source: str) -> tuple[Node, ...] | None:
    """Return the nodes of ``source``, or ``None`` where the Lark path must read it."""
    try:
        return tuple(_scan(source, 0, inner=False))
    except _GiveUp:
        return None


def _scan(text: str, base: int, *, inner: bool) -> list[Node]:
    """Read top-level text (``inner`` false) or the contents of a join's string literal."""
    nodes: list[Node] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char == "{":
            pos = _brace(text, pos, base, nodes, inner=inner)
            continue
        if char == "\\" and pos + 1 < end and text[pos + 1] in "{}":
            nodes.append(Text(text[pos + 1], Span(base + pos, base + pos + 2), exact=False))
            pos += 2
            continue
        m = _TEXT.match(text, pos)
        # ``None`` only for `}` or a backslash at the very end (RBRACE, LONE_BS).
        stop = m.end() if m else pos + 1
        value = text[pos:stop]
        span = Span(base + pos, base + stop)
        nodes.append(inner_text(value, span) if inner and m else Text(value, span))
        pos = stop
    return nodes


def _brace(text: str, pos: int, base: int, nodes: list[Node], *, inner: bool) -> int:
    """Read the token at a `{`, append its node, and return where reading resumes."""
    if m := _FIELD.match(text, pos):
        nodes.append(Field(m[1], Span(base + pos, base + m.end())))
    elif m := _ITEM.match(text, pos):
        nodes.append(ItemField(m[1], m[2], Span(base + pos, base + m.end())))
    elif m := _CALL_OPEN.match(text, pos):
        if inner or m[1] != "join":
            raise _GiveUp
        join, stop = _join(text, m.end(), base, base + pos)
        nodes.append(join)
        return stop
    elif m := _MALFORMED.match(text, pos):
        nodes.append(Malformed(m[0], Span(base + pos, base + m.end())))
    else:
        nodes.append(Text("{", Span(base + pos, base + pos + 1)))
        return pos + 1
    return m.end()


def _join(text: str, pos: int, base: int, start: int) -> tuple[Join, int]:
    """Read a join's arguments from ``pos`` (just after its opener) through its closer."""
    args: list[tuple[str, int]] = []
    while True:
        m = _ARG_NAME.match(text, pos) or _STRING.match(text, pos)
        if m is None:
            raise _GiveUp
        args.append((m[0], base + pos))
        if close := _CALL_CLOSE.match(text, m.end()):
            break
        comma = _COMMA.match(text, m.end())
        if comma is None:
            raise _GiveUp
        pos = comma.end()
    kinds = [arg.startswith('"') for arg, _ in args]
    if kinds not in ([False, False, True], [False, False, True, True]):
        raise _GiveUp
    (coll, coll_at), (var, var_at), (body, body_at) = args[:3]
    body_nodes = _scan(body[1:-1], body_at + 1, inner=True)
    sep, sep_span = ",", Span(body_at + 1, body_at + 1)
    if len(args) == 4:
        raw, sep_at = args[3]
        sep_nodes = _scan(raw[1:-1], sep_at + 1, inner=True)
        if not all(isinstance(node, Text) for node in sep_nodes):
            raise _GiveUp
        sep = "".join(node.value for node in sep_nodes if isinstance(node, Text))
        sep_span = Span(sep_at + 1, sep_at + len(raw) - 1)
    join = Join(
        coll,
        var,
        tuple(body_nodes),
        sep,
        sep_span,
        Span(start, base + close.end()),
        Span(coll_at, coll_at + len(coll)),
        Span(var_at, var_at + len(var)),
    )
    return join, close.end()


def inner_text(value: str, span: Span) -> Text:
    """A string literal's text: `\\"` is `"` and `\\\\` is `\\`; the text stays one node and
    ``escapes`` keeps where each such character stands (both parsers read it here)."""
    if "\\" not in value:
        return Text(value, span)
    pieces: list[str] = []
    escapes: list[int] = []
    pos = size = 0
    for m in _INNER_ESCAPE.finditer(value):
        pieces.append(value[pos : m.start()])
        size += m.start() - pos
        escapes.append(size)
        pieces.append(value[m.start() + 1])
        size += 1
        pos = m.end()
    pieces.append(value[pos:])
    return Text("".join(pieces), span, True, tuple(escapes))
