"""Hostile records (docs/security.md): whatever a customer typed, rendering gives back the
value exactly in a well-formed body, or raises the documented error; nothing else.

For every format a template puts every field in every position the format has (JSON
strings and bare values, XML content, both attribute quotes and CDATA, form keys and
values, URL path segments, query and fragment, a header value, text), and a decoder
written with the standard library reads each value back.  The example templates in
examples/ are rendered too.  Values: control characters, lone surrogates, quotes,
markup, URL delimiters, 10 MiB strings, 100,000 items, non-finite and huge numbers,
the first and last representable dates in zones that push them out of range, and
values of the wrong type through ``Action.from_dict``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._formats import Format, format_for, format_names
from references import expected_text, utf8_safe

ROOT = Path(__file__).resolve().parents[2]
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"quick": 0.1, "ci": 1.0, "thorough": 10.0}.get(PROFILE, 1.0)

FIELDS = list(postback.FIELDS)
ITEM_FIELDS = list(postback.ITEM_FIELDS)
STR_FIELDS = [f for f in FIELDS if f.type is str]
STR_ITEM_FIELDS = [f for f in ITEM_FIELDS if f.type is str]
DATE_FIELDS = [f for f in FIELDS if f.type is datetime]
FORMATS = list(format_names())

HOSTILE = [
    "",
    '"',
    "'",
    "\\",
    '\\"',
    "&",
    "&amp;",
    "&#0;",
    "<",
    ">",
    "<a>",
    "</r>",
    "]]>",
    "]]",
    "]",
    ">]]>]]]]>",
    "<![CDATA[",
    "-->",
    "<!DOCTYPE x [<!ENTITY e 'e'>]>&e;",
    "%",
    "%25",
    "%zz",
    "%2",
    "+",
    " ",
    "=",
    "#",
    "&a=b",
    "a=b&c=d#e",
    "?",
    "/",
    "..",
    ".",
    "./..",
    ";",
    ",",
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x0b\x0c",
    "".join(chr(c) for c in range(32)),
    "\x7f",
    "\x85",
    "\u2028\u2029",
    "\ud800",
    "\udfff",
    "a\ud800b\udc00c",
    "\udbff\udfff",
    "\ufffe\uffff",
    "\ufeff",
    "é",
    "東京",
    "🎉",
    "\U0010ffff",
    "{CampaignId}",
    '{join(items, i, "{i.sku}")}',
    "\\u0000",
    "'\"><script>alert(1)</script>",
    "Bearer x\r\nX-Injected: 1",
    "null",
    "true",
    "1e999",
    "-0",
]

# -- expected text, written independently of the library (docs/language.md) ---------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEADER_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def xml_carried(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def json_read(text: str) -> str:
    """What a JSON parser reads back: escapes are UTF-16, so a high surrogate followed
    by a low one (two code points in a Python str) is read as the pair's character."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


# -- a template per format with every field in every position --------------------------------


def json_template() -> str:
    def pairs(names: list[str], var: str | None) -> str:
        out = []
        for name in names:
            ph = "{" + (f"{var}." if var else "") + name + "}"
            out.append(f'"s:{name}": "{ph}", "v:{name}": {ph}')
        return ", ".join(out)

    items = pairs([f.name for f in ITEM_FIELDS], "i").replace('"', '\\"')
    return (
        "{"
        + pairs([f.name for f in FIELDS], None)
        + ', "items": [{join(items, i, "\\{'
        + items
        + '\\}")}]}'
    )


def json_check(action: Action, out: str) -> None:
    data = json.loads(out, parse_float=Decimal)

    def compare(obj: dict[str, Any], names: list[str], source: Any) -> None:
        for name in names:
            attr = next(f.attribute for f in FIELDS + ITEM_FIELDS if f.name == name)
            value = getattr(source, attr)
            assert obj[f"s:{name}"] == ("" if value is None else json_read(expected_text(value))), (
                name
            )
            v = obj[f"v:{name}"]
            if value is None:
                assert v is None
            elif isinstance(value, (int, Decimal)):
                assert Decimal(v) == value, name
                if isinstance(v, Decimal):  # json reads "-0" as the int 0: no text to compare
                    assert format(v, "f") == expected_text(value), name
            else:
                assert v == json_read(expected_text(value)), name

    compare(data, [f.name for f in FIELDS], action)
    assert len(data["items"]) == len(action.items)
    for obj, item in zip(data["items"], action.items, strict=True):
        compare(obj, [f.name for f in ITEM_FIELDS], item)


