"""How template text and names reach the generated code: printable ASCII, chosen by the compiler.

Template text only ever becomes a Python string literal or the literal part of an
f-string, escaped so that it evaluates back to exactly that text and cannot end the
string or open an expression; a bound function is named after what it is, never
after template text (docs/security.md, guarantee 1).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

__all__ = ["FSTRING_HOLES", "concat", "fstring_text", "function_name", "literal"]

# The most parts one generated f-string (or tuple) holds, and the most placeholders a
# template may have for its code to use f-strings (see ``concat``).
_CHUNK: Final = 256
FSTRING_HOLES: Final = 2048


def literal(text: str) -> str:
    """Return a Python string literal for ``text``, made of printable ASCII only.

    ``ascii()`` is the language's own guarantee that the literal evaluates back to
    exactly ``text``: quotes, backslashes, line breaks and every non-ASCII code point
    are escaped, so template text can never end the literal early.
    """
    return ascii(text)


_FSTRING = {c: f"\\x{c:02x}" for c in range(0x20)}
_FSTRING.update({ord("\\"): "\\\\", ord("'"): "\\'", ord("{"): "{{", ord("}"): "}}", 0x7F: "\\x7f"})


def fstring_text(text: str) -> str:
    """Return ``text`` as the literal part of a single-quoted f-string.

    Backslashes, quotes and control characters are escaped and braces doubled, then
    every non-ASCII code point becomes a ``\\x``/``\\u``/``\\U`` escape, so the result is
    printable ASCII that cannot end the string or open an expression.
    """
    return text.translate(_FSTRING).encode("ascii", "backslashreplace").decode("ascii")


# A function's own name, used as the name of its binding (escapers: ``json_quote``).
_FUNCTION_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,60}")


def function_name(function: object, default: str) -> str:
    """Return the name ``function`` was defined with, if it is a plain lower-case name.

    Escapers are postback's own functions, named for what they do (``xml_attribute``);
    anything else (a lambda, a callable object) is called ``default``.
    """
    name = getattr(function, "__name__", None)
    if isinstance(name, str) and _FUNCTION_NAME.fullmatch(name) and not keyword.iskeyword(name):
        return name
    return default


def concat(parts: Sequence[Any], expression: Callable[[Any], str], fstrings: bool) -> str:
    """Return one expression concatenating ``parts``: literal text (``str``) and the
    pieces ``expression`` writes as expressions.

    It is an f-string, the fastest to render, unless the template has so many
    placeholders that CPython would compile f-strings slowly: 3.11 compiles one
    f-string in time quadratic in its number of replacement fields (so at most
    ``_CHUNK`` parts go in one), and 3.12 and later compile a module's f-strings
    in time growing faster than their total number of fields (so past
    ``FSTRING_HOLES`` placeholders, ``fstrings`` is False and each chunk is a
    ``str.join`` of a tuple instead, which every version compiles in linear time).
    """
    if not parts:
        return "''"
    if len(parts) > _CHUNK:
        chunks = [
            concat(parts[k : k + _CHUNK], expression, fstrings)
            for k in range(0, len(parts), _CHUNK)
        ]
        # One chunk a line: Python 3.12+ computes a token's column by decoding its
        # line up to it, which makes one very long line compile in quadratic time.
        return "''.join((\n" + ",\n".join(chunks) + ",\n))"
    if len(parts) == 1:
        (part,) = parts
        return literal(part) if type(part) is str else expression(part)
    if not fstrings:
        items = [literal(p) if type(p) is str else expression(p) for p in parts]
        return "''.join((" + ", ".join(items) + "))"
    pieces = [fstring_text(p) if type(p) is str else f"{{{expression(p)}}}" for p in parts]
    return "f'" + "".join(pieces) + "'"
