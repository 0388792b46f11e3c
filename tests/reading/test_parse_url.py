"""``Template.parse`` of URLs: round trips, leniency, ambiguity and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from _expected import actions, restrict
from hypothesis import given

import postback
from postback import Action, Item, ParseError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = postback.compile((ROOT / "examples" / "action-clearing.url").read_text(), format="url")
SPECIAL = "/?#&=+%.;,: @!$'()*[]"
SEGMENTS = postback.compile(
    'https://h.example/a/{SubId1}/b-{SubId2}/{join(items, i, "{i.sku}", "/")}'
    '?q={SubId3}{join(items, i, "&n={i.name}", "")}#f-{Text1}',
    format="url",
)


@given(actions(SPECIAL))
def test_the_example_url_reads_back(action: Action) -> None:
    assert EXAMPLE.parse(EXAMPLE.render(action)) == restrict(EXAMPLE, action)


@given(actions(SPECIAL, samples=(".", "..", "...", "%2e")))
def test_path_segments_joins_and_fragments_read_back(action: Action) -> None:
    try:
        url = SEGMENTS.render(action)
    except postback.RenderError:
        return  # "." or ".." alone in a segment: no URL can carry it
    assert SEGMENTS.parse(url) == restrict(SEGMENTS, action)


def test_case_of_scheme_host_and_escapes_and_pair_order_read_the_same() -> None:
    action = Action(sub_id1="x/y", sub_id2="..", sub_id3="q q", text1="#!", items=[Item(sku="a")])
    url = SEGMENTS.render(action)
    assert url == "https://h.example/a/x%2Fy/b-%2E%2E/a?q=q+q&n=#f-%23%21"
    assert SEGMENTS.parse("HTTPS://H.Example/a/x%2fy/b-..%2e/a?n=&q=q%20q#f-%23!") == Action(
        sub_id1="x/y", sub_id2="...", sub_id3="q q", text1="#!", items=[Item(sku="a")]
    )


def test_a_slash_inside_a_value_is_an_error_naming_both_readings() -> None:
    template = postback.compile("https://h/{SubId1}/{SubId2}", format="url")
    assert template.parse("https://h/a%2Fb/c") == Action(sub_id1="a/b", sub_id2="c")
    with pytest.raises(ParseError) as info:
        template.parse("https://h/a/b/c")  # a sender that does not escape
    assert info.value.readings == ('{SubId1}="a" {SubId2}="b/c"', '{SubId1}="a/b" {SubId2}="c"')


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://other/pb/1", r'expected "https://h" \(template 1:1\), found "https://other"'),
        ("ftp://h/pb/1", 'expected "https://h"'),
        ("h/pb/1", 'expected "https://h"'),
        ("https://h/pb/1#x", "the template has no fragment"),
        ("https://h/pb/1?a=1", r'found the key "a" at 1:16'),
        ("https://h/pb/x", r"expected an integer for \{CampaignId\}"),
        ("https://h/pb", r'expected "/" after|expected "/pb/"'),
    ],
)
def test_broken_urls_are_parse_errors(url: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        postback.compile("https://h/pb/{CampaignId}", format="url").parse(url)


def test_query_pairs_the_template_does_not_have_are_kept_on_request() -> None:
    template = postback.compile("https://h/pb?oid={Oid}", format="url")
    action = template.parse("https://h/pb?utm=a&oid=1", extra="keep")
    assert (action.oid, dict(action.extra)) == ("1", {"utm": "a"})
