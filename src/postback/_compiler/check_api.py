"""``postback.check``: every defect of a template, as ``Diagnostic`` records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo

from .._diagnostic import Diagnostic
from .._formats import Format, FormatName
from .._options import DEFAULT_MAX_TEMPLATE_SIZE, MissingPolicy, UnknownKeys
from .checking import check_with, validated_inputs, validated_reading

__all__ = ["check"]


def check(
    source: str,
    format: Format | FormatName = Format.JSON,
    *,
    missing: MissingPolicy = "empty",
    timezone: str | tzinfo | None = None,
    date_format: str = "iso",
    extra_fields: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
    name: str = "<template>",
    max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
    reading: bool = False,
) -> list[Diagnostic]:
    """Return every defect of ``source`` as ``Diagnostic`` records (no error: it compiles).

    ``source`` is read as ``compile`` reads it, final newline included.  Never raises for a template defect; an invalid option is a ``ConfigError``.
    With ``reading=True``, a template without errors is also checked for where
    ``Template.parse`` could read a body it renders two ways (the ``reading-*`` codes).
    """
    fmt, opts = validated_inputs(
        source,
        format,
        missing=missing,
        timezone=timezone,
        date_format=date_format,
        extra_fields=extra_fields,
        unknown_keys=unknown_keys,
        day_first=day_first,
        name=name,
        max_template_size=max_template_size,
    )
    validated_reading(reading)
    return check_with(source, fmt, opts, reading=reading)
