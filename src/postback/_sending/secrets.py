"""Which header values are secret, and how they are shown when they must not be.

A request's ``repr``, a notification's ``repr``, errors about a header setting, the
diagnostics of a header template and the golden files of a notification end up in
logs, error trackers and repositories; the credentials a partner configured must not.

There is one rule: the value of a header whose *name* is secret is shown as ``***``.
The names come from RFC 9110 and the usual API-key conventions, compared
case-insensitively (``is_secret_header``).  Where a setting is malformed and its name
cannot be told from its value (a line without a colon, a name with a space in it),
the name is the leading run of characters an HTTP header name may hold, and
everything after a secret name is masked (``masked_line``).  A secret header's
template is masked character by character, placeholders kept: its literal text (a
join's strings too) wholly, what the parser could not read (a broken call and what
follows it) but for its braces (``mask_template``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from .._compiler.nodes import Field, ItemField, Join, Malformed, Text
from .._compiler.parser import parse
from .._messages import short_repr

if TYPE_CHECKING:
    from .._diagnostic import Diagnostic
    from .._errors import TemplateError

__all__ = [
    "MASK",
    "describe_headers",
    "is_secret_header",
    "is_secret_setting",
    "mask_diagnostic",
    "mask_template",
    "mask_template_error",
    "masked_headers",
    "masked_http",
    "masked_line",
]

#: What is shown instead of a secret header value.
MASK: Final = "***"

_SECRET_NAMES: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_PARTS: Final = re.compile(r"token|secret|key", re.IGNORECASE)
_VISIBLE: Final = re.compile(r"\S")
# The leading name of a line, a name or a key: RFC 9110's tchar, after blanks.
_LEADING_NAME: Final = re.compile(r"[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]*)")
# What separates a name from its value: a colon, or an equals sign, or blanks.
_COLON: Final = re.compile(r"[ \t]*:")
_SEPARATOR: Final = re.compile(r"[ \t]*=?[ \t]*")
_LINE_BREAK: Final = re.compile(r"(\r\n|\r|\n)")
# The blank line that ends the head of an HTTP message.
_END_OF_HEAD: Final = re.compile(rb"\r?\n\r?\n")
# How deep and how wide a malformed setting is described.
_DEPTH: Final = 3
_WIDTH: Final = 8
_TEXT: Final = 200
# The words of a secret header's literal text that messages are searched for: those of
# one or two characters would mask the message's own words and hide little.
_WORD: Final = re.compile(r"\S{3,}")


def is_secret_header(name: str) -> bool:
    """Whether the value of header ``name`` is masked when shown.

    ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``, and every
    header whose name contains ``token``, ``secret`` or ``key``, in any case.
    """
    return name.lower() in _SECRET_NAMES or _SECRET_PARTS.search(name) is not None


def is_secret_setting(setting: str) -> bool:
    """Whether ``setting`` (``"headers.Authorization"``, ``"url"``...) is a secret header's."""
    head, dot, name = setting.partition(".")
    return head == "headers" and bool(dot) and is_secret_header(name)


