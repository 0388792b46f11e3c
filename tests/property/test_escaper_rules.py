"""One targeted, deterministic test per escaping rule (docs/security.md).

tests/fuzz/test_mutation.py builds each escaper without one rule at a time and runs the
format's tests and this file; every rule must be noticed by some test.  These tests
pin each rule down on every path the compiler can bind it on: a placeholder that is a
whole JSON string, one inside a longer string, one at a value position, with
``missing="empty"`` and ``missing="error"``, ISO and strftime dates, extra fields,
XML content, both attribute quotes and CDATA, form and percent encoding (also past
the encoders' cache), URL path segments and fragments, and header values.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

import pytest

import postback
from postback import Action, Item
from references import utf8_safe

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

# -- json: string bodies --------------------------------------------------------------------

# Built from pairs: linters take lone surrogate keys for duplicates.
JSON_ESCAPES = dict(
    [
        ('"', '\\"'),
        ("\\", "\\\\"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\b", "\\b"),
        ("\f", "\\f"),
        ("\x00", "\\u0000"),
        ("\x01", "\\u0001"),
        ("\x1b", "\\u001b"),
        ("\x1f", "\\u001f"),
        ("\ud800", "\\ud800"),
        ("\udbff", "\\udbff"),
        ("\udc00", "\\udc00"),
        ("\udfff", "\\udfff"),
        # Not escaped: they are valid in JSON strings as they are.
        ("/", "/"),
        ("\x7f", "\x7f"),
        ("\u2028", "\u2028"),
        ("é", "é"),
        ("\U0001f389", "\U0001f389"),
    ]
)

# Every way a str placeholder can stand inside a JSON string, with both missing policies.
JSON_STRING_TEMPLATES = [
    ('{"k": "{SubId1}"}', "empty"),  # the whole string (the compiler fuses the quotes)
    ('{"k": "<{SubId1}>"}', "empty"),  # inside a longer string
    ('{"k": "{SubId1}"}', "error"),
    ('{"k": "<{SubId1}>"}', "error"),
    ('{"{SubId1}": 1}', "empty"),  # a key
    ('{"k": ["{SubId1}"]}', "empty"),
]


def json_string_text(source: str, escaped: str) -> str:
    return source.replace("{SubId1}", escaped)


@pytest.mark.parametrize(("source", "missing"), JSON_STRING_TEMPLATES)
@pytest.mark.parametrize("char", list(JSON_ESCAPES), ids=ascii)
def test_json_string_body_escapes(source: str, missing: str, char: str) -> None:
    template = postback.compile(source, missing=missing)  # type: ignore[arg-type]
    value = f"a{char}b{char}"
    out = template.render(Action(sub_id1=value))
    escaped = f"a{JSON_ESCAPES[char]}b{JSON_ESCAPES[char]}"
    assert out == json_string_text(source, escaped)
    # Escaped lone surrogates keep the body valid UTF-8 and give the value back.
    data = json.loads(template.render_bytes(Action(sub_id1=value)))
    assert json.dumps(data, ensure_ascii=False) == json.dumps(
        json.loads(json_string_text(source, json.dumps(value, ensure_ascii=False)[1:-1])),
        ensure_ascii=False,
    )


def test_json_escapes_agree_with_the_standard_library() -> None:
    for char, escaped in JSON_ESCAPES.items():
        assert json.loads(f'"{escaped}"') == char


@pytest.mark.parametrize("date_format", ['%Y"%m', "%Y\\%m", "%Y\n%m", "%Y\t%m\x01"], ids=ascii)
def test_json_dates_with_a_pattern_are_escaped_in_strings_and_quoted_as_values(
    date_format: str,
) -> None:
    text = WHEN.strftime(date_format)
    for missing in ("empty", "error"):
        template = postback.compile(
            '{"s": "<{EventDate}>", "w": "{EventDate}", "v": {EventDate}}',
            date_format=date_format,
            missing=missing,  # type: ignore[arg-type]
        )
        out = template.render(Action(event_date=WHEN))
        body = json.dumps(text)[1:-1]
        assert out == f'{{"s": "<{body}>", "w": "{body}", "v": "{body}"}}'
        assert json.loads(out) == {"s": f"<{text}>", "w": text, "v": text}


# -- json: values -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["empty", "error"])
def test_json_str_value_is_quoted_and_escaped(missing: str) -> None:
    template = postback.compile('{"v": {SubId1}}', missing=missing)  # type: ignore[arg-type]
    assert template.render(Action(sub_id1='a"b\\c\n')) == '{"v": "a\\"b\\\\c\\n"}'
    assert template.render(Action(sub_id1="\ud800")) == '{"v": "\\ud800"}'
    assert template.render(Action(sub_id1="")) == '{"v": ""}'
    assert template.render(Action(sub_id1="null")) == '{"v": "null"}'


@pytest.mark.parametrize("missing", ["empty", "error"])
def test_json_numbers_and_iso_dates_at_value_positions(missing: str) -> None:
    template = postback.compile(
        '{"i": {CampaignId}, "d": {Payout}, "t": {EventDate}, "n": [{join(items, i, "{i.amt}")}]}',
        missing=missing,  # type: ignore[arg-type]
    )
    action = Action(
        campaign_id=-12,
        payout=Decimal("-0.50"),
        event_date=WHEN,
        items=[Item(amt=Decimal("1E+2")), Item(amt=Decimal("0.000"))],
    )
    out = template.render(action)
    assert out == '{"i": -12, "d": -0.50, "t": "2026-01-02T03:04:05+00:00", "n": [100,0.000]}'


def test_json_missing_values_are_null_at_value_positions_and_empty_in_strings() -> None:
    template = postback.compile(
        '{"s": {SubId1}, "i": {CampaignId}, "d": {Payout}, "t": {EventDate}, '
        '"x": [{join(items, i, "{i.amt}, {i.sku}")}], '
        '"in": "{SubId1}|{CampaignId}|{Payout}|{EventDate}", "w": "{CampaignId}"}'
    )
    out = template.render(Action(items=[Item()]))
    assert out == (
        '{"s": null, "i": null, "d": null, "t": null, "x": [null, null], "in": "|||", "w": ""}'
    )


@pytest.mark.parametrize("source", ['{"v": {SubId1}}', '{"v": "{SubId1}"}', '{"v": {Payout}}'])
def test_json_missing_error_raises(source: str) -> None:
    template = postback.compile(source, missing="error")
    with pytest.raises(postback.RenderError, match="no value"):
        template.render(Action())


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "Infinity"])
@pytest.mark.parametrize("source", ['{"v": {Payout}}', '{"v": "{Payout}"}', '{"v": "<{Payout}>"}'])
@pytest.mark.parametrize("missing", ["empty", "error"])
def test_json_non_finite_decimals_raise(value: str, source: str, missing: str) -> None:
    template = postback.compile(source, missing=missing)  # type: ignore[arg-type]
    with pytest.raises(postback.RenderError, match="non-finite"):
        template.render(Action(payout=Decimal(value)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-5, "-5"),
        (Decimal("1.50"), "1.50"),
        (0.1, "0.1"),
        ('x"y', '"x\\"y"'),
        ("\ud800", '"\\ud800"'),
        (datetime(2026, 1, 2), '"2026-01-02T00:00:00+00:00"'),
        (None, "null"),
    ],
    ids=repr,
)
def test_json_extra_values_by_type(value: Any, expected: str) -> None:
    template = postback.compile('{"v": {X}}', extra_fields=["X"])
    assert template.render({"X": value}) == f'{{"v": {expected}}}'
    inside = postback.compile('{"v": "<{X}>"}', extra_fields=["X"])
    if value is not None:
        assert (
            json.loads(inside.render({"X": value}))["v"]
            == "<" + (json.loads(expected) if expected.startswith('"') else expected) + ">"
        )


# -- xml ---------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

XML_CONTENT = [
    ("a&b", "a&amp;b"),
    ("a<b", "a&lt;b"),
    ("a>b", "a&gt;b"),
    ("]]>", "]]&gt;"),
    ("a\rb", "a&#13;b"),
    ("a\r\nb", "a&#13;\nb"),
    ("a]", "a&#93;"),  # plain value: no '>' after it can make ']]>'
    ("&]", "&amp;&#93;"),  # escaped value, same rule
    ("]]", "]&#93;"),
    ("\x00", "\ufffd"),
    ("a\x0bb\x0c", "a\ufffdb\ufffd"),
    ("\x1f\ud800\udfff\ufffe\uffff", "\ufffd" * 5),
    ("&\x00", "&amp;\ufffd"),
    ("\t\n", "\t\n"),
    ("'\"", "'\""),
    ("é\U0001f389\x7f\x85", "é\U0001f389\x7f\x85"),
]


@pytest.mark.parametrize(("value", "expected"), XML_CONTENT, ids=ascii)
def test_xml_content(value: str, expected: str) -> None:
    template = postback.compile("<r>{SubId1}></r>", format="xml")
    out = template.render(Action(sub_id1=value))
    assert out == f"<r>{expected}></r>"
    assert ET.fromstring(out).text == _NOT_XML.sub("\ufffd", value) + ">"


XML_ATTRIBUTE = [
    ("a&b", "a&amp;b"),
    ("a<b", "a&lt;b"),
    ("a>b", "a&gt;b"),
    ('a"b', "a&quot;b"),
    ("a'b", "a&apos;b"),
    ("a\tb", "a&#9;b"),
    ("a\nb", "a&#10;b"),
    ("a\rb", "a&#13;b"),
    ("\x00\x0b\ud800\ufffe", "\ufffd" * 4),
    ('"\x01', "&quot;\ufffd"),
    ("é ]]>", "é ]]&gt;"),
]


@pytest.mark.parametrize("quote_char", ['"', "'"])
@pytest.mark.parametrize(("value", "expected"), XML_ATTRIBUTE, ids=ascii)
def test_xml_attribute(value: str, expected: str, quote_char: str) -> None:
    q = quote_char
    template = postback.compile(f"<r a={q}{{SubId1}}{q}/>", format="xml")
    out = template.render(Action(sub_id1=value))
    assert out == f"<r a={q}{expected}{q}/>"
    assert ET.fromstring(out).get("a") == _NOT_XML.sub("\ufffd", value)


XML_CDATA = [
    ("]]>", "]]><![CDATA[]]]]><![CDATA[>"),  # split, and the leading ] split off
    ("a]]>b]]>", "a]]]]><![CDATA[>b]]]]><![CDATA[>"),
    ("a\rb", "a]]>&#13;<![CDATA[b"),
    ("]a", "]]><![CDATA[]a"),
    (">a", "]]><![CDATA[>a"),
    ("a]", "a]]]><![CDATA["),
    ("\x00\ud800\ufffe", "\ufffd" * 3),
    ("<&>'\"\t\n", "<&>'\"\t\n"),
]


@pytest.mark.parametrize(("value", "expected"), XML_CDATA, ids=ascii)
def test_xml_cdata(value: str, expected: str) -> None:
    template = postback.compile("<r><![CDATA[]{SubId1}]]]></r>", format="xml")
    out = template.render(Action(sub_id1=value))
    assert out == f"<r><![CDATA[]{expected}]]]></r>"
    assert ET.fromstring(out).text == "]" + _NOT_XML.sub("\ufffd", value) + "]"


def test_xml_numbers_and_dates_need_no_escaping() -> None:
    template = postback.compile(
        "<r a='{Payout}'>{CampaignId}<![CDATA[{EventDate}]]></r>", format="xml"
    )
    out = template.render(Action(payout=Decimal("-1.50"), campaign_id=7, event_date=WHEN))
    assert out == "<r a='-1.50'>7<![CDATA[2026-01-02T03:04:05+00:00]]></r>"


@pytest.mark.parametrize("date_format", ["%Y<&>%m", "%Y]]>%m", "%Y'\"%m"])
def test_xml_dates_with_a_pattern_are_escaped(date_format: str) -> None:
    text = WHEN.strftime(date_format)
    template = postback.compile(
        "<r a='{EventDate}' b=\"{EventDate}\">{EventDate}<![CDATA[{EventDate}]]></r>",
        format="xml",
        date_format=date_format,
    )
    root = ET.fromstring(template.render(Action(event_date=WHEN)))
    assert root.get("a") == root.get("b") == text
    assert root.text == text + text


# -- query and url ------------------------------------------------------------------------------

SPECIAL = [
    "&", "=", "+", "%", "#", "?", "/", ";", ":", "@", "!", "$", "'", "(", ")", "*", ",",
    "[", "]", '"', "<", ">", "\\", "^", "`", "{", "|", "}", " ", "\t", "\n", "\r",
    "\x00", "\x01", "\x1f", "\x7f", "\x80", "\xa0", "é", "\u2028", "東", "\U0001f389",
    "\ud800", "\udfff", "~", "-", ".", "_", "aZ09",
]  # fmt: skip


@pytest.mark.parametrize("char", SPECIAL, ids=ascii)
def test_form_and_percent_encoding(char: str) -> None:
    value = f"a{char}b{char}"
    form = postback.compile("k={SubId1}&{SubId1}=v", format="query").render(Action(sub_id1=value))
    encoded = quote_plus(utf8_safe(value), safe="")
    assert form == f"k={encoded}&{encoded}=v"
    assert parse_qsl(form, keep_blank_values=True, strict_parsing=True) == [
        ("k", utf8_safe(value)),
        (utf8_safe(value), "v"),
    ]
    url = postback.compile(
        "https://h.example/p/{SubId1}/q?k={SubId1}#f{SubId1}", format="url"
    ).render(Action(sub_id1=value))
    segment = quote(utf8_safe(value), safe="")
    assert url == f"https://h.example/p/{segment}/q?k={encoded}#f{segment}"
    parts = urlsplit(url)
    assert parts.path.split("/")[2] == segment and unquote(segment) == utf8_safe(value)


@pytest.mark.parametrize("char", ["\x00", "\ud800", "é", " ", "&"], ids=ascii)
def test_encoding_past_the_encoders_cache(char: str) -> None:
    from postback._escape import form_encode, percent_encode

    # Fill both translate tables beyond their limit of cached code points; from then
    # on values are encoded byte by byte, with the same rules.
    many = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 9000))
    assert form_encode(many) == quote_plus(many, safe="")
    assert percent_encode(many) == quote(many, safe="")
    value = f"x{char}\U0001f600{chr(0x9FA0)}"
    assert form_encode(value) == quote_plus(utf8_safe(value), safe="")
    assert percent_encode(value) == quote(utf8_safe(value), safe="")


@pytest.mark.parametrize(
    ("value", "segment"),
    [("...", "%2E%2E%2E"), ("a/b", "a%2Fb"), ("./", ".%2F"), ("%2e", "%252e")],
)
def test_url_path_values_are_one_segment(value: str, segment: str) -> None:
    template = postback.compile("https://h.example/a/{SubId1}/b", format="url")
    out = template.render(Action(sub_id1=value))
    assert out == f"https://h.example/a/{segment}/b"
    assert len(urlsplit(out).path.split("/")) == 4


@pytest.mark.parametrize(("value", "segment"), [(".", "%2E"), ("..", "%2E%2E")])
def test_url_path_dot_values(value: str, segment: str) -> None:
    # Alone in a segment '.' and '..' are refused (WHATWG parsers read %2E as a dot);
    # beside other literal text they are written as %2E.
    alone = postback.compile("https://h.example/a/{SubId1}/b", format="url")
    with pytest.raises(postback.RenderError) as info:
        alone.render(Action(sub_id1=value))
    assert info.value.field == "SubId1"
    beside = postback.compile("https://h.example/a/v{SubId1}/b", format="url")
    assert beside.render(Action(sub_id1=value)) == f"https://h.example/a/v{segment}/b"


def test_url_fragment_is_percent_encoded_not_form_encoded() -> None:
    template = postback.compile("https://h.example/#{SubId1}", format="url")
    assert template.render(Action(sub_id1="a b+c")) == "https://h.example/#a%20b%2Bc"


# -- header ----------------------------------------------------------------------------------------

FORBIDDEN = ["\r", "\n", "\x00", "\r\n", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f"]


@pytest.mark.parametrize("char", FORBIDDEN, ids=ascii)
@pytest.mark.parametrize("source", ["{SubId1}", "Bearer {SubId1}", '{join(items, i, "{i.sku}")}'])
def test_header_refuses_control_characters(char: str, source: str) -> None:
    template = postback.compile(source, format="header")
    action = Action(sub_id1=f"a{char}b", items=[Item(sku=f"a{char}b")])
    with pytest.raises(postback.RenderError) as info:
        template.render(action)
    if char in "\r\n\x00":
        assert "header injection" in info.value.message


@pytest.mark.parametrize("date_format", ["%Y\r\n%m", "%Y\n", "%Y\r"], ids=ascii)
def test_header_refuses_control_characters_in_formatted_dates(date_format: str) -> None:
    template = postback.compile("{EventDate}", format="header", date_format=date_format)
    with pytest.raises(postback.RenderError, match="header injection"):
        template.render(Action(event_date=WHEN))
    # strftime stops at a NUL in the pattern, so none reaches the value.
    nul = postback.compile("{EventDate}", format="header", date_format="%Y\x00%m")
    assert "\x00" not in nul.render(Action(event_date=WHEN))


def test_header_passes_tab_and_non_ascii_and_replaces_lone_surrogates() -> None:
    template = postback.compile("t={SubId1}", format="header")
    assert template.render(Action(sub_id1="a\tb é\x85\u2028")) == "t=a\tb é\x85\u2028"
    assert template.render(Action(sub_id1="x\ud800y\udfff")) == "t=x\ufffdy\ufffd"
    assert template.render_bytes(Action(sub_id1="x\ud800")) == "t=x\ufffd".encode()
