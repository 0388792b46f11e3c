"""Finding the placeholder behind a ``RenderError`` that does not name one.

A render function formats values without knowing their placeholder's name: binding a
name to every formatter would cost a closure per placeholder, and rendering is the
path that must stay fast.  So when a formatter refuses a value (a non-finite
decimal, a date the template's timezone cannot hold, an extra field of an
unsupported type), the render function raises a ``RenderError`` without ``field``,
and this slow path formats the template's values again, in the order the render
function writes them, until one fails the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .._errors import RenderError
from .._messages import placeholder_label
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .nodes import Field, ItemField, Join, Node
from .values import Values

__all__ = ["failing_field", "name_failing_field"]


def failing_field(nodes: Iterable[Node], record: Any, values: Values, message: str) -> str | None:
    """Return the field of the first placeholder whose value fails with ``message``.

    The field is named as other render errors name it: ``Payout``, ``i.amt``, or an
    extra field's name.  Returns None when no placeholder fails that way.
    """
    for node, item in _holes(nodes, record, None):
        write: Callable[[Any], str]
        if isinstance(node, Field):
            spec = FIELDS_BY_NAME.get(node.name)
            if spec is None:
                value = record.extra.get(node.name)
                write = values.format_any
            else:
                value = getattr(record, spec.attribute)
                write = values.for_type(spec.type)
        else:
            ispec = ITEM_FIELDS_BY_NAME[node.attr]
            value = getattr(item, ispec.attribute)
            write = values.for_type(ispec.type)
        if value is None:
            continue
        try:
            write(value)
        except RenderError as exc:
            if exc.message == message:
                return placeholder_label(node).strip("{}")
    return None


def name_failing_field(
    exc: RenderError, nodes: Iterable[Node], record: Any, values: Values
) -> None:
    """Name the placeholder behind ``exc`` in its ``field`` and in its message, as the
    errors that know their placeholder name it, if one fails that way."""
    field = failing_field(nodes, record, values, exc.message)
    if field is not None:
        exc.field = field
        exc.message = f"{{{field}}}: {exc.message}"
        exc.args = (exc.message,)


def _holes(
    nodes: Iterable[Node], record: Any, item: Any
) -> Iterable[tuple[Field | ItemField, Any]]:
    """Yield every placeholder as the render function reaches it, with its item."""
    for node in nodes:
        if isinstance(node, Field | ItemField):
            yield node, item
        elif isinstance(node, Join):
            for element in record.items:
                yield from _holes(node.body, record, element)
