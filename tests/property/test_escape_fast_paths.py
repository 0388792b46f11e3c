"""The escapers' fast paths for non-ASCII text give exactly what a plain scan gives.

Each reference below is the slow and obvious version: a regular expression over the
whole text, however it looks.  The escapers test for lone surrogates and other
characters to replace with cheaper checks (the C UTF-8 encoder, ``str.isprintable``);
their output must not change by a byte.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postback import RenderError
from postback._escape import (
    header_value,
    json_quote,
    json_string_body,
    xml_attribute,
    xml_cdata,
    xml_content,
)

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
