"""``Template.parse`` of JSON bodies: round trips, leniency, ambiguity and its errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from _expected import actions, restrict
from hypothesis import given

import postback
from postback import Action, Item, ParseError
from postback._compiler.pipeline import front_end
from postback._reading import Plan, _slot, make_plan
from postback._reading.convert import Conversion
from postback._reading.json_fast import fast_code

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = postback.compile((ROOT / "examples" / "action-clearing.json").read_text(), format="json")
SPECIAL = '"\\{}[],: \n\t/'

BARE = postback.compile(
    '{"id": {CampaignId}, "p": {Payout}, "d": {EventDate}, "s": {SubId1}, "k": "{ActionId}",'
    ' "items": [{join(items, i, "\\{\\"sku\\": \\"{i.sku}\\", \\"amt\\": {i.amt}\\}", ", ")}]}',
    format="json",
    date_format="unix",
)
PATTERN = postback.compile(
    '{"when": "{EventDate}", "skus": ["x"{join(items, i, ", \\"{i.sku}\\", {i.qty}", "")}]}',
    format="json",
    date_format="%Y-%m-%d %H:%M:%S %z",
    timezone="Asia/Kolkata",
)


@given(actions(SPECIAL))
def test_the_example_body_reads_back(action: Action) -> None:
    assert EXAMPLE.parse(EXAMPLE.render(action)) == restrict(EXAMPLE, action)


@given(actions(SPECIAL))
def test_bare_values_and_unix_dates_read_back(action: Action) -> None:
    assert BARE.parse(BARE.render(action)) == restrict(BARE, action)


@given(actions(SPECIAL))
def test_pattern_dates_and_joins_after_an_element_read_back(action: Action) -> None:
    assert PATTERN.parse(PATTERN.render_bytes(action)) == restrict(PATTERN, action)


def test_values_keep_their_type_and_digits() -> None:
    action = postback.sample_action()
    back = EXAMPLE.parse(EXAMPLE.render(action))
    assert back.payout == Decimal("12.50") and str(back.payout) == "12.50"
    assert back.ad_id == 702134
    assert back.items[0].amt is not None and str(back.items[0].amt) == "79.50"
    assert back.event_date == datetime(2026, 1, 2, 11, 4, 5, tzinfo=UTC)
    assert back.event_date is not None and back.event_date.utcoffset() == timedelta(0)


def test_other_whitespace_and_key_order_read_the_same() -> None:
    body = EXAMPLE.render(postback.sample_action())
    data = json.loads(body)
    reordered = json.dumps(dict(reversed(list(data.items()))), indent="\t", ensure_ascii=True)
    assert reordered != body
    assert EXAMPLE.parse(reordered) == EXAMPLE.parse(body)


def test_literal_characters_may_come_escaped() -> None:
    template = postback.compile('{"key": "id-{SubId1}"}', format="json")
    assert template.parse('{"k\\u0065y": "\\u0069d-x"}') == Action(sub_id1="x")


def test_missing_values_read_as_none() -> None:
    assert BARE.parse(BARE.render(Action())) == Action()
    assert BARE.render(Action()).startswith('{"id": null, "p": null, "d": null, "s": null')
    assert EXAMPLE.parse(EXAMPLE.render(Action(sub_id1=""))) == Action()


def test_under_missing_error_an_empty_text_is_an_empty_string() -> None:
    template = postback.compile('{"s": "{SubId1}", "p": {Payout}}', missing="error")
    assert template.parse('{"s": "", "p": 1}') == Action(sub_id1="", payout=1)
    with pytest.raises(ParseError, match=r"missing='error'") as info:
        template.parse('{"s": "", "p": null}')
    assert info.value.field == "Payout"


def test_a_misspelt_key_is_named_with_both_places() -> None:
    body = EXAMPLE.render(postback.sample_action()).replace('"payout"', '"pay_out"')
    with pytest.raises(ParseError) as info:
        EXAMPLE.parse(body)
    error = info.value
    at = body.index('"pay_out"')
    line = body.count("\n", 0, at) + 1
    column = at - (body.rfind("\n", 0, at) + 1) + 1
    assert str(error) == (
        f'expected the key "payout" (template 14:1), found "pay_out" at {line}:{column}; '
        'did you mean "payout"?'
    )
    assert (error.line, error.column) == (line, column)
    assert (error.template_line, error.template_column) == (14, 1)
    assert (error.expected, error.found) == ('the key "payout"', '"pay_out"')
    assert error.readings == ()


def test_a_value_that_does_not_convert_names_its_field() -> None:
    body = EXAMPLE.render(postback.sample_action()).replace('"ad_id": "702134"', '"ad_id": "7x"')
    with pytest.raises(ParseError, match=r"expected an integer for \{AdId\}") as info:
        EXAMPLE.parse(body)
    assert info.value.field == "AdId"
    assert info.value.found == '"7x"'
    item = EXAMPLE.render(postback.sample_action()).replace(
        '"item_price":79.50', '"item_price":"79"'
    )
    with pytest.raises(ParseError, match=r"expected a number for \{i\.amt\}") as info:
        EXAMPLE.parse(item)
    assert info.value.field == "i.amt"


def test_two_readings_are_an_error_naming_both() -> None:
    template = postback.compile('{"a": "{SubId1}-{SubId2}", "b": "{SubId3}{Text1}"}')
    assert template.parse('{"a": "x-y", "b": ""}') == Action(sub_id1="x", sub_id2="y")
    with pytest.raises(ParseError) as info:
        template.parse('{"a": "x-y-z", "b": ""}')
    assert info.value.readings == (
        '{SubId1}="x" {SubId2}="y-z"',
        '{SubId1}="x-y" {SubId2}="z"',
    )
    assert "reads two ways" in str(info.value)
    with pytest.raises(ParseError) as info:
        template.parse('{"a": "x-y", "b": "ab"}')
    assert info.value.readings == ('{SubId3}="" {Text1}="ab"', '{SubId3}="a" {Text1}="b"')


def test_a_separator_inside_an_item_is_an_error_naming_both_readings() -> None:
    template = postback.compile('{"skus": "{join(items, i, "{i.sku}", ",")}"}')
    assert template.parse('{"skus": "a"}') == Action(items=[Item(sku="a")])
    assert template.parse('{"skus": ""}') == Action()
    with pytest.raises(ParseError) as info:
        template.parse('{"skus": "a,b"}')
    assert set(info.value.readings) == {
        '1 item ({i.sku}="a,b")',
        '2 items ({i.sku}="a"; {i.sku}="b")',
    }


def test_keys_the_template_does_not_have() -> None:
    body = '{"p": 1, "extra": {"n": 1.50, "l": [true, null]}, "other": "x"}'
    template = postback.compile('{"p": {Payout}}')
    with pytest.raises(ParseError, match=r'found the key "extra" at 1:10.*extra=.keep') as info:
        template.parse(body)
    assert info.value.template_line == 1
    kept = template.parse(body, extra="keep")
    assert kept.payout == 1
    assert dict(kept.extra) == {"extra": {"n": Decimal("1.50"), "l": [True, None]}, "other": "x"}
    nested = postback.compile('{"a": {"p": {Payout}}}')
    assert dict(nested.parse('{"a": {"p": 2, "q": 3}}', extra="keep").extra) == {"a.q": 3}
    with pytest.raises(ParseError, match="name of a field"):
        template.parse('{"p": 1, "payout": 2}', extra="keep")
    with pytest.raises(postback.ConfigError, match="extra must be 'error' or 'keep'"):
        template.parse('{"p": 1}', extra="ignore")  # type: ignore[arg-type]


def test_extra_fields_read_with_their_json_types() -> None:
    template = postback.compile(
        '{"f": {flag}, "n": {count}, "s": "{memo}"}', extra_fields=("flag", "count", "memo")
    )
    action = template.parse('{"f": true, "n": 12.50, "s": "x"}')
    assert dict(action.extra) == {"flag": True, "count": Decimal("12.50"), "memo": "x"}
    assert template.render(action) == '{"f": true, "n": 12.50, "s": "x"}'


def test_a_field_written_twice_must_read_the_same() -> None:
    template = postback.compile('{"a": "{ActionId}", "b": ["{ActionId}"]}')
    assert template.parse('{"a": "1", "b": ["1"]}') == Action(action_id="1")
    with pytest.raises(
        ParseError, match=r"the same value wherever the template writes \{ActionId\}"
    ):
        template.parse('{"a": "1", "b": ["2"]}')


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "expected a JSON value"),
        ('{"p": 1', r"expected ',' or '\}', found the end of the text at 1:8"),
        ('{"p": 1} x', "expected the end of the text"),
        ('{"p": 1, "p": 2}', r'the key "p" again \(first at 1:2\)'),
        ('{"p": NaN}', "expected a JSON value"),
        ('{"p": "1', "a string without its closing quote"),
        ('{"p": [1]}', r"expected a number for \{Payout\} \(template 1:7\), found an array"),
        ("[1]", r"expected an object \(template 1:1\), found an array at 1:1"),
        ('{"p": 1e999999999}', "at most 1000 digits"),
        ("[" * 600 + "]" * 600, "nested at most 512 levels deep"),
    ],
)
def test_broken_bodies_are_parse_errors(body: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        postback.compile('{"p": {Payout}}').parse(body)


def test_bytes_must_be_utf8() -> None:
    template = postback.compile('{"s": "{SubId1}"}')
    assert template.parse('{"s": "é"}'.encode()) == Action(sub_id1="é")
    with pytest.raises(ParseError, match=r"not UTF-8 at 2:3") as info:
        template.parse(b'{\n"s\xff": 1}')
    assert (info.value.line, info.value.column) == (2, 3)
    with pytest.raises(ParseError, match="UTF-16"):
        template.parse('{"s": ""}'.encode("utf-16"))
    with pytest.raises(ParseError, match="reads str or bytes, not 12"):
        template.parse(12)  # type: ignore[arg-type]


def test_dates_read_in_the_template_timezone() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-8)))
    back = PATTERN.parse(PATTERN.render(Action(event_date=when)))
    assert back.event_date == when
    assert back.event_date is not None and back.event_date.utcoffset() == timedelta(
        hours=5, minutes=30
    )


def test_parse_errors_pickle_with_their_attributes() -> None:
    import pickle

    with pytest.raises(ParseError) as info:
        EXAMPLE.parse("{}")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (str(copy), copy.line, copy.template_line, copy.expected) == (
        str(info.value),
        info.value.line,
        info.value.template_line,
        info.value.expected,
    )


# -- the fast reader ------------------------------------------------------------------------

FAST_SHAPES = {
    "example": EXAMPLE,
    "bare": BARE,
    "between literal texts": postback.compile(
        '{"a": "id-{ActionId}.", "n": [1, true, null, "x", {"d": "{EventDate}"}],'
        ' "items": [{join(items, i, "\\"{i.sku}\\", {i.qty}", ", ")}], "again": "{ActionId}"}',
        date_format="unix_ms",
        timezone="Europe/Paris",
    ),
    "missing error": postback.compile(
        '{"s": "{SubId1}", "p": {Payout}, "i": {CampaignId}, "d": "{EventDate}"}',
        missing="error",
    ),
    "extra fields": postback.compile(
        '{"f": {flag}, "n": {count}, "s": "{memo}", "t": "{SubId1}"}',
        extra_fields=("flag", "count", "memo"),
    ),
}


def _plans(template: postback.Template) -> tuple[Plan, Plan]:
    """Return the template's reading plan, and the same plan without its fast reader."""
    plan = make_plan(template.source, template.format, template._opts)
    full = make_plan(template.source, template.format, template._opts)
    full._fast = None
    return plan, full


