"""The json format (and the help page's worked example): structure checks and escaping."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from itertools import takewhile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanners import fast_paths_disabled

import postback
from postback import Action, Item
from postback._compiler.nodes import Span, Text
from postback._contexts import Fusion
from postback._contexts._json_state import ROOT
from postback._contexts.json import (
    FORMAT,
    JSON_QUOTED,
    JSON_STRING,
    JSON_VALUE,
    JsonMode,
    JsonState,
)
from postback._records.catalog import SOURCES
from references import expected_text
from strategies import hostile_chars

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = (DATA / "seed_body.json.txt").read_text("utf-8")
FIXED = SEED.replace(
    '{"Action Life Cycle Postback",', '{"event": "Action Life Cycle Postback",'
).replace("{DeltaAmo\nunt}", "{DeltaAmount}")

# Independent of the library: which seed key carries which placeholder.
TOP_KEYS = dict(re.findall(r'^"(\w+)": "\{(\w+)\}",?$', FIXED, flags=re.M))
# The fields of impact.com's help page "Action Clearing Event Notifications", the
# catalog's first source (up to the next source's first field): the seed names each once.
SEED_FIELDS = tuple(takewhile(lambda f: f.name != SOURCES[1].first, postback.FIELDS))
ITEM_KEYS = {
    "sku": "sku",
    "item_price": "amt",
    "category": "cat",
    "quantity": "qty",
    "cartamt": "cartamt",
    "rbt": "rbt",
    "name": "name",
    "category_list": "itemlist",
}

HOSTILE = [
    '"',
    "\\",
    '\\"',
    "\n",
    "\r\n",
    "".join(chr(c) for c in range(0x20)),
    "\u2028\u2029",
    "😀 emoji",
    "\ud800",
    "lone \udfff end",
    "</script><script>alert(1)</script>",
    "{CampaignId}",
    '", "injected": "x',
    "\x7f\u0085",
]


def attr_of(field: str) -> str:
    return next(f.attribute for f in postback.FIELDS if f.name == field)


def test_seed_body_reports_exactly_its_two_defects() -> None:
    diagnostics = postback.check(SEED, format="json")
    assert [(d.code, d.line) for d in diagnostics] == [
        ("invalid-json", 1),
        ("malformed-placeholder", 18),
    ]
    malformed = diagnostics[1]
    assert malformed.column == 18
    assert malformed.suggestion == "{DeltaAmount}"
    assert "did you mean {DeltaAmount}?" in malformed.message
    assert diagnostics[0].message == "invalid JSON: expected ':' after an object key, found ','"


def test_seed_body_compile_error_shows_line_and_caret() -> None:
    with pytest.raises(postback.TemplateError) as info:
        postback.compile(SEED, format="json", name="seed.json")
    text = str(info.value)
    assert "seed.json:1:30" in text
    assert '    {"Action Life Cycle Postback",' in text
    assert "\n" + " " * 33 + "^" in text
    assert len(info.value.diagnostics) == 2


def test_fixed_seed_renders_the_sample_as_valid_json() -> None:
    template = postback.compile(FIXED, format="json")
    action = postback.sample_action()
    data = json.loads(template.render(action))
    assert data["event"] == "Action Life Cycle Postback"
    assert sorted(TOP_KEYS.values()) == sorted(f.name for f in SEED_FIELDS)
    for key, field in TOP_KEYS.items():
        assert data[key] == expected_text(getattr(action, attr_of(field))), key
    assert len(data["items"]) == len(action.items) == 3
    for obj, item in zip(data["items"], action.items, strict=True):
        assert obj["sku"] == item.sku
        assert obj["name"] == item.name
        assert obj["category"] == item.cat
        assert obj["category_list"] == item.itemlist
        assert obj["rbt"] == expected_text(item.rbt)
        # Bare numbers: compare exactly through Decimal.
        assert Decimal(str(obj["item_price"])) == item.amt


def hostile_action(text: str, n_items: int) -> Action:
    values: dict[str, Any] = {}
    for spec in postback.FIELDS:
        if spec.type is str:
            values[spec.attribute] = text
    items = [
        Item(
            sku=text,
            amt=Decimal("1.50"),
            cat=text,
            qty=Decimal(k),
            cartamt=Decimal("0"),
            rbt=Decimal("-0.25"),
            name=text,
            itemlist=text,
        )
        for k in range(n_items)
    ]
    return Action(
        campaign_id=1,
        payout=Decimal("12.50"),
        event_date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-8))),
        items=tuple(items),
        **values,
    )


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("n_items", [0, 1, 50])
def test_fixed_seed_survives_hostile_strings(text: str, n_items: int) -> None:
    template = postback.compile(FIXED, format="json")
    action = hostile_action(text, n_items)
    rendered = template.render(action)
    data = json.loads(rendered)
    for key, field in TOP_KEYS.items():
        value = getattr(action, attr_of(field))
        assert data[key] == ("" if value is None else expected_text(value)), key
    assert len(data["items"]) == n_items
    for obj in data["items"]:
        assert obj["sku"] == obj["name"] == obj["category"] == text
    assert isinstance(template.render_bytes(action), bytes)


def test_bare_value_positions_render_by_type() -> None:
    t = postback.compile(
        '{"p": {Payout}, "n": {CampaignName}, "d": {EventDate}, "c": {CampaignId}}'
    )
    action = Action(
        payout=Decimal("5.00"),
        campaign_name='Sale "x"',
        event_date=datetime(2026, 1, 2, 11, 4, 5, tzinfo=UTC),
        campaign_id=7,
    )
    out = t.render(action)
    assert out == '{"p": 5.00, "n": "Sale \\"x\\"", "d": "2026-01-02T11:04:05+00:00", "c": 7}'
    assert json.loads(out) == {
        "p": 5.0,
        "n": 'Sale "x"',
        "d": "2026-01-02T11:04:05+00:00",
        "c": 7,
    }


def test_missing_values_are_null_bare_and_empty_in_strings() -> None:
    t = postback.compile('{"p": {Payout}, "s": "<{CampaignName}>"}')
    assert json.loads(t.render(Action())) == {"p": None, "s": "<>"}
    assert json.loads(t.render({})) == {"p": None, "s": "<>"}


def test_missing_error_policy_raises_render_error() -> None:
    t = postback.compile('{"p": {Payout}}', missing="error")
    with pytest.raises(postback.RenderError, match=r"\{Payout\} has no value"):
        t.render(Action())
    assert t.render(Action(payout=Decimal("1"))) == '{"p": 1}'


def test_non_finite_decimal_is_a_render_error() -> None:
    t = postback.compile('{"p": {Payout}}')
    with pytest.raises(postback.RenderError):
        t.render(Action(payout=Decimal("NaN")))


@pytest.mark.parametrize(
    ("source", "code", "column"),
    [
        ('{"p": {Payout}0}', "invalid-json", 15),
        ("{ {CampaignId}: 1 }", "placeholder-in-key", 3),
        ('{"p": 1{Payout}}', "placeholder-glued", 8),
        ('{"p" {Payout}}', "placeholder-position", 6),
        ('{"p": "\\{Payout}"}', None, None),
        ('{"p": "a\\\\{Payout}"}', None, None),
        ('{"p": {Payout} {Amount}}', "placeholder-glued", 16),
        ("{Payout}", None, None),
        ('["a", {CampaignName}]', None, None),
        ('{"a": 1,}', "invalid-json", 9),
        ('{"a": tru}', "invalid-json", 7),
        ('{"a": "x', "invalid-json", 9),
        ("", "invalid-json", 1),
        ('{"a": "tab\there"}', "invalid-json", 11),
        ('{"a": "\\q"}', "invalid-json", 9),
    ],
)
def test_format_errors_have_positions(source: str, code: str | None, column: int | None) -> None:
    diagnostics = postback.check(source)
    if code is None:
        assert diagnostics == []
        return
    assert [(d.code, d.line, d.column) for d in diagnostics] == [(code, 1, column)]
    with pytest.raises(postback.TemplateFormatError):
        postback.compile(source)


def test_join_with_dangling_comma_names_the_join() -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile('{"items": [{join(items, i, "{i.amt},", "")}]}')
    assert "the join at 1:12" in info.value.message
    assert "with 1 item" in info.value.message


def test_join_with_unclosed_string_names_the_join() -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile('{"items": [{join(items, i, "\\"{i.sku}")}]}')
    assert info.value.code == "join-structure"
    assert "the join at 1:12 cannot repeat" in info.value.message
    assert (info.value.line, info.value.column) == (1, 12)


def test_join_whose_separator_breaks_json_is_refused() -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile('{"items": [{join(items, i, "{i.amt}", ";")}]}')
    assert "with 2 items in the join at 1:12" in info.value.message


def test_join_needing_items_is_refused_for_zero_items() -> None:
    # With no items the array would be `[,1]`.
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile('[{join(items, i, "{i.amt}")},1]')
    assert "with 0 items" in info.value.message


def test_placeholder_landing_in_different_positions_is_refused() -> None:
    # Item 1 puts {i.sku} at a value position, item 2 inside a string.
    diagnostics = postback.check('[{join(items, i, "{i.sku}\\"", "\\"")}]')
    assert diagnostics and diagnostics[0].severity == "error"


@pytest.mark.parametrize("n_items", [0, 1, 2, 50])
def test_join_renders_one_object_per_item(n_items: int) -> None:
    t = postback.compile(
        '{"items": [{join(items, i, "{\\"sku\\": \\"{i.sku}\\", \\"q\\": {i.qty}}")}]}'
    )
    items = [Item(sku=f"s{k}", qty=Decimal(k)) for k in range(n_items)]
    data = json.loads(t.render(Action(items=tuple(items))))
    assert data == {"items": [{"sku": f"s{k}", "q": k} for k in range(n_items)]}


strings = st.text(
    alphabet=hostile_chars('"\\\n\x00\x1f\u2028\ud800\udfff😀'),
    max_size=60,
)


@settings()
@given(key=strings, value=strings, item=strings, n=st.integers(0, 3))
def test_any_strings_round_trip_through_json(key: str, value: str, item: str, n: int) -> None:
    t = postback.compile(
        '{"k{SubId1}": "{CampaignName}", "v": {Text1}, "items": [{join(items, i, "\\"{i.sku}\\"")}]}'
    )
    action = Action(sub_id1=key, campaign_name=value, text1=value, items=[Item(sku=item)] * n)
    rendered = t.render(action)
    rendered.encode("utf-8")  # no lone surrogate survives
    data = json.loads(rendered)
    assert list(data) == ["k" + key, "v", "items"]
    assert data["k" + key] == value
    assert data["v"] == value
    assert data["items"] == [item] * n


@settings()
@given(
    payout=st.decimals(allow_nan=False, allow_infinity=False),
    campaign=st.integers(-(10**30), 10**30),
    when=st.datetimes(timezones=st.just(UTC)),
)
def test_numbers_and_dates_are_valid_bare_values(
    payout: Decimal, campaign: int, when: datetime
) -> None:
    t = postback.compile('{"p": {Payout}, "c": {CampaignId}, "d": {EventDate}}')
    data = json.loads(
        t.render(Action(payout=payout, campaign_id=campaign, event_date=when)), parse_float=Decimal
    )
    assert Decimal(data["p"]) == payout
    assert data["c"] == campaign
    assert data["d"] == when.isoformat(timespec="seconds")


# -- contexts ---------------------------------------------------------------------------------

JSON_CONTEXTS = [JSON_STRING, JSON_VALUE, JSON_QUOTED]


def test_inert_characters_exclude_what_json_escapes() -> None:
    for context in JSON_CONTEXTS:
        assert context.inert == frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def test_a_whole_string_placeholder_writes_its_own_quotes() -> None:
    assert FORMAT.fuse(JSON_STRING, '{"a": "', '"}') == Fusion(JSON_QUOTED, 1, 1)
    assert FORMAT.fuse(JSON_STRING, '{"a": "x\\\\"', '"}') == Fusion(JSON_QUOTED, 1, 1)
    # An escaped quote does not open a string; a value position has no quotes to take.
    assert FORMAT.fuse(JSON_STRING, '{"a": "x\\"', '"}') is None
    assert FORMAT.fuse(JSON_STRING, '{"a": "', 'x"}') is None
    assert FORMAT.fuse(JSON_VALUE, '{"a": "', '"}') is None
    t = postback.compile('{"a": "{CampaignName}", "b": "<{CampaignName}>"}')
    assert t.render(Action(campaign_name='x"y')) == '{"a": "x\\"y", "b": "<x\\"y>"}'
    assert t.render(Action()) == '{"a": "", "b": "<>"}'


def test_equal_states_compare_and_hash_equal() -> None:
    # The compiler compares states to prove that joins repeat; two scans make distinct
    # state objects, and equality must not depend on their identity.
    node = Text('{"a": [1, {"b": "x', Span(0, 17))
    first = FORMAT.text(FORMAT.initial(), node)
    second = FORMAT.text(FORMAT.initial(), node)
    assert first is not second
    assert first == second and hash(first) == hash(second)
    in_key = FORMAT.text(FORMAT.initial(), Text('{"a": [1, {"bx', Span(0, 14)))
    assert isinstance(first, JsonState) and isinstance(in_key, JsonState)
    assert (first.mode, first.stack, first.key) == (JsonMode.STRING, "{[{", False)
    assert (in_key.mode, in_key.stack, in_key.key) == (JsonMode.STRING, "{[{", True)
    assert first != in_key


def test_states_hold_the_keys_of_every_open_object() -> None:
    def after(text: str) -> JsonState:
        state = FORMAT.text(FORMAT.initial(), Text(text, Span(0, len(text))))
        assert isinstance(state, JsonState)
        return state

    # The same keys in another order are the same state; other keys are not.
    ab, ba = after('{"a": 1, "b": 2'), after('{"b": 1, "a": 2')
    assert ab == ba and hash(ab) == hash(ba)
    assert ab != after('{"a": 1, "c": 2') and ab != after('{"a": 1')
    # An inner object's keys are its own; closing it gives the outer object's back.
    inner = after('{"a": {"a": 1, "b": 2')
    assert inner != after('{"b": {"a": 1, "b": 2')
    assert after('{"a": {"b": 1}') == after('{"a": "x"')
    # A state that another key was added to still compares by its own keys.
    base = after('{"a": 1')
    more = FORMAT.text(base, Text(', "b": 2', Span(7, 15)))
    assert more == ab and base == after('{"a": 1') and base != more


def test_scans_share_no_growing_state() -> None:
    # The open containers and their keys live in the states of one scan: the top
    # level (which is no object) keeps no keys, whatever is scanned.
    for k in range(200):
        stack = "".join("{" if k >> bit & 1 else "[" for bit in range(8))
        FORMAT.text(FORMAT.initial(), Text(stack.replace("{", f'{{"k{k}":'), Span(0, 1)))
    assert ROOT.count == 0 and not ROOT.key_set()


# JSON templates around keys, for the test of the scanner's one-step paths: objects
# whose keys repeat now and then, with a piece of text sometimes put in anywhere.
_KEY = st.sampled_from(["a", "b", "c", "a b", "\\u0061"])
_SPACE = st.sampled_from(["", " ", "\n", " \n  "])
_VALUE = st.sampled_from(["1", '"x"', '"{SubId1}"', '"v{SubId1}"', "{Payout}", "[]", '""'])
_JOIN = st.sampled_from(
    [
        '{join(items, i, "\\"a\\": \\"{i.sku}\\"")}',
        '{join(items, i, "\\"k\\": \\"{i.sku}\\"")}',
        '"{join(items, i, "{i.sku}", "\\", \\"a\\": \\"")}"',
    ]
)


@st.composite
def _json_objects(draw: st.DrawFn, depth: int = 0) -> str:
    members = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            value = draw(_json_objects(depth + 1))
        else:
            value = draw(_VALUE)
        if draw(st.integers(0, 6)) == 0:
            members.append(draw(_JOIN))
        else:
            members.append(f'"{draw(_KEY)}"{draw(_SPACE)}:{draw(_SPACE)}{value}')
    between = draw(st.sampled_from([",", ", ", ",\n", " ,\n"]))
    return "{" + draw(_SPACE) + between.join(members) + draw(_SPACE) + "}"


@st.composite
def _json_templates(draw: st.DrawFn) -> str:
    source = draw(_json_objects())
    if draw(st.booleans()):
        at = draw(st.integers(0, len(source)))
        piece = draw(st.sampled_from(['"', ",", ":", '"a":', '", "a": "', "\\", "{SubId2}"]))
        source = source[:at] + piece + source[at:]
    return source


@settings(max_examples=300, deadline=None)
@given(_json_templates())
def test_one_step_keys_read_as_step_by_step(source: str) -> None:
    # A key written whole (``"key":``) and a member between two strings
    # (``", "key": "``) are read in one step by the scanner's fast paths; reading
    # them character by character must give the same diagnostics and the same
    # compiled code.
    import postback._contexts._json_scanner as scanner
    import postback._contexts._json_strings as strings

    def outcome() -> tuple[object, ...]:
        postback._compiler.cache.templates.clear()
        found = postback.check(source, format="json")
        if any(d.severity == "error" for d in found):
            return tuple(found)
        return (postback.compile(source, format="json").code,)

    fast = outcome()
    with fast_paths_disabled(scanner, strings):
        slow = outcome()
    postback._compiler.cache.templates.clear()
    assert fast == slow


# -- recovery: later, independent defects are reported too ---------------------------------

RECOVERED = [
    # A raw control character or a bad escape inside a string is skipped.
    ('{"a": "x\ty", "b": 1 2}', [("invalid-json", 1, 9), ("invalid-json", 1, 21)]),
    ('{"a": "\\q", "b": tru}', [("invalid-json", 1, 9), ("invalid-json", 1, 18)]),
    ('["\\u12G4", "\\x"]', [("invalid-json", 1, 7), ("invalid-json", 1, 14)]),
    # A misplaced placeholder is read as a key or a value when the text after it agrees.
    ('{ {CampaignId}: 1, "b": [1,]}', [("placeholder-in-key", 1, 3), ("invalid-json", 1, 28)]),
    ('{"p": 1{Payout}, "q": nul}', [("placeholder-glued", 1, 8), ("invalid-json", 1, 23)]),
    ('{"p": tr{Payout}ue, "q": 1 2}', [("placeholder-glued", 1, 9), ("invalid-json", 1, 28)]),
    ('{"p" {Payout}, "q": [}', [("placeholder-position", 1, 6), ("invalid-json", 1, 22)]),
    ("[{Payout} {Amount}, 1 2]", [("placeholder-glued", 1, 11), ("invalid-json", 1, 23)]),
    ('{"a": 1 {Payout}: 2, "b" 3}', [("placeholder-glued", 1, 9), ("invalid-json", 1, 26)]),
    # After a ',' at the end of the line, the next line starts a member.
    ('{"a" 1,\n"b": tru}', [("invalid-json", 1, 6), ("invalid-json", 2, 6)]),
    ("[1 2,\n3, 4 5]", [("invalid-json", 1, 4), ("invalid-json", 2, 6)]),
]


@pytest.mark.parametrize(("source", "expected"), RECOVERED)
def test_independent_defects_are_all_reported(
    source: str, expected: list[tuple[str, int, int]]
) -> None:
    diagnostics = postback.check(source)
    assert [(d.code, d.line, d.column) for d in diagnostics] == expected
    with pytest.raises(postback.TemplateError) as info:
        postback.compile(source)
    assert (info.value.code, info.value.line, info.value.column) == expected[0]
    assert len(info.value.diagnostics) == len(expected)


NOT_RECOVERED = [
    # What follows could be read more than one way: the scan stops at the first defect.
    ('{"a": "x\n", "b": tru}', 9),  # a line break: maybe a missing closing quote
    ("{ {CampaignId} 1 }", 3),  # neither a key (no ':') nor a member (no ',')
    ('{"a": 1 {Payout} "b": 2}', 9),
    ("[1 {Payout}x, 2 3]", 4),
    ('{"a": {Payout}nt}, "b": 1 2}', 15),  # rather a broken placeholder
    ('{"a" 1,\n  b: 2}', 6),  # the next line does not start with a key
    ('{"a" 1, "b": 2 3}', 6),  # no line break after the ','
    ('{"a" [1,\n2], "b": 1 2}', 6),  # a bracket after the defect: the stack is unknown
    ('[{join items,\n  i,\n  "x"\n  )}]', 3),
]


@pytest.mark.parametrize(("source", "column"), NOT_RECOVERED)
def test_uncertain_continuations_are_not_checked(source: str, column: int) -> None:
    assert [(d.line, d.column) for d in postback.check(source)] == [(1, column)]


def test_seed_line_1_does_not_hide_a_later_defect() -> None:
    lines = SEED.split("\n")
    assert lines[29] == '"ref_customer_area": "{RefCustomerArea}",'
    lines[29] = '"ref_customer_area" "{RefCustomerArea}",'
    diagnostics = postback.check("\n".join(lines), format="json")
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("invalid-json", 1, 30),
        ("malformed-placeholder", 18, 18),
        ("invalid-json", 30, 21),
    ]
    assert diagnostics[2].message == "invalid JSON: expected ':' after an object key, found '\"'"


def test_a_defect_in_a_join_template_does_not_hide_one_after_the_join() -> None:
    source = '{"items": [{join(items, i, "{\\"a\\": \\"x\ty\\"}")}], "b": 1 2}'
    diagnostics = postback.check(source)
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("invalid-json", 1, 40),
        ("invalid-json", 1, 58),
    ]
    assert diagnostics[1].message.endswith("(with 0 items in the join at 1:12)")


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("https://e.com/pb?oid={ActionId}", "this looks like a URL, not JSON: use format='url'"),
        ("HTTPS://e.com/{ActionId}", "this looks like a URL, not JSON: use format='url'"),
        ("<Action><Id>{ActionId}</Id></Action>", "this looks like XML, not JSON: use format='xml'"),
        ('<?xml version="1.0"?><a/>', "this looks like XML, not JSON: use format='xml'"),
        (
            "oid={ActionId}&amount={Payout}",
            "this looks like a query string, not JSON: use format='query'",
        ),
    ],
)
def test_a_template_of_another_format_is_told_which(source: str, hint: str) -> None:
    """``compile(url_text)`` (JSON is the default format) said only "invalid JSON:
    expected a value, found 'h'"; it says what the text looks like and how to say so."""
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source)
    assert info.value.message == (f"invalid JSON: expected a value, found {source[0]!r}; {hint}")
    assert postback.check(source)[0].message == info.value.message
    fmt = hint.rpartition("'")[0].rpartition("'")[2]
    assert postback.compile(source, format=fmt).format == fmt  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "source", ["hello {ActionId}", "[1, <a>]", '{"a": https://e.com}', "a = 1"]
)
def test_only_a_first_token_that_looks_like_another_format_gets_the_hint(source: str) -> None:
    message = postback.check(source)[0].message
    assert message.startswith("invalid JSON: expected a value, found ")
    assert "looks like" not in message


