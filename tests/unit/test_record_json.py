"""Tests for Action.from_json and from_json_file: exact decimals, refused JSON, the CLI."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback import Action, Item, RecordError, RenderError

ROOT = Path(__file__).resolve().parents[2]


def refused(data: str | bytes) -> RecordError:
    with pytest.raises(RecordError) as info:
        Action.from_json(data)
    return info.value


def test_numbers_keep_their_exact_decimal_value() -> None:
    action = Action.from_json(
        '{"Payout": 12.50, "Amount": 1E+3, "DeltaAmount": -0.00, "CampaignId": 42,'
        ' "items": [{"amt": 1.10, "qty": 2}]}'
    )
    assert str(action.payout) == "12.50"
    assert str(action.amount) == "1E+3"
    assert str(action.delta_amount) == "-0.00"
    assert action.campaign_id == 42
    assert action.items == (Item(amt=Decimal("1.10"), qty=Decimal(2)),)
    assert str(action.items[0].amt) == "1.10"
    # json.loads would have lost the scale
    assert str(Action.from_dict(json.loads('{"Payout": 12.50}')).payout) == "12.5"


def test_bytes_and_byte_order_marks() -> None:
    text = '{"SubId1": "caf\u00e9", "Payout": 1.50}'
    expected = Action(sub_id1="café", payout=Decimal("1.50"))
    for data in (
        text,
        "\ufeff" + text,
        text.encode(),
        b"\xef\xbb\xbf" + text.encode(),
        bytearray(text.encode()),
        memoryview(text.encode()),
    ):
        assert Action.from_json(data) == expected
    err = refused(b'{"SubId1": "\xff"}')
    assert str(err) == "the JSON record is not UTF-8 text (byte 0xff at offset 12)"
    assert err.field is None


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_utf16_record_is_named_as_such(encoding: str, name: str, tmp_path: Path) -> None:
    """UTF-16 bytes were "not UTF-8 text (byte 0xff at offset 0)"; the byte-order mark
    says what they are."""
    data = '{"CampaignId": 1}'.encode(encoding)
    message = (
        f"the JSON record is {name} (byte-order mark), not UTF-8: decode it and pass the "
        "text, or save the file as UTF-8"
    )
    assert str(refused(data)) == message
    path = tmp_path / "r.json"
    path.write_bytes(data)
    with pytest.raises(RecordError) as info:
        Action.from_json_file(path)
    assert str(info.value) == message
    assert Action.from_json(data.decode(encoding)) == Action(campaign_id=1)
    with pytest.raises(TypeError, match="must be str or bytes"):
        Action.from_json(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "field", "shown"),
    [
        ('{"Payout": NaN}', "Payout", "NaN"),
        ('{"Amount": Infinity}', "Amount", "Infinity"),
        ('{"items": [{"sku": "a"}, {"amt": -Infinity}]}', "items[1].amt", "-Infinity"),
        ('{"MyField": {"a": [1, NaN]}}', "MyField.a[1]", "NaN"),
    ],
)
def test_nan_and_infinity_are_refused_naming_the_key(text: str, field: str, shown: str) -> None:
    err = refused(text)
    assert err.field == field
    assert str(err) == (
        f"{field}: {shown} is not valid JSON (JSON numbers are finite, and so are the numbers "
        "postback renders); give a finite number, or null for no value"
    )


def test_the_advice_for_nan_leads_to_a_record_that_renders() -> None:
    """The advice for NaN was "give it as a string", and the string "NaN" is read as a
    decimal that rendering refuses; the advice names what works."""
    err = refused('{"Payout": NaN}')
    assert "string" not in err.message
    template = postback.compile('{"p": {Payout}}')
    with pytest.raises(RenderError):
        template.render(Action.from_json('{"Payout": "NaN"}'))
    assert template.render(Action.from_json('{"Payout": null}')) == '{"p": null}'
    assert template.render(Action.from_json('{"Payout": 12.5}')) == '{"p": 12.5}'


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"CampaignId": 1, "CampaignId": 2}', "CampaignId"),
        ('{"items": [{"sku": "a", "amt": 1, "sku": "b"}]}', "items[0].sku"),
        ('{"Payout": NaN, "Payout": 1}', "Payout"),
        ('{"a": {"b": 1, "b": 2}, "a": 3}', "a"),
    ],
)
def test_a_key_given_twice_is_refused(text: str, field: str) -> None:
    err = refused(text)
    key = field.rsplit(".", 1)[-1]
    assert err.field == field
    assert str(err) == f"{field}: the key {key!r} is given twice in one JSON object"


def test_numbers_are_bounded_before_python_converts_them() -> None:
    err = refused('{"CampaignId": ' + "9" * 5001 + "}")
    assert err.field == "CampaignId"
    assert str(err) == (
        "CampaignId: expected a number of at most 1000 digits, got a JSON number of 5001 digits"
    )
    assert refused('{"items": [{"qty": -' + "1" * 1001 + "}]}").field == "items[0].qty"
    err = refused('{"Payout": 1e999999}')
    assert str(err) == (
        "Payout: expected a number of at most 1000 digits, got a JSON number of 1000000 digits"
    )
    assert refused('{"Payout": 0.' + "0" * 1000 + "1}").field == "Payout"
    # at the bound they are read, and the fields check them as usual
    assert Action.from_json('{"CampaignId": ' + "9" * 1000 + "}").campaign_id == 10**1000 - 1
    assert Action.from_json('{"Payout": 1e998}').payout == Decimal("1e998")


def test_invalid_json_has_a_line_and_a_column() -> None:
    err = refused('{\n  "CampaignId": 5,\n  oops\n}\n')
    assert (err.line, err.column, err.field) == (3, 3, None)
    assert (
        err.message
        == "invalid JSON in the record: Expecting property name enclosed in double quotes"
    )
    assert str(err) == f"line 3, column 3: {err.message}"
    again = pickle.loads(pickle.dumps(err))
    assert (type(again), again.line, again.column, str(again)) == (RecordError, 3, 3, str(err))
    assert RecordError("x", field="f").line is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("[1, 2]", "an array"), ('"x"', "a string"), ("null", "null"), ("1.5", "a number")],
)
def test_a_record_must_be_an_object(text: str, kind: str) -> None:
    assert str(refused(text)) == f"a record must be a JSON object, not {kind}"


def test_far_exponents_are_refused_from_the_text() -> None:
    """``{"Payout": 1e1000000000000000000}`` raised decimal.InvalidOperation: Decimal()
    refuses an exponent beyond about 10**18, and the number was converted before it
    was counted."""
    for exponent in ("1000000000000000000", "-1000000000000000000", "9" * 100_000, "1000000"):
        for number in (f"1e{exponent}", f"-0.5E{exponent}", f"0e{exponent}"):
            err = refused(f'{{"items": [{{"amt": {number}}}]}}')
            assert err.field == "items[0].amt"
            assert str(err) == (
                "items[0].amt: expected a number of at most 1000 digits, got a JSON number "
                "with an exponent beyond ±999,999"
            )
    # Nearer exponents are counted exactly, as the converted number's digits.
    assert str(refused('{"Payout": 1e-999999}')).endswith("a JSON number of 1000000 digits")
    assert str(refused('{"Payout": 1.5e+01000}')).endswith("a JSON number of 1001 digits")
    assert Action.from_json('{"Payout": 1.5e+00999}').payout == Decimal("1.5e999")
    assert Action.from_json('{"Payout": 0.5e-998}').payout == Decimal("5e-999")


def test_deep_nesting_is_a_record_error() -> None:
    err = refused('{"MyField": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert str(err) == "the JSON record is nested more than 100 levels deep"
    assert err.field is None


def test_nesting_is_bounded_before_the_record_is_parsed() -> None:
    """At most 100 levels, the record's own object included, counted before ``json``
    recurses; brackets inside strings do not count, and many shallow ones are fine."""
    nested = '{"X": ' + "[" * 99 + "]" * 99 + "}"
    assert repr(Action.from_json(nested, extra=["X"]).extra["X"]) == "[" * 99 + "]" * 99
    err = refused('{"X": ' + "[" * 100 + "]" * 100 + "}")
    assert str(err) == "the JSON record is nested more than 100 levels deep"
    wide = '{"items": [' + ", ".join(['{"sku": "[{"}'] * 500) + "]}"
    assert len(Action.from_json(wide).items) == 500
    text = "[{" * 500 + '\\"' + "]" * 10
    assert Action.from_json(json.dumps({"X": text}), extra=["X"]).extra["X"] == text


def test_extra_and_unknown_keys_are_passed_on() -> None:
    text = '{"CampaignId": 1, "MyField": 2.50, "Other": true}'
    assert refused(text).field == "MyField"
    action = Action.from_json(text, extra=["MyField"], unknown_keys="ignore")
    assert dict(action.extra) == {"MyField": Decimal("2.50")}
    assert dict(Action.from_json(text, unknown_keys="extra").extra) == {
        "MyField": Decimal("2.50"),
        "Other": True,
    }


def test_threads_parse_records_independently() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def parse(k: int) -> str:
        text = f'{{"CampaignId": {k}, "Payout": {"NaN" if k % 3 == 0 else "1.50"}}}'
        for _ in range(200):
            try:
                result = str(Action.from_json(text).campaign_id)
            except RecordError as exc:
                result = str(exc)
        return result

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(parse, range(12)))
    nan = (
        "Payout: NaN is not valid JSON (JSON numbers are finite, and so are the numbers "
        "postback renders); give a finite number, or null for no value"
    )
    assert results == [nan if k % 3 == 0 else str(k) for k in range(12)]


def test_from_json_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b'\xef\xbb\xbf{"Payout": 12.50, "SubId1": "\xe6\x9d\xb1"}')
    assert Action.from_json_file(path) == Action(payout=Decimal("12.50"), sub_id1="東")
    assert Action.from_json_file(str(path)).payout.as_tuple().exponent == -2  # type: ignore[union-attr]
    with pytest.raises(FileNotFoundError):
        Action.from_json_file(tmp_path / "missing.json")


offsets = st.integers(min_value=-86399, max_value=86399).map(
    lambda s: timezone(timedelta(seconds=s))
)
records = st.fixed_dictionaries(
    {},
    optional={
        "CampaignId": st.integers(min_value=-(10**30), max_value=10**30),
        "Payout": st.decimals(allow_nan=False, allow_infinity=False, places=2),
        "Amount": st.decimals(allow_nan=False, allow_infinity=False),
        "SubId1": st.text(),
        "EventDate": st.datetimes(timezones=st.none() | st.just(UTC) | offsets),
        "items": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "sku": st.text(max_size=4),
                    "amt": st.decimals(allow_nan=False, allow_infinity=False),
                },
            ),
            max_size=3,
        ),
    },
)


def json_text(value: Any) -> str:
    """JSON with Decimals written as JSON numbers, exactly as ``str()`` writes them."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(v) for v in value) + "]"
    if isinstance(value, Decimal):
        text = str(value)
        return (
            text
            if text[0].isdigit() or (text[0] == "-" and text[1:2].isdigit())
            else json.dumps(text)
        )
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    return json.dumps(value)


