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
"""

from __future__ import annotations

from ._rules import Escape, Escaper
from .header import (
    HEADER_FORBIDDEN,
    HEADER_RULES,
    HTTP_CHAR_NAMES,
    header_value,
    http_char_name,
    make_header_value,
)
from .json import JSON_QUOTE, JSON_STRING, json_quote, json_string_body, json_string_table
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
from .xml import XML_ATTRIBUTE, XML_CDATA, XML_CONTENT, xml_attribute, xml_cdata, xml_content

__all__ = [
    "ESCAPERS",
    "FORM",
    "HEADER_FORBIDDEN",
    "HEADER_RULES",
    "HTTP_CHAR_NAMES",
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
    "form_encode",
    "header_value",
    "http_char_name",
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

ESCAPERS: tuple[Escaper, ...] = (
    JSON_STRING,
    JSON_QUOTE,
    XML_CONTENT,
    XML_ATTRIBUTE,
    XML_CDATA,
    FORM,
    PERCENT,
    PATH_SEGMENT,
)
"""Every escaper built from a rule table (the header check is ``make_header_value``)."""
