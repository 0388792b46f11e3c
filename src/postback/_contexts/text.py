"""The ``text`` format: literal substitution of formatted values, no escaping, no checks."""

from __future__ import annotations

from .._compiler.nodes import Hole, Text
from .._problems import Problem
from ._base import Context, Fusion

__all__ = ["FORMAT"]

TEXT = Context("text", None)
"""Every placeholder: the value's text as it is."""


class _TextFormat:
    """A machine with one state: every position is plain text."""

    name = "text"
    content_type: str | None = "text/plain; charset=utf-8"

    def initial(self) -> None:
        return None

    def text(self, state: None, node: Text, start: int = 0) -> None:
        return None

    def hole(self, state: None, node: Hole) -> tuple[None, Context]:
        return None, TEXT

    def loop(self, before: None, after: None) -> str | None:
        return None

    def end(self, state: None, offset: int) -> Problem | None:
        return None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _TextFormat()
