"""Render affiliate-network postbacks from templates, escaping every value for its position."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    ConfigError,
    Diagnostic,
    ParseError,
    PostbackError,
    RecordError,
    RenderError,
    TemplateError,
    TemplateFormatError,
    TemplateSyntaxError,
    UnknownFieldError,
)
from ._records.action import Action, Item, sample_action
from ._records.catalog import FIELDS, ITEM_FIELDS, FieldSpec
from ._template import Format, FormatName, Template, check, compile
from ._version import __version__

if TYPE_CHECKING:
    from ._bulk import Prepared, RecordFailure, Rendered
    from ._files.load import load
    from ._sending.notification import Notification
    from ._sending.pacer import Pacer
    from ._sending.request import Outcome, PreparedRequest

# The notification layer and ``load`` (with the project settings) are loaded on first
# use: rendering needs none of it, and ``import postback`` stays cheap for senders that
# only render bodies.
_LAZY = {
    "Notification": "._sending.notification",
    "Outcome": "._sending.request",
    "PreparedRequest": "._sending.request",
    "Pacer": "._sending.pacer",
    "Prepared": "._bulk",
    "RecordFailure": "._bulk",
    "Rendered": "._bulk",
    "load": "._files.load",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'postback' has no attribute {name!r}")
    # importlib is needed only when a lazily loaded name is first asked for.
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "FIELDS",
    "ITEM_FIELDS",
    "Action",
    "ConfigError",
    "Diagnostic",
    "FieldSpec",
    "Format",
    "FormatName",
    "Item",
    "Notification",
    "Outcome",
    "Pacer",
    "ParseError",
    "PostbackError",
    "Prepared",
    "PreparedRequest",
    "RecordError",
    "RecordFailure",
    "RenderError",
    "Rendered",
    "Template",
    "TemplateError",
    "TemplateFormatError",
    "TemplateSyntaxError",
    "UnknownFieldError",
    "__version__",
    "check",
    "compile",
    "load",
    "sample_action",
]
