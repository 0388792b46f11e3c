"""The ``Diagnostic`` record: one defect of a template, as ``postback.check`` reports it.

It is loaded with the first diagnostic made (``postback.Diagnostic`` loads it too): a
check that finds nothing loads neither it nor ``dataclasses``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Diagnostic", "Severity"]

#: How grave a defect is.
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One defect found in a template by ``postback.check``.

    ``code`` is a stable kebab-case id (``unknown-field``, ``malformed-placeholder``,
    ``invalid-json``, ...).  Lines and columns are 1-based and count characters;
    ``end_column`` is exclusive.
    """

    severity: Severity
    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    suggestion: str | None = None
