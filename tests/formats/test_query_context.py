"""The query format: pair structure checks and form-encoding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import takewhile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanners import fast_paths_disabled

import postback
from postback import Action, Item
from postback._escape import form_encode, percent_encode
from postback._records.catalog import SOURCES
from references import expected_text, utf8_safe
from strategies import DATETIMES, DECIMALS, hostile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "action-clearing.qs"
EXPECTED = ROOT / "tests" / "cases" / "action-clearing.qs.expected"

SPECIAL = "&=+%#?/;<>\"'\\ \t\r\n\x00\x7f\u0085\u2028\u00e9\u6771\U0001f389{}[]"
HOSTILE_TEXT = hostile_text(
    SPECIAL, ["", "%", "%2", "%zz", "+", "a=b&c=d", "#frag", "\ud800", "x\udfffy"]
)

STR_FIELDS = [f for f in postback.FIELDS if f.type is str]


def parse(body: str) -> list[tuple[str, str]]:
    return parse_qsl(body, keep_blank_values=True, strict_parsing=True)


# -- the escapers ------------------------------------------------------------------


@given(HOSTILE_TEXT)
@settings()
def test_form_encode_is_quote_plus(value: str) -> None:
    assert form_encode(value) == quote_plus(utf8_safe(value), safe="")


@given(HOSTILE_TEXT)
@settings()
def test_percent_encode_is_quote(value: str) -> None:
    assert percent_encode(value) == quote(utf8_safe(value), safe="")


# -- values come back verbatim -----------------------------------------------------

ALL_STR = "&".join(f"{f.attribute}={{{f.name}}}" for f in STR_FIELDS)


@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=4), st.integers(0, len(STR_FIELDS)))
@settings()
def test_every_string_field_comes_back_exactly(pool: list[str], shift: int) -> None:
    # Every field gets one of the drawn values (cheaper than drawing one per field).
    values = [pool[(k + shift) % len(pool)] for k in range(len(STR_FIELDS))]
    template = postback.compile(ALL_STR, format="query")
    action = Action(**{f.attribute: v for f, v in zip(STR_FIELDS, values, strict=True)})
    body = template.render(action)
    assert parse(body) == [
        (f.attribute, utf8_safe(v)) for f, v in zip(STR_FIELDS, values, strict=True)
    ]
    assert template.render_bytes(action) == body.encode("utf-8")


@given(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT)
@settings()
def test_placeholders_in_keys_come_back_exactly(k1: str, k2: str, v: str) -> None:
    template = postback.compile("{SubId1}={SubId2}&k-{SubId3}=v&x=y", format="query")
    body = template.render(Action(sub_id1=k1, sub_id2=v, sub_id3=k2))
    assert parse(body) == [(utf8_safe(k1), utf8_safe(v)), ("k-" + utf8_safe(k2), "v"), ("x", "y")]


@given(st.integers(), DECIMALS, DATETIMES, DATETIMES)
@settings()
def test_typed_fields_come_back_formatted(
    cid: int, payout: Decimal, d1: datetime, d2: datetime
) -> None:
    template = postback.compile(
        "cid={CampaignId}&p={Payout}&d={EventDate}&when+cleared={ClearedDate}&k{AdId}=1",
        format="query",
    )
    action = Action(campaign_id=cid, payout=payout, event_date=d1, cleared_date=d2, ad_id=cid)
    assert parse(template.render(action)) == [
        ("cid", str(cid)),
        ("p", expected_text(payout)),
        ("d", expected_text(d1)),
        ("when cleared", expected_text(d2)),
        (f"k{cid}", "1"),
    ]


@given(DATETIMES)
@settings()
def test_strftime_dates_are_encoded(value: datetime) -> None:
    template = postback.compile("d={EventDate}", format="query", date_format="%d/%m/%Y %H:%M&x=%%")
    expected = value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    assert parse(template.render(Action(event_date=value))) == [
        ("d", expected.strftime("%d/%m/%Y %H:%M&x=%%"))
    ]


@given(
    st.one_of(
        HOSTILE_TEXT,
        st.integers(),
        DECIMALS,
        st.booleans(),
        DATETIMES,
        st.dates(min_value=date(1900, 1, 1)),
        st.floats(allow_nan=False, allow_infinity=False),
    )
)
@settings()
def test_extra_fields_of_any_type_come_back(value: Any) -> None:
    template = postback.compile("x={MyField}&y=1", format="query", extra_fields=["MyField"])
    body = template.render(Action(extra={"MyField": value}))
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
    elif isinstance(value, str):
        text = utf8_safe(value)
    else:
        text = expected_text(value)
    assert parse(body) == [("x", text), ("y", "1")]


ITEMS = st.lists(
    st.builds(Item, sku=HOSTILE_TEXT, amt=st.one_of(st.none(), DECIMALS), name=HOSTILE_TEXT),
    max_size=3,
)


@given(ITEMS, HOSTILE_TEXT)
@settings()
def test_pair_join_gives_one_pair_per_item(items: list[Item], first: str) -> None:
    template = postback.compile(
        'a={SubId1}{join(items, i, "&sku={i.sku}&amt={i.amt}&name={i.name}", "")}&z=9',
        format="query",
    )
    body = template.render(Action(sub_id1=first, items=items))
    expected = [("a", utf8_safe(first))]
    for item in items:
        expected += [
            ("sku", utf8_safe(item.sku or "")),
            ("amt", "" if item.amt is None else expected_text(item.amt)),
            ("name", utf8_safe(item.name or "")),
        ]
    assert parse(body) == [*expected, ("z", "9")]


@given(ITEMS)
@settings()
def test_join_at_the_start_with_ampersand_separator(items: list[Item]) -> None:
    template = postback.compile('{join(items, i, "sku={i.sku}", "&")}', format="query")
    body = template.render(Action(items=items))
    assert parse(body) == [("sku", utf8_safe(item.sku or "")) for item in items]


@given(ITEMS)
@settings()
def test_join_inside_one_value(items: list[Item]) -> None:
    template = postback.compile('ids={join(items, i, "{i.sku}", ",")}&n=1', format="query")
    body = template.render(Action(items=items))
    assert parse(body) == [("ids", ",".join(utf8_safe(i.sku or "") for i in items)), ("n", "1")]
    # Each item's value is escaped, so the raw value splits into exactly one part per item.
    raw = body.split("&")[0].removeprefix("ids=")
    assert len(raw.split(",")) == max(len(items), 1)


def test_missing_values_render_empty() -> None:
    template = postback.compile("a={SubId1}&{SubId2}=b&c={Payout}", format="query")
    assert parse(template.render(Action())) == [("a", ""), ("", "b"), ("c", "")]


def test_missing_error_policy() -> None:
    template = postback.compile("a={SubId1}", format="query", missing="error")
    with pytest.raises(postback.RenderError):
        template.render(Action())


def test_render_bytes_never_raises_on_lone_surrogates() -> None:
    template = postback.compile("a={SubId1}&b={i}", format="query", extra_fields=["i"])
    action = Action(sub_id1="x\ud800y\udfff", extra={"i": "\udc80"})
    assert template.render_bytes(action) == b"a=x%EF%BF%BDy%EF%BF%BD&b=%EF%BF%BD"


def test_numbers_are_not_escaped() -> None:
    template = postback.compile("a={CampaignId}&b={DeltaPayout}", format="query")
    assert template.render(Action(campaign_id=-12, delta_payout=Decimal("-1.250"))) == (
        "a=-12&b=-1.250"
    )


def test_literal_form_encoding_is_kept() -> None:
    source = "a+b=%C3%A9&c=x,y;z:1/2?3@!$'()*~&empty=&k={SubId1}"
    template = postback.compile(source, format="query")
    assert parse(template.render(Action(sub_id1="v"))) == [
        ("a b", "é"),
        ("c", "x,y;z:1/2?3@!$'()*~"),
        ("empty", ""),
        ("k", "v"),
    ]


def test_empty_template_is_an_empty_body() -> None:
    assert postback.compile("", format="query").render(Action()) == ""


def test_format_aliases_and_content_type() -> None:
    for name in ("query", "QUERY", "querystring", "query_string", "form"):
        assert postback.compile("a=1", format=name).format is postback.Format.QUERY
    assert postback.Format.QUERY.content_type == "application/x-www-form-urlencoded"


# -- compile-time refusals ---------------------------------------------------------

DANGLING = 'a=1&{join(items, i, "sku={i.sku}", "&")}'

REFUSALS = [
    # (template, code, line, column, part of the message)
    ("a", "invalid-query", 1, 2, "without '='"),
    ("a=1&b", "invalid-query", 1, 6, "without '='"),
    ("a&b=1", "invalid-query", 1, 2, "without '='"),
    ("a=1&", "invalid-query", 1, 4, "dangling '&'"),
    ("&a=1", "invalid-query", 1, 1, "cannot start with '&'"),
    ("a=1&&b=2", "invalid-query", 1, 4, "empty pair"),
    ("=1", "invalid-query", 1, 1, "key before '='"),
    ("a=1&=2", "invalid-query", 1, 5, "key before '='"),
    ("a=b=c", "invalid-query", 1, 4, "second '='"),
    ("a=b c", "invalid-query", 1, 4, "a space"),
    ("a=b#c", "invalid-query", 1, 4, "'#'"),
    ("a=%zz", "invalid-query", 1, 4, "two hex digits"),
    ("a=%4", "invalid-query", 1, 5, "%-escape"),
    ("a=\u00e9", "invalid-query", 1, 3, "%C3%A9"),
    ("a=<b>", "invalid-query", 1, 3, "'<'"),
    ("a=1\nb=2", "invalid-query", 1, 4, "line break"),
    ("?a=1", "invalid-query", 1, 1, "starts with '?'"),
    ("a=%{SubId1}", "placeholder-in-escape", 1, 4, "%-escape"),
    (DANGLING, "invalid-query", 1, 4, "with 0 items in the join at 1:5"),
    (
        'a=1&{join(items, i, "sku={i.sku}", "&")}&b=2',
        "invalid-query",
        1,
        4,
        "with 0 items in the join at 1:5",
    ),
    ('{join(items, i, "sku={i.sku}", "")}', "invalid-query", 1, 21, "with 2 items"),
    ('{join(items, i, "sku={i.sku}&", "&")}a=1', "invalid-query", 1, 29, "empty pair"),
    ('a=1{join(items, i,\n  "&b c={i.sku}", "")}', "invalid-query", 2, 6, "a space"),
    ('a={join(items, i, "%", "")}41', "join-structure", 1, 3, "%-escape"),
]


@pytest.mark.parametrize(("source", "code", "line", "column", "text"), REFUSALS)
def test_refusals(source: str, code: str, line: int, column: int, text: str) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="query")
    err = info.value
    assert (err.code, err.line, err.column) == (code, line, column), err.message
    assert text in err.message
    assert [d.code for d in postback.check(source, format="query")] == [code]


def test_the_refusals_differ_from_a_pair_that_compiles_and_renders() -> None:
    source = "a={SubId1}"
    assert postback.check(source, format="query") == []
    rendered = postback.compile(source, format="query").render(Action(sub_id1="x&y=z"))
    assert rendered == "a=x%26y%3Dz"
    assert parse_qsl(rendered, keep_blank_values=True, strict_parsing=True) == [("a", "x&y=z")]


def test_dangling_join_message_names_the_join_and_the_fix() -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(DANGLING, format="query")
    message = info.value.message
    assert "dangling '&'" in message
    assert "the join at 1:5" in message
    assert 'a=1{join(items, i, "&sku={i.sku}", "")}' in message
    # The documented fix compiles and renders a valid body for 0 and more items.
    fixed = postback.compile('a=1{join(items, i, "&sku={i.sku}", "")}', format="query")
    assert parse(fixed.render(Action())) == [("a", "1")]


# -- check() goes on after a defect where what follows is read as meant ----------------

RECOVERIES = [
    # (template, [(code, column, part of the message), ...]) on line 1
    ("a=b c&d=e=f", [("invalid-query", 4, "a space"), ("invalid-query", 10, "second '='")]),
    ("a=%zz&b", [("invalid-query", 4, "two hex digits"), ("invalid-query", 8, "without '='")]),
    ("&a=1&&b=2", [("invalid-query", 1, "start with '&'"), ("invalid-query", 5, "'&&'")]),
    ("k&v=1 2", [("invalid-query", 2, "without '='"), ("invalid-query", 6, "a space")]),
    ("a=1&=2&c", [("invalid-query", 5, "key before '='"), ("invalid-query", 9, "without '='")]),
    (
        "?a=<&b=>",
        [
            ("invalid-query", 1, "starts with '?'"),
            ("invalid-query", 4, "'<'"),
            ("invalid-query", 8, "'>'"),
        ],
    ),
    ("a=1&b=\u00e9&c=2&d=%G1", [("invalid-query", 7, "%C3%A9"), ("invalid-query", 16, "'G'")]),
    ("a=b==c&d", [("invalid-query", 4, "second '='"), ("invalid-query", 9, "without '='")]),
    (
        "a=%{SubId1}&b",
        [("placeholder-in-escape", 4, "{SubId1}"), ("invalid-query", 14, "without '='")],
    ),
    # The rest of a key or value with a refused character is not checked again.
    ("a=<b>&c=1", [("invalid-query", 3, "'<'")]),
    ("a b c=1&d", [("invalid-query", 2, "a space"), ("invalid-query", 10, "without '='")]),
    # A refused character in a value may have been meant to end the pair, so its '='
    # are not checked; one where a key starts may be meant as the key or as nothing,
    # so only a '=' after it is sure.
    ("a=1 b=2=3", [("invalid-query", 4, "a space")]),
    ("a=1 b=2&c", [("invalid-query", 4, "a space"), ("invalid-query", 10, "without '='")]),
    ("a=1& &b=2", [("invalid-query", 5, "a space")]),
    ("a=1& =2&c", [("invalid-query", 5, "a space"), ("invalid-query", 10, "without '='")]),
]


@pytest.mark.parametrize(("source", "expected"), RECOVERIES)
def test_check_reports_independent_defects(
    source: str, expected: list[tuple[str, int, str]]
) -> None:
    found = postback.check(source, format="query")
    assert [(d.code, d.line, d.column) for d in found] == [(c, 1, col) for c, col, _ in expected]
    for diagnostic, (_, _, text) in zip(found, expected, strict=True):
        assert text in diagnostic.message
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="query")
    assert (info.value.code, info.value.column) == (expected[0][0], expected[0][1])


# -- the pairs read in one step --------------------------------------------------------

# Bodies of pairs whose keys and values are literal, placeholders or both, joins that
# add pairs, and now and then a piece of text put in anywhere.
_KEYS = st.sampled_from(["a", "b2", "k%41", "?x", "{SubId1}", "k{SubId2}", "", "a b"])
_VALUES = st.sampled_from(["", "1", "x%20y", "{SubId1}", "v{Payout}", "%4", "a=b", "c&"])
_JOINS = st.sampled_from(
    [
        '{join(items, i, "&sku={i.sku}", "")}',
        '{join(items, i, "sku={i.sku}", "&")}',
        '{join(items, i, "{i.sku}", ",")}',
    ]
)
_PIECES = st.sampled_from(["&", "=", "&&", "%", "%2", "?", " ", "#", "{SubId2}", "&k=v&l="])


@st.composite
def _pair_texts(draw: st.DrawFn) -> str:
    pairs = []
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 5)) == 0:
            pairs.append(draw(_JOINS))
        else:
            pairs.append(f"{draw(_KEYS)}={draw(_VALUES)}")
    source = "&".join(pairs)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(source)))
        source = source[:at] + draw(_PIECES) + source[at:]
    return source


@settings(max_examples=300, deadline=None)
@given(_pair_texts(), st.sampled_from(["query", "url"]))
def test_pairs_read_in_one_step_read_as_step_by_step(pairs: str, fmt: str) -> None:
    # Complete pairs after a value are read in one step by the pair scanner's fast
    # path, in a body and in a URL's query; reading them pair by pair must give the
    # same diagnostics and the same compiled code.
    import postback._contexts._query_scanner as scanner

    source = pairs if fmt == "query" else f"https://example.com/p?{pairs}#f"

    def outcome() -> tuple[object, ...]:
        postback._compiler.cache.templates.clear()
        found = postback.check(source, format=fmt)
        if any(d.severity == "error" for d in found):
            return tuple(found)
        return (postback.compile(source, format=fmt).code,)

    fast = outcome()
    with fast_paths_disabled(scanner):
        slow = outcome()
    postback._compiler.cache.templates.clear()
    assert fast == slow


# -- the example -------------------------------------------------------------------


# The fields of impact.com's help page "Action Clearing Event Notifications", the
# catalog's first source (up to the next source's first field): the example uses them all.
SEED_FIELDS = tuple(takewhile(lambda f: f.name != SOURCES[1].first, postback.FIELDS))


def test_example_has_every_field_and_every_item_attribute() -> None:
    source = EXAMPLE.read_text("utf-8")
    template = postback.compile(source, format="query")
    assert template.fields == {f.name for f in SEED_FIELDS} | {"items"}
    for item_field in postback.ITEM_FIELDS:
        assert f"{{i.{item_field.name}}}" in source


def test_example_renders_the_sample_exactly() -> None:
    template = postback.compile(EXAMPLE.read_text("utf-8"), format="query")
    action = postback.sample_action()
    body = template.render(action)
    pairs = parse(body)
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys))
    got = dict(pairs)
    # Field values: the seed's snake_case keys (text_1, text_2 as in the seed's body).
    seed_keys = {f.name: f.attribute for f in SEED_FIELDS}
    seed_keys["Text1"], seed_keys["Text2"] = "text_1", "text_2"
    for field in SEED_FIELDS:
        assert got.pop(seed_keys[field.name]) == expected_text(getattr(action, field.attribute))
    plural = {
        "sku": "skus",
        "amt": "item_prices",
        "cat": "categories",
        "qty": "quantities",
        "cartamt": "cartamts",
        "rbt": "rbts",
        "name": "names",
        "itemlist": "category_lists",
    }
    for item_field in postback.ITEM_FIELDS:
        values = [expected_text(getattr(i, item_field.attribute)) for i in action.items]
        assert got.pop(plural[item_field.name]) == ",".join(values)
    assert got == {}
    assert body == EXPECTED.read_text("utf-8")


def test_defects_on_both_sides_of_an_escape_in_a_join_are_all_reported() -> None:
    # In a join's string literal `\\` writes one backslash, which a form body cannot
    # hold: each is reported, the second after checking resumes at the next '&'.
    source = 'a={join(items, i, "&x\\\\=1&y\\\\=2", "")}'
    found = postback.check(source, format="query")
    assert [(d.code, source[d.column - 1 : d.end_column - 1]) for d in found] == [
        ("invalid-query", "\\"),
        ("invalid-query", "\\"),
    ]
    assert [d.column for d in found] == [source.index("\\\\") + 1, source.rindex("\\\\") + 1]


# -- what receivers make of the first pair ---------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fmt", "column"),
    [("{SubId1}?=1", "query", 9), ("https://h/?{SubId1}?=1", "url", 20)],
)
def test_a_question_mark_after_empty_values_at_the_start_is_refused(
    source: str, fmt: str, column: int
) -> None:
    """With an empty SubId1 the body was '?=1': parse_qsl reads the key '?',
    URLSearchParams the key ''."""
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format=fmt)
    assert info.value.column == column
    assert "start with '?'" in info.value.message
    assert postback.compile("{SubId1}%3F=1", format="query").render(Action()) == "%3F=1"


def test_a_placeholder_key_after_an_ampersand_is_read_on_every_python_311_release() -> None:
    """On CPython 3.11.0-3.11.3 a possessive repeat whose last turn failed kept the
    '&' it had read, so a placeholder key after '&' was read as part of a value ("a
    second '=' in one pair").  The scanners use no possessive repeat; this test fails
    on those releases if one comes back."""
    assert postback.check("v.a={CampaignId}&{CampaignId}=k.a", format="query") == []
    assert postback.check("https://h/p/a%41{SubId1}/b?x={SubId2}#f%41{Text1}", format="url") == []
    template = postback.compile("v.a={CampaignId}&{CampaignId}=k.a", format="query")
    assert template.render(Action(campaign_id=7)) == "v.a=7&7=k.a"
