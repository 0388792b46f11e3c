"""Structure preservation as receivers see it: renderings read by the parsers they run.

Hostile records (empty and missing values, ``.`` and ``..``, URL and form delimiters,
whitespace, 0 to 5 items) are rendered with templates of every shape the formats
accept, and each rendering is read by an independent parser:

* url: ``ada-url`` (the WHATWG URL standard, as browsers and Node parse) and
  ``rfc3986``'s normaliser (RFC 3986 ``remove_dot_segments``, as urllib3 and
  ``urljoin`` resolve): the path keeps every segment;
* query: ``urllib.parse.parse_qsl`` and WHATWG ``URLSearchParams`` (``ada-url``) read
  the same pairs, and no body starts with ``?``;
* header: ``h11`` (the HTTP/1.1 engine under httpx) accepts the value and reads it
  back unchanged from a request;
* json: a strict parser that refuses duplicate keys.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

import h11
import pytest
import rfc3986
from ada_url import URL, URLSearchParams
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from references import remove_dot_segments, whatwg_dot

# Values chosen to break structure, and text around them.
HOSTILE = [
    "",
    ".",
    "..",
    "...",
    "%2e",
    "%2E%2E",
    "/",
    "a/../b",
    "?",
    "?x=1",
    "#",
    "&",
    "=",
    "\\",
    " ",
    "\t",
    " x ",
    "x\t",
    '"',
    "é",
    "\ud800",
]
VALUES = st.one_of(st.none(), st.sampled_from(HOSTILE), st.text(max_size=6))
ITEMS = st.lists(st.builds(Item, sku=VALUES, name=VALUES), max_size=5)


def action(values: list[Any], items: list[Item]) -> Action:
    return Action(sub_id1=values[0], sub_id2=values[1], sub_id3=values[2], items=items)


RECORDS = st.builds(action, st.lists(VALUES, min_size=3, max_size=3), ITEMS)


def render(template: postback.Template, record: Action) -> str | None:
    """Render ``record``; None if it raises a RenderError a test allows (a dot segment,
    a header control character), which must name a field."""
    try:
        return template.render(record)
    except postback.RenderError as exc:
        assert exc.field
        return None


# -- url ----------------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """The URL's path is the same after WHATWG parsing and after RFC 3986 normalisation."""
    path = url.split("?")[0].split("#")[0][len("https://h.example") :]
    whatwg = URL(url)
    assert (whatwg.protocol, whatwg.host) == ("https:", "h.example"), url
    assert whatwg.pathname == path, url
    assert not any(whatwg_dot(s) for s in path.split("/")), url
    assert remove_dot_segments(path) == path, url
    normalised = rfc3986.uri_reference(url).normalize()
    assert (normalised.host, normalised.path) == ("h.example", path), url


URL_TEMPLATES = [
    "https://h.example/a/{SubId1}/b",
    "https://h.example/{SubId1}/{SubId2}",
    "https://h.example/a/{SubId1}{SubId2}/b",
    "https://h.example/a/x{SubId1}.y/b",
    "https://h.example/{SubId1}...{SubId2}/b",
    "https://h.example/a/...{SubId1}/b",
    "https://h.example/v1.{SubId1}/{SubId2}.json",
    "https://h.example/a/{join(items, i, '{i.sku}', '/')}/b",
    "https://h.example/a/{join(items, i, '{i.sku}', ',')}",
    "https://h.example/a/{join(items, i, '{i.sku}', '')}/b",
    "https://h.example/a/{join(items, i, '{i.sku}/', '')}b",
    "https://h.example/a/{join(items, i, '{i.sku}...', '')}/b",
    "https://h.example/a/{SubId1}{join(items, i, '-{i.sku}', '')}/b",
    "https://h.example/p?k={SubId1}&{SubId2}={SubId3}{join(items, i, '&s={i.sku}', '')}#{SubId1}",
    "https://h.example/p?{SubId1}=1",
]


@pytest.mark.parametrize("source", URL_TEMPLATES)
@given(record=RECORDS)
@settings(max_examples=60)
def test_url_paths_keep_their_segments_for_ada_and_rfc3986(source: str, record: Action) -> None:
    template = postback.compile(source.replace("'", '"'), format="url")
    url = render(template, record)
    if url is None:
        return
    check_url(url)


# -- query --------------------------------------------------------------------------------------

QUERY_TEMPLATES = [
    "{SubId1}={SubId2}&a={SubId3}",
    "{SubId1}{SubId2}=x&y={SubId3}",
    "{SubId1}x?=1",
    "a=1{join(items, i, '&{i.sku}={i.name}', '')}",
    "{join(items, i, '{i.sku}={i.name}', '&')}",
    "{join(items, i, '{i.sku}', '')}k=v",
]


