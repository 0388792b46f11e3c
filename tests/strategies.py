"""Hypothesis strategies shared by the tests: hostile text, numbers, dates, records.

Import them as ``from strategies import hostile_text, DECIMALS`` (``tests/`` is on the
import path through its conftest).  Format tests pass the characters that matter to
their format; everything else is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

__all__ = [
    "ANY_CHAR",
    "DATETIMES",
    "DECIMALS",
    "ZONES",
    "hostile_chars",
    "hostile_text",
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
