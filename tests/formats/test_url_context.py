"""The url format: absolute http(s) URLs, literal authority, per-part escaping."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import takewhile
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._escape import path_segment_encode
from postback._records.catalog import SOURCES
from references import expected_text, remove_dot_segments, utf8_safe
from strategies import DATETIMES, DECIMALS, hostile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "action-clearing.url"
EXPECTED = ROOT / "tests" / "cases" / "action-clearing.url.expected"

SPECIAL = "&=+%#?/;:@.<>\"'\\ \t\r\n\x00\x7f\u0085\u2028\u00e9\u6771\U0001f389{}[]"
TEXT = hostile_text(SPECIAL, ["", ".", "..", "...", "%2e", "%", "/", "a/../b", "?x=1#y", "\ud800"])

TEMPLATE = (
    "https://user:pw@Partner.Example.com:8443/postback/{CampaignId}/{SubId1}/x-{SubId2}{SubId3}/end"
    "?oid={ActionId}&{Text1}={Text2}&p={Payout}&d={EventDate}"
    '{join(items, i, "&sku={i.sku}", "")}#frag-{PromoCode}'
)


DOT_SEGMENTS = (".", "..")


def parse(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True, strict_parsing=True)


@given(
    st.integers(),
    TEXT,
    TEXT,
    TEXT,
    TEXT,
    TEXT,
    TEXT,
    TEXT,
    DECIMALS,
    DATETIMES,
    st.lists(TEXT, max_size=4),
)
@settings()
def test_structure_is_the_templates_and_values_come_back(
    cid: int,
    s1: str,
    s2: str,
    s3: str,
    oid: str,
    t1: str,
    t2: str,
    promo: str,
    payout: Decimal,
    when: datetime,
    skus: list[str],
) -> None:
    template = postback.compile(TEMPLATE, format="url")
    action = Action(
        campaign_id=cid,
        sub_id1=s1,
        sub_id2=s2,
        sub_id3=s3,
        action_id=oid,
        text1=t1,
        text2=t2,
        promo_code=promo,
        payout=payout,
        event_date=when,
        items=[Item(sku=s) for s in skus],
    )
    if s1 in DOT_SEGMENTS or s3 in DOT_SEGMENTS:
        # {SubId1} is a whole segment; {SubId3} may be, as far as the text next to it
        # shows (a placeholder and '/'): a dot segment is refused, naming the field.
        with pytest.raises(postback.RenderError) as info:
            template.render(action)
        assert info.value.field == ("SubId1" if s1 in DOT_SEGMENTS else "SubId3")
        return
    url = template.render(action)
    assert url.isascii()
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.port) == ("https", "partner.example.com", 8443)
    assert (parts.username, parts.password) == ("user", "pw")
    segments = parts.path.split("/")
    assert len(segments) == 6
    assert [unquote(s) for s in segments] == [
        "",
        "postback",
        str(cid),
        utf8_safe(s1),
        "x-" + utf8_safe(s2) + utf8_safe(s3),
        "end",
    ]
    # No segment a resolver would treat as a dot-segment, except as the template wrote it.
    assert not any(s in (".", "..") for s in segments)
    assert parse(parts.query) == [
        ("oid", utf8_safe(oid)),
        (utf8_safe(t1), utf8_safe(t2)),
        ("p", expected_text(payout)),
        ("d", expected_text(when)),
        *[("sku", utf8_safe(s)) for s in skus],
    ]
    assert unquote(parts.fragment) == "frag-" + utf8_safe(promo)
    assert template.render_bytes(action) == url.encode("ascii")


@given(TEXT)
@settings()
def test_a_path_value_never_adds_or_removes_segments(value: str) -> None:
    template = postback.compile("http://h/a/{SubId1}/b", format="url")
    if value in DOT_SEGMENTS:
        with pytest.raises(postback.RenderError, match="dot segment"):
            template.render(Action(sub_id1=value))
        return
    path = urlsplit(template.render(Action(sub_id1=value))).path
    assert remove_dot_segments(path) == path
    segments = path.split("/")
    assert len(segments) == 4
    assert unquote(segments[2]) == utf8_safe(value)


@given(TEXT)
@settings()
def test_a_path_value_beside_literal_text_is_percent_encoded_as_quote_does(value: str) -> None:
    # docs/formats.md: a path segment value is written as quote(value, safe=""), with
    # a value made only of dots as %2E each (the literal text keeps the segment).
    template = postback.compile("https://h/a/v{SubId1}/b", format="url")
    segment = urlsplit(template.render(Action(sub_id1=value))).path.split("/")[2]
    expected = quote(utf8_safe(value), safe="")
    if expected and not expected.strip("."):
        expected = "%2E" * len(expected)
    assert segment == "v" + expected


def test_remove_dot_segments_reference() -> None:
    assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
    assert remove_dot_segments("/a/../b/%2E%2E/c") == "/b/%2E%2E/c"


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        (".", "%2E"),
        ("..", "%2E%2E"),
        ("...", "%2E%2E%2E"),
        ("a..", "a.."),
        ("", ""),
        ("1.5", "1.5"),
    ],
)
def test_dot_segments_are_encoded(value: str, segment: str) -> None:
    assert path_segment_encode(value) == segment
    # Beside other literal text of its segment a value of dots is written as %2E...
    url = postback.compile("https://h/a/x{SubId1}/b", format="url").render(Action(sub_id1=value))
    assert url == f"https://h/a/x{segment}/b"
    # ... but alone, '.' and '..' would be dot segments whatever their encoding:
    # WHATWG parsers read %2E as a dot.
    template = postback.compile("https://h/a/{SubId1}/b", format="url")
    if value in DOT_SEGMENTS:
        with pytest.raises(postback.RenderError) as info:
            template.render(Action(sub_id1=value))
        assert info.value.field == "SubId1"
        assert f"the value of {{SubId1}} is {value!r}" in info.value.message
    else:
        assert template.render(Action(sub_id1=value)) == f"https://h/a/{segment}/b"


def test_literal_percent_escapes_and_sub_delims_are_kept() -> None:
    source = "HTTPS://h.example/a%20b/c;d=1,e:f@g!$'()*+/?q=%2F/x?y:z@&r=1#s/?!%20{SubId1}"
    url = postback.compile(source, format="url").render(Action(sub_id1="a b#c"))
    assert url == "HTTPS://h.example/a%20b/c;d=1,e:f@g!$'()*+/?q=%2F/x?y:z@&r=1#s/?!%20a%20b%23c"
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parse(parts.query) == [("q", "//x?y:z@"), ("r", "1")]


def test_ipv6_host_and_empty_query() -> None:
    template = postback.compile("http://[2001:db8::1]:80/p/{CampaignId}?", format="url")
    url = template.render(Action(campaign_id=7))
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.path, parts.query) == ("2001:db8::1", 80, "/p/7", "")


def test_missing_values_render_empty() -> None:
    template = postback.compile("https://h/{SubId1}/x?a={SubId2}#{SubId3}", format="url")
    assert template.render(Action()) == "https://h//x?a=#"


def test_query_join_with_ampersand_separator_at_query_start() -> None:
    template = postback.compile('https://h/?{join(items, i, "s={i.sku}", "&")}', format="url")
    assert template.render(Action()) == "https://h/?"
    url = template.render(Action(items=[Item(sku="a&b"), Item(sku="c")]))
    assert parse(urlsplit(url).query) == [("s", "a&b"), ("s", "c")]


def test_path_join_renders_one_segment_per_item() -> None:
    template = postback.compile('https://h/items/{join(items, i, "{i.sku}", "/")}', format="url")
    url = template.render(Action(items=[Item(sku="a/b"), Item(sku="...")]))
    assert url == "https://h/items/a%2Fb/%2E%2E%2E"
    with pytest.raises(postback.RenderError) as info:
        template.render(Action(items=[Item(sku="a/b"), Item(sku="..")]))
    assert info.value.field == "i.sku"


def test_content_type_is_none() -> None:
    assert postback.Format.URL.content_type is None


# -- compile-time refusals ---------------------------------------------------------

REFUSALS = [
    # (template, code, line, column, part of the message)
    ("https://{ReferringDomain}/pb", "placeholder-in-host", 1, 9, "{ReferringDomain}"),
    ("https://www.{ReferringDomain}/pb", "placeholder-in-host", 1, 13, "host"),
    ("https://h{SubId1}.example.com:80/", "placeholder-in-host", 1, 10, "host"),
    ("https://h.example{SubId1}", "placeholder-in-host", 1, 18, "host"),
    ("https:{SubId1}", "placeholder-in-host", 1, 7, "host"),
    ("https://h:{AdId}/pb", "placeholder-in-port", 1, 11, "{AdId}"),
    ("https://h:80{AdId}/pb", "placeholder-in-port", 1, 13, "port"),
    ("https://u@h:{AdId}", "placeholder-in-port", 1, 13, "port"),
    ("https://{SubId1}@h/pb", "placeholder-in-userinfo", 1, 9, "user info"),
    ("https://u:{SubId1}@h/pb", "placeholder-in-userinfo", 1, 11, "{SubId1}"),
    ("https://u@{SubId1}/pb", "placeholder-in-host", 1, 11, "host"),
    ("{LandingPageUrl}", "placeholder-in-scheme", 1, 1, "{LandingPageUrl}"),
    ("http{SubId1}://h/", "placeholder-in-scheme", 1, 5, "scheme"),
    ("/pb/{CampaignId}", "invalid-url", 1, 1, "not an absolute URL"),
    ("pb/{CampaignId}", "invalid-url", 1, 1, "not an absolute URL"),
    ("//h/pb", "invalid-url", 1, 1, "not an absolute URL"),
    ("example.com/pb", "invalid-url", 1, 1, "not an absolute URL"),
    ("ftp://h/pb", "invalid-url", 1, 1, "'ftp' is not allowed"),
    ("javascript:alert(1)", "invalid-url", 1, 1, "is not allowed"),
    ("", "invalid-url", 1, 1, "empty"),
    (" https://h/", "invalid-url", 1, 1, "not an absolute URL"),
    ("https:/h/", "invalid-url", 1, 8, "'//'"),
    ("https:", "invalid-url", 1, 7, "//host"),
    ("https://", "invalid-url", 1, 9, "no host"),
    ("https:///pb", "invalid-url", 1, 9, "no host"),
    ("https://h:/pb", "invalid-url", 1, 10, "port number"),
    ("https://h:8x/pb", "invalid-url", 1, 12, "decimal digits"),
    ("https://h:65536/pb", "invalid-url", 1, 11, "out of range"),
    ("https://a@b@h/", "invalid-url", 1, 12, "second '@'"),
    ("https://h\\.evil.com/", "invalid-url", 1, 10, "host"),
    ("https://ex ample.com/", "invalid-url", 1, 11, "a space"),
    ("https://m\u00fcnchen.de/", "invalid-url", 1, 10, "punycode"),
    ("https://[::1/", "invalid-url", 1, 9, "']'"),
    ("https://[nope]/", "invalid-url", 1, 9, "IPv6"),
    ("https://h/a b", "invalid-url", 1, 12, "a space"),
    ("https://h/\u00e9", "invalid-url", 1, 11, "%C3%A9"),
    ("https://h/%zz", "invalid-url", 1, 12, "two hex digits"),
    ("https://h/%4", "invalid-url", 1, 13, "%-escape"),
    ("https://h/a\\b", "invalid-url", 1, 12, "path"),
    ("https://h/a\nb", "invalid-url", 1, 12, "line break"),
    ("https://h/%{SubId1}", "placeholder-in-escape", 1, 12, "%-escape"),
    ("https://h/?a", "invalid-url", 1, 13, "without '='"),
    ("https://h/?a#f", "invalid-url", 1, 13, "without '='"),
    ("https://h/?a=1&", "invalid-url", 1, 15, "dangling '&'"),
    ("https://h/?a=1&&b=2", "invalid-url", 1, 15, "empty pair"),
    ("https://h/?a=b=c", "invalid-url", 1, 15, "second '='"),
    ("https://h/?a=b c", "invalid-url", 1, 15, "a space"),
    ("https://h/??a=1", "invalid-url", 1, 12, "'?'"),
    ("https://h/#a#b", "invalid-url", 1, 13, "'#'"),
    ("https://h/#a b", "invalid-url", 1, 13, "a space"),
    ("https://h/#%{SubId1}", "placeholder-in-escape", 1, 13, "%-escape"),
    ('https://h/?a=1&{join(items, i, "s={i.sku}", "&")}', "invalid-url", 1, 15, "the join at 1:16"),
    ('https://h{join(items, i, "x", "")}/', "join-structure", 1, 10, "must be literal"),
    ('https://h/{join(items, i, "x?a={i.sku}", "")}', "join-structure", 1, 11, "into the query"),
    ("https://h/p\n?a={SubId1}", "invalid-url", 1, 12, "line break"),
    ('https://h/?a=1{join(items, i,\n "&b c={i.sku}", "")}', "invalid-url", 2, 5, "a space"),
]


@pytest.mark.parametrize(("source", "code", "line", "column", "text"), REFUSALS)
def test_refusals(source: str, code: str, line: int, column: int, text: str) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="url")
    err = info.value
    assert (err.code, err.line, err.column) == (code, line, column), err.message
    assert text in err.message
    found = postback.check(source, format="url")
    # A warning (for "#a#", which looks like a CAKE macro) is no refusal.
    assert [d.code for d in found if d.severity == "error"] == [code]


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("http://h", "http://h"),
        ("https://h/", "https://h/"),
        ("https://h?a=1", "https://h?a=1"),
        ("https://h#f", "https://h#f"),
        ("https://u:p@h:0/", "https://u:p@h:0/"),
        ("https://h.example.com:65535/a//b/", "https://h.example.com:65535/a//b/"),
        ("https://h/{SubId1}?{SubId2}=", "https://h/a%20b%2Fc?k%26v="),
        ("https://h/?", "https://h/?"),
        ("https://h/?#", "https://h/?#"),
    ],
)
def test_valid_shapes_render_their_values_in_place(source: str, rendered: str) -> None:
    url = postback.compile(source, format="url").render(Action(sub_id1="a b/c", sub_id2="k&v"))
    assert url == rendered
    if "{SubId1}" in source:
        parts = urlsplit(url)
        assert unquote(parts.path) == "/a b/c"
        assert parse_qsl(parts.query, keep_blank_values=True) == [("k&v", "")]


# -- check() goes on after a defect where what follows is read as meant ----------------

RECOVERIES = [
    # (template, [(code, column, part of the message), ...]) on line 1
    (
        "https://h/a b/c\\d?x=1 2#f",
        [
            ("invalid-url", 12, "a space"),
            ("invalid-url", 16, "'\\\\'"),
            ("invalid-url", 22, "a space"),
        ],
    ),
    ("https://h:8x/a b", [("invalid-url", 12, "decimal digits"), ("invalid-url", 15, "a space")]),
    ("https://h/?a#b c", [("invalid-url", 13, "without '='"), ("invalid-url", 15, "a space")]),
    ("https://[::1]:99999/%zz", [("invalid-url", 15, "out of range"), ("invalid-url", 22, "'z'")]),
    (
        "https://h/%{SubId1}/a b",
        [("placeholder-in-escape", 12, "{SubId1}"), ("invalid-url", 22, "a space")],
    ),
    (
        "https://h/?a=%{SubId1}&b",
        [("placeholder-in-escape", 15, "{SubId1}"), ("invalid-url", 25, "without '='")],
    ),
    # The defects of an authority whose parts are delimited beyond doubt, together.
    (
        "https://u{SubId1}:p@h st:8x/",
        [
            ("placeholder-in-userinfo", 10, "{SubId1}"),
            ("invalid-url", 22, "a space"),
            ("invalid-url", 27, "decimal digits"),
        ],
    ),
    (
        "https://{SubId1}.{SubId2}.example/",
        [("placeholder-in-host", 9, "{SubId1}"), ("placeholder-in-host", 18, "{SubId2}")],
    ),
    (
        "https://a%zz@:8x/",
        [("invalid-url", 11, "'z'"), ("invalid-url", 14, "no host"), ("invalid-url", 16, "port")],
    ),
    # Otherwise only the leftmost: the others may follow from it.
    ("https://a@b@h x/", [("invalid-url", 12, "second '@'")]),
    ("https://x[::1]ftp://", [("invalid-url", 10, "'['")]),
    ("https://[::1]x:8y/", [("invalid-url", 14, "after the IPv6 address")]),
    ("https://[::1:{AdId}/", [("invalid-url", 9, "no closing ']'")]),
    # The rest of a segment with a refused character is not checked again.
    ("https://h/<a>/b c", [("invalid-url", 11, "'<'"), ("invalid-url", 16, "a space")]),
    ("https://h/#<a>", [("invalid-url", 12, "'<'")]),
]


@pytest.mark.parametrize(("source", "expected"), RECOVERIES)
def test_check_reports_independent_defects(
    source: str, expected: list[tuple[str, int, str]]
) -> None:
    found = postback.check(source, format="url")
    assert [(d.code, d.line, d.column) for d in found] == [(c, 1, col) for c, col, _ in expected]
    for diagnostic, (_, _, text) in zip(found, expected, strict=True):
        assert text in diagnostic.message
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="url")
    assert (info.value.code, info.value.column) == (expected[0][0], expected[0][1])


# -- the example -------------------------------------------------------------------

ITEM_KEYS = {
    "sku": "sku",
    "amt": "item_price",
    "cat": "category",
    "qty": "quantity",
    "cartamt": "cartamt",
    "rbt": "rbt",
    "name": "name",
    "itemlist": "category_list",
}


# The fields of impact.com's help page "Action Clearing Event Notifications", the
# catalog's first source (up to the next source's first field): the example uses them all.
SEED_FIELDS = tuple(takewhile(lambda f: f.name != SOURCES[1].first, postback.FIELDS))


def test_example_renders_the_sample_exactly() -> None:
    source = EXAMPLE.read_text("utf-8")
    template = postback.compile(source, format="url")
    assert template.fields == {f.name for f in SEED_FIELDS} | {"items"}
    action = postback.sample_action()
    url = template.render(action)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.fragment) == ("https", "partner.example.com", "")
    assert parts.path == f"/postback/{action.campaign_id}"
    pairs = parse(parts.query)
    seed_keys = {f.name: f.attribute for f in SEED_FIELDS}
    seed_keys["Text1"], seed_keys["Text2"] = "text_1", "text_2"
    fields = [f for f in SEED_FIELDS if f.name != "CampaignId"]
    expected = [(seed_keys[f.name], expected_text(getattr(action, f.attribute))) for f in fields]
    for item in action.items:
        expected += [
            (ITEM_KEYS[f.name], expected_text(getattr(item, f.attribute)))
            for f in postback.ITEM_FIELDS
        ]
    assert pairs == expected
    assert url == EXPECTED.read_text("utf-8")


# -- what WHATWG and RFC 3986 parsers make of dots and hosts -------------------------------


@pytest.mark.parametrize(
    ("source", "code", "column"),
    [
        # An empty SubId1 made /a/./b, read as /a/b; a missing one /a/../b, read as /b.
        ("https://h/a/.{SubId1}/b", "invalid-url", 13),
        ("https://h/a/..{SubId1}/b", "invalid-url", 13),
        # Two items made /a/../b; three empty skus too.
        ('https://h/a/{join(items, i, ".", "")}/b', "join-structure", 13),
        ('https://h/a/{join(items, i, "{i.sku}", ".")}/b', "invalid-url", 41),
    ],
)
def test_literal_dots_beside_a_value_or_join_are_refused(
    source: str, code: str, column: int
) -> None:
    """A literal '.' or '..' beside a placeholder or a join became a dot segment when
    a value was empty or items repeated, and normalised paths lost segments."""
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="url")
    assert (info.value.code, info.value.column) == (code, column)
    assert "dot segment" in info.value.message


def test_a_dot_value_alone_in_a_path_segment_is_a_render_error() -> None:
    """A value '..' filling a segment was written %2E%2E, which WHATWG parsers
    (ada-url, browsers, Node) read as '..': https://h/a/%2E%2E/b is https://h/b."""
    from ada_url import URL

    assert URL("https://h/a/%2E%2E/b").pathname == "/b"
    template = postback.compile("https://h/a/{SubId1}/b", format="url")
    for value in (".", ".."):
        with pytest.raises(postback.RenderError) as info:
            template.render(Action(sub_id1=value))
        assert info.value.field == "SubId1"
    assert template.render(Action(sub_id1="...")) == "https://h/a/%2E%2E%2E/b"


@pytest.mark.parametrize(
    ("host", "reads"),
    [("a.1", "reject"), ("1.2.3.4.5", "reject"), ("0x7f.1", "127.0.0.1"), ("[::1%eth0]", "zone")],
)
def test_hosts_whatwg_reads_differently_are_refused(host: str, reads: str) -> None:
    """These hosts compiled, but WHATWG parsers reject the first three... or read
    0x7f.1 as 127.0.0.1 where urllib reads the name '0x7f.1'."""
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(f"https://{host}/x", format="url")
    assert (info.value.code, info.value.column) == ("invalid-url", 9)
    assert reads in info.value.message
