"""One module per output format; each tracks where placeholders land and escapes for it."""

from __future__ import annotations

from importlib import import_module

from ._base import Binding, FormatIssue, FormatModule, HoleNode, ValueFormatters

__all__ = ["Binding", "FormatIssue", "FormatModule", "HoleNode", "ValueFormatters", "get_format"]

_loaded: dict[str, FormatModule] = {}


def get_format(name: str) -> FormatModule:
    """Return the format module for a ``Format`` value such as ``"json"``."""
    module = _loaded.get(name)
    if module is None:
        module = import_module(f"{__name__}.{name}").FORMAT
        _loaded[name] = module
    return module