def _readers(template: postback.Template, text: str) -> tuple[Action | None, str]:
    """Return what the fast reader reads (None: it declines) and the full reader's result
    or error, as text: repr shows each decimal's digits and each date's offset."""
    plan, full = _plans(template)
    assert plan._fast is not None, "the template has the fast reader's shape"
    try:
        read = repr(full.parse(text, "error"))
    except ParseError as exc:
        read = f"ParseError: {exc}"
    return plan._fast(text), read


@given(actions(SPECIAL))
def test_the_fast_reader_reads_what_the_full_reader_reads(action: Action) -> None:
    for template in FAST_SHAPES.values():
        try:
            body = template.render(action)
        except postback.RenderError:
            continue
        got, full = _readers(template, body)
        assert got is not None, "a body the template wrote is read by the fast reader"
        assert repr(got) == full


@pytest.mark.parametrize(
    "body",
    [
        '{"p": 1, "p": 2}',  # a key given twice
        '{"p": NaN}',
        '{"p": Infinity}',
        '{"p": "1"}',  # a string at a number's place
        '{"p": 1e999999999}',  # too many digits
        '{"p": 1, "q": 2}',  # a key the template does not have
        "{}",
        '{"p": [1]}',
        '{"p": 1} x',
        "[" * 600 + "]" * 600,
        "[" * 100_000 + "]" * 100_000,
        '\ufeff{"p": 1}',
        '{"p": -0}',
        ' {"p": 1.50E+2}\n',
    ],
)
def test_the_fast_reader_declines_what_the_full_reader_refuses(body: str) -> None:
    template = postback.compile('{"p": {Payout}}')
    got, full = _readers(template, body)
    if full.startswith("ParseError"):
        assert got is None
    else:
        assert repr(got) == full


