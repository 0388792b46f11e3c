"""Tests for reading records: the value converters' fast paths, ``render(mapping)``
against ``Action.from_dict``, unknown keys, and the field of render errors."""

from __future__ import annotations

import ast
import contextlib
import pickle
import re
import traceback
import types
from datetime import UTC, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from dateutil import parser as dateparser
from dateutil import tz as datetz
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item, RecordError, RenderError
from postback._records.catalog import FIELDS, ITEM_FIELDS
from postback._records.convert import CONVERTERS

# ---------------------------------------------------------------------------
# The converters against the slow paths they replace
# ---------------------------------------------------------------------------

# The decimal syntax records accept, as the converter checked it before it had a
# fast path: a regular expression, then Decimal().
_DECIMAL_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|s?nan[0-9]*)",
    re.IGNORECASE,
)


def reference_decimal(text: str) -> Decimal | None:
    """The decimal a string stands for, or None when records refuse it."""
    stripped = text.strip()
    if not _DECIMAL_RE.fullmatch(stripped):
        return None
    try:
        result = Decimal(stripped)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    if result.is_snan():
        return None
    if result.is_finite():
        exponent = result.as_tuple().exponent
        assert isinstance(exponent, int)
        if max(result.adjusted(), 0) + max(-exponent, 0) + 1 > 1000:
            return None
    return result


DECIMAL_CHARS = "0123456789.eE+-_ \t\n\x1c\xa0\u2003\u0661\uff11naifINFsty"
decimal_texts = st.one_of(
    st.text(DECIMAL_CHARS, max_size=12),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\s?[+-]?[0-9]{0,400}\.?[0-9]{0,400}([eE][+-]?[0-9]{1,4})?\s?", fullmatch=True),
)


@given(decimal_texts)
def test_decimal_strings_convert_as_the_reference_says(text: str) -> None:
    convert = CONVERTERS[Decimal]
    expected = reference_decimal(text)
    if expected is None:
        with pytest.raises(RecordError) as info:
            convert(text, "Payout")
        assert info.value.field == "Payout"
        assert str(info.value).startswith("Payout: expected a decimal number")
    else:
        got = convert(text, "Payout")
        assert type(got) is Decimal
        assert got.as_tuple() == expected.as_tuple() or (got.is_nan() and expected.is_nan())


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.just(Decimal("1" * 1200)))
def test_decimal_objects_are_bounded_like_strings(value: Decimal) -> None:
    expected = reference_decimal(str(value))
    if expected is None:
        with pytest.raises(RecordError):
            CONVERTERS[Decimal](value, "Payout")
    else:
        assert CONVERTERS[Decimal](value, "Payout") is value


def reference_datetime(text: str) -> datetime | None:
    """The date a string stands for as dateutil's isoparse reads it, else as the
    standard library does (offsets with seconds), else None."""
    stripped = text.strip()
    result: datetime | None = None
    with contextlib.suppress(ValueError, OverflowError):
        result = dateparser.isoparse(stripped)
    if result is None:
        with contextlib.suppress(ValueError):
            result = datetime.fromisoformat(stripped)
    if result is not None and isinstance(result.tzinfo, datetz.tzutc | datetz.tzoffset):
        offset = result.utcoffset()
        assert offset is not None
        result = result.replace(tzinfo=UTC if not offset else timezone(offset))
    return result


def two(values: list[int]) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{v:02d}" for v in values])


