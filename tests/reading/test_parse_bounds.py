"""Bounded work when reading bodies: time linear in the body, a plan made once per
template, deep nesting refused without recursion.

Timings on a shared machine are noisy, so the tests compare CPU-time ratios between
sizes (with a factor of 3 over linear growth), each the shortest of a few runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import postback
from postback import Action, Item, ParseError

ROOT = Path(__file__).resolve().parents[2]
SLACK = 3


def cpu_seconds(work: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def cpu_ratio(large: Callable[[], object], small: Callable[[], object], rounds: int) -> float:
    """The shortest CPU time of ``large`` over the shortest of ``small``, the two run in
    turn, so that a change in a shared machine's load touches both alike."""
    best_large = best_small = float("inf")
    for _ in range(rounds):
        best_large = min(best_large, cpu_seconds(large, 1))
        best_small = min(best_small, cpu_seconds(small, 1))
    return best_large / best_small


def items(n: int) -> Action:
    return Action(
        campaign_id=1,
        sub_id1="a,b",
        items=[
            Item(sku=f"S-{k},x", amt=Decimal("1.50"), qty=Decimal(2), name="n & m", cat="c")
            for k in range(n)
        ],
    )


@pytest.mark.parametrize(
    ("example", "fmt"),
    [
        ("action-clearing.json", "json"),
        ("action-clearing.qs", "query"),
        ("action-clearing.xml", "xml"),
    ],
)
def test_parse_time_is_linear_in_the_body(example: str, fmt: str) -> None:
    template = postback.compile(
        (ROOT / "examples" / example).read_text(), format=postback.Format.parse(fmt)
    )
    small, large = template.render(items(1000)), template.render(items(10_000))
    assert template.parse(large).items[-1].sku == "S-9999,x"
    # The shortest of five runs each, large and small in turn: on a machine running two
    # suites side by side a single run's CPU time has been seen to grow by half or more.
    ratio = cpu_ratio(lambda: template.parse(large), lambda: template.parse(small), 5)
    print(
        f"\n{fmt}: {len(large):,} characters read in {ratio:.1f} times the time of {len(small):,}"
    )
    if fmt == "json":
        assert len(large) > 1_000_000
    assert ratio < 10 * SLACK


def test_a_json_body_refused_at_its_end_is_read_in_linear_time() -> None:
    """A body the fast reader declines is read again, in full, to word the error: that
    second reading grows linearly too (1 MB, 10,000 items, against 1,000)."""
    template = postback.compile((ROOT / "examples" / "action-clearing.json").read_text())
    small, large = template.render(items(1000)) + " x", template.render(items(10_000)) + " x"

    def refused(body: str) -> Callable[[], object]:
        def run() -> object:
            with pytest.raises(ParseError, match="expected the end of the text"):
                template.parse(body)
            return None

        return run

    assert len(large) > 1_000_000
    ratio = cpu_seconds(refused(large), 2) / cpu_seconds(refused(small))
    assert ratio < 10 * SLACK


def test_a_long_value_between_frequent_literals_is_read_in_linear_time() -> None:
    template = postback.compile('{"a": "{SubId1}-{SubId2}-{SubId3}x"}')

    def read(n: int) -> Callable[[], object]:
        body = '{"a": "' + "-" * n + '"}'

        def run() -> object:
            with pytest.raises(ParseError, match=r'expected "x" after \{SubId3\}'):
                template.parse(body)
            return None

        return run

    ratio = cpu_seconds(read(100_000), 1) / cpu_seconds(read(10_000))
    assert ratio < 10 * SLACK


def test_the_plan_is_made_once_per_template(monkeypatch: pytest.MonkeyPatch) -> None:
    import postback._reading as reading

    template = postback.compile('{"n": "{SubId1}", "fresh": 1}')
    calls: list[str] = []
    real = reading.front_end

    def counting(*args: object) -> object:
        calls.append("front end")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "front_end", counting)
    for value in ("a", "b", "c"):
        assert template.parse(f'{{"n": "{value}", "fresh": 1}}').sub_id1 == value
    assert calls == ["front end"]


@pytest.mark.parametrize("depth", [513, 100_000])
def test_deep_nesting_is_refused_without_recursion(depth: int) -> None:
    template = postback.compile('{"a": {SubId1}}')
    with pytest.raises(ParseError, match="nested at most 512 levels deep"):
        template.parse('{"a": ' + "[" * depth + "]" * depth + "}")