# -- joins inside strings, and duplicate keys --------------------------------------------


def test_join_inside_a_json_string_compiles() -> None:
    """json refused every join whose template ends inside a string, even a join that
    stands inside a string and stays there (a comma-separated list of SKUs)."""
    template = postback.compile('{"skus": "{join(items, i, "{i.sku}")}", "n": 1}')
    action = Action(items=[Item(sku='a"b'), Item(sku="c\\d"), Item(sku="\n")])
    assert json.loads(template.render(action)) == {"skus": 'a"b,c\\d,\n', "n": 1}
    assert json.loads(template.render(Action())) == {"skus": "", "n": 1}
    key = postback.compile('{"k{join(items, i, "{i.sku}", "-")}": true}')
    assert json.loads(key.render(action)) == {'ka"b-c\\d-\n': True}


@pytest.mark.parametrize(
    "source",
    [
        '["{join(items, i, "\\\\", "")}"]',  # ends inside an escape
        '["{join(items, i, "x\\"")}"]',  # closes the string
        '[1{join(items, i, "2")}]',  # extends a number
    ],
)
def test_joins_that_leave_a_string_or_number_changed_are_refused(source: str) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source)
    assert info.value.code in ("join-structure", "invalid-json")
    assert "join at 1:" in info.value.message


@pytest.mark.parametrize(
    ("source", "column", "label"),
    [
        ('{{join(items, i, "\\"k\\": {i.qty}", ", ")}}', 19, "with 2 items"),
        ('{"a": "{SubId1}", "a": "{SubId2}"}', 19, None),
    ],
)
def test_duplicate_json_keys_are_refused(source: str, column: int, label: str | None) -> None:
    """Both compiled; the first rendered {"k": 1, "k": 2} with two items, and
    receivers disagree on which value a duplicate key has."""
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source)
    assert (info.value.code, info.value.line, info.value.column) == ("duplicate-key", 1, column)
    assert 'the key "' in info.value.message
    assert (label in info.value.message) if label else "items" not in info.value.message