YEARS = st.sampled_from(["0001", "1970", "2026", "2024", "9999", "0000"])
MONTHS, DAYS = two([0, 1, 2, 12, 13]), two([0, 1, 28, 29, 30, 31, 32])
HOURS, MINUTES = two([0, 3, 23, 24, 25]), two([0, 4, 59, 60])
FRACTION = st.tuples(st.sampled_from(".,"), st.text("0123456789", max_size=10)).map("".join)
DATES = st.one_of(
    st.tuples(YEARS, MONTHS, DAYS).map("-".join),
    st.tuples(YEARS, MONTHS, DAYS).map("".join),
    st.tuples(
        YEARS, st.sampled_from(["-W01", "W01", "-W53", "-W54"]), st.sampled_from(["", "-1", "7"])
    ).map("".join),
    st.tuples(YEARS, st.sampled_from(["-001", "-366", "002"])).map("".join),
    st.tuples(YEARS, MONTHS).map("-".join),
    YEARS,
)
TIMES = st.one_of(
    HOURS,
    st.tuples(HOURS, MINUTES).map(":".join),
    st.tuples(HOURS, MINUTES).map("".join),
    st.tuples(HOURS, MINUTES, two([0, 5, 59, 60])).map(":".join),
    st.tuples(HOURS, MINUTES, two([0, 5, 59, 60])).map("".join),
    st.tuples(st.tuples(HOURS, MINUTES, two([5])).map(":".join), FRACTION).map("".join),
    st.tuples(st.tuples(HOURS, MINUTES).map(":".join), FRACTION).map("".join),
)
OFFSETS = st.one_of(
    st.sampled_from(["", "Z", "z", " Z"]),
    st.tuples(
        st.sampled_from(["+", "-", " +"]),
        HOURS,
        st.sampled_from(["", ":00", "30", ":30", ":59", ":30:15", ":30:15.5", ":60"]),
    ).map("".join),
)
ISO_TEXTS = st.one_of(
    DATES,
    st.tuples(
        DATES, st.sampled_from(["T", "t", " ", "\t", "\n", "X", "_", "é"]), TIMES, OFFSETS
    ).map("".join),
    st.tuples(st.sampled_from(["", " ", "\t"]), DATES, st.sampled_from(["", " "])).map("".join),
)


@settings(max_examples=2000)
@given(ISO_TEXTS)
def test_iso_dates_read_as_isoparse_reads_them(text: str) -> None:
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2})?", text.strip()):
        # A year, or a year and month: isoparse completes them with January and the
        # 1st, and a record's date must give the day.
        with pytest.raises(RecordError, match="expected a date with year, month and day"):
            CONVERTERS[datetime](text, "EventDate")
        return
    expected = reference_datetime(text)
    if expected is None:
        return  # the general parser's turn: not a fast-path question
    got = CONVERTERS[datetime](text, "EventDate")
    assert type(got) is datetime
    assert got.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert got.utcoffset() == expected.utcoffset()
    assert type(got.tzinfo) is type(expected.tzinfo)


# ---------------------------------------------------------------------------
# Digit strings are bounded like int objects
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9" * 1001, "-" + "9" * 1001, "9" * 2000, "1" + "0" * 1000])
def test_digit_strings_over_a_thousand_digits_are_refused(text: str) -> None:
    expected = "CampaignId: expected an integer of at most 1000 digits, got '"
    for build in (
        lambda: Action(campaign_id=text),
        lambda: Action.from_dict({"CampaignId": text}),
        lambda: postback.compile("{CampaignId}", "text").render({"CampaignId": text}),
    ):
        with pytest.raises(RecordError) as info:
            build()
        assert info.value.field == "CampaignId"
        assert str(info.value).startswith(expected)
    # an int object of as many digits is refused with the same words
    with pytest.raises(RecordError) as info:
        Action(campaign_id=int(text))
    assert str(info.value).startswith("CampaignId: expected an integer of at most 1000 digits")


@pytest.mark.parametrize(
    "text", ["1e1000000000000000000", "-1E-" + "9" * 30, "  5e1000000  ", "1e" + "9" * 300]
)
def test_decimal_strings_with_far_exponents_are_refused_on_every_path(text: str) -> None:
    """Through the reader's fast path too (a short string goes to Decimal() first, which
    refuses an exponent beyond about 10**18): the converter counts the text and words
    the error as ``from_dict`` does."""
    expected = "Payout: expected a decimal number of at most 1000 digits in fixed-point, got "
    for build in (
        lambda: Action.from_dict({"Payout": text}),
        lambda: Action.from_dict({"items": [{"amt": text}]}),
        lambda: postback.compile("{Payout}", "text").render({"Payout": text}),
        lambda: postback.compile('{join(items, i, "{i.amt}")}', "text").render(
            {"items": [{"amt": text}]}
        ),
    ):
        with pytest.raises(RecordError) as info:
            build()
        assert info.value.field in ("Payout", "items[0].amt")
        assert str(info.value).startswith(expected.replace("Payout", info.value.field or ""))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9" * 1000, 10**1000 - 1),
        ("-" + "9" * 1000, -(10**1000) + 1),
        ("0" * 5000 + "12", 12),
        ("-" + "0" * 5000 + "12", -12),
        ("+" + "0" * 1200, 0),
    ],
)
def test_long_digit_strings_with_few_digits_of_value_are_kept(text: str, value: int) -> None:
    assert Action(ad_id=text).ad_id == value
    assert Action.from_dict({"AdId": text}).ad_id == value


