"""The refusals of record values: the ``RecordError`` of a value that is not what its
field expects, and the checks of a record's shape (a mapping, keyed by strings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import RecordError
from .._messages import describe_value

__all__ = ["expected_error", "require_mapping", "require_str_key"]


def expected_error(label: str, expected: str, value: object) -> RecordError:
    """Return the error for ``value`` at ``label``, which should have been ``expected``."""
    return RecordError(f"{label}: expected {expected}, got {describe_value(value)}", field=label)


def require_mapping(mapping: object, label: str | None) -> Mapping[Any, Any]:
    """Return ``mapping`` if it is a mapping; else raise ``RecordError`` naming ``label``."""
    if not isinstance(mapping, Mapping):
        where = f"{label}: " if label else ""
        raise RecordError(
            f"{where}expected a mapping of field names to values, got {describe_value(mapping)}",
            field=label,
        )
    return mapping


def require_str_key(key: object, prefix: str) -> str:
    """Return ``key`` if it is a string; else raise ``RecordError`` naming ``prefix`` + key."""
    if not isinstance(key, str):
        label = f"{prefix}{key!s}"
        raise RecordError(
            f"{label}: field names must be strings, got {describe_value(key)}", field=label
        )
    return key
