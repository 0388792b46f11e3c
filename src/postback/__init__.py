"""Render affiliate-network postbacks from templates, escaping every value for its position."""

from __future__ import annotations

from ._catalog import FIELDS, ITEM_FIELDS, FieldSpec
from ._errors import (
    ConfigError,
    Diagnostic,
    PostbackError,
    RecordError,
    RenderError,
    TemplateError,
    TemplateFormatError,
    TemplateSyntaxError,
    UnknownFieldError,
)
from ._notification import Notification, Outcome, PreparedRequest
from ._pacer import Pacer
from ._record import Action, Item, sample_action
from ._template import Format, Template, check, compile
from ._version import __version__

__all__ = [
    "FIELDS",
    "ITEM_FIELDS",
    "Action",
    "ConfigError",
    "Diagnostic",
    "FieldSpec",
    "Format",
    "Item",
    "Notification",
    "Outcome",
    "Pacer",
    "PostbackError",
    "PreparedRequest",
    "RecordError",
    "RenderError",
    "Template",
    "TemplateError",
    "TemplateFormatError",
    "TemplateSyntaxError",
    "UnknownFieldError",
    "__version__",
    "check",
    "compile",
    "sample_action",
]