# ---------------------------------------------------------------------------
# render(mapping) reads what the template uses, as from_dict reads everything
# ---------------------------------------------------------------------------

TEMPLATES = [
    postback.compile(
        '{"p": "{Payout}", "c": {CampaignId}, "d": "{EventDate}", "x": "{X}",'
        ' "i": [{join(items, i, "[{i.sku},{i.amt}]")}]}',
        "json",
        extra_fields=["X"],
    ),
    postback.compile("{CampaignName}|{SubId1}|{ClearedDate}", "text"),
    postback.compile(
        "<r a='{Amount}'>{join(items, i, \"<i q='{i.qty}'>{i.name}</i>\")}</r>", "xml"
    ),
    postback.compile("a={ActionId}&b={Y}", "query", extra_fields=["Y"], unknown_keys="ignore"),
    postback.compile("https://h.example/{SubId2}?t={EventDate}", "url", unknown_keys="extra"),
    postback.compile('{"n": "{Status}"}', "json", missing="error"),
    # Decimals everywhere a dict's canonical decimal text may be written as it is.
    postback.compile(
        '{"p": {Payout}, "q": "{DeltaPayout}", "i": [{join(items, i, "{i.amt}", ",")}]}', "json"
    ),
    postback.compile(
        '{"p": {Payout}, "i": "{join(items, i, "{i.qty}")}"}', "json", missing="error"
    ),
    postback.compile(
        "<r a='{Amount}' b=\"{DeltaAmount}\">{Payout}{join(items, i, \"<i q='{i.rbt}'/>\")}</r>",
        "xml",
    ),
    postback.compile('a={Amount}&b={join(items, i, "{i.cartamt}", "-")}', "query"),
    postback.compile("https://h.example/{Payout}/x?a={Amount}#{IntendedAmount}", "url"),
    postback.compile("{Payout} {Amount}", "header", missing="error"),
    postback.compile('{Payout}|{join(items, i, "{i.amt};{i.qty}")}', "text", date_format="unix"),
]

KEYS = [
    *(f.name for f in FIELDS),
    *(f.attribute for f in FIELDS[::3]),
    "items",
    "X",
    "Y",
    "Foo",
    "extra",
    "sku",
    "payout ",
]
VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**3), max_value=10**3),
    st.sampled_from(
        [
            "12.50",
            "-0.00",
            "1e999999",
            "NaN",
            "sNaN",
            "abc",
            "2026-01-02T03:04:05-08:00",
            "Jan 2 2026 3:04 PM",
            "2026-13-01",
            "x&<y>\"'",
            "9" * 1001,
            "",
            " 7 ",
            # decimal text in canonical form and near it
            "0",
            "-0",
            "7",
            "-1.25",
            "0.000000001",
            "12345678901234567890.123456789",
            "007",
            "1.",
            ".5",
            "+1.5",
            "1_0",
            "١٢",
            "1e3",
            "-",
            "1.2.3",
            "9" * 101,
            "1." + "9" * 101,
        ]
    ),
    st.from_regex(r"-?(0|[1-9][0-9]{0,120})(\.[0-9]{1,120})?", fullmatch=True),
    st.decimals(allow_nan=True, places=2),
    st.booleans(),
    st.floats(allow_nan=True),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.text(max_size=5),
)
ITEM_KEYS = [*(f.name for f in ITEM_FIELDS), "skuu", "Sku"]
ITEMS = st.one_of(
    st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(ITEM_KEYS), VALUES, max_size=4),
            st.builds(Item, sku=st.none() | st.text(max_size=3)),
            st.integers(),
        ),
        max_size=3,
    ),
    st.tuples(st.dictionaries(st.sampled_from(ITEM_KEYS), VALUES, max_size=2)),
    st.text(max_size=2),
    st.none(),
)
RECORDS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8).flatmap(
    lambda record: st.one_of(st.just(record), ITEMS.map(lambda items: {**record, "items": items}))
)


KEY_ERRORS = (
    ": unknown field ",
    ": given twice, as ",
    "field names must be strings",
    ": unknown item attribute ",
    "expected a mapping of field names",
)


