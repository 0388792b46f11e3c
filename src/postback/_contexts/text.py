"""The ``text`` format: literal substitution of formatted values, no escaping, no checks."""

from __future__ import annotations

from typing import Any

from .._nodes import Text
from ._base import Binding, HoleNode, ValueFormatters

__all__ = ["FORMAT"]


class _TextFormat:
    """Every position is plain text; values are inserted as formatted."""

    name = "text"
    content_type: str | None = "text/plain; charset=utf-8"

    def initial(self) -> None:
        return None

    def text(self, state: None, value: str, node: Text) -> None:
        return None

    def hole(self, state: None, node: HoleNode) -> tuple[None, str]:
        return None, "text"

    def loop(self, before: None, after: None) -> str | None:
        return None

    def end(self, state: None, offset: int) -> None:
        return None

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding:
        return Binding(values.for_type(vtype), "")


FORMAT = _TextFormat()