@pytest.mark.parametrize("source", QUERY_TEMPLATES)
@given(record=RECORDS)
@settings(max_examples=60)
def test_query_pairs_are_the_same_for_parse_qsl_and_url_search_params(
    source: str, record: Action
) -> None:
    template = postback.compile(source.replace("'", '"'), format="query")
    body = template.render(record)
    assert not body.startswith("?"), body
    pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body))
    assert list(URLSearchParams(body).items()) == pairs
    url = postback.compile("https://h.example/?" + source.replace("'", '"'), format="url")
    query = url.render(record).split("?", 1)[1]
    assert not query.startswith("?")
    assert list(URLSearchParams(URL("https://h.example/?" + query).search).items()) == pairs


# -- header -------------------------------------------------------------------------------------

HEADER_TEMPLATES = [
    "Bearer {SubId1}",
    "{SubId1}",
    "{SubId1} {SubId2}",
    "{SubId1}:{SubId2}",
    "k={join(items, i, '{i.sku}', ', ')}",
    "Bearer{join(items, i, ' {i.sku}', '')}",
    "{join(items, i, '{i.sku}', ' ')}",
]
FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def h11_reads(value: bytes) -> bytes:
    """Send ``value`` as a header of a request and return what an h11 server reads."""
    client = h11.Connection(h11.CLIENT)
    data = client.send(
        h11.Request(method="GET", target="/", headers=[("Host", "h"), ("X-Value", value)])
    )
    server = h11.Connection(h11.SERVER)
    server.receive_data(data)
    event = server.next_event()
    assert isinstance(event, h11.Request)
    return dict(event.headers)[b"x-value"]


@pytest.mark.parametrize("source", HEADER_TEMPLATES)
@given(record=RECORDS)
@settings(max_examples=60)
def test_header_values_are_read_back_by_h11(source: str, record: Action) -> None:
    template = postback.compile(source.replace("'", '"'), format="header")
    value = render(template, record)
    if value is None:
        texts = [record.sub_id1, record.sub_id2] + [i.sku for i in record.items]
        assert any(FORBIDDEN.search(t or "") for t in texts)
        return
    assert value == value.strip(" \t")
    raw = template.render_bytes(record)
    assert h11_reads(raw) == raw


# -- json ---------------------------------------------------------------------------------------


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    return dict(pairs)


def strict_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=no_duplicates)


JSON_TEMPLATES = [
    '{"a": "{SubId1}", "b": {SubId2}, "c": {"a": "{SubId3}"}}',
    '{"items": [{join(items, i, "\\{\\"sku\\": \\"{i.sku}\\", \\"n\\": \\"{i.name}\\"\\}")}]}',
    '{"n": 1{join(items, i, ", \\"k{i.sku}\\": 1", "")}}',
    '{"skus": "{join(items, i, "{i.sku}", ",")}", "k": [{join(items, i, "\\"{i.sku}\\"")}]}',
    '[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]',
]


@pytest.mark.parametrize("source", JSON_TEMPLATES[:2] + JSON_TEMPLATES[3:])
@given(record=RECORDS)
@settings(max_examples=60)
def test_json_has_no_duplicate_keys_for_a_strict_parser(source: str, record: Action) -> None:
    template = postback.compile(source)
    strict_json(template.render(record))


def test_keys_made_of_values_are_not_proven_unique() -> None:
    # A key with a placeholder in it compiles; two items may give it the same text.
    template = postback.compile(JSON_TEMPLATES[2])
    out = template.render(Action(items=[Item(sku="x"), Item(sku="x")]))
    with pytest.raises(AssertionError, match="duplicate keys"):
        strict_json(out)
    assert strict_json(template.render(Action(items=[Item(sku="x"), Item(sku="y")]))) == {
        "n": 1,
        "kx": 1,
        "ky": 1,
    }


def test_the_parsers_used_are_the_expected_ones() -> None:
    # The receivers' behaviour these tests rely on, checked directly.
    assert URL("https://h.example/a/%2E%2E/b").pathname == "/b"
    assert URL("https://0x7f.1/").hostname == "127.0.0.1"
    assert rfc3986.uri_reference("https://h/a/../b").normalize().path == "/b"
    with pytest.raises(h11.LocalProtocolError):
        h11.Request(method="GET", target="/", headers=[("Host", "h"), ("X", "a ")])
    assert list(URLSearchParams("?=1").items()) == [("", "1")]
    assert parse_qsl("?=1") == [("?", "1")]
    assert unquote("%2E") == "."
