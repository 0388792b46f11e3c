"""``Notification.parse``: a whole received request (method, url, headers, body) read
back into one record, the parts checked against each other, and its errors."""

from __future__ import annotations

import pickle
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from _expected import actions, restrict
from hypothesis import given

import postback
from postback import Action, Item, Notification, ParseError, RenderError
from postback._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Notification.from_file(ROOT / "examples" / "notification.toml")
SPECIAL = "&=+%,;?#/ :@!$'()*[]{}<>\"\\\t"
URL = 'https://h.example/pb/{CampaignId}?oid={Oid}{join(items, i, "&sku={i.sku}", "")}'
JSON_BODY = (
    '{"id": "{ActionId}", "amount": {Amount}, "oid": "{Oid}", '
    '"items": [{join(items, i, "{\\"sku\\": \\"{i.sku}\\", \\"amt\\": {i.amt}}", ",")}]}'
)
XML_BODY = (
    '<a id="{ActionId}" oid="{Oid}"><p>{Payout}</p>'
    '{join(items, i, "<i s=\\"{i.sku}\\" q=\\"{i.qty}\\"/>", "")}</a>'
)
QUERY_BODY = 'oid={Oid}&amount={Amount}{join(items, i, "&sku={i.sku}&amt={i.amt}", "")}'
# A header trims its value's ends: text placeholders stand alone in them, as
# ``restrict`` expects.
HEADERS = {"X-Ref": "{SubId1}", "X-Amount": "amount {Amount}", "X-Oid": "{Oid}"}
NOTIFICATIONS = {
    "json": Notification(URL, "POST", JSON_BODY, "json", headers=HEADERS),
    "xml": Notification(URL, "POST", XML_BODY, "xml", headers={"X-Id": "{ActionId}"}),
    "query": Notification(URL, "POST", QUERY_BODY, "query", headers=HEADERS),
    "get": Notification(URL, headers={"X-Ref": "{SubId1}", "X-Id": "id {CampaignId}"}),
}


class Disagreement(Exception):
    """The parts of a request carry one value differently (a header trims spaces, XML
    replaces the characters it cannot carry): ``parse`` must refuse the request."""


def _parts(n: Notification) -> list[tuple[str, postback.Template]]:
    parts = [("url", n.url_template)]
    parts += [(f"headers.{name}", template) for name, template in n.header_templates]
    if n.body_template is not None:
        parts.append(("body", n.body_template))
    return parts


def _agree(seen: dict[str, object], name: str, value: object) -> None:
    if name in seen and (type(seen[name]) is not type(value) or seen[name] != value):
        raise Disagreement(name)
    seen[name] = value


def expected(n: Notification, action: Action) -> Action:
    """What ``n.parse`` of ``n.prepare(action)`` must give: ``action`` restricted to the
    fields of every part, each part's value as that part's template keeps it."""
    fields: dict[str, object] = {}
    extra: dict[str, object] = {}
    with_items: list[tuple[postback.Template, tuple[Item, ...]]] = []
    for _, template in _parts(n):
        kept = restrict(template, action)
        for name in template.fields:
            spec = FIELDS_BY_NAME.get(name)
            if spec is not None:
                _agree(fields, spec.attribute, getattr(kept, spec.attribute))
            elif name in template.extra_fields:
                _agree(extra, name, kept.extra.get(name))
        if "items" in template.fields:
            with_items.append((template, kept.items))
    items: list[Item] = []
    if any(read for _, read in with_items):
        for index in range(len(action.items)):
            attrs: dict[str, object] = {}
            for template, read in with_items:
                item = read[index] if read else Item()  # one item that writes nothing
                for name in template._item_attrs:
                    attr = ITEM_FIELDS_BY_NAME[name].attribute
                    _agree(attrs, attr, getattr(item, attr))
            items.append(Item(**attrs))  # type: ignore[arg-type]
    extra = {k: v for k, v in extra.items() if v is not None}
    return Action(**fields, items=items, extra=extra)  # type: ignore[arg-type]


