"""Pickles as a process on another postback version would have written them.

Import as ``from pickles import from_other_version`` (``tests/`` is on the import path
through its conftest).
"""

from __future__ import annotations

import pickle

import postback

__all__ = ["from_other_version"]


def from_other_version(blob: bytes) -> tuple[bytes, str]:
    """Return ``blob`` (a pickle of the default protocol) with the postback version
    recorded in it replaced by another one of the same length, and that version.

    The version is recorded once per pickle (pickle writes a repeated string once), and
    a string of the same length keeps the pickle's framing valid.
    """
    current = postback.__version__
    other = current[:-1] + ("1" if current[-1] != "1" else "2")
    needle = pickle.SHORT_BINUNICODE + bytes([len(current)]) + current.encode()
    assert blob.count(needle) == 1, "the pickle records the postback version once"
    return blob.replace(needle, needle[:2] + other.encode()), other
