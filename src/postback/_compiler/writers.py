"""What the generated code calls to write one value, besides the formatters of ``values.py``.

An escaper of a ``str`` value is written in its C form where it has one
(``_escape.inline_form``): the generated code tests for a missing value itself and
calls the C function or table the escaper would call, and calls the escaper only
where the C form would not be exact.  An extra field, whose type is known only when
rendering, has a writer that learns it; under ``missing="error"`` a missing value has
a function that raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._contexts import Context, Fusion
from .._errors import RenderError
from .._escape import Escape, inline_form
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .nodes import Field, Hole

__all__ = [
    "any_writer",
    "escaped",
    "escaped_or_empty",
    "missing_error",
    "moves_text_only",
    "value_type",
]

# Binds ``value`` under a name (the generated code's own) and returns that name.
Bind = Callable[[Any, str], str]


def escaped(escape: Escape, text: str, bind: Bind, escaper_name: str) -> str:
    """Return the expression writing ``text`` (a str expression, never None) escaped.

    ``text`` is the name of a local when the inline form applies (it is read more than
    once); ``escaper_name`` is the name bound to ``escape``.
    """
    form = inline_form(escape)
    if form is None or not text.isidentifier():
        return f"{escaper_name}({text})"
    names = {name: bind(value, name) for name, value in form.names.items()}
    write, test = form.expression(text, names)
    return f"({write} if {test} else {escaper_name}({text}))"


def escaped_or_empty(escape: Escape, bind: Bind, escaper_name: str) -> tuple[str, str] | None:
    """Return the code around an optional str's access that writes it escaped, or None.

    For an escaper with an inline form whose context writes a missing value as it
    writes an empty text: a missing or empty value goes to the escaper (which writes
    None as ""), any other to the C form where its test holds.  One truth test of the
    value stands for the test for None.
    """
    form = inline_form(escape)
    if form is None:
        return None
    names = {name: bind(value, name) for name, value in form.names.items()}
    write, test = form.expression("_v", names)
    return f"({write} if (_v := ", f") and {test} else {escaper_name}(_v))"


def missing_error(label: str) -> Callable[[], str]:
    """Return the function that raises the ``RenderError`` of a missing ``label``."""

    def raise_missing() -> str:
        raise RenderError(
            f"{label} has no value and the template was compiled with missing='error'",
            field=label.strip("{}"),
        )

    return raise_missing


def any_writer(
    context: Context, fmt: Callable[[Any], str], missing: str | None
) -> Callable[[Any], str]:
    """Return the writer of a value whose type is known only when rendering (extra fields).

    With ``missing`` it also writes None, as that text.
    """
    escape, bare = context.escape, context.bare

    def write_any(value: Any) -> str:
        if value is None and missing is not None:
            return missing
        text = fmt(value)
        if escape is None or isinstance(value, bare):
            return text
        return escape(text)

    return write_any


def value_type(node: Hole) -> type:
    """Return the type of the placeholder's value (``object`` for an extra field)."""
    if isinstance(node, Field):
        spec = FIELDS_BY_NAME.get(node.name)
        return spec.type if spec is not None else object
    return ITEM_FIELDS_BY_NAME[node.attr].type


def _wrap(context: Context, vtype: type) -> str:
    return "" if context.escape is None or vtype in context.bare else context.wrap


def moves_text_only(context: Context, fusion: Fusion, vtype: type, around: tuple[str, str]) -> bool:
    """Whether ``fusion`` would only move the literal text ``around`` into the value's output.

    That is so for a value that needs no escaping in either context (``vtype`` is not
    text), when the fused context writes exactly the moved text around the value and
    around the missing text: left as literal text, it costs nothing when rendering,
    where the fused writer would concatenate it.
    """
    before, after = around
    wrap, fused = _wrap(context, vtype), _wrap(fusion.context, vtype)
    return (
        before + wrap == fused == wrap + after
        and fusion.context.missing == before + context.missing + after
    )