def round_trip(n: Notification, action: Action) -> None:
    try:
        req = n.prepare(action)
    except RenderError:
        return  # a value a header or a URL cannot carry (CR, LF, "." alone in a segment)
    try:
        want = expected(n, action)
    except Disagreement as exc:
        with pytest.raises(ParseError, match=r" in .* but .* in ") as info:
            n.parse(req.method, req.url, headers=req.headers, body=req.body)
        assert info.value.part is not None and info.value.field is not None
        assert str(exc) and info.value.line is None
        return
    assert n.parse(req.method, req.url, headers=req.headers, body=req.body) == want


@given(actions(SPECIAL))
def test_the_example_notification_reads_back(action: Action) -> None:
    round_trip(EXAMPLE, action)


@pytest.mark.parametrize("kind", sorted(NOTIFICATIONS))
@given(action=actions(SPECIAL))
def test_requests_with_every_body_format_and_headers_read_back(kind: str, action: Action) -> None:
    round_trip(NOTIFICATIONS[kind], action)


def test_the_sample_reads_back_whole_from_the_example() -> None:
    action = postback.sample_action()
    req = EXAMPLE.prepare(action)
    back = EXAMPLE.parse(req.method.lower(), req.url, headers=req.headers, body=req.body)
    assert back == expected(EXAMPLE, action)
    assert back.campaign_id == 4636 and len(back.items) == 3


def test_a_value_read_in_two_parts_agrees_or_the_error_names_both() -> None:
    n = Notification("https://h.example/pb/{CampaignId}", "POST", '{"c": {CampaignId}}', "json")
    assert n.parse("POST", "https://h.example/pb/1000", body='{"c": 1000}').campaign_id == 1000
    with pytest.raises(ParseError) as info:
        n.parse("POST", "https://h.example/pb/1000", body='{"c": 1001}')
    assert info.value.message == "CampaignId is 1000 in the url but 1001 in the body"
    assert (info.value.field, info.value.part) == ("CampaignId", "body")


def test_a_value_missing_in_one_part_and_present_in_another_disagrees() -> None:
    n = Notification("https://h.example/pb?s={SubId1}", headers={"X-S": "{SubId1}"})
    with pytest.raises(ParseError, match="SubId1 is missing in the url but 'a' in header 'X-S'"):
        n.parse("GET", "https://h.example/pb?s=", headers={"X-S": "a"})


def test_items_read_in_two_parts_agree_in_number_and_values() -> None:
    n = NOTIFICATIONS["query"]
    url = "https://h.example/pb/1?oid=o&sku=A&sku=B"
    headers = {"X-Ref": "", "X-Amount": "amount", "X-Oid": "o"}
    body = "oid=o&amount=&sku=A&amt=1&sku=B&amt=2"
    back = n.parse("POST", url, headers=headers, body=body)
    assert back.items == (Item(sku="A", amt=Decimal(1)), Item(sku="B", amt=Decimal(2)))
    with pytest.raises(ParseError, match="the body reads 1 item but the url 2 items"):
        n.parse("POST", url, headers=headers, body="oid=o&amount=&sku=A&amt=1")
    with pytest.raises(ParseError, match=r"i\.sku of item 2 is 'B' in the url but 'C' in the body"):
        n.parse("POST", url, headers=headers, body=body.replace("sku=B", "sku=C"))


def test_an_item_that_writes_nothing_in_one_part_is_read_from_another() -> None:
    url = 'https://h.example/pb?skus={join(items, i, "{i.sku}", ",")}'
    n = Notification(url, "POST", '{join(items, i, "amt={i.amt}&", "")}x=1', "query")
    req = n.prepare(Action(items=[Item(amt=Decimal("2.5"))]))
    assert req.url == "https://h.example/pb?skus="  # as for no items
    back = n.parse(req.method, req.url, headers=req.headers, body=req.body)
    assert back.items == (Item(amt=Decimal("2.5")),)
    with pytest.raises(ParseError, match="the url reads 0 items but the body 2 items"):
        n.parse("POST", req.url, body="amt=1&amt=2&x=1")


@pytest.mark.parametrize("method", ["GET", "PUT", "", " "])
def test_a_method_other_than_the_notifications_is_an_error(method: str) -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    with pytest.raises(
        ParseError, match=r"the request's method is .*, but the notification sends POST"
    ):
        EXAMPLE.parse(method, req.url, headers=req.headers, body=req.body)


