"""The pacer for max_requests (§5): at most N starts in any one-second window, each as early
as possible, checked against an independent brute-force reference."""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from itertools import repeat
from operator import lt, sub
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from postback import ConfigError
from postback._sending.pacer import Pacer

T = TypeVar("T", int, float, Fraction)

# ---------------------------------------------------------------------------
# The reference: a direct reading of the rule, written without the pacer's shortcut.
#
# A new start y breaks the rule (some half-open window [t, t + ONE) would hold more
# than n starts) exactly when n of the earlier starts fit with y in one window, and
# those n can be taken consecutive in sorted order: starts[k:k + n] with every member
# in (y - ONE, y + ONE) and starts[k + n - 1] - starts[k] < ONE.  The same group then
# refuses every y' below starts[k] + ONE, so the search for the earliest acceptable
# time jumps there.  Times are compared exactly: the tests use exact types (int,
# Fraction), or floats where this arithmetic is exact.
# ---------------------------------------------------------------------------


def refusing_group_start(starts: Sequence[T], y: T, n: int, one: T) -> T | None:
    """None if y may start; else the largest starts[k] of a group refusing y."""
    lo = bisect_right(starts, y - one)  # starts[lo:hi] lie in (y - one, y + one)
    hi = bisect_left(starts, y + one)
    if hi - lo < n:
        return None
    spans = list(map(sub, starts[lo + n - 1 : hi], starts[lo : hi - n + 1]))
    if not any(map(lt, spans, repeat(one))):
        return None
    for k in range(len(spans) - 1, -1, -1):  # the last refusing group jumps farthest
        if spans[k] < one:
            return starts[lo + k]
    return None


def reference_reserve(
    starts: list[T], now: T, n: int, one: T, up: Callable[[Any], T] = lambda v: v
) -> T:
    """Earliest x >= now acceptable with ``starts``; record it.  ``up`` rounds a time up
    to the caller's representation (the identity for exact types)."""
    x = now
    while True:
        group_start = refusing_group_start(starts, x, n, one)
        if group_start is None:
            insort(starts, x)
            return x
        x = up(group_start + one)


def windows_ok(starts: Sequence[T], n: int, one: T) -> bool:
    ordered = sorted(starts)
    return all(bisect_left(ordered, p + one) - i <= n for i, p in enumerate(ordered))


def up_to_float(value: Fraction) -> Fraction:
    """The smallest float >= value (as an exact Fraction)."""
    f = float(value)
    if Fraction(f) < value:
        f = math.nextafter(f, math.inf)
    return Fraction(f)


# ---------------------------------------------------------------------------
# Random arrival times
# ---------------------------------------------------------------------------


def arrivals(rng: random.Random, count: int, n: int, start: float) -> list[float]:
    """Non-decreasing times: bursts of equal times, quiet spells, and stretches at random
    rates from well under to well over the limit."""
    times: list[float] = []
    t = start
    while len(times) < count:
        kind = rng.random()
        if kind < 0.1:  # a burst of simultaneous requests
            times.extend([t] * rng.randint(1, 2 * n))
        elif kind < 0.25:  # a quiet spell
            t += rng.uniform(0.0, 3.0)
        else:  # a stretch at a random rate around the limit
            rate = n * rng.uniform(0.2, 1.6)
            for _ in range(rng.randint(1, 2 * n + 5)):
                t += rng.expovariate(rate)
                times.append(t)
    return times[:count]


# Times in [2**14, 2**15): every float there is a multiple of 2**-38, so t + 1, t - 1 and
# differences of nearby times are exact and the reference can compare floats directly.
BASE = 2.0**14


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_float_reservations_match_the_reference(n: int) -> None:
    rng = random.Random(20260203 + n)
    nows = arrivals(rng, 10_000, n, BASE)
    pacer = Pacer(n)
    reference: list[float] = []
    got: list[float] = []
    for now in nows:
        x = pacer.reserve(now)
        assert type(x) is float
        assert x >= now
        assert x == reference_reserve(reference, now, n, 1.0)
        got.append(x)
    assert max(got) < 2.0**15, "keep the test's times inside one binade"
    assert windows_ok(got, n, 1.0)
    # The limit was reached: some window is full, and some requests were delayed.
    assert any(x > now for x, now in zip(got, nows, strict=True))


@pytest.mark.parametrize("n", [1, 3, 10])
def test_float_reservations_near_zero_are_exact(n: int) -> None:
    # Near 0, t + 1.0 rounds (0.1 + 1.0 < 1.1 exactly); the pacer must still leave a
    # full second, so the reference works in exact fractions and rounds up to a float.
    rng = random.Random(7 * n)
    nows: list[float] = []
    for t in arrivals(rng, 2000, n, 0.0):
        t = round(t, rng.randint(1, 4))  # decimal fractions: 0.1, 2.35, ...
        nows.append(max(t, nows[-1]) if nows else t)
    pacer = Pacer(n)
    reference: list[Fraction] = []
    got: list[float] = []
    for now in nows:
        x = pacer.reserve(now)
        expected = reference_reserve(reference, Fraction(now), n, Fraction(1), up_to_float)
        assert x == expected
        got.append(x)
    assert windows_ok([Fraction(x) for x in got], n, Fraction(1))


