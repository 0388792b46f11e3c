"""Notifications (§5): settings validation, prepared requests, classify, TOML loading."""

from __future__ import annotations

import json
import pickle
import tempfile
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from pickles import from_other_version
from postback import (
    Action,
    ConfigError,
    PostbackError,
    RecordError,
    RenderError,
    TemplateError,
)
from postback._formats import body_formats
from postback._sending.config import KEYS
from postback._sending.notification import Notification, Outcome, PreparedRequest
from postback._sending.pacer import Pacer
from strategies import HUGE_INTS, NUMBERS, SETTING_VALUES, hostile_text, toml_documents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLE = postback.sample_action()
NOW = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)

JSON_BODY = '{"id": "{ActionId}", "payout": {Payout}, "sub": "{SubId2}"}'
XML_BODY = '<action id="{ActionId}"><payout>{Payout}</payout><name>{CampaignName}</name></action>'
QUERY_BODY = "id={ActionId}&sub={SubId3}&name={CampaignName}"


def make(**settings: Any) -> Notification:
    settings.setdefault("url", "https://example.com/pb")
    return Notification(**settings)


def header_names(req: PreparedRequest) -> list[str]:
    return [name.lower() for name, _ in req.headers]


# ---------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------


def test_get_renders_the_url_query_and_has_no_body() -> None:
    n = Notification("https://example.com/pb?oid={ActionId}&sub={SubId3}&name={CampaignName}")
    req = n.prepare(SAMPLE)
    assert req.method == "GET"
    assert req.body is None
    assert req.content_type is None
    assert "content-type" not in header_names(req)
    parts = urlsplit(req.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "example.com", "/pb")
    assert parse_qsl(parts.query, keep_blank_values=True) == [
        ("oid", "1000.4636.158133"),
        ("sub", "a&b=c"),
        ("name", 'Café Müller "Winter" Sale'),
    ]


def test_post_json_body_and_content_type() -> None:
    n = make(method="POST", body=JSON_BODY, body_format="json")
    req = n.prepare(SAMPLE)
    assert req.method == "POST"
    assert req.content_type == "application/json"
    assert req.headers[-1] == ("Content-Type", "application/json")
    assert req.body == postback.compile(JSON_BODY, "json").render_bytes(SAMPLE)
    assert req.body is not None
    assert json.loads(req.body) == {
        "id": "1000.4636.158133",
        "payout": 12.5,
        "sub": 'hero "banner"',
    }


def test_post_xml_body_and_content_type() -> None:
    n = make(method="POST", body=XML_BODY, body_format="XML")
    req = n.prepare(SAMPLE)
    assert req.content_type == "application/xml; charset=utf-8"
    assert req.header("content-type") == "application/xml; charset=utf-8"
    assert req.body is not None
    root = ElementTree.fromstring(req.body)
    assert root.get("id") == "1000.4636.158133"
    assert root.findtext("payout") == "12.50"
    assert root.findtext("name") == 'Café Müller "Winter" Sale'


@pytest.mark.parametrize("fmt", ["query", "querystring", "query_string", "form", "Query"])
def test_post_query_body_and_content_type(fmt: str) -> None:
    n = make(method="POST", body=QUERY_BODY, body_format=fmt)
    assert n.body_format is postback.Format.QUERY
    req = n.prepare(SAMPLE)
    assert req.content_type == "application/x-www-form-urlencoded"
    assert req.headers == (("Content-Type", "application/x-www-form-urlencoded"),)
    assert req.body is not None
    assert parse_qsl(req.body.decode("ascii"), keep_blank_values=True) == [
        ("id", "1000.4636.158133"),
        ("sub", "a&b=c"),
        ("name", 'Café Müller "Winter" Sale'),
    ]


def test_method_is_case_insensitive_and_normalised() -> None:
    assert make(method="post", body="{}", body_format="json").method == "POST"
    assert make(method=" Get ").method == "GET"


def test_post_without_body_is_allowed() -> None:
    req = make(method="POST").prepare(SAMPLE)
    assert req.method == "POST"
    assert req.body is None
    assert req.content_type is None
    assert req.headers == ()


def test_header_values_are_templates_rendered_in_order() -> None:
    n = make(
        method="POST",
        body=JSON_BODY,
        body_format="json",
        headers={"Authorization": "Bearer abc", "X-Action-Id": "{ActionId}", "X-Sub": "{SubId1}"},
    )
    req = n.prepare(SAMPLE)
    assert req.headers == (
        ("Authorization", "Bearer abc"),
        ("X-Action-Id", "1000.4636.158133"),
        ("X-Sub", "newsletter"),
        ("Content-Type", "application/json"),
    )
    assert req.header("x-action-id") == "1000.4636.158133"
    assert req.header("X-Missing") is None


def test_headers_as_pairs() -> None:
    n = make(headers=[("X-A", "1"), ("X-B", "{CampaignId}")])
    assert n.prepare(SAMPLE).headers == (("X-A", "1"), ("X-B", "4636"))


