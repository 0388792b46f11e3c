"""The escapers: the functions that make a value safe for the exact spot it lands in.

This package is postback's security boundary.  Each escaper takes a value's text (or
None for a missing value, which it writes as it writes an empty text) and returns
text that a standard parser of the format reads back as exactly that value (or, for
characters the format cannot carry at all, U+FFFD), and that cannot end, open or
change any structure around it.  The compiler picks one per placeholder at compile
time (see ``_contexts``); nothing here decides anything about the template.

One module a format, each stating its rules in its docstring: ``json``, ``xml``,
``url`` (percent- and form-encoding, path segments) and ``header``.  Every escaper is
built from a table of named rules (``_rules.Escaper``), so that the mutation check can
remove one rule at a time and show that a test notices.  Every escaper starts with a
fast check for the common case where nothing needs escaping (a regular-expression
search, ``str.isascii``, ``str.isprintable`` or a C encoder) before it replaces anything.

Render functions do not call the escapers of ``str`` values where C does the work:
``inline_form`` gives each escaper's exact form as C calls (``Inline``), which the
compiler writes into the generated code with the test for a missing value, so that a
value costs no Python-level call unless it needs the escaper's slow path.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, Final

from ._rules import Escape, Escaper, Inline

if TYPE_CHECKING:
    from .header import (
        HEADER_FORBIDDEN,
        HEADER_RULES,
        HTTP_CHAR_NAMES,
        header_value,
        http_char_name,
        make_header_value,
    )
    from .json import (
        JSON_QUOTE,
        JSON_STRING,
        json_quote,
        json_string_body,
        json_string_table,
    )
    from .url import (
        FORM,
        PATH_SEGMENT,
        PERCENT,
        UNRESERVED,
        form_encode,
        path_segment_encode,
        path_segment_value,
        percent_encode,
    )
    from .xml import (
        XML_ATTRIBUTE,
        XML_CDATA,
        XML_CONTENT,
        xml_attribute,
        xml_cdata,
        xml_content,
    )

__all__ = [
    "ESCAPERS",
    "FORM",
    "HEADER_FORBIDDEN",
    "HEADER_RULES",
    "HTTP_CHAR_NAMES",
    "INLINE_FORMS",
    "JSON_QUOTE",
    "JSON_STRING",
    "PATH_SEGMENT",
    "PERCENT",
    "UNRESERVED",
    "XML_ATTRIBUTE",
    "XML_CDATA",
    "XML_CONTENT",
    "Escape",
    "Escaper",
    "Inline",
    "form_encode",
    "header_value",
    "http_char_name",
    "inline_form",
    "json_quote",
    "json_string_body",
    "json_string_table",
    "make_header_value",
    "path_segment_encode",
    "path_segment_value",
    "percent_encode",
    "xml_attribute",
    "xml_cdata",
    "xml_content",
]

#: The module of each name this package gives: a format's escapers load with the first
#: use of one of them (a JSON template loads neither the XML nor the URL escapers).
_HOME: Final[Mapping[str, str]] = {
    name: module
    for module, names in {
        "header": (
            "HEADER_FORBIDDEN",
            "HEADER_RULES",
            "HTTP_CHAR_NAMES",
            "header_value",
            "http_char_name",
            "make_header_value",
        ),
        "json": (
            "JSON_QUOTE",
            "JSON_STRING",
            "json_quote",
            "json_string_body",
            "json_string_table",
        ),
        "url": (
            "FORM",
            "PATH_SEGMENT",
            "PERCENT",
            "UNRESERVED",
            "form_encode",
            "path_segment_encode",
            "path_segment_value",
            "percent_encode",
        ),
        "xml": (
            "XML_ATTRIBUTE",
            "XML_CDATA",
            "XML_CONTENT",
            "xml_attribute",
            "xml_cdata",
            "xml_content",
        ),
    }.items()
    for name in names
}

#: Each escaper with an inline form, by module: the escaper's name and its form's.
_INLINE_NAMES: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "json": (("json_string_body", "JSON_STRING_INLINE"), ("json_quote", "JSON_QUOTE_INLINE")),
    "xml": (
        ("xml_content", "XML_CONTENT_INLINE"),
        ("xml_attribute", "XML_ATTRIBUTE_INLINE"),
        ("xml_cdata", "XML_CDATA_INLINE"),
    ),
    "url": (
        ("form_encode", "FORM_INLINE"),
        ("percent_encode", "PERCENT_INLINE"),
        ("path_segment_encode", "PATH_SEGMENT_INLINE"),
    ),
}

_ESCAPER_NAMES: Final = (
    "JSON_STRING",
    "JSON_QUOTE",
    "XML_CONTENT",
    "XML_ATTRIBUTE",
    "XML_CDATA",
    "FORM",
    "PERCENT",
    "PATH_SEGMENT",
)


def _module(name: str) -> Any:
    return import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> Any:
    """Load the module of ``name`` on its first use, and keep the name here."""
    if name in _HOME:
        value = getattr(_module(_HOME[name]), name)
    elif name == "ESCAPERS":
        # Every escaper built from a rule table (the header check is ``make_header_value``).
        value = tuple(getattr(_module(_HOME[each]), each) for each in _ESCAPER_NAMES)
    elif name == "INLINE_FORMS":
        # The inline form of each escaper that has one, keyed by the escaper.
        value = {
            getattr(_module(module), escaper): getattr(_module(module), form)
            for module, pairs in _INLINE_NAMES.items()
            for escaper, form in pairs
        }
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


if TYPE_CHECKING:
    ESCAPERS: tuple[Escaper, ...]
    INLINE_FORMS: Mapping[Escape, Inline]


def inline_form(escape: Escape) -> Inline | None:
    """Return the inline form of ``escape`` for ``str`` values, or None: call it.

    Only the escapers built with every rule have one; any other function, a mutant
    of the mutation check included, is called as it is.
    """
    for module, pairs in _INLINE_NAMES.items():
        # An escaper's module is loaded before the escaper exists: look only in those.
        loaded = sys.modules.get(f"{__name__}.{module}")
        for escaper, form in pairs if loaded is not None else ():
            if getattr(loaded, escaper) is escape:
                inline: Inline = getattr(loaded, form)
                return inline
    return None
