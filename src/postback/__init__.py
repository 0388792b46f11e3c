"""Render affiliate-network postbacks from templates, escaping every value for its position."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    ConfigError,
    ParseError,
    PostbackError,
    RecordError,
    RenderError,
    TemplateError,
    TemplateFormatError,
    TemplateSyntaxError,
    UnknownFieldError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._bulk import Prepared, RecordFailure, Rendered
    from ._diagnostic import Diagnostic
    from ._files.load import load
    from ._records.action import Action, Item, sample_action
    from ._records.catalog import FIELDS, ITEM_FIELDS, FieldSpec
    from ._sending.notification import Notification
    from ._sending.pacer import Pacer
    from ._sending.request import Outcome, PreparedRequest
    from ._template import Format, FormatName, Template, check, compile

# Every layer above the errors is loaded on first use of one of its names, so that
# ``import postback`` costs a few milliseconds, a process pays only for the layers it
# uses (rendering needs no notification, a record needs no compiler), and the command
# line loads what its command needs. docs/performance.md#cold-start lists what
# ``import postback`` loads; tests/unit/test_cold_start.py pins it.
_LAZY = {
    "Diagnostic": "._diagnostic",
    "FIELDS": "._records.catalog",
    "ITEM_FIELDS": "._records.catalog",
    "FieldSpec": "._records.catalog",
    "Action": "._records.action",
    "Item": "._records.action",
    "sample_action": "._records.action",
    "Format": "._template",
    "FormatName": "._template",
    "Template": "._template",
    "check": "._template",
    "compile": "._template",
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