@pytest.mark.parametrize("value", ["evil\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_header_value_with_cr_lf_nul_raises_render_error(value: str) -> None:
    n = make(headers={"X-Sub": "{SubId1}"})
    with pytest.raises(RenderError):
        n.prepare(Action(sub_id1=value))


def test_user_content_type_overrides_the_default() -> None:
    n = make(
        method="POST",
        body=XML_BODY,
        body_format="xml",
        headers={"content-type": "text/xml; charset=utf-8", "X-A": "1"},
    )
    req = n.prepare(SAMPLE)
    assert req.content_type == "text/xml; charset=utf-8"
    assert req.headers == (("content-type", "text/xml; charset=utf-8"), ("X-A", "1"))


def test_mapping_action_is_converted() -> None:
    n = make(url="https://example.com/pb?id={ActionId}&n={CampaignId}")
    req = n.prepare({"ActionId": "A-1", "campaign_id": "77"}, now=NOW)
    assert parse_qsl(urlsplit(req.url).query) == [("id", "A-1"), ("n", "77")]
    with pytest.raises(RecordError):
        n.prepare({"NoSuchField": 1})
    with pytest.raises(RecordError):
        n.prepare(42)  # type: ignore[arg-type]


def test_extra_fields_reach_every_template() -> None:
    n = make(
        url="https://example.com/pb?c={Channel}",
        method="POST",
        body='{"c": "{Channel}"}',
        body_format="json",
        headers={"X-Channel": "{Channel}"},
        extra_fields=["Channel"],
    )
    req = n.prepare({"Channel": "email", "ActionId": "1"})
    assert req.url.endswith("?c=email")
    assert req.header("X-Channel") == "email"
    assert req.body == b'{"c": "email"}'


def test_missing_error_policy() -> None:
    n = make(url="https://example.com/pb?id={ActionId}", missing="error")
    with pytest.raises(RenderError):
        n.prepare(Action())


def test_timezone_applies_to_rendered_dates() -> None:
    n = make(
        method="POST",
        body='{"d": "{ClearedDate}"}',
        body_format="json",
        timezone="America/New_York",
    )
    assert n.prepare(SAMPLE).body == b'{"d": "2026-02-03T06:30:00-05:00"}'


def test_to_urllib_builds_an_unsent_request() -> None:
    n = make(
        url="https://example.com/pb?id={ActionId}",
        method="POST",
        body=JSON_BODY,
        body_format="json",
        headers={"Authorization": "Bearer abc"},
    )
    prepared = n.prepare(SAMPLE)
    req = prepared.to_urllib()
    assert isinstance(req, urllib.request.Request)
    assert req.get_method() == "POST"
    assert req.full_url == prepared.url
    assert req.data == prepared.body
    assert req.get_header("Authorization") == "Bearer abc"
    assert req.get_header("Content-type") == "application/json"
    get = Notification("https://example.com/x").prepare(SAMPLE).to_urllib()
    assert get.get_method() == "GET"
    assert get.data is None


# ---------------------------------------------------------------------------
# not_before
# ---------------------------------------------------------------------------


def test_not_before_is_cleared_date_plus_delay() -> None:
    req = make(min_delay=30).prepare(SAMPLE, now=NOW)
    assert req.not_before == datetime(2026, 2, 3, 11, 30, 30, tzinfo=UTC)
    assert req.not_before.tzinfo is not None


def test_not_before_falls_back_to_event_date() -> None:
    pst = timezone(timedelta(hours=-8))
    action = Action(event_date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=pst))
    req = make(min_delay=Decimal("1.5")).prepare(action, now=NOW)
    assert req.not_before == datetime(2026, 1, 2, 11, 4, 6, 500000, tzinfo=UTC)
    assert req.not_before.utcoffset() == timedelta(0)


def test_not_before_falls_back_to_now() -> None:
    req = make(min_delay=2.25).prepare(Action(), now=NOW)
    assert req.not_before == NOW + timedelta(seconds=2.25)
    before = datetime.now(UTC)
    req = make(min_delay=0).prepare(Action())
    after = datetime.now(UTC)
    assert before <= req.not_before <= after
    assert req.not_before.tzinfo is not None


def test_not_before_naive_dates_are_in_the_notification_timezone() -> None:
    naive = datetime(2026, 7, 1, 12, 0, 0)
    action = Action(cleared_date=naive)
    assert make().prepare(action).not_before == naive.replace(tzinfo=UTC)
    n = make(timezone="America/New_York", min_delay=timedelta(minutes=1))
    assert n.prepare(action).not_before == datetime(2026, 7, 1, 16, 1, 0, tzinfo=UTC)
    # a naive "now" too
    assert n.prepare(Action(), now=naive).not_before == datetime(2026, 7, 1, 16, 1, tzinfo=UTC)


def test_not_before_overflow_is_a_render_error() -> None:
    action = Action(cleared_date=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
    with pytest.raises(RenderError):
        make(min_delay=10).prepare(action)


def test_now_must_be_a_datetime() -> None:
    with pytest.raises(TypeError):
        make().prepare(Action(), now=123.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# invalid settings
# ---------------------------------------------------------------------------

INVALID: list[tuple[dict[str, Any], str]] = [
    ({"method": "PUT"}, "method"),
    ({"method": 1}, "method"),
    ({"method": "GET", "body": "{}", "body_format": "json"}, "body"),
    ({"body": "{}", "body_format": "json"}, "body"),  # default method is GET
    ({"method": "POST", "body": ""}, "body"),
    ({"method": "POST", "body": b"{}", "body_format": "json"}, "body"),
    ({"method": "POST", "body": "{}"}, "body_format"),
    ({"method": "POST", "body": "{}", "body_format": "yaml"}, "body_format"),
    ({"method": "POST", "body": "{}", "body_format": "url"}, "body_format"),
    ({"method": "POST", "body": "{}", "body_format": "header"}, "body_format"),
    ({"method": "POST", "body": "{}", "body_format": "text"}, "body_format"),
    ({"method": "POST", "body": "{}", "body_format": 3}, "body_format"),
    ({"method": "POST", "body_format": "json"}, "body_format"),
    ({"min_delay": -1}, "min_delay"),
    ({"min_delay": -0.001}, "min_delay"),
    ({"min_delay": Decimal("-1")}, "min_delay"),
    ({"min_delay": timedelta(seconds=-1)}, "min_delay"),
    ({"min_delay": float("nan")}, "min_delay"),
    ({"min_delay": float("inf")}, "min_delay"),
    ({"min_delay": Decimal("NaN")}, "min_delay"),
    ({"min_delay": True}, "min_delay"),
    ({"min_delay": "5"}, "min_delay"),
    ({"min_delay": 10**20}, "min_delay"),
    ({"max_requests": 0}, "max_requests"),
    ({"max_requests": -5}, "max_requests"),
    ({"max_requests": True}, "max_requests"),
    ({"max_requests": 2.5}, "max_requests"),
    ({"max_requests": "10"}, "max_requests"),
    ({"success_response": ""}, "success_response"),
    ({"success_response": b"OK"}, "success_response"),
    ({"error_response": ""}, "error_response"),
    ({"error_response": 500}, "error_response"),
    ({"headers": {"X Token": "a"}}, "headers.X Token"),
    ({"headers": {"X-Token:": "a"}}, "headers.X-Token:"),
    ({"headers": {"": "a"}}, "headers."),
    ({"headers": {"Naïve": "a"}}, "headers.Naïve"),
    ({"headers": {"X-Token": 5}}, "headers.X-Token"),
    ({"headers": {"X-Token": "a", "x-token": "b"}}, "headers.x-token"),
    ({"headers": {"Content-Length": "10"}}, "headers.Content-Length"),
    ({"headers": {"Transfer-Encoding": "chunked"}}, "headers.Transfer-Encoding"),
    ({"headers": {"Host": "internal-admin.example"}}, "headers.Host"),
    ({"headers": {"host": "{SubId1}"}}, "headers.host"),
    ({"headers": {"Connection": "close"}}, "headers.Connection"),
    ({"headers": {"Keep-Alive": "timeout=5"}}, "headers.Keep-Alive"),
    ({"headers": {"Proxy-Connection": "keep-alive"}}, "headers.Proxy-Connection"),
    ({"headers": {"TE": "trailers"}}, "headers.TE"),
    ({"headers": {"Trailer": "X"}}, "headers.Trailer"),
    ({"headers": {"Upgrade": "h2c"}}, "headers.Upgrade"),
    ({"headers": {"Content-Type": "text/plain"}}, "headers.Content-Type"),  # GET: no body
    ({"headers": "Authorization: x"}, "headers"),
    ({"headers": [("A", "1", "2")]}, "headers"),
    ({"url": 5}, "url"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": 5}, "timezone"),
    ({"missing": "skip"}, "missing"),
    ({"extra_fields": [1]}, "extra_fields"),
    ({"extra_fields": ["CampaignId"]}, "extra_fields"),
    ({"date_format": ""}, "date_format"),
]


@pytest.mark.parametrize(("settings", "setting"), INVALID)
def test_invalid_settings_raise_config_error_naming_the_setting(
    settings: dict[str, Any], setting: str
) -> None:
    with pytest.raises(ConfigError) as info:
        make(**settings)
    assert info.value.setting == setting
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**400, "min_delay " + "1" + "0" * 56 + "... is too large"),
        (10**5000, "min_delay <int of about 5,001 digits> is too large"),
        (Decimal("1e999999999"), "min_delay Decimal('1E+999999999') is too large"),
        (1e300, "min_delay 1e+300 is too large"),
        (86_399_999_913_600.5, "min_delay 86399999913600.5 is too large"),
        (-(10**400), "min_delay must be 0 or more seconds, not -10000000000000000000000000000"),
        (
            Decimal("-1e999999999"),
            "min_delay must be 0 or more seconds, not Decimal('-1E+999999999')",
        ),
    ],
    ids=[
        "int-1e400",
        "int-1e5000",
        "decimal-1e999999999",
        "float-1e300",
        "float-past",
        "-1e400",
        "-decimal",
    ],
)
def test_a_min_delay_beyond_a_timedelta_is_a_config_error(value: object, message: str) -> None:
    """min_delay=10**400 raised OverflowError (math.isfinite converts the int to a float)
    and min_delay=Decimal("1e999999999") decimal.Overflow (multiplied by a million in
    the thread's context): numbers are compared with the bound before any conversion."""
    with pytest.raises(ConfigError) as info:
        make(min_delay=value)
    assert info.value.setting == "min_delay"
    assert info.value.message.startswith(message)
    if "too large" in message:
        assert info.value.message.endswith(
            "is too large: at most 86,399,999,913,600 seconds (999,999,999 days)"
        )


def test_min_delay_up_to_the_bound_whatever_the_decimal_context() -> None:
    import decimal

    assert make(min_delay=86_399_999_913_600).delay == timedelta(days=999_999_999)
    assert make(min_delay=Decimal("86399999913600.000000")).delay == timedelta(days=999_999_999)
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact])):
        assert make(min_delay=Decimal("12.3456785")).delay == timedelta(
            seconds=12, microseconds=345678
        )
        assert make(min_delay=Decimal("1e-999999999")).delay == timedelta(0)


