"""The public names of the package are exactly the intended ones."""

from __future__ import annotations

import postback

EXPECTED = [
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


def test_all_is_exactly_the_public_api() -> None:
    assert postback.__all__ == EXPECTED
    assert sorted(postback.__all__) == postback.__all__ or postback.__all__ == EXPECTED
    for name in postback.__all__:
        assert hasattr(postback, name), name


def test_every_error_is_a_value_error() -> None:
    for name in (
        "PostbackError",
        "TemplateError",
        "TemplateSyntaxError",
        "UnknownFieldError",
        "TemplateFormatError",
        "RecordError",
        "RenderError",
        "ConfigError",
        "ParseError",
    ):
        cls = getattr(postback, name)
        assert issubclass(cls, postback.PostbackError)
        assert issubclass(cls, ValueError)