def test_rounding_case_leaves_a_full_second() -> None:
    pacer = Pacer(1)
    assert pacer.reserve(0.1) == 0.1
    x = pacer.reserve(0.1)
    assert Fraction(x) - Fraction(0.1) >= 1
    assert Fraction(math.nextafter(x, 0.0)) - Fraction(0.1) < 1


def test_aware_datetime_reservations_match_the_reference() -> None:
    n = 10
    rng = random.Random(99)
    tz = ZoneInfo("America/New_York")
    # Across the end of daylight saving time, when wall clocks repeat an hour.
    origin = datetime(2026, 11, 1, 5, 59, 0, tzinfo=UTC)
    micros = [round(t * 1_000_000) for t in arrivals(rng, 3000, n, 0.0)]
    pacer = Pacer(n)
    reference: list[int] = []
    for i, us in enumerate(micros):
        now = (origin + timedelta(microseconds=us)).astimezone(tz if i % 3 else UTC)
        x = pacer.reserve(now)
        assert isinstance(x, datetime)
        assert x.tzinfo is now.tzinfo
        # Compare instants: == and >= between times of one ZoneInfo zone compare wall
        # clocks, which repeat an hour here.
        expected = reference_reserve(reference, us, n, 1_000_000)
        assert x.astimezone(UTC) == origin + timedelta(microseconds=expected)
        assert x.astimezone(UTC) >= now.astimezone(UTC)
    assert windows_ok(reference, n, 1_000_000)


def test_naive_datetime_reservations() -> None:
    pacer = Pacer(2)
    t0 = datetime(2026, 1, 1, 12, 0, 0)
    assert [pacer.reserve(t0) for _ in range(5)] == [
        t0,
        t0,
        t0 + timedelta(seconds=1),
        t0 + timedelta(seconds=1),
        t0 + timedelta(seconds=2),
    ]
    later = t0 + timedelta(seconds=10, microseconds=5)
    assert pacer.reserve(later) == later


def test_fixed_offset_datetime_answer_is_in_the_callers_zone() -> None:
    pacer = Pacer(1)
    plus2 = timezone(timedelta(hours=2))
    first = pacer.reserve(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    second = pacer.reserve(datetime(2026, 1, 1, 14, 0, tzinfo=plus2))
    assert second.tzinfo is plus2
    assert second - first == timedelta(seconds=1)


def test_no_limit_returns_now() -> None:
    pacer = Pacer(None)
    assert pacer.max_requests is None
    assert [pacer.reserve(5.0) for _ in range(1000)] == [5.0] * 1000
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert Pacer().reserve(t) == t


def test_int_seconds_give_float_answers() -> None:
    pacer = Pacer(1)
    assert pacer.reserve(3) == 3.0
    x = pacer.reserve(3)
    assert x == 4.0
    assert type(x) is float


def test_earlier_now_is_served_in_order() -> None:
    pacer = Pacer(2)
    assert pacer.reserve(10.0) == 10.0
    assert pacer.reserve(5.0) == 10.0  # granted in call order, never before the last start
    assert pacer.reserve(5.0) == 11.0


def test_window_is_half_open() -> None:
    pacer = Pacer(3)
    assert [pacer.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert pacer.reserve(1.5) == 1.5
    assert pacer.reserve(1.5) == 1.5
    assert pacer.reserve(1.5) == 2.0  # [1.0, 2.0) already holds 1.0, 1.5, 1.5


@pytest.mark.parametrize("bad", [0, -1, True, False, 1.5, "3", 2.0])
def test_invalid_max_requests(bad: object) -> None:
    with pytest.raises(ConfigError) as info:
        Pacer(bad)  # type: ignore[arg-type]
    assert info.value.setting == "max_requests"


def test_invalid_times() -> None:
    pacer = Pacer(2)
    with pytest.raises(TypeError):
        pacer.reserve("0")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        pacer.reserve(True)
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            pacer.reserve(bad)
    pacer.reserve(1.0)
    with pytest.raises(TypeError):
        pacer.reserve(datetime(2026, 1, 1, tzinfo=UTC))
    aware = Pacer(2)
    aware.reserve(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(TypeError):
        aware.reserve(datetime(2026, 1, 1))


def test_repr() -> None:
    assert repr(Pacer(5)) == "Pacer(max_requests=5)"