def test_a_huge_max_requests_is_a_config_error() -> None:
    """max_requests=10**5000 was accepted, and repr() of the notification raised
    ValueError: Python writes no int of more than 4,300 digits."""
    for value, shown in ((10**5000, "<int of about 5,001 digits>"), (1_000_000_001, "1000000001")):
        with pytest.raises(ConfigError) as info:
            make(max_requests=value)
        assert info.value.setting == "max_requests"
        assert info.value.message == (
            f"max_requests {shown} is too large: at most 1,000,000,000 requests per second; "
            "leave it out (None) for no limit"
        )
    with pytest.raises(ConfigError, match=r"not <-int of about 5,000 digits>; leave it out"):
        make(max_requests=-(10**4999))
    assert make(max_requests=1_000_000_000).pacer().max_requests == 1_000_000_000


def _or_any(*samples: object) -> st.SearchStrategy[object]:
    return st.sampled_from(samples) | SETTING_VALUES


_TEXT = hostile_text("{}<>&=\"'\\\r\n\x00")
SETTINGS = st.fixed_dictionaries(
    {"url": _or_any("https://e.com/{ActionId}", "https://e.com/p?x={Payout}") | _TEXT},
    optional={
        "method": _or_any("GET", "POST", "post"),
        "body": _or_any('{"id": "{ActionId}"}', "<a>{Payout}</a>", "a={SubId1}") | _TEXT,
        "body_format": _or_any(*(spec.name for spec in body_formats())),
        "body_file": _or_any("body.json", ".", "", "a\x00b", "a\ud800b") | _TEXT,
        "headers": st.dictionaries(
            st.sampled_from(["X-A", "Authorization", "Host"]) | st.text(max_size=4),
            _TEXT | SETTING_VALUES,
            max_size=2,
        )
        | st.lists(_TEXT, max_size=2)
        | SETTING_VALUES,
        "min_delay": NUMBERS | SETTING_VALUES,
        "max_requests": HUGE_INTS | SETTING_VALUES,
        "success_response": _or_any("OK"),
        "error_response": _or_any("ERROR"),
        "timezone": _or_any("UTC", "America/New_York") | _TEXT,
        "missing": _or_any("empty", "error"),
        "extra_fields": st.lists(_or_any("Tier", "CampaignId") | _TEXT, max_size=2),
        "date_format": _or_any("iso", "unix", "%Y-%m-%d %H:%M") | _TEXT,
        "unknown_keys": _or_any("error", "ignore", "extra"),
        "day_first": _or_any(True, False),
    },
)


def _made_or_refused(make_it: Any) -> None:
    """Call ``make_it``: a notification that works, or only postback's own errors."""
    try:
        n = make_it()
    except PostbackError:
        return
    assert isinstance(n, Notification)
    repr(n)
    hash(n)
    assert pickle.loads(pickle.dumps(n)) == n


@pytest.mark.parametrize(
    "headers",
    [10**4300, [10**4300], {"X-A": 10**4300}, [("X", -(10**5000))]],
    ids=["int", "list", "mapping", "pair"],
)
def test_headers_holding_an_int_too_long_for_text_are_a_config_error(headers: object) -> None:
    """A headers setting of an int with more digits than Python turns into text raised
    ``ValueError`` while the message described it."""
    with pytest.raises(ConfigError, match="header") as caught:
        Notification.from_dict({"url": "https://e.com/{ActionId}", "headers": headers})
    assert "int of about" in str(caught.value)


@given(SETTINGS, st.dictionaries(st.text(max_size=4), SETTING_VALUES, max_size=1))
def test_any_settings_mapping_gives_a_notification_or_a_library_error(
    settings: dict[str, Any], others: dict[str, Any]
) -> None:
    """Numbers of any size, type and exponent, NUL and lone surrogates, lists nested
    two thousand deep, values of every type under every key: only ConfigError and
    TemplateError."""
    with tempfile.TemporaryDirectory() as base:
        (Path(base) / "body.json").write_text('{"id": "{ActionId}"}', "utf-8")
        _made_or_refused(lambda: Notification.from_dict({**settings, **others}, base_dir=base))
        if settings.keys() <= set(KEYS) - {"body_file"}:
            _made_or_refused(lambda: Notification(**settings))


@given(toml_documents(list(KEYS)))
def test_any_toml_text_gives_a_notification_or_a_library_error(text: str) -> None:
    """Any TOML text, valid or not, nested or numbered beyond the bounds, with NUL and
    lone surrogates (written as the bytes UTF-8 would give them, so not UTF-8)."""
    with tempfile.TemporaryDirectory() as base:
        path = Path(base) / "n.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        _made_or_refused(lambda: Notification.from_file(path))


def test_from_file_deep_nesting_and_long_numbers_are_config_errors(tmp_path: Path) -> None:
    """Arrays and inline tables nested 1,000 deep raised RecursionError, an integer of
    5,000 digits ValueError."""
    path = tmp_path / "n.toml"
    for text, where, reason in [
        ("x = " + "[" * 1000, "1:105", "arrays and inline tables nested more than 100 levels deep"),
        (
            "x = " + "{ a = " * 1000,
            "1:605",
            "arrays and inline tables nested more than 100 levels deep",
        ),
        ("min_delay = " + "9" * 5000, "1:13", "a number of more than 1,000 digits"),
    ]:
        path.write_text('url = "https://e.com/"\n' + text + "\n", "utf-8")
        with pytest.raises(ConfigError) as info:
            Notification.from_file(path)
        line, column = where.split(":")
        assert info.value.message == f"{path}:{int(line) + 1}:{column}: {reason}"
        assert info.value.__cause__ is None


# Headers that change how the receiver reads the request: those it may hold as literal
# text only, and those refused in any form.
LITERAL_ONLY_HEADERS = [
    "Content-Type",
    "X-HTTP-Method-Override",
    "X-HTTP-Method",
    "X-Method-Override",
]
REFUSED_HEADERS = [
    "Content-Encoding",
    "Forwarded",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Forwarded-Port",
    "X-Forwarded-Prefix",
    "X-Forwarded-Scheme",
    "X-Forwarded-Ssl",
    "X-Url-Scheme",
    "Front-End-Https",
    "X-Forwarded-Server",
    "X-Original-Host",
    "X-Host",
    "X-Forwarded-Uri",
    "X-Forwarded-For",
    "X-Real-IP",
    "True-Client-IP",
    "X-Client-IP",
    "CF-Connecting-IP",
    "X-Original-URL",
    "X-Rewrite-URL",
    "X-Original-URI",
    "X-Envoy-Original-Path",
]
POST_QUERY: dict[str, Any] = {"method": "POST", "body": QUERY_BODY, "body_format": "query"}