@given(records)
def test_from_json_reads_what_from_dict_reads(record: dict[str, Any]) -> None:
    text = json_text(record)
    action = Action.from_json(text)
    assert action == Action.from_dict(record)
    # the scale of every decimal survives the trip through JSON numbers
    assert action.to_dict() == Action.from_dict(record).to_dict()


def test_the_cli_renders_what_from_json_reads(tmp_path: Path) -> None:
    record = tmp_path / "r.json"
    record.write_text(
        '{"Payout": 12.50, "Amount": 125.00, "SubId1": "a&b", "items": [{"amt": 79.50, "qty": 1}]}'
    )
    template_path = ROOT / "examples" / "action-clearing.json"
    result = subprocess.run(
        [sys.executable, "-m", "postback", "render", str(template_path), "--record", str(record)],
        capture_output=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    template = postback.compile(template_path.read_text(encoding="utf-8"), "json")
    expected = template.render_bytes(Action.from_json(record.read_text(encoding="utf-8")))
    assert result.stdout == expected
    assert b'"payout": "12.50"' in result.stdout
    assert b'"item_price":79.50' in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "CampaignId": 5,\n  oops\n}',
            "{name}:3:3: invalid JSON in the record: Expecting property name enclosed in double quotes",
        ),
        ("[1, 2]", "{name}: a record must be a JSON object, not an array"),
        (
            '{"Payout": NaN}',
            "{name}: invalid record: Payout: NaN is not valid JSON (JSON numbers are finite, "
            "and so are the numbers postback renders); give a finite number, or null for no value",
        ),
        (
            '{"SubId1": "a", "SubId1": "b"}',
            "{name}: invalid record: SubId1: the key 'SubId1' is given twice in one JSON object",
        ),
        (
            '{"CampaignId": "abc"}',
            "{name}: invalid record: CampaignId: expected an integer, got 'abc' (str)",
        ),
    ],
)
def test_the_cli_reports_bad_records_on_one_line(tmp_path: Path, text: str, message: str) -> None:
    record = tmp_path / "bad.json"
    record.write_text(text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "postback",
            "render",
            str(ROOT / "examples" / "action-clearing.json"),
            "--record",
            str(record),
        ],
        capture_output=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.decode() == f"postback: error: {message.format(name=record)}\n"