def test_the_fast_reader_declines_conflicts_and_keeps_nothing() -> None:
    """A field that reads two ways, and a key kept under extra="keep", are the full
    reader's: the fast reader returns None and parse gives the full reader's answer."""
    twice = postback.compile('{"a": "{ActionId}", "b": ["{ActionId}"]}')
    assert _readers(twice, '{"a": "1", "b": ["2"]}')[0] is None
    assert _readers(twice, '{"a": "1", "b": ["1"]}')[0] == Action(action_id="1")
    template = postback.compile('{"p": {Payout}}')
    assert template.parse('{"p": 1, "q": [2]}', extra="keep").extra == {"q": [2]}


def test_other_shapes_have_no_fast_reader() -> None:
    for source in (
        '{"skus": "{join(items, i, "{i.sku}", ",")}"}',  # a join inside a string
        '{"a": "{SubId1}-{SubId2}"}',  # two placeholders in one string
        '{"x": ["a"{join(items, i, ", \\"{i.sku}\\"", "")}]}',  # an element beside a join
    ):
        assert _plans(postback.compile(source))[0]._fast is None


def test_the_fast_readers_source_holds_no_template_text() -> None:
    """Keys and literal texts are bound under numbered names, as in the render function."""
    source = (
        '{"\\");import os#": "\'\'\'{SubId1}x", "k\\u00e9y": [{join(items, i, "{i.sku}", ", ")}]}'
    )
    template = postback.compile(source)
    front = front_end(template.source, template.format, template._opts)
    code = fast_code(
        front.nodes,
        lambda node: _slot(node, front.contexts[node], True),
        Conversion(template._opts.tz, "iso", "empty"),
    )
    assert code is not None and code.isascii()
    assert "import" not in code and "#" not in code and "'" not in code
    body = '{"\\");import os#": "\'\'\'ax", "k\u00e9y": ["s", null]}'
    read = Action(sub_id1="a", items=[Item(sku="s"), Item()])
    assert _readers(template, body) == (read, repr(read))