def xml_template() -> str:
    def fields(names: list[str], var: str | None, q: str) -> str:
        out = []
        for name in names:
            ph = "{" + (f"{var}." if var else "") + name + "}"
            out.append(
                f"<f n={q}{name}{q} a={q}{ph}{q} b='{ph}'><c>{ph}</c><d><![CDATA[{ph}]]></d></f>"
            )
        return "".join(out)

    items = fields([f.name for f in ITEM_FIELDS], "i", '\\"')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<r>'
        + fields([f.name for f in FIELDS], None, '"')
        + '<items>{join(items, i, "<i>'
        + items
        + '</i>", "")}</items></r>'
    )


def xml_check(action: Action, out: str) -> None:
    root = ET.fromstring(out.encode("utf-8"))

    def compare(parent: ET.Element, source: Any) -> None:
        for f in parent.findall("f"):
            name = f.get("n")
            attr = next(s.attribute for s in FIELDS + ITEM_FIELDS if s.name == name)
            value = getattr(source, attr)
            expected = "" if value is None else xml_carried(expected_text(value))
            assert f.get("a") == expected, name
            assert f.get("b") == expected, name
            assert (f.find("c").text or "") == expected, name  # type: ignore[union-attr]
            assert (f.find("d").text or "") == expected, name  # type: ignore[union-attr]

    compare(root, action)
    elements = root.find("items")
    assert elements is not None and len(elements) == len(action.items)
    for element, item in zip(elements, action.items, strict=True):
        compare(element, item)


def query_template() -> str:
    def pairs(names: list[str], var: str | None) -> str:
        return "&".join(
            f"v.{n}={{{var + '.' if var else ''}{n}}}&{{{var + '.' if var else ''}{n}}}=k.{n}"
            for n in names
        )

    items = pairs([f.name for f in ITEM_FIELDS], "i")
    return pairs([f.name for f in FIELDS], None) + '{join(items, i, "&' + items + '", "")}'


def pairs_check(action: Action, pairs: list[tuple[str, str]]) -> None:
    def expect(source: Any, names: list[str]) -> list[tuple[str, str]]:
        out = []
        for name in names:
            attr = next(s.attribute for s in FIELDS + ITEM_FIELDS if s.name == name)
            value = getattr(source, attr)
            text = "" if value is None else utf8_safe(expected_text(value))
            out += [(f"v.{name}", text), (text, f"k.{name}")]
        return out

    expected = expect(action, [f.name for f in FIELDS])
    for item in action.items:
        expected += expect(item, [f.name for f in ITEM_FIELDS])
    assert pairs == expected


def query_check(action: Action, out: str) -> None:
    pairs_check(action, parse_qsl(out, keep_blank_values=True, strict_parsing=True))


def url_template() -> str:
    path = "/".join("{" + f.name + "}" for f in STR_FIELDS)
    return "https://h.example:8443/p/" + path + "/e?" + query_template() + "#{Text1}"


def url_dot_segment(action: Action) -> bool:
    """Whether a value that is a whole path segment of the url template is '.' or '..'."""
    return any(getattr(action, f.attribute) in (".", "..") for f in STR_FIELDS)


def url_check(action: Action, out: str) -> None:
    parts = urlsplit(out)
    assert (parts.scheme, parts.netloc) == ("https", "h.example:8443")
    segments = parts.path.split("/")
    assert segments[:2] == ["", "p"] and segments[-1] == "e"
    values = [getattr(action, f.attribute) for f in STR_FIELDS]
    assert [unquote(s) for s in segments[2:-1]] == [utf8_safe(v or "") for v in values]
    pairs_check(action, parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))
    assert unquote(parts.fragment) == utf8_safe(action.text1 or "")


def header_template() -> str:
    return "t " + " ".join("{" + f.name + "}" for f in FIELDS)


def header_expected(action: Action) -> str | None:
    texts = []
    for f in FIELDS:
        value = getattr(action, f.attribute)
        text = "" if value is None else expected_text(value)
        if _HEADER_FORBIDDEN.search(text):
            return None
        texts.append(utf8_safe(text))
    # Spaces and tabs at the end of a header value are trimmed, as recipients do.
    return ("t " + " ".join(texts)).rstrip(" \t")


