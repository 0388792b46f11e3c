"""Hypothesis strategies shared by the tests: hostile text, numbers, dates, records.

Import them as ``from strategies import hostile_text, DECIMALS`` (``tests/`` is on the
import path through its conftest).  Format tests pass the characters that matter to
their format; everything else is the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

__all__ = [
    "ANY_CHAR",
    "DATETIMES",
    "DECIMALS",
    "HUGE_INTS",
    "NUMBERS",
    "SETTING_VALUES",
    "ZONES",
    "hostile_chars",
    "hostile_text",
    "toml_documents",
]

ANY_CHAR = st.characters(codec=None, exclude_categories=())
"""Every code point: control characters, unassigned ones and lone surrogates included."""

DECIMALS = st.decimals(allow_nan=False, allow_infinity=False)
"""Finite decimals of any size and scale."""

ZONES = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]
)
"""Naive, UTC and two fixed offsets (one with minutes)."""

DATETIMES = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=ZONES
)
"""Dates far enough from the ends of ``datetime`` for every zone conversion."""


def hostile_chars(special: str) -> st.SearchStrategy[str]:
    """Characters drawn from all of Unicode, lone surrogates, ASCII and ``special``."""
    return st.one_of(
        ANY_CHAR,
        st.characters(categories=["Cs"]),  # lone surrogates
        st.characters(max_codepoint=0x7F),
        st.sampled_from(special),
    )


def hostile_text(special: str, samples: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Text of ``hostile_chars(special)``, the fixed ``samples``, and long repetitions.

    The repetitions (a short text a hundred to a thousand times) reach the escapers'
    paths for long values.
    """
    chars = hostile_chars(special)
    parts = [
        st.text(chars),
        st.builds(
            lambda s, n: s * n, st.text(chars, min_size=1, max_size=8), st.integers(100, 1000)
        ),
    ]
    if samples:
        parts.insert(1, st.sampled_from(list(samples)))
    return st.one_of(*parts)


HUGE_INTS = st.one_of(
    st.integers(),
    st.integers(0, 6000).map(lambda k: 10**k),
    st.integers(0, 6000).map(lambda k: 1 - 10**k),
)
"""Ints of any size: from Hypothesis, and powers of ten of up to 6,001 digits, beyond
every bound postback has and Python's 4,300-digit limit on writing an int."""

NUMBERS = st.one_of(
    HUGE_INTS,
    st.floats(),
    st.decimals(),  # NaN, signaling NaN and infinities too
    st.builds(
        lambda m, e: Decimal(f"{m}E{e}"), st.integers(-999, 999), st.integers(-(10**17), 10**17)
    ),
)
"""Numbers of every Python type a setting may take, of any size, sign and exponent."""

SETTING_VALUES: st.SearchStrategy[object] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        NUMBERS,
        hostile_text("\x00{}\\\"':/"),
        st.binary(max_size=4),
        st.timedeltas(),
        st.integers(0, 2000).map(lambda n: [[]] if n == 0 else [_nested(n)]),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
"""Any value a settings mapping may hold: numbers, hostile text, lists nested deep."""


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


_NESTING = st.integers(0, 3000)
_TOML_VALUES = st.one_of(
    st.sampled_from(
        [
            '"https://e.com/{ActionId}"',
            '"POST"',
            '"json"',
            '\'{"id": "{ActionId}"}\'',
            '"a\\u0000b"',
            '"\\ud800"',
            "30",
            "1.5",
            "0x" + "f" * 5000,
            "true",
            '["X-A: 1"]',
            '{ X-A = "1" }',
            "1979-05-27T07:32:00Z",
        ]
    ),
    hostile_text("\x00{}[]\\\"'#=").map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.integers().map(str),
    st.integers(1, 6000).map(lambda k: "-" * (k % 2) + "9" * k),
    st.builds(lambda m, e: f"{m}.5e{e}", st.integers(-9, 9), st.integers(-(10**30), 10**30)),
    _NESTING.map(lambda n: "[" * n + "1" + "]" * n),
    _NESTING.map(lambda n: "{ a = " * n + "1" + " }" * n),
    _NESTING.map(lambda n: "[{ a = " * n + "1" + " }]" * n),
    _NESTING.map(lambda n: "[" * n),
)


def toml_documents(keys: Sequence[str]) -> st.SearchStrategy[str]:
    """TOML text, valid or not: lines setting ``keys`` (and others) to every kind of
    value (hostile strings and escapes, NUL and lone surrogates, integers of thousands of
    digits, far exponents, arrays and inline tables nested thousands deep), table
    headers and junk; about half of them start with a url."""
    line = st.one_of(
        st.builds(
            lambda key, value: f"{key} = {value}",
            st.sampled_from(list(keys)) | st.text("abcXYZ-_019", min_size=1, max_size=6),
            _TOML_VALUES,
        ),
        st.sampled_from(["[headers]", "[[x]]", "[tool.postback]", "[formats]", "", "# a comment"]),
        hostile_text("[]{}=\"'#\n\\"),
    )
    start = st.sampled_from(
        ["", 'url = "https://e.com/{ActionId}"\n', 'url = "https://e.com/"\nmethod = "POST"\n']
    )
    return st.builds(lambda head, lines: head + "\n".join(lines), start, st.lists(line, max_size=6))
