"""How the page shows a body and a request: pretty-printed JSON and XML, and ``curl``.

Pretty-printing only adds and removes whitespace between the tokens of a body that
postback rendered (well-formed by its guarantees); it never parses numbers or
entities, so what is shown is what is sent, indented.  ``curl_command`` writes a
request as a command for a POSIX shell, each argument quoted with ``shlex.quote``.
"""

from __future__ import annotations

import re
import shlex
from typing import Final

from .. import PreparedRequest

__all__ = ["curl_command", "pretty", "pretty_json", "pretty_xml"]

_INDENT: Final = "  "

_JSON_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
_OPENERS: Final = ("{", "[")
_CLOSERS: Final = ("}", "]")


def pretty_json(text: str) -> str:
    """Return the JSON ``text`` indented by two spaces, one member or element a line."""
    tokens = _JSON_TOKEN.findall(text)
    out: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        previous = tokens[index - 1] if index else ""
        if token in _OPENERS and following not in _CLOSERS:
            depth += 1
            out.append(token + "\n" + _INDENT * depth)
        elif token in _CLOSERS and previous not in _OPENERS:
            depth -= 1
            out.append("\n" + _INDENT * depth + token)
        elif token == ",":
            out.append(",\n" + _INDENT * depth)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
    return "".join(out)


_XML_TOKEN: Final = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>\[]*(?:\[[^\]]*\][^>]*)?>"
    r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+",
    re.S,
)


def _kind(token: str) -> str:
    if not token.startswith("<"):
        return "text"
    if token.startswith("</"):
        return "close"
    if token.startswith(("<!", "<?")) or token.endswith("/>"):
        return "leaf"
    return "open"


def pretty_xml(text: str) -> str:
    """Return the XML ``text`` with one tag a line, indented by two spaces; an element
    that holds only text stays on one line, and text keeps its characters but for the
    whitespace around it."""
    tokens = [t for t in _XML_TOKEN.findall(text) if not (t.isspace() and _kind(t) == "text")]
    lines: list[str] = []
    depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = _kind(token)
        if kind == "open" and index + 2 < len(tokens) and _kind(tokens[index + 2]) == "close":
            middle = tokens[index + 1]
            if _kind(middle) == "text" or middle.startswith("<![CDATA["):
                lines.append(_INDENT * depth + token + middle + tokens[index + 2])
                index += 3
                continue
        if kind == "close":
            depth = max(depth - 1, 0)
        shown = token.strip() if kind == "text" else token
        lines.append(_INDENT * depth + shown)
        if kind == "open":
            depth += 1
        index += 1
    return "\n".join(lines)


def pretty(text: str, body_format: str) -> str:
    """Return ``text`` pretty-printed for its body format (``json`` or ``xml``), or as
    it is for the others."""
    if body_format == "json":
        return pretty_json(text)
    if body_format == "xml":
        return pretty_xml(text)
    return text


def _secret_names(request: PreparedRequest) -> set[str]:
    """The names (lower case) of the headers ``to_http(mask=True)`` writes as ``***``."""
    head = request.to_http(mask=True).split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    names = set()
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(": ")
        if value == "***":
            names.add(name.lower())
    return names


def curl_command(request: PreparedRequest, *, mask: bool) -> str:
    """Return ``request`` as a ``curl`` command, one option a line; with ``mask`` the
    values of secret headers are ``***``, as ``to_http(mask=True)`` writes them."""
    secret = _secret_names(request) if mask else set()
    parts = [f"curl --request {request.method} {shlex.quote(request.url)}"]
    for name, value in request.headers:
        shown = "***" if name.lower() in secret else value
        parts.append(f"--header {shlex.quote(f'{name}: {shown}')}")
    if request.body is not None:
        parts.append(f"--data-binary {shlex.quote(request.body.decode('utf-8'))}")
    return " \\\n  ".join(parts)
