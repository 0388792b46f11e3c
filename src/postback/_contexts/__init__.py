"""One module per output format: a state machine over the template's text, and its contexts."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._base import Context, Defect, Fusion, OutputFormat

__all__ = ["Context", "Defect", "Fusion", "OutputFormat", "get_format"]

_loaded: dict[str, OutputFormat[Any]] = {}


def get_format(name: str) -> OutputFormat[Any]:
    """Return the format for a ``Format`` value such as ``"json"``."""
    fmt = _loaded.get(name)
    if fmt is None:
        fmt = import_module(f"{__name__}.{name}").FORMAT
        _loaded[name] = fmt
    return fmt
