"""The escapers' fast paths for non-ASCII text give exactly what a plain scan gives.

Each reference below is the slow and obvious version: a regular expression over the
whole text, however it looks.  The escapers test for lone surrogates and other
characters to replace with cheaper checks (the C UTF-8 encoder, ``str.isprintable``);
their output must not change by a byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postback import RenderError
from postback._compiler.writers import escaped, escaped_or_empty
from postback._escape import (
    INLINE_FORMS,
    Escape,
    header_value,
    json_quote,
    json_string_body,
    json_string_table,
    path_segment_encode,
    xml_attribute,
    xml_cdata,
    xml_content,
)
from strategies import hostile_text

_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def ref_json_quote(value: str) -> str:
    out = json.dumps(value, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def ref_xml(value: str, replacements: list[tuple[str, str]]) -> str:
    value = _NOT_XML.sub("\ufffd", value)
    for old, new in replacements:
        value = value.replace(old, new)
    return value


def ref_cdata(value: str) -> str:
    value = _NOT_XML.sub("\ufffd", value)
    out = value.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    if value[:1] in ("]", ">"):
        out = "]]><![CDATA[" + out
    if value[-1:] == "]":
        out += "]]><![CDATA["
    return out


CONTENT = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")]
ATTRIBUTE = [
    *CONTENT[:3],
    ('"', "&quot;"),
    ("'", "&apos;"),
    ("\t", "&#9;"),
    ("\n", "&#10;"),
    ("\r", "&#13;"),
]

# Text that mixes what the fast paths tell apart: ASCII, Latin-1, other planes,
# lone surrogates, control characters and the characters each format replaces.
texts = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(['"', "\\", "&", "<", ">", "'", "]", "\t", "\n", "\r", "\x00", "\x7f"]),
        st.sampled_from(
            ["é", "東", "🍵", "\u2028", "\xa0", "\ufffe", "\uffff", "\ud800", "\udfff"]
        ),
    ),
    max_size=30,
)


@given(texts)
def test_json_escapers(value: str) -> None:
    assert json_quote(value) == ref_json_quote(value)
    assert json_string_body(value) == ref_json_quote(value)[1:-1]


@given(texts)
def test_xml_escapers(value: str) -> None:
    content = ref_xml(value, CONTENT)
    if content.endswith("]"):
        content = content[:-1] + "&#93;"
    assert xml_content(value) == content
    assert xml_attribute(value) == ref_xml(value, ATTRIBUTE)
    assert xml_cdata(value) == ref_cdata(value)


@given(texts)
def test_header_value(value: str) -> None:
    check = header_value("{SubId1}")
    if re.search("[\x00-\x08\x0a-\x1f\x7f]", value):
        with pytest.raises(RenderError):
            check(value)
    else:
        assert check(value) == _SURROGATE.sub("\ufffd", value)


@pytest.mark.parametrize("value", ["東京\ud83d", "\udfffé", "a\ud800b", "Müller"])
def test_surrogates_next_to_non_ascii_text(value: str) -> None:
    assert json_quote(value) == ref_json_quote(value)
    assert xml_content(value) == ref_xml(value, CONTENT)
    assert header_value("{X}")(value) == _SURROGATE.sub("\ufffd", value)


# -- the inline forms the render functions use in place of a call ---------------------


def inline(escape: Escape) -> Callable[[str | None], str]:
    """Return ``escape``'s inline forms as the compiler writes them, as functions of ``_v``.

    The first takes any text (the form where a missing value is tested for None apart);
    the second, also None (the form where one truth test stands for it).
    """
    names: dict[str, Any] = {"escape": escape}

    def bind(value: object, name: str) -> str:
        names[name] = value
        return name

    expr = escaped(escape, "_v", bind, "escape")
    around = escaped_or_empty(escape, bind, "escape")
    assert expr != "escape(_v)" and around is not None, "the escaper has no inline form"
    scope = {"__builtins__": {}, **names}
    present: Callable[[str], str] = eval(f"lambda _v: {expr}", scope)
    optional: Callable[[str | None], str] = eval(f"lambda x: {around[0]}x{around[1]}", scope)
    assert present("é") == optional("é")
    return optional


def _percent_ref(value: str, plus: bool) -> str:
    text = _SURROGATE.sub("\ufffd", value)
    return quote_plus(text, safe="") if plus else quote(text, safe="")


def _segment_ref(value: str) -> str:
    out = _percent_ref(value, plus=False)
    return "%2E" * len(out) if out and not out.strip(".") else out


# What each escaper writes, from its rule table (JSON) or an independent reference.
_JSON_TABLE = json_string_table()
REFERENCES: dict[str, Callable[[str], str]] = {
    "json_string_body": lambda v: v.translate(_JSON_TABLE),
    "json_quote": lambda v: '"' + v.translate(_JSON_TABLE) + '"',
    "xml_content": lambda v: re.sub(r"\]\Z", "&#93;", ref_xml(v, CONTENT)),
    "xml_attribute": lambda v: ref_xml(v, ATTRIBUTE),
    "xml_cdata": ref_cdata,
    "form_encode": lambda v: _percent_ref(v, plus=True),
    "percent_encode": lambda v: _percent_ref(v, plus=False),
    "path_segment_encode": _segment_ref,
}
INLINE = {escape.__name__: (escape, inline(escape)) for escape in INLINE_FORMS}
ESCAPED_CHARS = "\"\\&<>'][\t\n\r\x00\x7f%+=#?/ ."


def test_every_inline_form_has_a_reference() -> None:
    assert set(INLINE) == set(REFERENCES)


@pytest.mark.parametrize("name", sorted(INLINE))
@given(value=hostile_text(ESCAPED_CHARS, ["", ".", "..", "]", "a]", "]]>", "\ud800", "é\udfff"]))
def test_inline_forms_write_what_the_rules_say(name: str, value: str) -> None:
    """Each inline form gives exactly what its escaper and its rules give, for any text."""
    escape, fast = INLINE[name]
    assert fast(value) == escape(value) == REFERENCES[name](value)
    assert fast(None) == escape(None) and fast("") == escape("")


def test_escapers_without_an_inline_form_are_called() -> None:
    """A mutant or a per-placeholder escaper has no inline form: the code calls it."""
    assert escaped(header_value("{SubId1}"), "_v", lambda v, n: n, "header_value") == (
        "header_value(_v)"
    )
    assert escaped(lambda v: v or "", "_v", lambda v, n: n, "e") == "e(_v)"
    assert escaped(path_segment_encode, "format_int(_v)", lambda v, n: n, "p") == (
        "p(format_int(_v))"
    )


@pytest.mark.parametrize("name", sorted(INLINE))
def test_inline_forms_fit_in_an_f_string(name: str) -> None:
    """An inline form stands in a single-quoted f-string of Python 3.11: no quote of
    that kind, no backslash, no braces but its fields."""
    form = INLINE_FORMS[INLINE[name][0]]
    for expr in (form.write, form.test):
        assert "'" not in expr and "\\" not in expr and expr.isascii()
        assert re.sub(r"\{[a-z_]+\}", "", expr).count("{") == 0
