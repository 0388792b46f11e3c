"""``postback.check``: every defect of a template, for the same inputs ``compile`` takes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from .._errors import ConfigError, Diagnostic
from .._formats import Format, FormatName
from .._messages import describe_value
from .._options import DEFAULT_MAX_TEMPLATE_SIZE, CompileOptions, MissingPolicy, UnknownKeys
from .._problems import Problem, diagnostics, has_errors, raise_for
from .pipeline import Compiled, front_end

__all__ = [
    "check",
    "check_reading",
    "check_with",
    "reading_problems",
    "validated_inputs",
    "validated_reading",
]


def validated_inputs(
    source: object, format: Format | str, **options: Any
) -> tuple[Format, CompileOptions]:
    """Validate the arguments shared by ``compile`` and ``check``."""
    if not isinstance(source, str):
        raise ConfigError(
            f"a template source must be str, not {type(source).__name__}", setting="source"
        )
    return Format.parse(format), CompileOptions(**options)


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


def validated_reading(reading: object) -> None:
    """Refuse a ``reading`` argument of ``check`` or ``compile`` that is not a bool."""
    if not isinstance(reading, bool):
        raise ConfigError(
            f"reading must be True or False, not {describe_value(reading)}", setting="reading"
        )


def check_reading(source: str, fmt: Format, opts: CompileOptions) -> None:
    """Raise the ``TemplateFormatError`` of ``compile(reading=True)``: where ``parse``
    could read a body of a template that compiles two ways (warnings do not raise)."""
    front = front_end(source, fmt, opts)
    errors = [p for p in reading_problems(front, fmt, opts) if p.severity == "error"]
    if errors:
        raise_for(errors, front.source, front.lines, opts.name)


def check_with(
    source: str, fmt: Format, opts: CompileOptions, *, reading: bool = False
) -> list[Diagnostic]:
    """Return every defect of ``source``, as ``check`` does, for validated options."""
    front = front_end(source, fmt, opts)
    problems = front.problems
    if reading:
        problems = [*problems, *reading_problems(front, fmt, opts)]
    return diagnostics(problems, front.lines)


def reading_problems(front: Compiled, fmt: Format, opts: CompileOptions) -> list[Problem]:
    """Return where ``parse`` could read a body of ``front`` two ways (none while the
    template has errors).  The reading side is imported only when asked."""
    if has_errors(front.problems):
        return []
    # The reading side loads only when asked: import postback and check never need it.
    from .._reading.ambiguity import reading_problems as find

    return find(front, fmt, opts)
