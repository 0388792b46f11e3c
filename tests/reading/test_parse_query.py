"""``Template.parse`` of query bodies: round trips, leniency, ambiguity and its errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from _expected import actions, restrict
from hypothesis import given

import postback
from postback import Action, Item, ParseError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = postback.compile((ROOT / "examples" / "action-clearing.qs").read_text(), format="query")
SPECIAL = "&=+%,;?#/ :@!$'()*"
PAIRS = postback.compile(
    'oid={Oid}&amount={Amount}{join(items, i, "&sku={i.sku}&qty={i.qty}", "")}'
    "&d={EventDate}&{SubId1}=x",
    format="query",
)


@given(actions(SPECIAL))
def test_the_example_body_reads_back(action: Action) -> None:
    assert EXAMPLE.parse(EXAMPLE.render(action)) == restrict(EXAMPLE, action)


@given(actions(SPECIAL))
def test_pairs_per_item_and_placeholder_keys_read_back(action: Action) -> None:
    assert PAIRS.parse(PAIRS.render(action)) == restrict(PAIRS, action)


def test_values_keep_their_type_and_digits() -> None:
    action = postback.sample_action()
    back = EXAMPLE.parse(EXAMPLE.render(action))
    assert back == restrict(EXAMPLE, action)
    assert str(back.amount) == "125.00"
    assert [str(i.amt) for i in back.items] == ["79.50", "12.50", "20.50"]
    assert back.sub_id3 == "a&b=c"


def test_spaces_hex_case_and_pair_order_read_the_same() -> None:
    template = postback.compile("a={SubId1}&b={SubId2}&c={CampaignId}", format="query")
    expected = Action(sub_id1="x y", sub_id2="é,", campaign_id=7)
    assert template.render(expected) == "a=x+y&b=%C3%A9%2C&c=7"
    for body in ("a=x+y&b=%C3%A9%2C&c=7", "c=7&b=%c3%a9%2c&a=x%20y", "b=%C3%A9%2C&a=x%20y&c=7"):
        assert template.parse(body) == expected


def test_an_unescaping_sender_is_read_where_one_reading_remains() -> None:
    template = postback.compile("a={SubId1}&b={SubId2},{SubId3}", format="query")
    # Spaces, a raw comma inside a value that has no comma of its own, non-ASCII.
    assert template.parse("a=hello world!&b=x,y") == Action(
        sub_id1="hello world!", sub_id2="x", sub_id3="y"
    )
    assert template.parse("a=café&b=x%2Cy,z") == Action(sub_id1="café", sub_id2="x,y", sub_id3="z")
    with pytest.raises(ParseError) as info:
        template.parse("a=&b=x,y,z")
    assert info.value.readings == (
        '{SubId2}="x" {SubId3}="y,z"',
        '{SubId2}="x,y" {SubId3}="z"',
    )


def test_a_join_separator_inside_an_item_is_an_error_naming_both_readings() -> None:
    template = postback.compile('skus={join(items, i, "{i.sku}", ",")}', format="query")
    assert template.parse("skus=a%2Cb,c") == Action(items=[Item(sku="a,b"), Item(sku="c")])
    with pytest.raises(ParseError) as info:
        template.parse("skus=a b,c")  # a sender that escapes nothing: which comma is whose?
    assert set(info.value.readings) == {
        '2 items ({i.sku}="a b"; {i.sku}="c")',
        '1 item ({i.sku}="a b,c")',
    }


def test_an_empty_join_reads_as_no_items_or_as_the_other_joins_say() -> None:
    template = postback.compile(
        'skus={join(items, i, "{i.sku}", ",")}&qty={join(items, i, "{i.qty}", ",")}',
        format="query",
    )
    assert template.parse("skus=&qty=") == Action()
    assert template.parse("skus=a&qty=") == Action(items=[Item(sku="a")])
    assert template.parse("skus=a,b&qty=1,2") == Action(
        items=[Item(sku="a", qty=Decimal(1)), Item(sku="b", qty=Decimal(2))]
    )
    with pytest.raises(ParseError, match=r"expected 2 items in each join.*found 3 items"):
        template.parse("skus=a,b&qty=1,2,3")
    with pytest.raises(ParseError, match=r"found 0 items|expected 2 items"):
        template.parse("skus=a,b&qty=")


def test_pairs_per_item_are_counted_by_key() -> None:
    body = "oid=1&amount=2&sku=a&qty=1&sku=b&qty=2&d=&x=x"
    assert PAIRS.parse(body).items == (Item(sku="a", qty=Decimal(1)), Item(sku="b", qty=Decimal(2)))
    reordered = "sku=a&sku=b&qty=1&qty=2&x=x&d=&amount=2&oid=1"
    assert PAIRS.parse(reordered) == PAIRS.parse(body)
    with pytest.raises(ParseError, match=r'the key "qty" once for each "sku"'):
        PAIRS.parse("oid=1&amount=2&sku=a&qty=1&sku=b&d=&x=x")


def test_keys_the_template_does_not_have() -> None:
    template = postback.compile("a={SubId1}", format="query")
    with pytest.raises(ParseError, match=r'found the key "b" at 1:5.*extra=.keep') as info:
        template.parse("a=1&b=2")
    assert (info.value.line, info.value.column) == (1, 5)
    kept = template.parse("a=1&b=2&c=x+y&c=%26", extra="keep")
    assert dict(kept.extra) == {"b": "2", "c": ["x y", "&"]}


def test_a_misspelt_key_is_named_with_a_suggestion() -> None:
    body = EXAMPLE.render(postback.sample_action()).replace("&payout=", "&pay_out=")
    with pytest.raises(ParseError) as info:
        EXAMPLE.parse(body)
    assert str(info.value).startswith(
        f'expected the key "payout" (template 1:{EXAMPLE.source.index("&payout=") + 2}), '
        f'found "pay_out" at 1:{body.index("pay_out") + 1}; did you mean "payout"?'
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a", r'expected a pair key=value, found "a" at 1:1'),
        ("a=%FF", r'expected percent-escapes of UTF-8 text, found "%FF" at 1:3'),
        ("a=1&a=2", r'expected the key "a" 1 time \(template 1:1\), found it once more at 1:5'),
        ("b=1", r'expected the key "a" \(template 1:1\), found no such pair'),
        ("a=x&&", None),
    ],
)
def test_broken_bodies_are_parse_errors(body: str, message: str | None) -> None:
    template = postback.compile("a={SubId1}", format="query")
    if message is None:
        assert template.parse(body) == Action(sub_id1="x")  # empty pairs hold nothing
        return
    with pytest.raises(ParseError, match=message):
        template.parse(body)


def test_a_value_that_does_not_convert_names_its_field() -> None:
    template = postback.compile('p={Payout}&q={join(items, i, "{i.qty}", ",")}', format="query")
    with pytest.raises(ParseError, match=r"expected a decimal number for \{i\.qty\}") as info:
        template.parse("p=1&q=1," + quote("x"))
    assert info.value.field == "i.qty"
    assert (info.value.line, info.value.column) == (1, 9)


def test_a_join_that_writes_a_key_twice_reads_one_item_per_two() -> None:
    """Three items that each wrote ``sku`` twice were read as six items."""
    template = postback.compile('x=1{join(items, i, "&sku=&sku=&{i.name}=1", "")}', format="query")
    action = Action(items=[Item(name="a"), Item(name="b"), Item(name="c")])
    assert template.parse(template.render(action)) == action


def test_a_separator_after_each_item_of_a_pair_join_is_read_as_the_template_writes_it() -> None:
    """With the separator ``;`` after each item's last value, ``sku=a;`` was read as the
    value ``a;`` of a sender that does not escape, and rendered ``a%3B;``."""
    template = postback.compile('u=1{join(items, i, "&sku={i.sku}", ";")}', format="query")
    action = Action(items=[Item(sku="a"), Item(sku="b;"), Item()])
    body = template.render(action)
    assert body == "u=1&sku=a;&sku=b%3B;&sku="
    assert template.parse(body) == action
    inside = postback.compile('x=1&{join(items, i, "{i.sku}=a&", ";")}y=2', format="query")
    with pytest.raises(ParseError, match=r"the join at template 1:5 cannot be read"):
        inside.parse(inside.render(action))


def test_joins_with_placeholder_keys_share_their_number_of_items() -> None:
    """The first of two joins whose keys are placeholders took every pair."""
    template = postback.compile(
        'x={SubId1}{join(items, i, "&{i.name}={i.rbt}", "")}{join(items, j, "&{j.sku}=", "")}',
        format="query",
    )
    action = Action(sub_id1="s", items=[Item(name="n", rbt=1, sku="a"), Item(name="m", sku="b")])
    assert template.parse(template.render(action)) == action


def test_a_key_with_a_placeholder_reads_its_raw_equals_sign_as_the_template_writes_it() -> None:
    """The "=" between a key with a placeholder and its value was read as text a value
    may hold, so the masked reading failed and the text was read again without its
    escapes: "1=v1,1" read as one item holding "1,1" or as two, and was refused."""
    template = postback.compile('{CampaignId}=v{join(items, i, "{CampaignId}")}', format="query")
    back = template.parse("1=v1,1,1")
    assert back.campaign_id == 1
    assert len(back.items) == 3