def header_check(action: Action, out: str) -> None:
    assert out == header_expected(action)


def text_template() -> str:
    return "|".join("{" + f.name + "}" for f in FIELDS) + '{join(items, i, "[{i.sku}|{i.name}]")}'


def text_check(action: Action, out: str) -> None:
    head = "|".join(
        "" if (v := getattr(action, f.attribute)) is None else expected_text(v) for f in FIELDS
    )
    items = ",".join(f"[{i.sku or ''}|{i.name or ''}]" for i in action.items)
    assert out == head + items


CASES: dict[str, tuple[str, Callable[[Action, str], None]]] = {
    "json": (json_template(), json_check),
    "xml": (xml_template(), xml_check),
    "query": (query_template(), query_check),
    "url": (url_template(), url_check),
    "header": (header_template(), header_check),
    "text": (text_template(), text_check),
}
TEMPLATES = {fmt: postback.compile(source, format=fmt) for fmt, (source, _) in CASES.items()}

# -- the example templates -------------------------------------------------------------------

EXAMPLE_FILES = {
    fmt.value: path
    for path in sorted((ROOT / "examples").glob("action-clearing.*"))
    if (fmt := format_for(path)) is not None
}
EXAMPLES = {
    fmt: postback.compile(path.read_text("utf-8"), Format(fmt))
    for fmt, path in EXAMPLE_FILES.items()
}


def example_items(fmt: str, out: str) -> int:
    """Parse an example's rendering (failing if malformed); return its number of items."""
    if fmt == "json":
        return len(json.loads(out)["items"])
    if fmt == "xml":
        items = ET.fromstring(out.encode("utf-8")).find("items")
        assert items is not None
        return len(items)
    if fmt == "query":
        pairs = parse_qsl(out, keep_blank_values=True, strict_parsing=True)
        # One comma-separated list per item attribute: count the item prices.
        prices = dict(pairs)["item_prices"]
        return 0 if prices == "" else prices.count(",") + 1
    parts = urlsplit(out)
    assert parts.scheme == "https" and parts.hostname
    pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    return sum(1 for key, _ in pairs if key == "item_price")


# -- records ---------------------------------------------------------------------------------------

SAMPLE = postback.sample_action()


def action_with(text: str, n_items: int = 2, **changes: Any) -> Action:
    """The sample with every str field and str item attribute set to ``text``."""
    values = {f.attribute: getattr(SAMPLE, f.attribute) for f in FIELDS}
    values.update({f.attribute: text for f in STR_FIELDS})
    item = Item(
        sku=text,
        amt=Decimal("-1.50"),
        cat=text,
        qty=Decimal("0E-3"),
        cartamt=Decimal("1E+3"),
        rbt=Decimal("-0"),
        name=text,
        itemlist=text,
    )
    values["items"] = [item] * n_items
    values.update(changes)
    return Action(**values)


def render_and_check(fmt: str, action: Action) -> None:
    """Render ``action`` with the format's template and its example; check everything."""
    template = TEMPLATES[fmt]
    check = CASES[fmt][1]
    try:
        out = template.render(action)
    except postback.RenderError:
        # A header value with a control character; a path value that would be a dot segment.
        assert (fmt == "header" and header_expected(action) is None) or (
            fmt == "url" and url_dot_segment(action)
        )
    else:
        check(action, out)
        assert template.render_bytes(action) == utf8_safe(out).encode("utf-8")
    if fmt in EXAMPLES:
        out = EXAMPLES[fmt].render(action)
        assert example_items(fmt, out) == len(action.items)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value", HOSTILE, ids=[ascii(v)[:30] for v in HOSTILE])
def test_every_field_with_every_hostile_value(fmt: str, value: str) -> None:
    render_and_check(fmt, action_with(value))


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_and_sample_actions(fmt: str) -> None:
    render_and_check(fmt, Action())
    render_and_check(fmt, SAMPLE)


