"""What the page shows for a received body: the record the body template reads from it.

``received`` reads the pasted body with ``Template.parse``, as the partner's server
would, and answers either the record as JSON text (the shape of ``Action.to_dict()``,
which ``postback render --record`` reads), or the ``ParseError``: its message, where
the received text stops matching and where the template writes what was expected.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Literal

from .. import ParseError, Template
from .state import Received

__all__ = ["received"]


def _json_value(value: object) -> object:
    """A value ``json`` cannot write, as ``Action.to_dict`` writes its fields: a
    ``Decimal`` as its exact digits, a ``datetime`` in ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")  # pragma: no cover - never read


def received(template: Template | None, body: Received) -> dict[str, object] | None:
    """What ``template`` reads from the received ``body``: None while no body is pasted
    or there is no template without errors to read it with."""
    if template is None or not body.body:
        return None
    extra: Literal["error", "keep"] = "keep" if body.extra == "keep" else "error"
    try:
        action = template.parse(body.body, extra=extra)
    except ParseError as exc:
        return {
            "ok": False,
            "message": exc.message,
            "line": exc.line,
            "column": exc.column,
            "template_line": exc.template_line,
            "template_column": exc.template_column,
            "expected": exc.expected,
            "found": exc.found,
            "field": exc.field,
            "readings": list(exc.readings),
        }
    record = json.dumps(action.to_dict(), indent=2, ensure_ascii=False, default=_json_value)
    return {"ok": True, "record": record, "extra": sorted(action.extra)}