def test_a_notification_cannot_set_framing_headers() -> None:
    """headers={"Host": "{SubId1}"} sent the request for the url's host with the Host
    of a record (confirmed through to_urllib()), and a Content-Type placeholder let a
    record declare a JSON body text/html.  Both are refused when the notification is
    built; a literal Content-Type overrides the body format's."""
    body = {"url": "https://shop.example/pb", "method": "POST", "body": "a={SubId1}"}
    with pytest.raises(ConfigError) as info:
        Notification(**body, body_format="query", headers={"Host": "{SubId1}"})
    assert info.value.setting == "headers.Host"
    with pytest.raises(ConfigError) as info:
        Notification(**body, body_format="query", headers={"Content-Type": "{SubId2}"})
    assert info.value.setting == "headers.Content-Type"
    assert "literal" in info.value.message
    literal = Notification(
        **body, body_format="query", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    request = literal.prepare(Action(sub_id1="x"))
    assert request.content_type == "text/plain; charset=utf-8"
    assert [n for n, _ in request.headers].count("Content-Type") == 1


@pytest.mark.parametrize("name", LITERAL_ONLY_HEADERS + REFUSED_HEADERS)
@pytest.mark.parametrize(
    "value", ["s3cr3t {SubId1}", '{join(items, i, "s3cr3t{i.sku}")}', "s3cr3t{MyField}"]
)
def test_a_header_that_changes_how_the_receiver_reads_the_request_holds_no_placeholder(
    name: str, value: str
) -> None:
    """Content-Encoding, the method overrides and the headers proxies write were
    accepted as templates, while Host and Content-Type were refused: a record could
    make the receiver decode a plain body, apply another method, or believe another
    host, path or client address.  The error names the header, not its value."""
    for spelling in (name, name.lower(), name.upper()):
        with pytest.raises(ConfigError) as info:
            make(**POST_QUERY, headers={spelling: value}, extra_fields=["MyField"])
        assert info.value.setting == f"headers.{spelling}"
        assert repr(spelling) in info.value.message
        assert "s3cr3t" not in str(info.value) and "{" not in info.value.message
        assert ("must be literal text" in info.value.message) is (name in LITERAL_ONLY_HEADERS)


@pytest.mark.parametrize("name", REFUSED_HEADERS)
def test_a_header_only_proxies_write_or_a_content_encoding_is_refused_even_literal(
    name: str,
) -> None:
    for lines in ([f"{name}: s3cr3t"], [f"{name}:"]):
        with pytest.raises(ConfigError) as info:
            make(**POST_QUERY, headers=lines)
        assert info.value.setting == f"headers.{name}"
        assert info.value.message.startswith(f"header {name!r} cannot be set by a notification (")
        assert info.value.message.endswith("; leave it out")
        assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize("name", LITERAL_ONLY_HEADERS)
def test_a_literal_content_type_or_method_override_is_sent_as_written(name: str) -> None:
    value = "text/plain; charset=utf-8" if name == "Content-Type" else "PUT"
    request = make(**POST_QUERY, headers={name: value}).prepare(SAMPLE)
    assert request.header(name) == value
    assert [n for n, _ in request.headers].count(name) == 1


def test_security_md_lists_every_header_a_notification_refuses() -> None:
    from postback._sending.header_templates import _RECEIVER_HEADERS
    from postback._sending.headers import _FRAMING_HEADERS

    text = (EXAMPLES.parent / "docs" / "security.md").read_text("utf-8")
    table = text.split("| header | rule | why |", 1)[1].split("\n\n", 1)[0]
    listed: dict[str, str] = {}
    for row in table.strip().splitlines()[1:]:
        names, rule, why = (cell.strip() for cell in row.strip("|").split(" | "))
        assert why, names
        for header in names.split(", "):
            listed[header.strip("`").lower()] = rule
    expected = {name: "refused" for name in _FRAMING_HEADERS}
    for name, (literal, _why) in _RECEIVER_HEADERS.items():
        expected[name] = "literal text only" if literal else "refused"
    assert listed == expected
    assert {h.lower() for h in REFUSED_HEADERS + LITERAL_ONLY_HEADERS} == set(_RECEIVER_HEADERS)


def test_url_template_error_names_url() -> None:
    with pytest.raises(TemplateError) as info:
        Notification("https://example.com/pb?id={ActoinId}")
    assert info.value.name == "url"
    assert "url:1:" in str(info.value)


def test_url_that_is_not_http_is_a_template_error_naming_url() -> None:
    with pytest.raises(TemplateError) as info:
        Notification("ftp://example.com/{ActionId}")
    assert info.value.name == "url"


def test_body_template_error_names_body() -> None:
    with pytest.raises(TemplateError) as info:
        make(method="POST", body='{"a": "{Nope}"}', body_format="json")
    assert info.value.name == "body"
    with pytest.raises(TemplateError) as info:
        make(method="POST", body='{"Action Life Cycle Postback", "a": 1}', body_format="json")
    assert info.value.name == "body"


def test_header_template_error_names_the_header() -> None:
    with pytest.raises(TemplateError) as info:
        make(headers={"Authorization": "Bearer {Tokn}"})
    assert info.value.name == "headers.Authorization"


# ---------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------


def test_classify_status_only() -> None:
    n = make()
    assert n.classify(200, "anything") == Outcome(True, "status 200 is 2xx", "status", False, 200)
    assert n.classify(204, None).ok
    assert n.classify(299, b"").ok
    out = n.classify(404, "OK")
    assert not out.ok
    assert out.reason == "status 404 is not 2xx; do not retry: the receiver refused the request"
    assert not n.classify(302, None).ok
    assert not n.classify(199, None).ok
    assert not n.classify(300, None).ok


def test_classify_error_response_wins() -> None:
    n = make(success_response="OK", error_response="ERR")
    out = n.classify(200, "OK but ERR")
    assert out == Outcome(
        False,
        "error_response 'ERR' found in the response body (status 200 is 2xx); "
        "do not retry: the receiver reported an error",
        "error_response",
        False,
        200,
    )
    assert not n.classify(500, b"ERR").ok


def test_classify_success_response() -> None:
    n = make(success_response="OK", error_response="ERR")
    ok = n.classify(200, "all OK")
    assert ok == Outcome(
        True,
        "status 200 is 2xx and success_response 'OK' found in the response body",
        "success_response",
        False,
        200,
    )
    missing = n.classify(200, "fine")
    assert not missing.ok
    assert missing.rule == "success_response"
    assert missing.reason == (
        "success_response 'OK' not found in the response body (status 200 is 2xx); "
        "do not retry: the receiver answered, but not with success_response"
    )
    bad_status = n.classify(503, "OK")
    assert bad_status == Outcome(
        False,
        "status 503 is not 2xx (success_response 'OK' found in the response body); "
        "retry later: a server error",
        "success_response",
        True,
        503,
    )


def test_classify_error_response_alone() -> None:
    n = make(error_response="FAIL")
    assert n.classify(200, "fine") == Outcome(True, "status 200 is 2xx", "status", False, 200)
    assert not n.classify(200, "FAIL").ok
    assert not n.classify(500, "fine").ok


def iter_verdicts() -> Iterator[tuple[int, bool, str]]:
    """Status, retryable, and the end of the reason of a failure by status."""
    for status in (500, 502, 503, 504, 599):
        yield status, True, "; retry later: a server error"
    yield 429, True, "; retry later: too many requests"
    yield 408, True, "; retry later: the receiver timed out waiting for the request"
    for status in (400, 401, 403, 404, 409, 410, 422, 499):
        yield status, False, "; do not retry: the receiver refused the request"
    for status in (300, 301, 302, 303, 304, 307, 308):
        yield status, False, "; do not retry: redirects are not followed; check the url"
    for status in (100, 199, 600, 0):
        yield status, False, "; do not retry: not a final status of a delivered request"


@pytest.mark.parametrize(("status", "retryable", "advice"), list(iter_verdicts()))
@pytest.mark.parametrize("success_response", [None, "OK"])
def test_classify_says_whether_a_failure_is_worth_retrying(
    status: int, retryable: bool, advice: str, success_response: str | None
) -> None:
    """A failure's reason used to say neither its status (after error_response) nor
    whether to retry; every reason names the status, and ``retryable`` and the
    reason's end agree."""
    n = make(success_response=success_response, error_response="ERR")
    out = n.classify(status, "OK")
    assert (out.ok, out.retryable, out.status) == (False, retryable, status)
    assert out.reason.startswith(f"status {status} is not 2xx")
    assert out.reason.endswith(advice)
    # error_response found: the receiver said no, whatever the status.
    refused = n.classify(status, "OK, ERR")
    assert (refused.ok, refused.retryable, refused.status) == (False, False, status)
    assert refused.reason == (
        f"error_response 'ERR' found in the response body (status {status} is not 2xx); "
        "do not retry: the receiver reported an error"
    )


def test_classify_never_advises_retrying_a_success() -> None:
    for status in (200, 201, 204, 299):
        out = make(success_response="OK").classify(status, "OK")
        assert (out.ok, out.retryable, out.status) == (True, False, status)
        assert "retry" not in out.reason
        assert f"status {status} is 2xx" in out.reason


def test_outcome_of_no_response_is_retryable() -> None:
    out = Outcome.no_response(TimeoutError("timed out"))
    assert out == Outcome(
        False, "no response: TimeoutError('timed out'); retry later", "no_response", True, None
    )
    assert Outcome.no_response("connection refused").reason == (
        "no response: connection refused; retry later"
    )
    assert pickle.loads(pickle.dumps(out)) == out


def test_classify_bytes_with_invalid_utf8_never_raises() -> None:
    n = make(success_response="OK", error_response="Fehler")
    assert n.classify(200, b"\xff\xfe OK \x80").ok
    assert not n.classify(200, b"\xffFehler\xc3").ok
    assert not make(error_response="ungültig").classify(200, "ist ungültig".encode()).ok
    assert n.classify(200, bytearray(b"OK")).ok
    assert n.classify(200, memoryview(b"OK")).ok
    assert not n.classify(200, None).ok
    assert make(success_response="café").classify(200, "café".encode()).ok


def test_classify_is_case_sensitive() -> None:
    n = make(success_response="OK")
    assert not n.classify(200, "ok").ok


def test_classify_rejects_non_int_status() -> None:
    n = make()
    with pytest.raises(TypeError):
        n.classify("200", "")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        n.classify(True, "")


# ---------------------------------------------------------------------------
# the object itself
# ---------------------------------------------------------------------------


def test_notification_is_immutable_hashable_and_picklable() -> None:
    kwargs: dict[str, Any] = {
        "url": "https://example.com/pb?id={ActionId}",
        "method": "POST",
        "body": JSON_BODY,
        "body_format": "json",
        "headers": {"X-A": "{CampaignId}"},
        "min_delay": 5,
        "max_requests": 3,
        "success_response": "OK",
        "error_response": "ERR",
        "timezone": "Europe/Berlin",
    }
    n = Notification(**kwargs)
    assert n == Notification(**kwargs)
    assert hash(n) == hash(Notification(**kwargs))
    assert n != Notification(**{**kwargs, "max_requests": 4})
    with pytest.raises(AttributeError):
        n.method = "GET"
    with pytest.raises(AttributeError):
        del n.url
    copy = pickle.loads(pickle.dumps(n))
    assert copy == n
    assert copy.prepare(SAMPLE) == n.prepare(SAMPLE)
    assert "Notification(" in repr(n)
    assert n.headers == (("X-A", "{CampaignId}"),)
    assert n.url_template.format is postback.Format.URL
    assert n.body_template is not None
    assert n.body_template.format is postback.Format.JSON
    assert n.header_templates[0][1].format is postback.Format.HEADER
    assert n.delay == timedelta(seconds=5)


FULL_SETTINGS: dict[str, Any] = {
    "url": "https://example.com/pb/{CampaignId}?id={ActionId}&c={Channel}",
    "method": "POST",
    "body": JSON_BODY,
    "body_format": "json",
    "headers": {"X-A": "{CampaignId}", "Authorization": "Bearer abc"},
    "min_delay": 1.5,
    "max_requests": 3,
    "success_response": "OK",
    "error_response": "ERR",
    "timezone": "Europe/Berlin",
    "missing": "error",
    "extra_fields": ["Channel"],
    "date_format": "%Y-%m-%d %H:%M",
}

FULL_TOML = """
url = "https://example.com/pb/{CampaignId}?id={ActionId}&c={Channel}"
method = "POST"
body_format = "json"
min_delay = 1.5
max_requests = 3
success_response = "OK"
error_response = "ERR"
timezone = "Europe/Berlin"
missing = "error"
extra_fields = ["Channel"]
date_format = "%Y-%m-%d %H:%M"

[headers]
X-A = "{CampaignId}"
Authorization = "Bearer abc"
"""


def _every_way(tmp_path: Path) -> list[Notification]:
    """The same settings from the constructor, from_dict and from_file (inline body, body_file)."""
    (tmp_path / "body.json").write_text(JSON_BODY + "\n", encoding="utf-8")
    inline = tmp_path / "inline.toml"
    inline.write_text(f"body = '{JSON_BODY}'\n" + FULL_TOML, encoding="utf-8")
    from_body_file = tmp_path / "file.toml"
    from_body_file.write_text('body_file = "body.json"\n' + FULL_TOML, encoding="utf-8")
    return [
        Notification(**FULL_SETTINGS),
        Notification.from_dict(FULL_SETTINGS),
        Notification.from_file(inline),
        Notification.from_file(from_body_file),
    ]


CHANNEL_ACTION = {**SAMPLE.to_dict(), "Channel": "email"}


def test_notifications_built_every_way_are_equal_and_hash_alike(tmp_path: Path) -> None:
    first, *others = _every_way(tmp_path)
    expected = first.prepare(CHANNEL_ACTION)
    assert expected.url.endswith("&c=email")
    for other in others:
        assert other == first
        assert hash(other) == hash(first)
        assert other.prepare(CHANNEL_ACTION) == expected
    assert len({first, *others}) == 1


def test_notifications_built_every_way_survive_pickling(tmp_path: Path) -> None:
    for n in _every_way(tmp_path):
        copy = pickle.loads(pickle.dumps(n))
        assert copy == n
        assert hash(copy) == hash(n)
        assert repr(copy) == repr(n)
        assert copy.prepare(CHANNEL_ACTION) == n.prepare(CHANNEL_ACTION)
        # The same templates, down to the name the body template is compiled under.
        assert copy.url_template == n.url_template
        assert copy.body_template == n.body_template
        assert copy.header_templates == n.header_templates
        for attr in ("timezone", "missing", "extra_fields", "date_format", "min_delay"):
            assert getattr(copy, attr) == getattr(n, attr), attr


def test_a_notification_pickled_by_another_version_is_refused_naming_both_versions() -> None:
    """A notification pickled its settings as a tuple read by position (its compile
    options too), with no version: a Spark executor on another postback version could
    read one setting as another.  Now the pickle carries the version and the settings
    by name, and another version's pickle is a ConfigError naming both versions and
    showing no setting (a secret header's value least of all)."""
    n = Notification(**FULL_SETTINGS)
    blob, other = from_other_version(pickle.dumps(n))
    with pytest.raises(ConfigError) as info:
        pickle.loads(blob)
    message = info.value.message
    assert message.startswith(
        f"cannot unpickle this Notification: it was pickled by postback {other}, "
        f"and this is postback {postback.__version__};"
    )
    assert "Bearer abc" not in message and "example.com" not in message


def test_a_notification_pickle_is_refused_by_a_process_on_another_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = pickle.dumps(Notification(**FULL_SETTINGS))
    monkeypatch.setattr(postback._version, "__version__", "9.9.9")
    with pytest.raises(ConfigError, match=r"pickled by postback \S+, and this is postback 9\.9\.9"):
        pickle.loads(blob)


def test_a_pickled_notification_restores_its_settings_by_name() -> None:
    n = Notification(**FULL_SETTINGS)
    assert b"CompileOptions" not in pickle.dumps(n)
    assert b"Settings" not in pickle.dumps(n)
    rebuild, (state,) = n.__reduce__()
    settings = state["settings"]
    settings["options"] = dict(reversed(settings["options"].items()))
    state["settings"] = dict(reversed(settings.items()))
    again = rebuild(state)
    assert again == n
    assert repr(again) == repr(n)
    assert again.prepare(CHANNEL_ACTION) == n.prepare(CHANNEL_ACTION)


def test_day_first_is_a_setting_of_every_way_a_notification_is_made(tmp_path: Path) -> None:
    """The constructor, from_dict and a notification file take day_first; it takes part
    in equality, repr and pickling, and prepare reads a mapping's dates with it."""
    url = "https://e.com/pb?d={EventDate}"
    path = tmp_path / "n.toml"
    path.write_text(f'url = "{url}"\nday_first = false\n', "utf-8")
    made = [
        Notification(url, day_first=False),
        Notification.from_dict({"url": url, "day_first": False}),
        Notification.from_file(path),
    ]
    for n in made:
        assert n.day_first is False
        assert n == made[0]
        assert n != Notification(url) and n != Notification(url, day_first=True)
        assert repr(n) == f"Notification(url={url!r}, method='GET', day_first=False)"
        copy = pickle.loads(pickle.dumps(n))
        assert copy == n and copy.day_first is False
        assert copy.prepare({"EventDate": "04.03.2026"}).url.endswith(
            "=2026-04-03T00%3A00%3A00%2B00%3A00"
        )
    assert Notification(url).day_first is None
    assert Notification.from_dict({"url": url, "day_first": None}).day_first is None
    with pytest.raises(RecordError) as info:
        Notification(url).prepare({"EventDate": "04.03.2026"})
    assert info.value.field == "EventDate"


@pytest.mark.parametrize("value", ["true", 1, "day"])
def test_a_day_first_that_is_not_true_or_false_is_refused(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        Notification.from_dict({"url": "https://e.com/", "day_first": value})
    assert info.value.setting == "day_first"
    assert info.value.message.startswith(
        "day_first must be true (04.03.2026 is 4 March) or false (3 April), not "
    )
    with pytest.raises(ConfigError) as info:
        Notification("https://e.com/", day_first=value)  # type: ignore[arg-type]
    assert info.value.setting == "day_first"


def test_prepare_names_the_day_first_key_of_a_notification_file(tmp_path: Path) -> None:
    """Under the notification's spelling the refusal names the key as the file writes it."""
    from postback._messages import spelled

    n = Notification("https://e.com/pb?d={EventDate}", day_first=False)
    with spelled("notification"), pytest.raises(RecordError) as info:
        n.prepare({"EventDate": "13.03.2026"})
    assert "the settings say the month comes first (day_first = false)" in info.value.message


def test_a_body_files_template_keeps_its_name_through_pickling(tmp_path: Path) -> None:
    *_, from_body_file = _every_way(tmp_path)
    copy = pickle.loads(pickle.dumps(from_body_file))
    assert copy.body_template is not None
    assert copy.body_template.source == JSON_BODY
    assert copy.body_template != Notification(**FULL_SETTINGS).body_template
    with pytest.raises(RenderError, match="Channel"):
        copy.prepare(SAMPLE)  # missing="error" is kept as well


def test_public_settings_keep_their_values_and_types() -> None:
    n = Notification(**{**FULL_SETTINGS, "method": " post ", "body_format": "JSON"})
    assert n.url == FULL_SETTINGS["url"]
    assert n.method == "POST"
    assert n.body == JSON_BODY
    assert n.body_format is postback.Format.JSON
    assert n.headers == (("X-A", "{CampaignId}"), ("Authorization", "Bearer abc"))
    assert n.min_delay == 1.5
    assert isinstance(n.min_delay, float)
    assert n.delay == timedelta(seconds=1.5)
    assert n.max_requests == 3
    assert (n.success_response, n.error_response) == ("OK", "ERR")
    assert n.timezone == "Europe/Berlin"
    assert n.missing == "error"
    assert n.extra_fields == ("Channel",)
    assert n.date_format == "%Y-%m-%d %H:%M"
    other = make(min_delay=Decimal("2.5"), extra_fields=("b", "a", "b"))
    assert other.min_delay == Decimal("2.5")
    assert isinstance(other.min_delay, Decimal)
    assert other.extra_fields == ("a", "b")
    assert make(extra_fields="Channel").extra_fields == ("Channel",)
    assert make().timezone is None
    assert make().headers == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"min_delay": 30}, {"min_delay": 30.0}),
        ({"min_delay": 30}, {"min_delay": Decimal("30")}),
        ({"min_delay": 30}, {"min_delay": timedelta(seconds=30)}),
        ({"timezone": None}, {"timezone": "UTC"}),
        ({"timezone": "utc"}, {"timezone": timezone(timedelta(0))}),
        ({"method": "get"}, {}),
        ({"headers": {"X-A": "1"}}, {"headers": [("X-A", "1")]}),
        ({"extra_fields": ["b", "a"]}, {"extra_fields": ("a", "b", "a")}),
        (
            {"method": "POST", "body": "a={SubId1}", "body_format": "form"},
            {"method": "POST", "body": "a={SubId1}", "body_format": "query"},
        ),
    ],
)
def test_settings_that_make_the_same_requests_are_equal(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    assert make(**a) == make(**b)
    assert hash(make(**a)) == hash(make(**b))


@pytest.mark.parametrize(
    "change",
    [
        {"url": "https://example.com/other"},
        {"method": "POST"},
        {"headers": [("X-A", "2"), ("X-B", "1")]},
        {"headers": [("X-B", "1"), ("X-A", "1")]},
        {"min_delay": 31},
        {"max_requests": 4},
        {"success_response": "YES"},
        {"error_response": "NO"},
        {"timezone": "Europe/Paris"},
        {"missing": "error"},
        {"extra_fields": ["Other"]},
        {"date_format": "%Y"},
        {"unknown_keys": "ignore"},
        {"day_first": True},
        {"day_first": False},
    ],
)
def test_each_setting_takes_part_in_equality(change: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "headers": [("X-A", "1"), ("X-B", "1")],
        "min_delay": 30,
        "max_requests": 3,
        "success_response": "OK",
        "error_response": "ERR",
    }
    assert make(**base) != make(**{**base, **change})


def test_a_notification_equals_only_notifications() -> None:
    assert make() != "https://example.com/pb"
    assert make().__eq__(object()) is NotImplemented


def test_repr_shows_the_settings_that_are_not_defaults() -> None:
    assert repr(make()) == "Notification(url='https://example.com/pb', method='GET')"
    assert repr(Notification(**FULL_SETTINGS)) == (
        "Notification(url='https://example.com/pb/{CampaignId}?id={ActionId}&c={Channel}', "
        """method='POST', body='{"id": "{ActionId}", "payout": {Payout},...', """
        "body_format='json', headers={'X-A': '{CampaignId}', 'Authorization': '***'}, "
        "min_delay=1.5, max_requests=3, success_response='OK', error_response='ERR', "
        "missing='error', timezone='Europe/Berlin', date_format='%Y-%m-%d %H:%M', "
        "extra_fields=('Channel',))"
    )


def test_constructor_defaults_are_the_settings_defaults() -> None:
    import inspect
    from dataclasses import MISSING, fields

    from postback._options import OPTION_DEFAULTS, CompileOptions
    from postback._sending.settings import Settings

    defaults: dict[str, object] = {}
    for f in fields(Settings):
        if f.default is not MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not MISSING:
            defaults[f.name] = f.default_factory()
    # The options' defaults, read from the signature as a caller sees them.
    for parameter in inspect.signature(CompileOptions).parameters.values():
        defaults[parameter.name] = parameter.default
    assert {k: defaults[k] for k in OPTION_DEFAULTS} == OPTION_DEFAULTS
    parameters = list(inspect.signature(Notification).parameters.values())
    assert parameters[0].name == "url"
    assert parameters[0].default is inspect.Parameter.empty
    for parameter in parameters[1:]:
        default = parameter.default
        if parameter.name == "extra_fields":
            default = frozenset(default)
        elif parameter.name == "headers":
            default = ()  # None: no headers
        assert default == defaults[parameter.name], parameter.name


def test_to_http_writes_the_request_as_http_1_1() -> None:
    n = make(
        url="https://example.com:8443/pb/{CampaignId}?oid={ActionId}#frag",
        method="POST",
        body='{"id": "{ActionId}"}',
        body_format="json",
        headers={"X-Sub": "{RefCustomerCity}", "Authorization": "Bearer abc"},
    )
    body = b'{"id": "1000.4636.158133"}'
    assert n.prepare(SAMPLE).to_http() == (
        b"POST /pb/4636?oid=1000.4636.158133 HTTP/1.1\r\n"
        b"Host: example.com:8443\r\n"
        + "X-Sub: 東京\r\n".encode()
        + b"Authorization: Bearer abc\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: 26\r\n"
        b"\r\n" + body
    )
    assert len(body) == 26


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            PreparedRequest("GET", "https://user:pw@e.com", (), None, None, NOW),
            b"GET / HTTP/1.1\r\nHost: e.com\r\n\r\n",
        ),
        (
            PreparedRequest(
                "GET", "https://e.com/a", (("host", "other.example"),), None, None, NOW
            ),
            b"GET /a HTTP/1.1\r\nHost: other.example\r\n\r\n",
        ),
        (
            PreparedRequest("POST", "https://e.com/?", (), b"", None, NOW),
            b"POST / HTTP/1.1\r\nHost: e.com\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            PreparedRequest("POST", "http://e.com/a?b=c", (), b"x=1", "text/plain", NOW),
            b"POST /a?b=c HTTP/1.1\r\nHost: e.com\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 3\r\n\r\nx=1",
        ),
        (
            PreparedRequest(
                "POST",
                "http://e.com/",
                (("content-type", "text/xml"), ("Content-Length", "99")),
                b"<a/>",
                "text/xml",
                NOW,
            ),
            b"POST / HTTP/1.1\r\nHost: e.com\r\ncontent-type: text/xml\r\n"
            b"Content-Length: 4\r\n\r\n<a/>",
        ),
    ],
)
def test_to_http_details(request_: PreparedRequest, expected: bytes) -> None:
    assert request_.to_http() == expected