ANY_TEXT = st.text(
    st.one_of(
        st.characters(codec=None),
        st.characters(categories=["Cs", "Cc"]),
        st.sampled_from("\"'<>&]%+=#;?/\\ {}"),
    ),
    max_size=30,
)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=max(10, int(150 * SCALE)), deadline=None)
@given(st.lists(ANY_TEXT, min_size=len(STR_FIELDS), max_size=len(STR_FIELDS)), ANY_TEXT)
def test_every_field_with_random_text(fmt: str, texts: list[str], item_text: str) -> None:
    values = {f.attribute: t for f, t in zip(STR_FIELDS, texts, strict=True)}
    render_and_check(fmt, action_with(item_text, n_items=1, **values))


# -- size ---------------------------------------------------------------------------------------------

BIG = ("\r\n\ud800]]>" + "abcdefghijk&<%é " * (10 * 1024 * 1024 // 16))[: 10 * 1024 * 1024]
BIG_CASES = {
    "json": '{"s": "{Text1}", "v": {Text1}}',
    "xml": '<r a="{Text1}">{Text1}<![CDATA[{Text1}]]></r>',
    "query": "v={Text1}&{Text1}=k",
    "url": "https://h.example/{Text1}?v={Text1}",
    "header": "x {Text1}",
    "text": "{Text1}",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_ten_mib_values(fmt: str) -> None:
    template = postback.compile(BIG_CASES[fmt], format=fmt)
    action = Action(text1=BIG)
    if fmt == "header":
        with pytest.raises(postback.RenderError, match="header injection"):
            template.render(action)
        clean = BIG.replace("\r", "").replace("\n", "")
        assert template.render(Action(text1=clean)) == "x " + utf8_safe(clean)
        return
    out = template.render(action)
    if fmt == "json":
        assert json.loads(out) == {"s": BIG, "v": BIG}
    elif fmt == "xml":
        root = ET.fromstring(out.encode("utf-8"))
        expected = xml_carried(BIG)
        assert root.get("a") == expected and root.text == expected + expected
    elif fmt == "query":
        assert parse_qsl(out, keep_blank_values=True) == [
            ("v", utf8_safe(BIG)),
            (utf8_safe(BIG), "k"),
        ]
    elif fmt == "url":
        parts = urlsplit(out)
        assert unquote(parts.path[1:]) == utf8_safe(BIG)
        assert parse_qsl(parts.query) == [("v", utf8_safe(BIG))]
    else:
        assert out == BIG


@pytest.mark.parametrize("fmt", sorted(EXAMPLES))
def test_one_hundred_thousand_items(fmt: str) -> None:
    action = Action(
        **{f.attribute: getattr(SAMPLE, f.attribute) for f in FIELDS}, items=SAMPLE.items * 33_334
    )
    assert len(action.items) > 100_000
    out = EXAMPLES[fmt].render(action)
    assert example_items(fmt, out) == len(action.items)


# -- numbers ------------------------------------------------------------------------------------------

NON_FINITE = [Decimal("NaN"), Decimal("-NaN"), Decimal("Infinity"), Decimal("-Infinity")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value", NON_FINITE, ids=str)
def test_non_finite_decimals_raise_render_error(fmt: str, value: Decimal) -> None:
    actions = [action_with("x", payout=value), Action.from_dict({"Payout": str(value)})]
    if fmt not in ("header", "text"):  # their templates have no {i.amt}
        actions.append(action_with("x", items=[Item(amt=value)]))
    for action in actions:
        with pytest.raises(postback.RenderError, match="non-finite"):
            TEMPLATES[fmt].render(action)
        if fmt in EXAMPLES:
            with pytest.raises(postback.RenderError):
                EXAMPLES[fmt].render(action)


@pytest.mark.parametrize(
    "value",
    ["sNaN", "-sNaN", "1e999999999", "1e-999999999", "9" * 1001, "0E-100000", "1" * 5000],
)
def test_huge_and_signaling_decimals_are_record_errors(value: str) -> None:
    for raw in (value, Decimal(value)):
        with pytest.raises(postback.RecordError) as info:
            Action.from_dict({"Payout": raw})
        assert info.value.field == "Payout"
        with pytest.raises(postback.RecordError):
            Item(amt=raw)


@pytest.mark.parametrize(
    "value",
    [10**1000, -(10**1000), 10**5000, "9" * 5000],
    ids=["1e1000", "-1e1000", "1e5000", "9x5000"],
)
def test_huge_ints_are_record_errors(value: Any) -> None:
    with pytest.raises(postback.RecordError) as info:
        Action(campaign_id=value)
    assert info.value.field == "CampaignId"


@pytest.mark.parametrize("fmt", FORMATS)
def test_extreme_but_valid_numbers(fmt: str) -> None:
    action = action_with(
        "x",
        campaign_id=10**999,
        ad_id=-(10**999) + 1,
        payout=Decimal("9" * 999),
        amount=Decimal("0." + "0" * 900 + "1"),
        delta_amount=Decimal("-0E-5"),
        original_amount=Decimal("1E+900"),
    )
    render_and_check(fmt, action)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        10**5000,
        Decimal("1e999999"),
        Decimal("NaN"),
        b"x",
        [1],
        {},
        object(),
    ],
    ids=lambda v: type(v).__name__ + ("" if isinstance(v, int) else repr(v)[:20]),
)
def test_extra_fields_of_any_type_render_or_raise_render_error(fmt: str, value: Any) -> None:
    source = {
        "json": '{"v": {X}, "s": "{X}"}',
        "xml": "<r a='{X}'>{X}</r>",
        "query": "x={X}",
        "url": "https://h.example/{X}?x={X}",
        "header": "{X}",
        "text": "{X}",
    }[fmt]
    template = postback.compile(source, format=fmt, extra_fields=["X"])
    with pytest.raises(postback.RenderError):
        template.render({"X": value})


def test_extra_field_float_subclass_with_a_decorated_repr() -> None:
    class Float(float):
        def __repr__(self) -> str:
            return f"Float({float.__repr__(self)})"

    template = postback.compile("{X}", format="text", extra_fields=["X"])
    assert template.render({"X": Float(0.1)}) == "0.1"


# -- dates --------------------------------------------------------------------------------------------

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
ADAK = ZoneInfo("America/Adak")
DATES = [
    datetime.min,
    datetime.max,
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))),
    datetime.min.replace(tzinfo=KIRITIMATI),
    datetime.max.replace(tzinfo=ADAK),
    datetime(1, 1, 1, 10, tzinfo=timezone(timedelta(hours=-14))),
    datetime(9999, 12, 31, 12, tzinfo=timezone(timedelta(hours=14))),
    datetime(1970, 1, 1),
    datetime(2026, 3, 8, 2, 30),  # a local time that does not exist in US zones
    datetime(2026, 11, 1, 1, 30, fold=1),  # one that exists twice
    datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=timezone(timedelta(hours=5, minutes=45))),
]
ZONES = [None, "Pacific/Kiritimati", "America/Adak", "Etc/GMT+12"]


