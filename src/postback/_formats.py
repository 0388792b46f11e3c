"""The output formats a template can be compiled for, and the one rule for a final newline."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from ._contexts import get_format
from ._errors import ConfigError

__all__ = [
    "ONE_LINE_FORMATS",
    "Format",
    "FormatName",
    "template_text",
    "without_final_line_ending",
]


class Format(StrEnum):
    """The output formats a template can be compiled for."""

    JSON = "json"
    XML = "xml"
    QUERY = "query"
    URL = "url"
    HEADER = "header"
    TEXT = "text"

    def __str__(self) -> str:
        return self.value

    @property
    def content_type(self) -> str | None:
        """The MIME type of a body in this format (None for url and header)."""
        return get_format(self.value).content_type

    @classmethod
    def parse(cls, value: Format | str) -> Format:
        """Return the member for a member, or for a name or alias in any case and spacing.

        The settings screen's own words work: ``"Query String"``, ``"JSON"``, ``"XML"``.
        """
        if isinstance(value, Format):
            return value
        if isinstance(value, str):
            # Words may be run together or separated by spaces, "-" or "_".
            key = "".join(value.lower().replace("-", " ").replace("_", " ").split())
            key = _ALIASES.get(key, key)
            for member in cls:
                if member.value == key:
                    return member
        valid = ", ".join(repr(m.value) for m in cls)
        raise ConfigError(
            f"unknown format {value!r}: use one of {valid} "
            "('querystring', 'query_string' and 'form' mean 'query')",
            setting="format",
        )


# Keys as ``Format.parse`` folds them: lower case, separators removed.
_ALIASES = {"querystring": "query", "form": "query", "qs": "query"}

#: The formats whose templates are one line: no line break can stand in their text.
ONE_LINE_FORMATS = frozenset({Format.URL, Format.HEADER, Format.QUERY})


def template_text(source: str, fmt: Format) -> str:
    """Return the text ``source`` is compiled as in ``fmt``: the one rule for a final newline.

    In the one-line formats exactly one final line ending (``\\n`` or ``\\r\\n``), which
    an editor adds to a file, is not part of the template; every other format keeps
    its text as is.  ``compile``, ``check``, ``Notification`` and the command line all
    read a template through this function (docs/language.md states the rule).
    """
    return without_final_line_ending(source) if fmt in ONE_LINE_FORMATS else source


def without_final_line_ending(text: str) -> str:
    """Return ``text`` without one final ``\\n`` or ``\\r\\n``, if it ends with one."""
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


#: The names ``format=`` takes besides a ``Format`` member, for type checkers: each
#: format's value and the documented aliases of ``"query"``, so that a misspelt name
#: (``format="jsn"``) is a type error.  ``Format.parse`` reads any name at run time,
#: in any case and spacing (``"Query String"``); give it a name held in a ``str``.
FormatName = Literal[
    "json", "xml", "query", "url", "header", "text", "querystring", "query_string", "form"
]
"""The format names ``format=`` and ``body_format=`` take, for type checkers.

Each format's value and the documented aliases of ``"query"``; a misspelt name
(``format="jsn"``) is a type error.  ``Format.parse`` reads any name at run time.
"""