def concerns_used(template: postback.Template, error: tuple[str, str | None]) -> bool:
    """Whether a from_dict error is about a key, or a value ``template`` reads."""
    message, field = error
    item = field is not None and re.match(r"items\[\d+\]", field) is not None
    if any(words in message for words in KEY_ERRORS):
        return not item or "items" in template.fields
    if not item:
        return field in template.fields
    if "items" not in template.fields:
        return False
    match = re.fullmatch(r"items\[\d+\]\.(\w+)", field or "")
    return match is None or "{i." + match.group(1) + "}" in template.source


def outcome(call: Any) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except RecordError as exc:
        return ("record", (str(exc), exc.field))
    except RenderError as exc:
        return ("render", (str(exc), exc.field))


@settings(max_examples=1500)
@given(RECORDS)
def test_render_mapping_matches_render_of_from_dict(record: dict[str, Any]) -> None:
    for template in TEMPLATES:
        direct = outcome(lambda t=template: t.render(record))
        via = outcome(
            lambda t=template: t.render(
                Action.from_dict(record, extra=t.extra_fields, unknown_keys=t.unknown_keys)
            )
        )
        if via[0] == "record" and not concerns_used(template, via[1]):
            # from_dict refused a value the template never reads: render(mapping)
            # does not convert it, so it renders or fails on a value it does read.
            assert direct[0] != "record" or concerns_used(template, direct[1])
            continue
        assert direct == via, template.source
        if direct[0] == "render":
            assert direct[1][1] is not None, direct  # every render error names its field


def test_values_of_unused_fields_are_not_converted() -> None:
    template = postback.compile("{CampaignId}", "text")
    record = {"CampaignId": "7", "Payout": "not a number", "items": "not a list"}
    assert template.render(record) == "7"
    with pytest.raises(RecordError, match="Payout: expected a decimal number"):
        Action.from_dict(record)
    # keys are still checked, used or not
    with pytest.raises(RecordError) as info:
        template.render({"CampaignId": 1, "campaign_id": 1})
    assert str(info.value) == "CampaignId: given twice, as 'CampaignId' and 'campaign_id'"
    with pytest.raises(RecordError, match=r"^Payot: unknown field 'Payot'; did you mean 'Payout'"):
        template.render({"Payot": "1"})


def test_the_reader_is_built_once_and_the_template_still_pickles() -> None:
    template = postback.compile('{"a": "{Payout}", "b": "{Z}"}', extra_fields=["Z"])
    assert template.render({"Payout": "1.50", "Z": "z"}) == '{"a": "1.50", "b": "z"}'
    dicts = template._mapping  # a dict's reader and render function
    assert dicts is not None
    template.render({"Payout": "2"})
    assert template._mapping is dicts
    assert template.reader_code == template.reader_code  # the other mappings' reader
    reader = template._reader
    template.render(types.MappingProxyType({"Payout": "2"}))
    assert reader is not None and template._reader is reader
    again = pickle.loads(pickle.dumps(template))
    assert again == template
    assert again.render({"payout": "3.10", "Z": 4}) == '{"a": "3.10", "b": "4"}'


