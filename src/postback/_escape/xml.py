"""XML 1.0 (fifth edition): what a value becomes in element content, an attribute, CDATA.

Each escaper writes text that a standard XML parser reads back as exactly the value,
except that characters XML 1.0 cannot carry at all (C0 controls but tab, LF and CR;
lone surrogates; U+FFFE and U+FFFF) become U+FFFD, and that can end, open or change no
markup around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ._rules import Escape, Escaper, Inline, char_class

__all__ = [
    "XML_ATTRIBUTE",
    "XML_ATTRIBUTE_INLINE",
    "XML_CDATA",
    "XML_CDATA_INLINE",
    "XML_CONTENT",
    "XML_CONTENT_INLINE",
    "xml_attribute",
    "xml_cdata",
    "xml_content",
]

# Code points XML 1.0 cannot carry, not even as character references.  None of them
# is printable, so text for which ``str.isprintable()`` holds has none.
_NOT_XML: Final = {
    **{chr(c): "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]},
    **{chr(c): "\ufffd" for c in range(0xD800, 0xE000)},
    "\ufffe": "\ufffd",
    "\uffff": "\ufffd",
}
_NOT_XML_SEARCH: Final = char_class(_NOT_XML)
_NOT_XML_RULE: Final = "characters XML cannot carry become U+FFFD"

_CONTENT: Final = {
    "amp": {"&": "&amp;"},
    "lt": {"<": "&lt;"},
    "gt": {">": "&gt;"},
    "cr": {"\r": "&#13;"},
    "not-xml": _NOT_XML,
}
_ATTRIBUTE: Final = {
    "amp": {"&": "&amp;"},
    "lt": {"<": "&lt;"},
    "gt": {">": "&gt;"},
    "quot": {'"': "&quot;"},
    "apos": {"'": "&apos;"},
    "tab": {"\t": "&#9;"},
    "lf": {"\n": "&#10;"},
    "cr": {"\r": "&#13;"},
    "not-xml": _NOT_XML,
}
_CDATA_SPLIT: Final = "]]><![CDATA["


def _replacer(
    tables: dict[str, dict[str, str]], rules: frozenset[str]
) -> tuple[Callable[[str], Any], Callable[[str], str]]:
    """Return the fast check and the replacement of the named rules of ``tables``.

    Characters XML cannot carry are replaced first (one regular-expression pass, only
    for text that is not all printable), then each single-character rule in table
    order (``&`` first, so the references the others write are not escaped again) by
    a chain of ``str.replace`` calls: one C pass each, faster than one
    ``str.translate`` for short text.
    """
    pairs = [
        (ch, text)
        for name, table in tables.items()
        if name in rules and name != "not-xml"
        for ch, text in table.items()
    ]
    not_xml = "not-xml" in rules
    special = char_class([ch for ch, _ in pairs] + (list(_NOT_XML) if not_xml else [])).search
    return special, _replace_chain(pairs, not_xml)


def _replace_chain(pairs: list[tuple[str, str]], not_xml: bool) -> Callable[[str], str]:
    """Return ``value.replace(a, b).replace(c, d)...`` for ``pairs`` as one function.

    With ``not_xml`` the characters XML cannot carry are replaced by U+FFFD first.
    The pairs are this module's constants, written into the expression with
    ``ascii()``, so the function is exactly the chain a reader would write by hand.
    """
    chain = "".join(f".replace({a!a}, {b!a})" for a, b in pairs)
    start = "(value if value.isprintable() else sub('\\ufffd', value))" if not_xml else "value"
    scope = {"__builtins__": {}, "sub": _NOT_XML_SEARCH.sub}
    function: Callable[[str], str] = eval(f"lambda value: {start}{chain}", scope)
    return function


def _build_content(rules: frozenset[str]) -> Escape:
    special, replace = _replacer(_CONTENT, rules)
    bracket = "trailing-bracket" in rules

    def xml_content(value: str | None) -> str:
        if value is None:
            return ""
        if special(value) is not None:
            value = replace(value)
        if bracket and value[-1:] == "]":
            return value[:-1] + "&#93;"
        return value

    return xml_content


def _build_attribute(rules: frozenset[str]) -> Escape:
    special, replace = _replacer(_ATTRIBUTE, rules)

    def xml_attribute(value: str | None) -> str:
        if value is None:
            return ""
        if special(value) is None:
            return value
        return replace(value)

    return xml_attribute


def _build_cdata(rules: frozenset[str]) -> Escape:
    not_xml = "not-xml" in rules
    cr = "cr" in rules
    chars = ["]", ">", *("\r" if cr else ""), *(_NOT_XML if not_xml else ())]
    special: Callable[[str], Any] = char_class(chars).search
    split = "split-end" in rules
    edges = "edges" in rules

    def xml_cdata(value: str | None) -> str:
        if value is None:
            return ""
        if special(value) is None:
            return value
        if not_xml and not value.isprintable():
            value = _NOT_XML_SEARCH.sub("\ufffd", value)
        out = value.replace("]]>", "]]]]><![CDATA[>") if split else value
        if cr:
            out = out.replace("\r", "]]>&#13;<![CDATA[")
        if edges and value[:1] in ("]", ">"):
            out = _CDATA_SPLIT + out
        if edges and value[-1:] == "]":
            out += _CDATA_SPLIT
        return out

    return xml_cdata


XML_CONTENT: Final = Escaper(
    "xml_content",
    {
        "amp": "& would start a reference: &amp;",
        "lt": "< would start a tag: &lt;",
        "gt": "> could complete a ]]> in content: &gt;",
        "cr": "a parser turns a raw CR into LF: &#13;",
        "not-xml": _NOT_XML_RULE,
        "trailing-bracket": "a trailing ] could make ]]> with a literal > after it: &#93;",
    },
    _build_content,
)
XML_ATTRIBUTE: Final = Escaper(
    "xml_attribute",
    {
        "amp": "& would start a reference: &amp;",
        "lt": "< is not allowed in an attribute value: &lt;",
        "gt": "> is written &gt; (it would be harmless, but kept symmetric with content)",
        "quot": '" would end a "-quoted value: &quot;',
        "apos": "' would end a '-quoted value: &apos;",
        "tab": "a parser turns a raw tab into a space: &#9;",
        "lf": "a parser turns a raw LF into a space: &#10;",
        "cr": "a parser turns a raw CR into a space: &#13;",
        "not-xml": _NOT_XML_RULE,
    },
    _build_attribute,
)
XML_CDATA: Final = Escaper(
    "xml_cdata",
    {
        "split-end": "]]> would end the section: it is split across two sections",
        "cr": "a parser turns a raw CR into LF: it is written outside the section as &#13;",
        "edges": "a value starting with ] or > or ending with ] is split off at that end, "
        "so no ]]> forms with the text around the placeholder",
        "not-xml": _NOT_XML_RULE,
    },
    _build_cdata,
)

xml_content: Final = XML_CONTENT.complete()
xml_content.__doc__ = """Return ``value`` escaped for element content.