def expected_date(value: datetime, zone: str | None, date_format: str) -> str | None:
    tz = UTC if zone is None else ZoneInfo(zone)
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            local = value.replace(tzinfo=tz)
        else:
            local = value.astimezone(tz)
        return (
            local.isoformat(timespec="seconds")
            if date_format == "iso"
            else local.strftime(date_format)
        )
    except (OverflowError, ValueError):
        return None


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("date_format", ["iso", "%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y %I%p %Z"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_far_in_the_past_and_future(fmt: str, zone: str | None, date_format: str) -> None:
    source = {
        "json": '{"s": "{EventDate}", "v": {EventDate}}',
        "xml": "<r a='{EventDate}'>{EventDate}<![CDATA[{EventDate}]]></r>",
        "query": "d={EventDate}",
        "url": "https://h.example/{EventDate}?d={EventDate}#{EventDate}",
        "header": "{EventDate}",
        "text": "{EventDate}",
    }[fmt]
    template = postback.compile(source, format=fmt, timezone=zone, date_format=date_format)
    for value in DATES:
        expected = expected_date(value, zone, date_format)
        action = Action(event_date=value)
        if expected is None:
            with pytest.raises(postback.RenderError):
                template.render(action)
            continue
        out = template.render(action)
        if fmt == "json":
            assert json.loads(out) == {"s": expected, "v": expected}
        elif fmt == "xml":
            root = ET.fromstring(out)
            assert root.get("a") == expected and root.text == expected * 2
        elif fmt == "query":
            assert parse_qsl(out) == [("d", expected)]
        elif fmt == "url":
            parts = urlsplit(out)
            assert unquote(parts.path[1:]) == unquote(parts.fragment) == expected
        else:
            assert out == expected


@pytest.mark.parametrize("fmt", sorted(EXAMPLES))
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Adak"])
def test_example_templates_with_out_of_range_dates(fmt: str, zone: str) -> None:
    source = EXAMPLE_FILES[fmt].read_text("utf-8")
    template = postback.compile(source, format=fmt, timezone=zone)
    for value in DATES:
        action = action_with("x", **{f.attribute: value for f in DATE_FIELDS})
        try:
            out = template.render(action)
        except postback.RenderError:
            assert expected_date(value, zone, "iso") is None
            continue
        assert example_items(fmt, out) == 2


# -- wrong types --------------------------------------------------------------------------------------

WRONG: dict[type, list[Any]] = {
    int: ["abc", "1.5", 1.5, True, [], {}, b"1", object(), "1" * 5000, "", " ", "１２"],
    Decimal: ["abc", True, [], {}, b"1", object(), "1,5", "", "0x10", "1e999999999", "sNaN"],
    str: [1.5, True, [], {}, b"x", bytearray(b"x"), object(), Decimal("1")],
    datetime: [
        "not a date",
        123,
        1.5,
        "2026-13-45",
        "",
        "Jan 2026",
        "12:00",
        b"2026-01-01",
        [],
        True,
    ],
}
WRONG_ITEMS = [
    "abc",
    b"ab",
    5,
    {"sku": "x"},
    [1],
    [None],
    [{"nope": 1}],
    [{"sku": []}],
    [{"amt": "x"}],
    [{1: 2}],
]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_wrong_types_are_record_errors(field: Any) -> None:
    for value in WRONG[field.type]:
        for key in (field.name, field.attribute):
            with pytest.raises(postback.RecordError) as info:
                Action.from_dict({key: value})
            assert info.value.field == field.name
        for template in TEMPLATES.values():
            with pytest.raises(postback.RecordError):
                template.render({field.name: value})


def uses(template: postback.Template, field: str) -> bool:
    """Whether a record error at ``field`` concerns something ``template`` reads."""
    if "items" not in template.fields:
        return False
    attr = re.fullmatch(r"items\[\d+\]\.(\w+)", field)
    if attr is None or attr.group(1) not in {f.name for f in ITEM_FIELDS}:
        return True  # the list, an element or a key of one: all read to reach the items
    return "{i." + attr.group(1) + "}" in template.source


@pytest.mark.parametrize("items", WRONG_ITEMS, ids=repr)
def test_wrong_items_are_record_errors(items: Any) -> None:
    with pytest.raises(postback.RecordError) as info:
        Action.from_dict({"items": items})
    field = info.value.field
    assert field is not None
    for template in TEMPLATES.values():
        if uses(template, field):
            with pytest.raises(postback.RecordError) as again:
                template.render({"items": items})
            assert (again.value.field, str(again.value)) == (field, str(info.value))
        else:
            # render(mapping) converts only the values its template uses
            assert isinstance(template.render({"items": items}), str)


@pytest.mark.parametrize(
    "record",
    [{"Foo": 1}, {1: 2}, {"CampaignId": 1, "campaign_id": 1}, {"extra": {}}, {"sku": "x"}],
    ids=repr,
)
def test_wrong_keys_are_record_errors(record: Any) -> None:
    for template in TEMPLATES.values():
        with pytest.raises(postback.RecordError):
            template.render(record)


@pytest.mark.parametrize("record", [None, 5, "CampaignId=1", ["CampaignId"], b"{}"], ids=repr)
def test_records_that_are_not_mappings_are_record_errors(record: Any) -> None:
    for template in TEMPLATES.values():
        with pytest.raises(postback.RecordError):
            template.render(record)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT | st.decimals(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=max(10, int(100 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from([f.name for f in FIELDS] + ["items", "extra"]), ANY_TEXT),
        st.one_of(
            JSONISH,
            st.lists(st.dictionaries(st.sampled_from([f.name for f in ITEM_FIELDS]), JSONISH)),
        ),
        max_size=6,
    )
)
def test_any_mapping_renders_or_raises_a_documented_error(record: dict[str, Any]) -> None:
    for fmt, template in TEMPLATES.items():
        with contextlib.suppress(postback.RecordError, postback.RenderError):
            template.render(record)
        try:
            action = Action.from_dict(record)
        except postback.RecordError:
            continue
        try:
            out = template.render(action)
        except postback.RenderError:
            continue
        CASES[fmt][1](action, out)