def test_header_names_are_case_insensitive_and_others_are_ignored() -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    headers = [(name.upper(), value) for name, value in req.headers]
    headers += [("Host", "postbacks.example.com"), ("User-Agent", "x"), ("Accept", "*/*")]
    back = EXAMPLE.parse("POST", req.url, headers=headers, body=req.body)
    assert back.action_id == "1000.4636.158133"
    as_mapping = {name.lower(): value for name, value in headers}
    assert EXAMPLE.parse("POST", req.url, headers=as_mapping, body=req.body) == back


def test_a_missing_templated_header_is_an_error_naming_it() -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    headers = [(name, value) for name, value in req.headers if name != "X-Action-Id"]
    with pytest.raises(ParseError) as info:
        EXAMPLE.parse("POST", req.url, headers=headers, body=req.body)
    assert info.value.message == (
        "the request has no header 'X-Action-Id', which the notification writes"
    )
    assert info.value.part == "headers.X-Action-Id"
    with pytest.raises(ParseError, match="no header 'Authorization'"):
        EXAMPLE.parse("POST", req.url, body=req.body)


def test_a_templated_header_given_twice_is_an_error() -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    headers = [*req.headers, ("x-action-id", "1")]
    with pytest.raises(ParseError, match="gives the header 'x-action-id' twice"):
        EXAMPLE.parse("POST", req.url, headers=headers, body=req.body)


def test_a_body_must_be_there_exactly_when_the_notification_sends_one() -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    with pytest.raises(ParseError, match="the request has no body, but the notification sends one"):
        EXAMPLE.parse("POST", req.url, headers=req.headers)
    get = Notification("https://h.example/pb?c={CampaignId}")
    with pytest.raises(ParseError, match="the request has a body, but the notification sends none"):
        get.parse("GET", "https://h.example/pb?c=1", body="c=1")
    # What a server gives for a request without a body: nothing, or an empty body.
    for empty in (None, "", b""):
        assert get.parse("GET", "https://h.example/pb?c=1", body=empty).campaign_id == 1


def test_an_error_in_a_part_names_it_and_its_place_in_that_part() -> None:
    req = EXAMPLE.prepare(postback.sample_action())
    assert req.body is not None
    body = req.body.replace(b'"payout"', b'"pay_out"')
    with pytest.raises(ParseError) as info:
        EXAMPLE.parse("POST", req.url, headers=req.headers, body=body)
    error = info.value
    assert error.message.startswith('in the body: expected the key "payout" (template 14:1)')
    assert (error.part, error.line, error.column) == ("body", 14, 1)
    assert (error.template_line, error.template_column) == (14, 1)
    url = req.url.replace("/4636?", "/x?")
    with pytest.raises(ParseError, match=r"^in the url: expected an integer") as info:
        EXAMPLE.parse("POST", url, headers=req.headers, body=req.body)
    assert (info.value.part, info.value.field, info.value.line) == ("url", "CampaignId", 1)
    headers = [("X-Action-Id", ""), ("Authorization", "Bearer 3f1c9a0e-example-token")]
    with pytest.raises(
        ParseError, match=r"ActionId is '1000\.4636\.158133' in the url but missing"
    ):
        EXAMPLE.parse("POST", req.url, headers=headers, body=req.body)


def test_pairs_the_templates_do_not_have_follow_extra_in_the_url_and_the_body() -> None:
    n = Notification("https://h.example/pb?c={CampaignId}", "POST", '{"c": {CampaignId}}', "json")
    url = "https://h.example/pb?c=1&utm=news"
    with pytest.raises(ParseError, match=r'^in the url: .*the key "utm"') as info:
        n.parse("POST", url, body='{"c": 1}')
    assert info.value.part == "url"
    back = n.parse("POST", url, body='{"c": 1, "meta": {"s": "a"}}', extra="keep")
    assert back == Action(campaign_id=1, extra={"utm": "news", "meta": {"s": "a"}})
    with pytest.raises(ParseError, match="utm is 'news' in the url but 'other' in the body"):
        n.parse("POST", url, body='{"c": 1, "utm": "other"}', extra="keep")
    with pytest.raises(postback.ConfigError, match="extra must be 'error' or 'keep'"):
        n.parse("POST", url, body='{"c": 1}', extra="drop")  # type: ignore[arg-type]