def masked_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Return ``headers`` with the value of every secret header replaced by ``MASK``."""
    return tuple((name, MASK if is_secret_header(name) else value) for name, value in headers)


# What each character of a secret header's template is, for ``mask_template``.
_LITERAL: Final = 0  # literal text: every visible character is masked
_KEPT: Final = 1  # a placeholder, or the call syntax of a join: kept as written
_UNREAD: Final = 2  # what the parser could not read: masked but for its braces
_MASKED_RUN: Final = re.compile(rb"\x00+|\x02+")
_UNREAD_VISIBLE: Final = re.compile(r"[^\s{}]")
# The words a message may quote of what is masked: whole, and split where a call's
# syntax splits them (a message quotes one token of a broken call).
_PART: Final = re.compile(r"[^\s{}()\[\],\"'\\]{3,}")
# The words of the language that a broken call holds and its messages quote.
_KEYWORDS: Final = frozenset({"join", "items"})


def _masked_runs(source: str) -> list[tuple[int, int, bool]]:
    """The runs of a template to mask: ``(start, end, unread)``.

    Every character is masked but those of placeholders (``{SubId1}``, ``{i.sku}``)
    and of a join's call syntax (``{join(items, i, "``, ``", "``, ``")}``): literal
    text, a join's body text and separator, and what the parser could not read (a
    broken call and what follows it, a malformed placeholder), which is ``unread``.
    """
    kinds = bytearray([_UNREAD]) * len(source)
    for node in parse(source).nodes:
        start, end = node.span
        if isinstance(node, Text) and source[start:end] not in ("{", "}"):
            # A lone brace is the opener of a broken call (or a stray closer): literal
            # braces are written with a backslash.
            kinds[start:end] = bytes([_LITERAL]) * (end - start)
        elif isinstance(node, Field | ItemField | Join):
            kinds[start:end] = bytes([_KEPT]) * (end - start)
        if isinstance(node, Join):
            for inner in node.body:
                if isinstance(inner, Text | Malformed):
                    kind = _LITERAL if isinstance(inner, Text) else _UNREAD
                    kinds[inner.span.start : inner.span.end] = bytes([kind]) * (
                        inner.span.end - inner.span.start
                    )
            start, end = node.sep_span
            kinds[start:end] = bytes([_LITERAL]) * (end - start)
    return [
        (run.start(), run.end(), kinds[run.start()] == _UNREAD)
        for run in _MASKED_RUN.finditer(kinds)
    ]


def mask_template(source: str, runs: list[tuple[int, int, bool]] | None = None) -> str:
    """Return a secret header's template with every character it could hold a secret in
    as ``*``.

    Placeholders (and a join's call syntax) stay as written, literal text (a join's
    body and separator too) has each visible character masked, and what the parser
    could not read (a broken call, the text after it) keeps only its braces.  Every
    character keeps its offset, so an error's line, column and caret still point at
    the right place.  ``runs`` are those of ``_masked_runs``, when they are known.
    """
    parts: list[str] = []
    at = 0
    for start, end, unread in _masked_runs(source) if runs is None else runs:
        parts.append(source[at:start])
        visible = _UNREAD_VISIBLE if unread else _VISIBLE
        parts.append(visible.sub("*", source[start:end]))
        at = end
    parts.append(source[at:])
    return "".join(parts)


# ---------------------------------------------------------------------------
# Settings as written: lines, names, malformed values
# ---------------------------------------------------------------------------


def _secret_name(text: str) -> bool:
    """Whether ``text`` (a line, a name or a key) names a secret header: its leading
    name does, or the text before its first colon."""
    match = _LEADING_NAME.match(text)
    assert match is not None  # the pattern matches the empty string
    before_colon = text.partition(":")[0].strip(" \t")
    return is_secret_header(match.group(1)) or is_secret_header(before_colon)


def _masked_one_line(line: str, always: bool = False) -> str:
    """Mask what follows a secret name in ``line``: after its leading name when that is
    secret (the rest may be a value however it is separated), else after the first
    colon.  Unless ``always``, a line with nothing visible there is kept as written."""
    match = _LEADING_NAME.match(line)
    assert match is not None  # the pattern matches the empty string
    end = match.end()
    rest = line[end:]
    if is_secret_header(match.group(1)):
        colon = _COLON.match(rest)
        separator = colon or _SEPARATOR.match(rest)
        assert separator is not None  # the pattern matches the empty string
        if not always and not rest[separator.end() :].strip():
            return line
        between = ": " if colon else separator.group() or " "
        return f"{line[:end]}{between}{MASK}"
    before_colon, colon_text, value = line.partition(":")
    if colon_text and is_secret_header(before_colon.strip(" \t")):
        if not always and not value.strip():
            return line
        return f"{before_colon}: {MASK}"
    return line


def masked_line(line: str) -> str:
    """Return ``line`` (``"Name: value"``, or a name as written) with a secret masked.

    After a secret name everything is ``MASK``: ``"Authorization: Bearer x"`` becomes
    ``"Authorization: ***"``, ``"X-Api-Key=x"`` ``"X-Api-Key=***"``, the invalid
    name ``"X-Api-Key x"`` ``"X-Api-Key ***"`` and ``"X Api Key: x"`` ``"X Api Key: ***"``;
    a name with nothing after it is kept.  Each line of a text with line breaks is
    masked on its own.
    """
    if "\n" not in line and "\r" not in line:
        return _masked_one_line(line)
    parts = _LINE_BREAK.split(line)
    return "".join(part if i % 2 else _masked_one_line(part) for i, part in enumerate(parts))


class _Repr:
    """Text that is its own ``repr``, for ``short_repr`` to cut as it cuts any value."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _shown(value: object, depth: int, *, name: bool = False) -> str:
    """Return the ``repr`` of a headers setting as written, or a part of it, masked.

    A string that is not a mapping's key (``name``) and holds no ``:`` or ``=`` is
    masked whole: nothing in it says whether it is a header's name or a credential
    written where a line was expected (``[["s3cr3t"]]``).
    """
    if isinstance(value, str):
        if not name and ":" not in value and "=" not in value:
            return repr(MASK)
        # A message shows a few dozen characters: the rest need not be masked or copied.
        return repr(masked_line(value[:_TEXT]))
    if isinstance(value, bytes | bytearray):
        if not name and b":" not in value and b"=" not in value:
            return repr(MASK.encode())
        # Latin-1 gives every byte back as it was.
        return repr(masked_line(bytes(value[:_TEXT]).decode("latin-1")).encode("latin-1"))
    if value is None or isinstance(value, bool | int | float):
        # short_repr: an int of more digits than Python converts to text is described.
        return short_repr(value)
    if depth >= _DEPTH:
        return "..."
    if isinstance(value, Mapping):
        pairs: list[str] = []
        for key, item in value.items():
            if len(pairs) == _WIDTH:
                pairs.append("...")
                break
            secret = isinstance(key, str) and _secret_name(key)
            shown = repr(MASK) if secret else _shown(item, depth + 1, name=True)
            pairs.append(f"{_shown(key, depth + 1, name=True)}: {shown}")
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list | tuple):
        items = list(value[: _WIDTH + 1])
        first = items[0] if items else None
        secret_name = (
            isinstance(first, str) and _secret_name(first) and not first.partition(":")[2].strip()
        )
        odd_name = len(items) == 2 and not isinstance(first, str | list | tuple | Mapping)
        if secret_name or odd_name:
            # A (name, value) pair of a secret header, or of a name that is no string
            # (a number, bytes...: which header it is cannot be told), or a longer list
            # that starts with a secret name (not with a "Name: value" line): what
            # follows the name is masked.
            parts = [_shown(first, depth + 1, name=True)] + [repr(MASK)] * min(len(items) - 1, 1)
            if len(items) > 2:
                parts.append("...")
        elif len(items) == 2 and isinstance(first, str) and ":" not in first:
            # A (name, value) pair of a header that is not secret: both as written.
            parts = [_shown(item, depth + 1, name=True) for item in items]
        else:
            parts = [_shown(item, depth + 1) for item in items[:_WIDTH]]
            if len(items) > _WIDTH:
                parts.append("...")
        if isinstance(value, list):
            return "[" + ", ".join(parts) + "]"
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    # Sets and other objects: their text could be anything.
    return f"<{type(value).__name__}>"