def _nested_function(code: types.CodeType, name: str) -> types.CodeType:
    """Return the code of the function ``name`` defined in ``code``, at any depth."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            with contextlib.suppress(LookupError):
                return _nested_function(const, name)
    raise LookupError(name)


def test_reader_code_is_the_reader_that_runs_for_a_join_and_extra_fields() -> None:
    """``Template.reader_code`` shows the code ``render(mapping)`` runs: for a template
    with a join and extra fields, the text compiles to the very function that reads
    its records, converting only the values the template uses."""
    template = postback.compile(
        '{"p": "{Payout}", "z": {Zone}, "skus": [{join(items, i, "\\"{i.sku}\\"")}]}',
        extra_fields=["Zone", "Other"],
    )
    code = template.reader_code
    assert template._reader is not None  # showing the code made the reader
    assert template.render({"Payout": "1.50", "Zone": 3, "items": [{"sku": "a"}]}) == (
        '{"p": "1.50", "z": 3, "skus": ["a"]}'
    )
    assert template.reader_code is code
    shown = compile(code, "<postback record reader>", "exec")
    assert _nested_function(shown, "read") == template._reader.__code__
    # Only the template's own fields and item attributes are read, and its extra fields.
    assert re.findall(r"\bg\('(\w+)'\)", code) == ["Payout", "items", "sku"]
    assert "'Zone' in m" in code and "'Other' in m" in code
    assert "_read_items" in code
    assert not re.search(r"\b_b\d", code)


def test_reader_code_without_a_join_reads_no_items() -> None:
    template = postback.compile("{CampaignId}", "text")
    code = template.reader_code
    assert re.findall(r"\bg\('(\w+)'\)", code) == ["CampaignId"]
    assert "_read_items" not in code and "a.extra" not in code
    assert template.render({"CampaignId": "7"}) == "7"
    shown = compile(code, "<postback record reader>", "exec")
    assert _nested_function(shown, "read") == template._reader.__code__  # type: ignore[union-attr]


def test_reader_code_names_what_it_binds() -> None:
    code = postback.compile('{join(items, i, "{i.qty}")}', "text").reader_code
    factory = ast.parse(code).body[0]
    assert isinstance(factory, ast.FunctionDef)
    names = [arg.arg for arg in factory.args.args]
    assert {"_record_keys", "_ITEM_KEYS", "_INT_BOUND", "_KNOWN_KEYS", "_c_Decimal"} <= set(names)
    assert all(re.fullmatch(r"_[A-Za-z][A-Za-z_]*", name) for name in names), names


def test_mappings_of_every_kind_are_read() -> None:
    from collections import OrderedDict
    from types import MappingProxyType

    template = postback.compile('{SubId1}/{Payout}/{join(items, i, "{i.sku}", ",")}', "text")
    expected = "s/1.50/a,b"
    items = [{"sku": "a"}, Item(sku="b")]
    for record in (
        {"SubId1": "s", "Payout": "1.50", "items": items},
        {"sub_id1": "s", "payout": Decimal("1.50"), "items": tuple(items)},
        OrderedDict(SubId1="s", Payout="1.50", items=iter(items)),
        MappingProxyType({"SubId1": "s", "Payout": "1.50", "items": items}),
    ):
        assert template.render(record) == expected


# ---------------------------------------------------------------------------
# Unknown keys: refuse, ignore, or keep as extra fields
# ---------------------------------------------------------------------------

UNKNOWN_HINT = (
    "postback.FIELDS lists the field names; to accept other keys, use "
    "unknown_keys='ignore' (skip them) or unknown_keys='extra' (keep them as extra fields)"
)


def test_unknown_keys_error_is_the_default_and_names_arguments_that_exist() -> None:
    record = {"CampaignId": 1, "Zzqx": 2}
    message = f"Zzqx: unknown field 'Zzqx'; {UNKNOWN_HINT}"
    for call in (
        lambda: Action.from_dict(record),
        lambda: postback.compile("{CampaignId}", "text").render(record),
    ):
        with pytest.raises(RecordError) as info:
            call()
        assert (str(info.value), info.value.field) == (message, "Zzqx")
    # both callers take the argument the hint names
    assert Action.from_dict(record, unknown_keys="ignore") == Action(campaign_id=1)
    assert postback.compile("{CampaignId}", "text", unknown_keys="ignore").render(record) == "1"


def test_unknown_keys_ignore_skips_them_everywhere() -> None:
    record = {"CampaignId": 1, "Zzqx": 2, "extra": {}, "items": [{"sku": "a", "discount": 5}]}
    action = Action.from_dict(record, unknown_keys="ignore")
    assert action == Action(campaign_id=1, items=(Item(sku="a"),))
    assert dict(action.extra) == {}
    template = postback.compile(
        '{CampaignId}{join(items, i, "-{i.sku}")}', "text", unknown_keys="ignore"
    )
    assert template.render(record) == "1-a"
    # known keys are still checked
    with pytest.raises(RecordError, match="given twice"):
        Action.from_dict({"CampaignId": 1, "campaign_id": 2}, unknown_keys="ignore")
    with pytest.raises(RecordError, match="expected an integer"):
        template.render({"CampaignId": "x", "Zzqx": 2})


def test_unknown_keys_extra_keeps_them_as_extra_fields() -> None:
    record = {"CampaignId": 1, "Zzqx": [2], "sku": "s", "items": [{"sku": "a", "discount": 5}]}
    action = Action.from_dict(record, unknown_keys="extra")
    assert dict(action.extra) == {"Zzqx": [2], "sku": "s"}
    assert action.extra["Zzqx"] is record["Zzqx"]
    assert action.items == (Item(sku="a"),)  # an item has no extra fields: dropped
    assert Action.from_dict(action.to_dict(), extra=tuple(action.extra)) == action
    # a template reads the extra fields it declares
    template = postback.compile(
        "{CampaignId}:{Zzqx}", "text", extra_fields=["Zzqx"], unknown_keys="extra"
    )
    assert template.render({"CampaignId": 1, "Zzqx": "z", "Other": 1}) == "1:z"


def test_item_from_dict_takes_unknown_keys() -> None:
    with pytest.raises(RecordError, match="unknown item attribute 'discount'"):
        Item.from_dict({"sku": "a", "discount": 5})
    assert Item.from_dict({"sku": "a", "discount": 5}, unknown_keys="ignore") == Item(sku="a")


@pytest.mark.parametrize("value", ["Error", "", None, "skip"])
def test_unknown_keys_must_be_one_of_three(value: Any) -> None:
    with pytest.raises(ValueError, match="unknown_keys must be 'error', 'ignore' or 'extra'"):
        Action.from_dict({}, unknown_keys=value)
    with pytest.raises(postback.ConfigError) as info:
        postback.compile("x", "text", unknown_keys=value)
    assert info.value.setting == "unknown_keys"
    with pytest.raises(postback.ConfigError):
        postback.check("x", "text", unknown_keys=value)


def test_unknown_keys_is_part_of_the_template_identity() -> None:
    first = postback.compile("{CampaignId}", "text")
    second = postback.compile("{CampaignId}", "text", unknown_keys="ignore")
    assert first != second
    assert (first.unknown_keys, second.unknown_keys) == ("error", "ignore")
    assert postback.compile("{CampaignId}", "text", unknown_keys="ignore") is second


@pytest.mark.parametrize(
    "record",
    [
        {"Payout": "abc"},
        {"Payout": "1e99999999"},
        {"Payout": "sNaN"},
        {"EventDate": "abc"},
        {"items": [{"amt": "x"}]},
        {"items": [{"qty": "1.5x"}]},
    ],
)
@pytest.mark.parametrize("how", ["render", "from_dict", "prepare"])
def test_a_record_error_carries_no_internal_exception(record: dict[str, Any], how: str) -> None:
    """The generated reader called the converter inside the ``except ValueError`` of its
    fast path, so a RecordError came chained to that internal ValueError: "During
    handling of the above exception ..." from ``<postback record reader>``."""
    template = postback.compile('{Payout} {EventDate} {join(items, i, "{i.amt} {i.qty}")}', "text")
    calls = {
        "render": lambda: template.render(record),
        "from_dict": lambda: Action.from_dict(record),
        "prepare": lambda: postback.Notification(
            'https://e.com/?p={Payout}&d={EventDate}&i={join(items, i, "{i.amt}{i.qty}")}'
        ).prepare(record),
    }
    with pytest.raises(RecordError) as info:
        calls[how]()
    err = info.value
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    assert "During handling" not in "".join(traceback.format_exception(err))