def test_non_ascii_text_and_bytes_in_every_part() -> None:
    n = Notification(
        "https://h.example/pb?s={SubId1}",
        "POST",
        "<a>{SubId2}</a>",
        "xml",
        headers={"X-T": "{Text1}"},
    )
    action = Action(sub_id1="東京 é", sub_id2="Müller 🎉", text1="Ana & José")
    req = n.prepare(action)
    assert req.body is not None
    headers = [(name.encode(), value.encode()) for name, value in req.headers]
    assert n.parse("POST", req.url.encode(), headers=headers, body=req.body) == action
    assert n.parse("POST", req.url, headers=req.headers, body=req.body.decode()) == action
    with pytest.raises(ParseError, match=r"^the body is not UTF-8 at 1:4: not UTF-8 text") as info:
        n.parse("POST", req.url, headers=req.headers, body=b"<a>\xff</a>")
    assert (info.value.part, info.value.line, info.value.column) == ("body", 1, 4)
    with pytest.raises(ParseError, match=r"^header 'X-T' is not UTF-8 at 1:3"):
        n.parse("POST", req.url, headers={"X-T": b"ab\xc3"}, body=req.body)


def test_a_secret_headers_value_is_never_shown_in_an_error() -> None:
    n = Notification(
        "https://h.example/pb?s={SubId1}", headers={"Authorization": "Bearer s3cr3t {SubId1}"}
    )
    for value in ("Bearer wrong-token x", "Bearer s3cr3t y", b"Bearer s3cr3t \xff"):
        with pytest.raises(ParseError) as info:
            n.parse("GET", "https://h.example/pb?s=x", headers={"authorization": value})
        shown = f"{info.value} {info.value!r} {vars(info.value)}"
        for secret in ("s3cr3t", "wrong-token", "'y'"):
            assert secret not in shown
        assert info.value.part == "headers.Authorization"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"method": None}, r"the method must be a str, not None \(NoneType\)"),
        ({"url": 12}, r"the url must be str or bytes, not 12 \(int\)"),
        ({"body": 1.5}, r"the body must be str or bytes, not 1.5 \(float\)"),
        ({"headers": "X-Id: 1"}, "headers must be a mapping or a sequence of"),
        ({"headers": 5}, "headers must be a mapping or a sequence of"),
        ({"headers": ["X-Id: 1"]}, "a header must be a .name, value. pair, not"),
        ({"headers": [(1, "a")]}, "a header's name must be a str, not 1"),
        ({"headers": {"X-Id": None}}, r"header 'X-Id' must be str or bytes, not None"),
    ],
)
def test_arguments_of_the_wrong_type_are_parse_errors(
    call: dict[str, object], message: str
) -> None:
    n = Notification(
        "https://h.example/pb",
        "POST",
        '{"a": "{ActionId}"}',
        "json",
        headers={"X-Id": "{ActionId}"},
    )
    args: dict[str, object] = {
        "method": "POST",
        "url": "https://h.example/pb",
        "headers": {"X-Id": "1"},
        "body": '{"a": "1"}',
    }
    args.update(call)
    with pytest.raises(ParseError, match=message):
        n.parse(args["method"], args["url"], headers=args["headers"], body=args["body"])  # type: ignore[arg-type]


def test_the_part_survives_pickling() -> None:
    with pytest.raises(ParseError) as info:
        EXAMPLE.parse("POST", "https://postbacks.example.com/impact/actions/x?action_id=1&status=a")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (
        (copy.part, copy.message)
        == (info.value.part, info.value.message)
        == (
            "url",
            info.value.message,
        )
    )


def test_preparing_a_request_does_not_load_the_reading_side() -> None:
    """The reading side loads on the first parse: ``import postback`` and ``prepare``
    never need it."""
    code = (
        "import sys, postback\n"
        "n = postback.Notification.from_file('examples/notification.toml')\n"
        "n.prepare(postback.sample_action())\n"
        "assert not [m for m in sys.modules if m.startswith('postback._reading')], 'loaded'\n"
        "req = n.prepare(postback.sample_action())\n"
        "n.parse(req.method, req.url, headers=req.headers, body=req.body)\n"
        "assert 'postback._reading' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