def describe_headers(value: object) -> str:
    """Return a headers setting (or a part of it) and its type for a message, masked.

    Strings and bytes are lines or names (``masked_line``), pairs and mappings hide
    the value of a secret name (and a pair the value of a name that is no string),
    and other objects than these, numbers, lists and tuples are named by their type
    alone: ``[['Authorization', '***']] (list)``.
    """
    return f"{short_repr(_Repr(_shown(value, 0)))} ({type(value).__name__})"


# ---------------------------------------------------------------------------
# HTTP text, template errors and diagnostics
# ---------------------------------------------------------------------------


def masked_http(data: bytes) -> bytes:
    """Return HTTP/1.1 text with the value of each secret header of its head masked.

    ``masked_http(request.to_http())`` is ``request.to_http(mask=True)``; the request
    line and the body are kept as they are.
    """
    end = _END_OF_HEAD.search(data)
    head, tail = (data, b"") if end is None else (data[: end.start()], data[end.start() :])
    lines = head.decode("utf-8", "surrogateescape").split("\n")
    for index in range(1, len(lines)):
        line = lines[index]
        cr = "\r" if line.endswith("\r") else ""
        lines[index] = _masked_one_line(line.removesuffix("\r"), always=True) + cr
    return "\n".join(lines).encode("utf-8", "surrogateescape") + tail


def _masked_words(source: str, runs: list[tuple[int, int, bool]]) -> list[str]:
    """The words of what a template's mask hides that a message could quote, longest
    first."""
    words: set[str] = set()
    for start, end, unread in runs:
        text = source[start:end]
        if unread:
            # Quoted a token at a time, and among the language's own words.
            words.update(set(_PART.findall(text)) - _KEYWORDS)
        else:
            words.update(_WORD.findall(text), _PART.findall(text))
    return sorted(words, key=len, reverse=True)


def _mask_words(message: str, words: list[str]) -> str:
    for word in words:
        message = message.replace(word, "*" * len(word))
    return message


def mask_diagnostic(diagnostic: Diagnostic, source: str) -> Diagnostic:
    """Return a diagnostic of a secret header's template ``source`` without its literal text."""
    message = _mask_words(diagnostic.message, _masked_words(source, _masked_runs(source)))
    if message == diagnostic.message:
        return diagnostic
    return replace(diagnostic, message=message)


def mask_template_error(error: TemplateError) -> None:
    """Mask, in place, the literal text of a secret header's template in ``error``.

    The source it quotes keeps its placeholders and offsets (``mask_template``), and
    its messages lose the literal words they quote.
    """
    source = error.source
    runs = _masked_runs(source)
    words = _masked_words(source, runs)
    error.message = _mask_words(error.message, words)
    error.args = (error.message,)
    error.diagnostics = tuple(
        replace(d, message=_mask_words(d.message, words)) for d in error.diagnostics
    )
    error.source = mask_template(source, runs)
