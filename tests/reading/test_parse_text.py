"""``Template.parse`` of text and header values, where nothing is escaped."""

from __future__ import annotations

import pytest
from _expected import actions, restrict
from hypothesis import assume, given

import postback
from postback import Action, Item, ParseError

TEXT = postback.compile('{SubId1}-{SubId2}:{join(items, i, "{i.sku}", ";")}', format="text")
HEADER = postback.compile("Bearer {SubId1}", format="header")


@given(actions("-:;"))
def test_a_text_body_reads_back_or_names_its_two_readings(action: Action) -> None:
    body = TEXT.render(action)
    try:
        back = TEXT.parse(body)
    except ParseError as exc:
        # Nothing is escaped: two items, or a value holding the text between
        # placeholders, make two readings.
        assert len(exc.readings) == 2, exc
        values = [action.sub_id1, action.sub_id2, *(i.sku for i in action.items)]
        assert len(action.items) > 1 or any(v and any(c in v for c in "-:;") for v in values)
        return
    assert back == restrict(TEXT, action)


@given(actions(" \t"))
def test_a_header_value_reads_back(action: Action) -> None:
    try:
        value = HEADER.render(action)
    except postback.RenderError:
        assume(False)
        return
    assert HEADER.parse(value) == restrict(HEADER, action)


def test_placeholders_side_by_side_read_one_way_only_when_empty() -> None:
    template = postback.compile("{SubId1}{SubId2}", format="text")
    assert template.parse("") == Action()
    with pytest.raises(ParseError) as info:
        template.parse("ab")
    assert info.value.readings == ('{SubId1}="" {SubId2}="ab"', '{SubId1}="a" {SubId2}="b"')
    assert str(info.value).startswith("the text at 1:1 reads two ways as its placeholders")


def test_a_trimmed_header_reads_its_empty_value() -> None:
    assert HEADER.parse("Bearer") == Action()
    assert HEADER.parse("Bearer t0k") == Action(sub_id1="t0k")
    with pytest.raises(ParseError) as info:
        HEADER.parse("Basic abc")
    assert str(info.value) == 'expected "Bearer " (template 1:1), found "Basic abc" at 1:2'


def test_a_join_with_no_text_between_items_reads_only_when_empty() -> None:
    template = postback.compile('{join(items, i, "{i.sku}", "")}', format="text")
    assert template.parse("") == Action()
    with pytest.raises(ParseError) as info:
        template.parse("ab")
    assert info.value.readings == ('1 item "ab"', '2 items "a" and "b"')


def test_items_are_read_from_a_text_join() -> None:
    assert TEXT.parse("a-b:x") == Action(sub_id1="a", sub_id2="b", items=[Item(sku="x")])
    with pytest.raises(ParseError) as info:
        TEXT.parse("a-b:x;y")  # text escapes nothing: an item may hold the ";"
    assert info.value.readings[1] == '{SubId1}="a" {SubId2}="b" 1 item ({i.sku}="x;y")'
    with pytest.raises(ParseError, match=r'expected ":" after \{SubId2\}'):
        TEXT.parse("a-b")


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{SubId1} {SubId2} Bearer {SubId3}", "Bearer", Action()),
        ("{SubId1} {SubId2} Bearer {SubId3}", "x Bearer", Action(sub_id2="x")),
        ("Bearer {SubId1} {SubId2}", "Bearer", Action()),
        ('_ {SubId1}{join(items, i, "{i.sku}", ",")}', "_", Action()),
        ("Bearer {SubId1}", "Bearer t0k", Action(sub_id1="t0k")),
    ],
)
def test_spaces_the_trim_took_from_several_literals_are_put_back(
    source: str, value: str, expected: Action
) -> None:
    """Only the literal next to the first or last value was put back: two empty values
    with a space each left ``Bearer`` unread."""
    assert postback.compile(source, format="header").parse(value) == expected


def test_a_trimmed_value_that_reads_two_ways_is_an_error() -> None:
    """``x y`` is "x" and "y", or "x y" and an empty value whose space the trim took."""
    template = postback.compile("{SubId1} {SubId2}", format="header")
    assert template.parse("") == Action()
    with pytest.raises(ParseError) as info:
        template.parse("x y")
    assert set(info.value.readings) == {'{SubId1}="x" {SubId2}="y"', '{SubId1}="x y" {SubId2}=""'}
