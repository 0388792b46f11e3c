"""Recovering from a broken ``join(...)`` call, so that the parser reads on after it.

When Lark stops inside a call, ``recover`` reports the defect where the call broke
(an unexpected token or character, an unterminated string literal, a call never
closed), drops the call's part of the parser's stacks, feeds it the ``{`` of every
call opener left unclosed as text, and moves the lexer to where reading resumes.
Nothing is read twice and nothing recurses, however many calls are broken.  Lark is
imported inside the functions, as in ``parser.py``: ``import postback`` does not load it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._messages import show
from .._problems import Code

if TYPE_CHECKING:
    from lark.parsers.lalr_interactive_parser import InteractiveParser

__all__ = ["Report", "recover"]

#: Records a problem: its code, message, start and end offsets.
Report = Callable[[Code, str, int, int], None]

_CALL_OPEN_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\(")
# An unexpected token is quoted up to this many characters, then "…".
_QUOTE_LIMIT = 40


def _quote(token: str) -> str:
    """Return the unexpected text ``token`` for a message, cut after ``_QUOTE_LIMIT`` characters."""
    text = token.strip() or token
    if len(text) > _QUOTE_LIMIT:
        return show(text[:_QUOTE_LIMIT]) + "…"
    return show(text)


class _Openers:
    """The call openers (``{name(``) from a broken call's own up to where it broke."""

    def __init__(self, text: str, call: int, before: int) -> None:
        self.call = call
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.names: list[str] = []
        # Openers never overlap: their ends increase with their starts.
        for m in _CALL_OPEN_RE.finditer(text, call, before):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.names.append(m.group(0)[1:-1])

    def last(self, before: int) -> int:
        """Return the start of the last opener that ends by offset ``before``."""
        k = bisect_right(self.ends, before) - 1
        return self.starts[k] if k >= 0 else self.call

    def _index(self, start: int) -> int:
        return bisect_right(self.starts, start) - 1

    def name(self, start: int) -> str:
        """Return the function name of the opener at ``start``."""
        k = self._index(start)
        return self.names[k] if k >= 0 and self.starts[k] == start else "join"

    def end(self, start: int) -> int:
        k = self._index(start)
        return self.ends[k] if k >= 0 and self.starts[k] == start else start + 1


def recover(parser: InteractiveParser, text: str, exc: Any, add: Report) -> None:
    """Report the broken call ``exc`` stopped in and set ``parser`` to read on after it.

    Top-level text never fails to parse, so the parser stopped inside a call: its
    stacks hold the pieces read before the call, the call's opener, then the call's
    tokens.  The call's part is dropped, as if the call had never been read.
    """
    # Lark loads with the parser, on the first compile, not with import postback.
    from lark import Token

    state = parser.parser_state
    values = state.value_stack
    at = max(k for k, v in enumerate(values) if isinstance(v, Token) and v.type == "CALL_OPEN")
    call_start: int = values[at].start_pos
    strings: list[tuple[int, int]] = []  # the call's string literals (start, end)
    pending = list(reversed(values[at + 1 :]))
    while pending:
        value = pending.pop()
        if not isinstance(value, Token):
            pending.extend(reversed(value.children))
        elif value.type == "STRING":
            strings.append((value.start_pos, value.end_pos))  # type: ignore[arg-type]
    del state.state_stack[at + 1 :]
    del values[at:]
    braces, resume = _broken_call(add, text, call_start, strings, exc)
    for start in braces:
        # The `{` of each opener left unclosed is kept as text.
        parser.feed_token(Token("LBRACE", "{", start))
    lexer = parser.lexer_thread.state
    assert lexer is not None
    lexer.line_ctr.char_pos = resume


def _broken_call(
    add: Report, text: str, call: int, strings: list[tuple[int, int]], exc: Any
) -> tuple[list[int], int]:
    """Report the call opened at ``call`` that ``exc`` stopped in.

    Return the offsets of the openers whose ``{`` stays text, in order, and the
    offset to resume reading from.  ``strings`` are the spans of the string
    literals the call had read.
    """
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken  # with the parser

    if (
        isinstance(exc, UnexpectedToken)
        and exc.token.type != "$END"
        and not str(exc.token).startswith('"')
    ):
        tok = exc.token
        s = tok.start_pos if tok.start_pos is not None else len(text)
        openers = _Openers(text, call, s)
        call_start = openers.last(s)
        shown = _quote(str(tok))
        add(
            Code.INVALID_CALL,
            f"unexpected {shown!r} in join(...): arguments are separated by ',' and "
            'the call ends with ")}"; expected {join(items, i, "TEMPLATE"[, "SEP"])}',
            s,
            s + max(len(str(tok)), 1),
        )
        return _unclosed(add, openers, call_start, strings), max(s, call_start + 1)
    pos = getattr(exc, "pos_in_stream", None)
    if isinstance(exc, UnexpectedToken):
        pos = exc.token.start_pos if exc.token.type != "$END" else len(text)
    elif not isinstance(exc, UnexpectedCharacters):
        pos = len(text)
    if pos is None or pos < 0:
        pos = len(text)
    pos = min(pos, len(text))
    openers = _Openers(text, call, pos)
    call_start = openers.last(pos)
    fname = openers.name(call_start)
    if pos < len(text) and text[pos] == '"':
        add(
            Code.UNTERMINATED_STRING,
            f"unterminated string literal in {fname}(...): add the closing '\"' "
            '(write \\" for a quote inside the string)',
            pos,
            pos + 1,
        )
        return _unclosed(add, openers, call_start, strings), len(text)
    if isinstance(exc, UnexpectedCharacters) and pos < len(text):
        add(
            Code.INVALID_CALL,
            f"unexpected {show(text[pos])!r} in {fname}(...): arguments are separated by "
            f'\',\' and the call ends with ")}}"; expected {{join(items, i, "TEMPLATE")}}',
            pos,
            pos + 1,
        )
        return _unclosed(add, openers, call_start, strings), pos
    _unterminated(add, openers, call_start)
    return _unclosed(add, openers, call_start, strings), len(text)


def _unterminated(add: Report, openers: _Openers, start: int) -> None:
    """Report the call opened at ``start`` as never closed."""
    add(
        Code.UNTERMINATED_CALL,
        f'unterminated {openers.name(start)}(...) call: it is never closed with ")}}"',
        start,
        openers.end(start),
    )


def _unclosed(
    add: Report, openers: _Openers, start: int, strings: list[tuple[int, int]]
) -> list[int]:
    """Return the openers from the call's own to ``start`` whose ``{`` stays text.

    A broken call is reported where it broke, at ``start``, the last call opener
    before that point; the text before ``start`` is then read as if the template
    ended there.  An opener after the call's own stands inside one of the call's
    arguments, so that text ends inside the call: within a string literal, it is an
    unterminated string (and the opener before the string is the next one to
    report), anywhere else an unterminated call at the last opener before it.
    Each step moves to an earlier opener, until the call's own.
    """
    found = [start]
    quotes = [s for s, _ in strings]
    while start > openers.call:
        k = bisect_right(quotes, start) - 1
        if k >= 0 and quotes[k] < start < strings[k][1]:
            quote = quotes[k]
            start = openers.last(quote)
            add(
                Code.UNTERMINATED_STRING,
                f"unterminated string literal in {openers.name(start)}(...): add the "
                "closing '\"' (write \\\" for a quote inside the string)",
                quote,
                quote + 1,
            )
        else:
            start = openers.last(start)
            _unterminated(add, openers, start)
        found.append(start)
    found.reverse()
    return found
