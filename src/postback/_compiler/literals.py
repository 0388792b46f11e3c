"""How template text and names reach the generated code: printable ASCII, chosen by the compiler.

Template text only ever becomes a Python string literal or the literal part of an
f-string, escaped so that it evaluates back to exactly that text and cannot end the
string or open an expression; a bound function is named after what it is, never
after template text (docs/security.md, guarantee 1).
"""

from __future__ import annotations

import keyword
import re
from typing import Final

__all__ = ["fstring_text", "function_name", "literal"]


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
