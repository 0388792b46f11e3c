"""The benchmark's baselines render exactly what postback renders.

``benchmarks/run.py`` compares postback with a hand-written renderer and a Jinja2
template per example (``benchmarks/baselines.py``).  The comparison is honest only if
they produce the same bytes with the same escaping for every record, not just the
sample: these tests keep them equal as the library changes.  The last tests pin which
targets decide the benchmark's exit status.  No test here measures time.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus

import jinja2  # the ``bench`` extra; CI installs it
import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "json": "action-clearing.json",
    "xml": "action-clearing.xml",
    "query": "action-clearing.qs",
    "url": "action-clearing.url",
}
FORMATS = tuple(EXAMPLES)


def _load(name: str) -> ModuleType:
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"postback_benchmark_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


baselines = _load("baselines")
TEMPLATES = {
    fmt: postback.compile((ROOT / "examples" / name).read_text("utf-8"), format=fmt)
    for fmt, name in EXAMPLES.items()
}
JINJA = baselines.jinja_renderers()
JINJA_STDLIB = baselines.jinja_renderers(baselines.jinja_environment(stdlib_filters=True))


def _renderers(fmt: str) -> dict[str, Any]:
    return {
        "hand-written": baselines.HAND_WRITTEN[fmt],
        "jinja2": JINJA[fmt],
        "jinja2 with stdlib filters": JINJA_STDLIB[fmt],
    }


def assert_same(fmt: str, action: postback.Action) -> None:
    expected = TEMPLATES[fmt].render(action)
    for name, render in _renderers(fmt).items():
        got = render(action)
        assert got == expected, f"{name} differs from postback for {fmt}"


def test_jinja_is_jinja2_3() -> None:
    assert jinja2.__version__.startswith("3.")


def test_jinja_environment_preloaded_without_autoescape() -> None:
    env = baselines.jinja_environment()
    assert env.autoescape is False


# ---------------------------------------------------------------------------
# Fixed records
# ---------------------------------------------------------------------------

_SAMPLE = postback.sample_action()
_ITEM = _SAMPLE.items[1]

HOSTILE_STRINGS = [
    "quotes \" and ' and \\ backslash",
    "amp & lt < gt > semicolon; &amp; &#13;",
    "cdata ]]> end ]]]]> and ]]",
    "]leading bracket",
    ">leading gt",
    "trailing bracket]",
    "]",
    "]]",
    "CR\r LF\n CRLF\r\n tab\t",
    "\r",
    "controls \x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x85",
    "lone surrogates \ud800 \udfff \udbff\udc00x",
    "\ud83d",
    "non-characters \ufffe \uffff and U+2028 \u2028 U+2029 \u2029",
    "emoji 🎉🍵 and 東京 and é",
    "form + % = & # ? / ; , ~ . - _ space",
    ".",
    "..",
    "",
    " ",
    "--> <!-- <![CDATA[ x ]]>",
    '</action><x y="1">',
    '{"a": 1}',
    "a" * 300,
]


def _hostile_action(text: str, items: int) -> postback.Action:
    item = postback.Item(
        sku=text,
        amt=Decimal("-0.00"),
        cat=text,
        qty=Decimal("1E+3"),
        cartamt=Decimal("123456789012345678901234567890.000001"),
        rbt=Decimal("1E-7"),
        name=text,
        itemlist=text,
    )
    values: dict[str, Any] = {}
    for spec in postback.FIELDS:
        if spec.type is str:
            values[spec.attribute] = text
        elif spec.type is int:
            values[spec.attribute] = -(2**70)
        elif spec.type is Decimal:
            values[spec.attribute] = Decimal("-12.50")
        else:
            values[spec.attribute] = datetime(2026, 3, 4, 5, 6, 7, 890123)
    return postback.Action(items=(item, _ITEM) * (items // 2) + (item,) * (items % 2), **values)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample(fmt: str) -> None:
    assert_same(fmt, postback.sample_action())


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_missing(fmt: str) -> None:
    assert_same(fmt, postback.Action())


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_with_all_attributes_missing(fmt: str) -> None:
    assert_same(fmt, postback.Action(items=(postback.Item(), postback.Item())))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("items", [0, 1, 5])
@pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_records(fmt: str, items: int, text: str) -> None:
    assert_same(fmt, _hostile_action(text, items))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 1, 2, 3, 4, 5),  # naive: taken to be UTC
        datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=timezone(timedelta(hours=-8))),
        datetime(2026, 1, 2, 23, 59, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_dates(fmt: str, when: datetime) -> None:
    assert_same(
        fmt,
        replace(_SAMPLE, event_date=when, creation_date=when, locking_date=None, cleared_date=when),
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_decimals_are_refused_by_all(fmt: str, bad: str) -> None:
    for action in (
        replace(_SAMPLE, payout=Decimal(bad)),
        replace(_SAMPLE, items=(replace(_ITEM, amt=Decimal(bad), qty=Decimal(bad)),)),
    ):
        with pytest.raises(postback.RenderError):
            TEMPLATES[fmt].render(action)
        for render in _renderers(fmt).values():
            with pytest.raises(ValueError):
                render(action)


def test_json_dumps_reference_is_valid_json_with_the_same_data() -> None:
    import json

    ours = json.loads(TEMPLATES["json"].render(_SAMPLE))
    ref = json.loads(baselines.dumps_json(_SAMPLE))
    assert ref.keys() == ours.keys()
    assert len(ref["items"]) == len(ours["items"]) == 3
    assert ref["campaign_name"] == ours["campaign_name"]


# ---------------------------------------------------------------------------
# Random records
# ---------------------------------------------------------------------------

_SPECIAL = list(
    "&<>\"'\\]\r\n\t\x00\x01\x1f\x7f\ud800\udbff\udc00\udfff\ufffe\uffff\u2028é東🎉+%=#?/;,~.- "
)
_chars = st.characters(exclude_categories=()) | st.sampled_from(_SPECIAL)
_text = st.text(_chars, max_size=24) | st.sampled_from(HOSTILE_STRINGS)
_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None)
_zones = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=13, minutes=45))]
)
_dates = st.builds(
    lambda d, tz: d.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),
    _zones,
)
_BY_TYPE: dict[type, st.SearchStrategy[Any]] = {
    str: _text,
    int: st.integers(min_value=-(2**64), max_value=2**64),
    Decimal: _decimals,
    datetime: _dates,
}


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


_items = st.builds(
    postback.Item,
    **{spec.attribute: _optional(_BY_TYPE[spec.type]) for spec in postback.ITEM_FIELDS},
)
_actions = st.builds(
    postback.Action,
    items=st.lists(_items, max_size=5).map(tuple),
    **{spec.attribute: _optional(_BY_TYPE[spec.type]) for spec in postback.FIELDS},
)


@given(_actions)
def test_random_records(action: postback.Action) -> None:
    for fmt in FORMATS:
        assert_same(fmt, action)


_SURROGATE = re.compile("[\ud800-\udfff]")


@given(st.text(_chars, max_size=40))
def test_form_helper_is_quote_plus(value: str) -> None:
    assert baselines.form(value) == quote_plus(_SURROGATE.sub("\ufffd", value), safe="")


# ---------------------------------------------------------------------------
# The record path: records decoded from JSON text, and non-ASCII text
# ---------------------------------------------------------------------------

JINJA_RECORDS = baselines.jinja_environment(record_filters=True)


def assert_same_from_record(fmt: str, action: postback.Action) -> None:
    import json

    data = json.loads(json.dumps(action.to_dict(), ensure_ascii=False))
    expected = TEMPLATES[fmt].render(action)
    assert TEMPLATES[fmt].render(data) == expected
    assert baselines.HAND_WRITTEN[fmt](baselines.hand_record(data)) == expected
    assert JINJA[fmt](baselines.hand_record(data)) == expected
    jinja = JINJA_RECORDS.from_string(baselines.JINJA_RECORD_SOURCES[fmt])
    assert jinja.render(a=data) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_records_decoded_from_json(fmt: str) -> None:
    assert_same_from_record(fmt, postback.sample_action())
    assert_same_from_record(fmt, _hostile_action("a\"b<c>&'d\\ 東京 \ud800", 3))


@given(_actions)
def test_random_records_decoded_from_json(action: postback.Action) -> None:
    for fmt in FORMATS:
        assert_same_from_record(fmt, action)


def test_the_non_ascii_sample_renders_the_same_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # records.py imports its siblings
    records = _load("records")
    action = records.non_ascii_action()
    strings = [getattr(action, s.attribute) for s in postback.FIELDS if s.type is str]
    assert all("東京" in text for text in strings)
    for fmt in FORMATS:
        assert_same(fmt, action)


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


def test_the_seed_templates_targets_and_only_they_gate() -> None:
    targets = _load("targets")
    gating = {t.metric: (t.kind, t.limit) for t in targets.TARGETS if t.gates}
    assert gating == {
        "render.json": ("max", 1.1),
        "compile.json": ("max", 0.005),
        "import": ("max", 0.060),
        "linearity": ("max", 1.5),
        "template_size": ("max", 50 * 1024),
        "peak": ("max", 3.0),
        "bulk.render_many": ("max", 1.3),
        "mapping.json": ("max", 1.6),
        "from_dict": ("max", 3.0),
        "nonascii.json": ("max", 1.1),
        "parse.json": ("max", 2.0),
        "cold.import": ("max", 0.8),
        "cold.first_render": ("max", 1.0),
        "cold.check": ("max", 5.0),
    }
    reported = {t.metric for t in targets.TARGETS if not t.gates}
    assert {"jinja.json", "render.xml", "compile.url", "e2e.json", "mapping.url"} <= reported
    assert "bulk.cli" in reported
    assert len({t.metric for t in targets.TARGETS}) == len(targets.TARGETS)


def test_a_target_is_met_on_its_side_of_the_limit() -> None:
    target = _load("targets").Target
    at_most = target("t", "m", 1.3, "max", True, "x", "")
    at_least = target("t", "m", 4.0, "min", False, "x", "")
    assert at_most.met(1.3) and at_most.met(0.5) and not at_most.met(1.31)
    assert at_least.met(4.0) and at_least.met(9.0) and not at_least.met(3.99)
    assert (at_most.sign, at_least.sign) == ("≤", "≥")


# ---------------------------------------------------------------------------
# Cold start
# ---------------------------------------------------------------------------


def test_the_cold_start_contenders_render_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two first-render processes of measure_cold.py give postback's body, so the
    cold-start comparison compares the same work."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # it imports baselines
    cold = _load("measure_cold")
    runs = cold.contenders()
    env = dict(os.environ)
    postback_body = cold.run(runs["postback: import, first compile, first render"], env)[1]
    jinja_body = cold.run(runs["Jinja2: import, first from_string, first render"], env)[1]
    seed = (ROOT / "examples" / "action-clearing.json").read_text("utf-8")
    assert postback_body == postback.compile(seed).render(postback.sample_action())
    assert jinja_body == postback_body
    check = cold.run(runs["postback check examples/action-clearing.json"], env)[1]
    assert check == "checked 1 file: no problems found\n"
    assert set(cold.RATIOS) == {"cold.first_render", "cold.check", "cold.import"}