``&``, ``<`` and ``>`` become entity references and CR ``&#13;`` (a parser would turn a
raw CR into LF); characters XML cannot carry become U+FFFD.  A trailing ``]`` becomes
``&#93;`` so that a literal ``>`` after the placeholder can never complete a ``]]>``.
"""
xml_attribute: Final = XML_ATTRIBUTE.complete()
xml_attribute.__doc__ = """Return ``value`` escaped for a quoted attribute value (either quote).

``&``, ``<``, ``>``, ``"`` and ``'`` become references, and tab, LF and CR ``&#9;``,
``&#10;`` and ``&#13;`` (a parser would turn raw ones into spaces); characters XML
cannot carry become U+FFFD.
"""
xml_cdata: Final = XML_CDATA.complete()
xml_cdata.__doc__ = """Return ``value`` for the inside of a CDATA section.

``]]>`` is split across two sections (``]]]]><![CDATA[>``) and CR is carried outside
the section as ``&#13;``; characters XML cannot carry become U+FFFD.  A value that
starts with ``]`` or ``>`` or ends with ``]`` is also split off at that end, so no
``]]>`` can form with the literal text around the placeholder.
"""


def _unchanged(name: str, chars: list[str], tail: str = "") -> Inline:
    """Return the inline form of an escaper that leaves text without ``chars`` unchanged.

    ``chars`` are every character a rule replaces, and ``tail`` a character that a
    rule replaces only at the end of the text: one C regular-expression search (and a
    test of the last character) tells text the escaper returns as it is.
    """
    # Double quotes: the expression stands inside a single-quoted f-string.
    found = f"{{{name}}}({{v}})"
    test = f'not ({found} or {{v}}.endswith("{tail}"))' if tail else f"not {found}"
    return Inline("{v}", test, {name: char_class(chars).search})


def _replaced(tables: dict[str, dict[str, str]]) -> list[str]:
    return [ch for table in tables.values() for ch in table]


XML_CONTENT_INLINE: Final = _unchanged("find_xml_content_special", _replaced(_CONTENT), "]")
"""``xml_content`` of a str: the text itself when no rule applies, else the escaper."""
XML_ATTRIBUTE_INLINE: Final = _unchanged("find_xml_attribute_special", _replaced(_ATTRIBUTE))
"""``xml_attribute`` of a str: the text itself when no rule applies, else the escaper."""
XML_CDATA_INLINE: Final = _unchanged("find_xml_cdata_special", ["]", ">", "\r", *_NOT_XML])
"""``xml_cdata`` of a str: the text itself when no rule applies, else the escaper."""