def test_to_http_is_what_an_http_server_reads() -> None:
    import io
    from http.client import parse_headers

    req = make(
        url="https://example.com/pb?oid={ActionId}",
        method="POST",
        body=XML_BODY,
        body_format="xml",
        headers={"X-Name": "{CampaignName}"},
    ).prepare(SAMPLE)
    head, _, body = req.to_http().partition(b"\r\n\r\n")
    request_line, _, header_block = head.partition(b"\r\n")
    assert request_line == b"POST /pb?oid=1000.4636.158133 HTTP/1.1"
    headers = parse_headers(io.BytesIO(header_block + b"\r\n\r\n"))
    assert not headers.defects
    assert headers["Host"] == "example.com"
    assert headers["Content-Type"] == req.content_type
    assert int(headers["Content-Length"]) == len(body)
    assert body == req.body


def test_prepared_request_is_frozen() -> None:
    req = make().prepare(SAMPLE)
    with pytest.raises(AttributeError):
        req.url = "x"  # type: ignore[misc]


def test_pacer_uses_max_requests() -> None:
    pacer = make(max_requests=2).pacer()
    assert isinstance(pacer, Pacer)
    assert pacer.max_requests == 2
    assert [pacer.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert make().pacer().max_requests is None


# ---------------------------------------------------------------------------
# from_dict / from_file
# ---------------------------------------------------------------------------


def test_from_dict_matches_the_constructor() -> None:
    data = {
        "url": "https://example.com/pb?id={ActionId}",
        "method": "post",
        "body": JSON_BODY,
        "body_format": "json",
        "headers": {"X-A": "1"},
        "min_delay": 1.5,
        "max_requests": 5,
        "success_response": "OK",
        "error_response": "ERR",
        "timezone": "UTC",
        "missing": "empty",
        "extra_fields": [],
        "date_format": "iso",
    }
    n = Notification.from_dict(data)
    assert n == Notification(
        "https://example.com/pb?id={ActionId}",
        "POST",
        JSON_BODY,
        "json",
        {"X-A": "1"},
        1.5,
        5,
        "OK",
        "ERR",
        timezone="UTC",
    )


@pytest.mark.parametrize(
    ("data", "setting"),
    [
        ({"url": "https://e.com/", "metod": "GET"}, "metod"),
        ({"url": "https://e.com/", "max_requests": "10"}, "max_requests"),
        ({"url": "https://e.com/", "max_requests": 1.0}, "max_requests"),
        ({"url": "https://e.com/", "min_delay": "5"}, "min_delay"),
        ({"url": "https://e.com/", "min_delay": False}, "min_delay"),
        ({"url": "https://e.com/", "headers": ["X-A", "1"]}, "headers"),
        ({"url": "https://e.com/", "headers": {"X-A": 1}}, "headers.X-A"),
        ({"url": "https://e.com/", "extra_fields": "Channel"}, "extra_fields"),
        ({"url": "https://e.com/", "method": ["GET"]}, "method"),
        ({"url": ["https://e.com/"]}, "url"),
        ({"method": "GET"}, "url"),
    ],
)
def test_from_dict_errors_name_the_key(data: dict[str, Any], setting: str) -> None:
    with pytest.raises(ConfigError) as info:
        Notification.from_dict(data)
    assert info.value.setting == setting


def test_from_dict_suggests_near_keys() -> None:
    with pytest.raises(ConfigError, match="did you mean 'max_requests'"):
        Notification.from_dict({"url": "https://e.com/", "max_request": 3})


def test_from_dict_rejects_non_mappings() -> None:
    with pytest.raises(ConfigError):
        Notification.from_dict(["url"])  # type: ignore[arg-type]


def write(tmp_path: Path, text: str, name: str = "n.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_from_file_reads_toml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
url = "https://example.com/pb?id={ActionId}"
method = "POST"
body = '''{"id": "{ActionId}"}'''
body_format = "json"
min_delay = 0.5
max_requests = 2

[headers]
X-Action-Id = "{ActionId}"
""",
    )
    n = Notification.from_file(path)
    req = n.prepare(SAMPLE)
    assert req.body == b'{"id": "1000.4636.158133"}'
    assert req.header("X-Action-Id") == "1000.4636.158133"
    assert n.max_requests == 2
    assert Notification.from_file(str(path)) == n


def test_from_file_body_file_is_relative_to_the_toml_file(tmp_path: Path) -> None:
    (tmp_path / "bodies").mkdir()
    (tmp_path / "bodies" / "pb.json").write_text('{"id": "{ActionId}"}\n', encoding="utf-8")
    path = write(
        tmp_path,
        'url = "https://example.com/pb"\nmethod = "POST"\n'
        'body_file = "bodies/pb.json"\nbody_format = "json"\n',
    )
    n = Notification.from_file(path)
    assert n.body == '{"id": "{ActionId}"}'  # one final newline is the file's, not the body's
    assert n.prepare(SAMPLE).body == b'{"id": "1000.4636.158133"}'


@pytest.mark.parametrize(
    ("body_format", "text", "body"),
    [
        ("json", '{"id": "{ActionId}"}\r\n', b'{"id": "1000.4636.158133"}'),
        ("json", '{"id": "{ActionId}"}\n\n', b'{"id": "1000.4636.158133"}\n'),
        ("query", "id={ActionId}\n", b"id=1000.4636.158133"),
        ("query", "id={ActionId}\r\n", b"id=1000.4636.158133"),
    ],
)
def test_exactly_one_final_newline_of_a_body_file_is_dropped(
    tmp_path: Path, body_format: str, text: str, body: bytes
) -> None:
    """A query body file lost its final newline when it was read and the compiler, which
    drops one from a one-line template, could have dropped a second: one is dropped,
    whatever the body format."""
    (tmp_path / "pb.body").write_bytes(text.encode("utf-8"))
    path = write(
        tmp_path,
        'url = "https://example.com/pb"\nmethod = "POST"\n'
        f'body_file = "pb.body"\nbody_format = "{body_format}"\n',
    )
    assert Notification.from_file(path).prepare(SAMPLE).body == body


def test_a_query_body_file_with_two_final_newlines_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pb.qs").write_text("id={ActionId}\n\n", encoding="utf-8")
    path = write(
        tmp_path,
        'url = "https://example.com/pb"\nmethod = "POST"\n'
        'body_file = "pb.qs"\nbody_format = "query"\n',
    )
    with pytest.raises(postback.TemplateFormatError) as info:
        Notification.from_file(path)
    assert (info.value.name, info.value.line, info.value.column) == (
        str(tmp_path / "pb.qs"),
        1,
        14,
    )


def test_from_file_body_file_template_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pb.json").write_text('{"id": "{ActoinId}"}\n', encoding="utf-8")
    path = write(
        tmp_path,
        'url = "https://example.com/pb"\nmethod = "POST"\n'
        'body_file = "pb.json"\nbody_format = "json"\n',
    )
    with pytest.raises(TemplateError) as info:
        Notification.from_file(path)
    assert info.value.name == str(tmp_path / "pb.json")
    assert info.value.line == 1


def test_from_file_body_file_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'url = "https://e.com/"\nmethod = "POST"\nbody_file = "nope.json"\nbody_format = "json"\n',
    )
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert info.value.setting == "body_file"
    assert "nope.json" in str(info.value)
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    path = write(
        tmp_path,
        'url = "https://e.com/"\nmethod = "POST"\nbody = "{}"\n'
        'body_file = "b.json"\nbody_format = "json"\n',
    )
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert info.value.setting == "body_file"
    (tmp_path / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    path = write(
        tmp_path,
        'url = "https://e.com/"\nmethod = "POST"\nbody_file = "latin1.json"\nbody_format = "json"\n',
    )
    with pytest.raises(ConfigError, match="UTF-8") as info:
        Notification.from_file(path)
    assert info.value.setting == "body_file"


def test_from_file_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://e.com/"\nretries = 3\n')
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert info.value.setting == "retries"
    assert str(path) in str(info.value)


def test_from_file_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://e.com/"\nmax_requests = "ten"\n')
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert info.value.setting == "max_requests"
    assert str(path) in str(info.value)


def test_from_file_invalid_setting_value(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://e.com/"\nmin_delay = -3\n')
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert info.value.setting == "min_delay"


def test_from_file_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        Notification.from_file(missing)
    assert str(missing) in str(info.value)
    assert info.value.__cause__ is None
    with pytest.raises(ConfigError):
        Notification.from_file(tmp_path)  # a directory


def test_from_file_invalid_toml_has_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://e.com/"\nmethod = \n')
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    message = str(info.value)
    assert f"{path}:2:" in message
    assert "invalid TOML" in message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_from_file_invalid_toml_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://e.com/"\nmethod = ')
    with pytest.raises(ConfigError, match=r":2:10: invalid TOML: .* at the end of the file"):
        Notification.from_file(path)


def test_from_dict_body_file_base_dir(tmp_path: Path) -> None:
    (tmp_path / "b.xml").write_text("<a>{ActionId}</a>\r\n", encoding="utf-8")
    data = {"url": "https://e.com/", "method": "POST", "body_file": "b.xml", "body_format": "xml"}
    n = Notification.from_dict(data, base_dir=tmp_path)
    assert n.body == "<a>{ActionId}</a>"
    assert n.prepare(SAMPLE).body == b"<a>1000.4636.158133</a>"


def test_from_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_bytes(b'url = "https://e.com/\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        Notification.from_file(path)


def test_example_notification_loads_and_prepares_the_sample() -> None:
    n = Notification.from_file(EXAMPLES / "notification.toml")
    assert n.method == "POST"
    assert n.body_format is postback.Format.JSON
    assert n.max_requests == 10
    assert n.success_response == "OK"
    assert n.error_response == "ERROR"
    req = n.prepare(SAMPLE)
    assert req.method == "POST"
    assert req.content_type == "application/json"
    assert req.header("Authorization") == "Bearer 3f1c9a0e-example-token"
    assert req.header("X-Action-Id") == "1000.4636.158133"
    assert req.not_before == datetime(2026, 2, 3, 11, 30, 30, tzinfo=UTC)
    assert req.body is not None
    data = json.loads(req.body)
    assert data["action_id"] == "1000.4636.158133"
    assert data["delta_amount"] == "-12.50"
    assert len(data["items"]) == 3
    assert data["items"][1]["name"] == "東京 Ceramic Mug 🍵"
    assert urlsplit(req.url).path == "/impact/actions/4636"
    assert dict(parse_qsl(urlsplit(req.url).query))["action_id"] == "1000.4636.158133"
