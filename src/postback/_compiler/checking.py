"""Checking a template: every defect, for the same inputs ``compile`` takes.

``check_with`` is what ``postback.check`` (``check_api.py``) and the command line's
``check`` run; it makes ``Diagnostic`` records only for the defects it finds, so a
check that finds none loads neither the record nor ``dataclasses``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import ConfigError
from .._formats import Format
from .._messages import describe_value
from .._options import CompileOptions
from .._problems import Problem, diagnostics, has_errors, raise_for
from .pipeline import Compiled, front_end

if TYPE_CHECKING:
    from .._diagnostic import Diagnostic

__all__ = [
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