# ---------------------------------------------------------------------------
# RenderError.field
# ---------------------------------------------------------------------------


def render_error(template: postback.Template, record: Any) -> RenderError:
    with pytest.raises(RenderError) as info:
        template.render(record)
    return info.value


def test_a_non_finite_decimal_names_its_placeholder() -> None:
    template = postback.compile('{"a": "{Amount}", "p": {Payout}}', "json")
    err = render_error(template, Action(amount=Decimal("1"), payout=Decimal("NaN")))
    assert (str(err), err.field) == ("{Payout}: cannot render the non-finite decimal NaN", "Payout")
    err = render_error(template, {"Amount": "Infinity", "Payout": "NaN"})
    assert (str(err), err.field) == (
        "{Amount}: cannot render the non-finite decimal Infinity",
        "Amount",
    )


@pytest.mark.parametrize("how", ["render", "prepare", "render_many"])
def test_the_text_of_a_render_error_names_its_placeholder(how: str) -> None:
    """A formatter's RenderError had its ``field`` set, but its text, which is what
    logs, the command line and bulk results show, did not name the placeholder."""
    record = {"Payout": "NaN", "EventDate": "2026-01-02T03:04:05Z"}
    text = "{Payout}: cannot render the non-finite decimal NaN"
    if how == "render_many":
        (result,) = postback.compile('{"p": {Payout}}').render_many([record])
        assert result.error is not None
        assert (result.error.message, result.error.field) == (text, "Payout")
        return
    with pytest.raises(RenderError) as info:
        if how == "render":
            postback.compile('{"p": {Payout}}').render(record)
        else:
            postback.Notification("https://e.com/?p={Payout}").prepare(record)
    assert (str(info.value), info.value.message, info.value.field) == (text, text, "Payout")
    assert str(pickle.loads(pickle.dumps(info.value))) == text


