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

from collections.abc import Mapping
from typing import Final

from ._rules import Escape, Escaper, Inline
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
    JSON_QUOTE_INLINE,
    JSON_STRING,
    JSON_STRING_INLINE,
    json_quote,
    json_string_body,
    json_string_table,
)
from .url import (
    FORM,
    FORM_INLINE,
    PATH_SEGMENT,
    PATH_SEGMENT_INLINE,
    PERCENT,
    PERCENT_INLINE,
    UNRESERVED,
    form_encode,
    path_segment_encode,
    path_segment_value,
    percent_encode,
)
from .xml import (
    XML_ATTRIBUTE,
    XML_ATTRIBUTE_INLINE,
    XML_CDATA,
    XML_CDATA_INLINE,
    XML_CONTENT,
    XML_CONTENT_INLINE,
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

INLINE_FORMS: Final[Mapping[Escape, Inline]] = {
    json_string_body: JSON_STRING_INLINE,
    json_quote: JSON_QUOTE_INLINE,
    xml_content: XML_CONTENT_INLINE,
    xml_attribute: XML_ATTRIBUTE_INLINE,
    xml_cdata: XML_CDATA_INLINE,
    form_encode: FORM_INLINE,
    percent_encode: PERCENT_INLINE,
    path_segment_encode: PATH_SEGMENT_INLINE,
}
"""The inline form of each escaper that has one, keyed by the escaper (with every rule)."""


def inline_form(escape: Escape) -> Inline | None:
    """Return the inline form of ``escape`` for ``str`` values, or None: call it.

    Only the escapers built with every rule have one; any other function, a mutant
    of the mutation check included, is called as it is.
    """
    return INLINE_FORMS.get(escape)
