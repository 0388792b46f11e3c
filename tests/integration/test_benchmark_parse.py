"""The reading benchmark's contenders read a body into exactly what ``Template.parse`` reads.

``benchmarks/measure_parse.py`` compares ``parse`` of the seed template's body with a
hand-written floor (``json.loads`` and one conversion per key) and with the mapping path
(``json.loads``, renamed keys, ``Action.from_dict``).  The comparison is honest only if
all three give the same ``Action`` for every record the template writes, not just the
sample.  No test here measures time.
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._compiler.values import decimal_digits
from postback._records.catalog import FIELDS_BY_NAME
from strategies import DATETIMES, DECIMALS, hostile_text

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = postback.compile(
    (ROOT / "examples" / "action-clearing.json").read_text("utf-8"), format="json"
)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))  # measure_parse.py imports its siblings
    try:
        path = ROOT / "benchmarks" / "measure_parse.py"
        spec = importlib.util.spec_from_file_location("postback_benchmark_measure_parse", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def _short(d: Decimal) -> bool:
    return decimal_digits(d) <= 200


_TEXT = st.one_of(st.none(), st.just(""), hostile_text('"\\{}[],: \n\t/'))
_BY_TYPE: dict[type, st.SearchStrategy[object]] = {
    str: _TEXT,
    int: st.one_of(st.none(), st.integers(-(10**20), 10**20)),
    Decimal: st.one_of(st.none(), DECIMALS.filter(_short)),
}
_DATES = st.one_of(st.none(), DATETIMES)
_ITEMS = st.builds(
    Item,
    **{spec.attribute: _BY_TYPE.get(spec.type, _DATES) for spec in postback.ITEM_FIELDS},
)
# Only the fields the seed template writes: parse reads nothing else back.
_ACTIONS = st.builds(
    Action,
    items=st.lists(_ITEMS, max_size=4).map(tuple),
    **{
        FIELDS_BY_NAME[name].attribute: _BY_TYPE.get(FIELDS_BY_NAME[name].type, _DATES)
        for name in TEMPLATE.fields
        if name in FIELDS_BY_NAME
    },
)


def _all_three(bench: ModuleType, body: str) -> Action:
    read = TEMPLATE.parse(body)
    assert bench.hand_parse(body) == read
    assert bench.mapping_parse(body) == read
    assert bench.hand_parse(body.encode()) == read
    return read


def test_the_sample_reads_the_same_three_ways(bench: ModuleType) -> None:
    sample = postback.sample_action()
    read = _all_three(bench, TEMPLATE.render(sample))
    assert (read.campaign_id, read.payout, read.event_date) == (
        sample.campaign_id,
        sample.payout,
        sample.event_date,
    )
    assert read.items == sample.items
    assert read.items[0].amt is not None and str(read.items[0].amt) == "79.50"


def test_an_empty_record_reads_the_same_three_ways(bench: ModuleType) -> None:
    assert _all_three(bench, TEMPLATE.render(Action())) == Action()


@given(_ACTIONS)
def test_any_record_reads_the_same_three_ways(bench: ModuleType, action: Action) -> None:
    _all_three(bench, TEMPLATE.render(action))


def test_the_floor_is_not_parse(bench: ModuleType) -> None:
    """A contender that called ``parse`` itself would compare parse with parse."""
    source = (ROOT / "benchmarks" / "measure_parse.py").read_text("utf-8")
    floor = source.split("def hand_parse", 1)[1].split("\ndef ", 1)[0]
    assert ".parse(" not in floor and "json.loads(body, parse_float=Decimal)" in floor
    body = TEMPLATE.render(postback.sample_action()).replace('"12.50"', '"1.2.3"')
    with pytest.raises(ArithmeticError):
        bench.hand_parse(body)
