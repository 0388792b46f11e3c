"""``Template.parse`` of XML bodies: round trips, leniency, ambiguity, and XML that is
refused without being expanded (DTDs, entities)."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from _expected import actions, restrict
from hypothesis import given

import postback
from postback import Action, Item, ParseError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = postback.compile((ROOT / "examples" / "action-clearing.xml").read_text(), format="xml")
SPECIAL = "<>&\"']]>\r\n\t \x00\ufffe"
MIXED = postback.compile(
    '<r xmlns:p="urn:p"><p:a k="{SubId1}-{SubId2}">x {SubId3} <![CDATA[{Text1}]]></p:a>'
    '<skus>{join(items, i, "{i.sku}", ";")}</skus><n>{Payout}</n></r>',
    format="xml",
)


@given(actions(SPECIAL))
def test_the_example_body_reads_back(action: Action) -> None:
    assert EXAMPLE.parse(EXAMPLE.render(action)) == restrict(EXAMPLE, action)


def test_values_keep_their_type_and_digits() -> None:
    action = postback.sample_action()
    back = EXAMPLE.parse(EXAMPLE.render_bytes(action))
    assert back == restrict(EXAMPLE, action)
    assert back.text2 == 'Gift note: "Happy 30th!" <3 — Ana & José'
    assert [str(i.qty) for i in back.items] == ["1", "2", "1"]


def test_attribute_order_quotes_empty_elements_and_references_read_the_same() -> None:
    template = postback.compile(
        '<a id="{ActionId}" s="{Status}"><b>{SubId1}</b><c>x</c>\n  <d>{SubId2}</d></a>',
        format="xml",
    )
    expected = Action(action_id="1", status="ok", sub_id1="é<")
    assert template.render(expected) == '<a id="1" s="ok"><b>é&lt;</b><c>x</c>\n  <d></d></a>'
    for body in (
        "<a s='ok' id='1'><b>&#233;&lt;</b><c>&#x78;</c><d/></a>",
        '<?xml version="1.0"?>\n<a  s="ok"\n id="1" ><b><![CDATA[é<]]></b><!-- c --><c>x</c>'
        "\n\n\t<d></d>\n</a>\n",
    ):
        assert template.parse(body) == expected


def test_text_with_values_namespaces_and_joins_read_back() -> None:
    action = Action(
        sub_id1="a", sub_id2="b", sub_id3="]]>", text1="x]]>y", payout="1.50", items=[Item(sku="A")]
    )
    body = MIXED.render(action)
    assert MIXED.parse(body) == restrict(MIXED, action)
    renamed = body.replace("xmlns:p=", "xmlns:q=").replace("p:a", "q:a")
    assert MIXED.parse(renamed) == MIXED.parse(body)
    with pytest.raises(ParseError, match=r"expected the element <\{urn:p\}a>"):
        MIXED.parse(body.replace('xmlns:p="urn:p"', 'xmlns:p="urn:other"'))


def test_two_readings_are_an_error_naming_both() -> None:
    body = MIXED.render(Action(sub_id1="a-b", sub_id2="c"))
    with pytest.raises(ParseError) as info:
        MIXED.parse(body)
    assert info.value.readings == ('{SubId1}="a" {SubId2}="b-c"', '{SubId1}="a-b" {SubId2}="c"')
    with pytest.raises(ParseError) as info:
        MIXED.parse(MIXED.render(Action(items=[Item(sku="A"), Item(sku="B")])))
    assert len(info.value.readings) == 2  # XML escapes no ";": an item may hold one


def test_items_are_counted_by_their_elements() -> None:
    body = EXAMPLE.render(postback.sample_action())
    assert len(EXAMPLE.parse(body).items) == 3
    two = body.replace('<item sku="GIFT-OKEEFE"', '<skipped sku="x"')
    two = two.replace("</item>\n  </items>", "</skipped>\n  </items>")
    with pytest.raises(ParseError, match=r"found the element <skipped>"):
        EXAMPLE.parse(two)
    kept = EXAMPLE.parse(two, extra="keep")
    assert len(kept.items) == 2
    assert set(kept.extra) == {"action/items/skipped"}


def test_extra_elements_and_attributes() -> None:
    template = postback.compile('<a id="{ActionId}"><b>{SubId1}</b></a>', format="xml")
    body = '<a id="1" lang="en"><b>x</b><note k="v">hi<i>1</i><i>2</i></note></a>'
    with pytest.raises(ParseError, match=r"found the attribute lang at 1:1.*extra='keep'"):
        template.parse(body)
    kept = template.parse(body, extra="keep")
    assert (kept.action_id, kept.sub_id1) == ("1", "x")
    assert dict(kept.extra) == {
        "a@lang": "en",
        "a/note": {"@k": "v", "i": ["1", "2"], "#text": "hi"},
    }


def test_missing_and_wrong_values() -> None:
    template = postback.compile('<a n="{CampaignId}">{Payout}</a>', format="xml")
    assert template.parse('<a n="">  </a>'.replace("  ", "")) == Action()
    assert template.parse('<a n="7">1.0</a>') == Action(campaign_id=7, payout=Decimal("1.0"))
    with pytest.raises(ParseError, match=r"expected an integer for \{CampaignId\}") as info:
        template.parse('<a n="x">1</a>')
    assert info.value.field == "CampaignId"
    with pytest.raises(ParseError, match=r"expected the attribute n"):
        template.parse("<a>1</a>")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "no element found"),
        ("<a>", "no element found"),
        ("<a></b>", "mismatched tag"),
        ("<a>&nbsp;</a>", "undefined entity"),
        ("<a/><a/>", "junk after document element"),
        ("<x/>", r"expected the element <a> \(template 1:1\), found <x> at 1:1"),
        ("<a>" * 600 + "</a>" * 600, "nested at most 512 levels deep"),
        ("\ud800", "well-formed XML"),
    ],
)
def test_broken_bodies_are_parse_errors(body: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        postback.compile("<a>{SubId1}</a>", format="xml").parse(body)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<a>&lol9;</a>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<a>&xxe;</a>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL, '<!DOCTYPE a SYSTEM "http://x/"><a/>'])
def test_dtds_and_entities_are_refused_without_expansion(body: str) -> None:
    template = postback.compile("<a>{SubId1}</a>", format="xml")
    start = time.process_time()
    with pytest.raises(ParseError, match="no DOCTYPE") as info:
        template.parse(body)
    assert time.process_time() - start < 1  # refused where the DOCTYPE starts
    assert info.value.line == (1 if body.startswith("<!") else 2)
    assert "lol" not in str(info.value) and "passwd" not in str(info.value)


@pytest.mark.parametrize("encoding", ["UF-8", "ISO-8859-1", "UTF-16", "x" * 300])
def test_the_declared_encoding_is_not_looked_up(encoding: str) -> None:
    """An XML declaration naming an encoding expat does not know reached Python's codec
    lookup, which raised LookupError: the body is text already, read as UTF-8."""
    template = postback.compile("<a>{SubId1}</a>", format="xml")
    body = f'<?xml version="1.0" encoding="{encoding}"?><a>é</a>'
    assert template.parse(body) == Action(sub_id1="é")
    assert template.parse(body.encode()) == Action(sub_id1="é")


def test_a_join_of_comments_alone_does_not_tell_its_number_of_items() -> None:
    """A join whose items write only comments read as no items, whatever their number."""
    template = postback.compile(
        '<a id="{ActionId}">{join(items, i, "<!-- i -->", "")}</a>', format="xml"
    )
    with pytest.raises(
        ParseError, match=r"the number of items cannot be read: the join at template 1:20"
    ):
        template.parse(template.render(Action(items=[Item(), Item()])))
    told = postback.compile(
        '<a>{join(items, i, "<!-- i -->", "")}{join(items, i, "<s>{i.sku}</s>", "")}</a>',
        format="xml",
    )
    action = Action(items=[Item(sku="x"), Item(sku="y")])
    assert told.parse(told.render(action)) == action


def test_text_may_hold_an_items_values_and_the_actions() -> None:
    """Text after a join's last element held the last item's value and the action's, and
    was refused as values of two items."""
    template = postback.compile(
        '<a>{join(items, i, "<e k=\\"{i.cat}\\"/>{i.sku}", "")}-{CampaignId}</a>', format="xml"
    )
    action = Action(campaign_id=7, items=[Item(cat="c", sku="x"), Item(cat="d", sku="y")])
    assert template.parse(template.render(action)) == action


def test_a_join_that_writes_only_its_separator_is_text() -> None:
    """A join whose items write nothing but whose separator is text was taken for one of
    comments only: its separators were read as the next value's text."""
    template = postback.compile(
        '<a>{join(items, i, "", ",")}{SubId1}<s>{join(items, i, "<e/>", "")}</s></a>',
        format="xml",
    )
    with pytest.raises(ParseError) as info:  # ",,x": how many of the commas are the join's?
        template.parse(template.render(Action(sub_id1="x", items=[Item(), Item(), Item()])))
    assert len(info.value.readings) == 2


def test_extra_elements_of_one_name_are_kept_as_a_list() -> None:
    template = postback.compile("<a><b>{SubId1}</b></a>", format="xml")
    kept = template.parse("<a><n>1</n><b>x</b><n>2</n></a>", extra="keep")
    assert dict(kept.extra) == {"a/n": ["1", "2"]}


def test_a_namespace_uri_with_a_space_reads_back() -> None:
    """expat refuses a namespace URI holding its name separator, and the reader's was a
    space: postback's own output of such a template could not be read back, and
    ``check(reading=True)`` raised ``ParseError`` for the template."""
    source = '<root xmlns:b=" urn:b" xmlns="u v" id="{SubId1}"><b:c>{SubId2}</b:c></root>'
    template = postback.compile(source, format="xml")
    action = postback.Action(sub_id1="a b", sub_id2="c")
    assert template.parse(template.render(action)) == postback.Action(sub_id1="a b", sub_id2="c")
    assert postback.check(source, format="xml", reading=True) == []
    body = '<root xmlns="u v" xmlns:b=" urn:b" id="a b"><b:d>c</b:d></root>'
    with pytest.raises(postback.ParseError) as caught:
        template.parse(body)
    assert "{ urn:b}c" in caught.value.message