def test_an_item_value_names_its_placeholder() -> None:
    template = postback.compile('{join(items, i, "{i.qty}:{i.amt}", ",")}', "text")
    action = Action(
        items=(Item(qty=Decimal(1), amt=Decimal(2)), Item(qty=1, amt=Decimal("-Infinity")))
    )
    err = render_error(template, action)
    assert (err.message, err.field) == (
        "{i.amt}: cannot render the non-finite decimal -Infinity",
        "i.amt",
    )


def test_a_date_out_of_the_timezone_range_names_its_placeholder() -> None:
    template = postback.compile("{EventDate} {ClearedDate}", "text", timezone="Pacific/Kiritimati")
    err = render_error(
        template,
        Action(
            event_date=datetime(2026, 1, 2), cleared_date=datetime(9999, 12, 31, 23, tzinfo=UTC)
        ),
    )
    assert err.field == "ClearedDate"
    assert err.message.startswith(
        "{ClearedDate}: cannot convert the date 9999-12-31T23:00:00+00:00 to the template's "
        "timezone"
    )
    pattern = postback.compile(
        "{EventDate}", "text", date_format="%Y", timezone="Pacific/Kiritimati"
    )
    assert render_error(pattern, {"EventDate": "9999-12-31T23:00:00Z"}).field == "EventDate"


def test_an_extra_field_of_an_unsupported_type_names_its_placeholder() -> None:
    template = postback.compile('{"a": "{A}", "b": "{B}"}', extra_fields=["A", "B"])
    err = render_error(template, {"A": "ok", "B": object()})
    assert err.field == "B"
    assert err.message.startswith("{B}: cannot render a value of type object")
    err = render_error(template, Action(extra={"A": float("nan")}))
    assert err.field == "A"


def test_render_errors_that_named_their_field_still_do() -> None:
    header = postback.compile("{SubId1}", "header")
    assert render_error(header, {"SubId1": "a\r\nb"}).field == "SubId1"
    strict = postback.compile("{SubId1}", "text", missing="error")
    assert render_error(strict, {}).field == "SubId1"
    err = render_error(header, {"SubId1": "a\nb"})
    assert pickle.loads(pickle.dumps(err)).field == "SubId1"


@given(st.from_regex(r"-?(0|[1-9][0-9]{0,120})(\.[0-9]{1,120})?", fullmatch=True))
def test_canonical_decimal_text_is_what_the_writers_write_of_its_decimal(text: str) -> None:
    """A dict's decimal text in canonical form is written as it is (the mapping render
    path, docs/architecture.md): that is ``format(Decimal(text), "f")``, and the reader's
    fast path takes the text whole, so both paths give the same bytes."""
    from postback._records.convert import CANONICAL_DECIMAL, decimal_fast

    if CANONICAL_DECIMAL.fullmatch(text) is None:
        assert len(text) > 100  # the pattern bounds the digits; longer text is converted
        return
    value = decimal_fast(text)
    assert value == Decimal(text) and format(value, "f") == text


def test_a_dict_is_rendered_by_its_own_functions_and_other_mappings_by_the_reader() -> None:
    from types import MappingProxyType

    template = postback.compile('{"p": {Payout}, "i": [{join(items, i, "{i.amt}", ",")}]}')
    record = {"Payout": "12.50", "items": [{"amt": "-0.10"}, {"amt": 3}]}
    expected = '{"p": 12.50, "i": [-0.10,3]}'
    assert template.render(record) == expected
    assert template._mapping is not None and template._reader is None
    assert template.render(MappingProxyType(record)) == expected
    assert template._reader is not None
    assert template.render(Action.from_dict(record)) == expected
