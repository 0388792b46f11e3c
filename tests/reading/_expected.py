"""What ``Template.parse`` must give back for a record: the record as its template keeps it.

A template writes only the fields it uses, so ``t.parse(t.render(a))`` is ``a``
restricted to them, with what rendering itself changes: an empty text reads as a
missing value, a date is written to the second in the template's time zone (to the
millisecond for ``unix_ms``), characters a format cannot carry are replaced, a JSON
parser reads a high surrogate followed by a low one as one character, and a join
whose items write nothing reads as no items.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._compiler.values import decimal_digits
from postback._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from strategies import DATETIMES, hostile_text

__all__ = ["actions", "restrict"]

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str, fmt: str) -> str:
    if fmt == "json":
        # Pairs of surrogates are one character to a JSON parser.
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if fmt == "xml":
        return _NOT_XML.sub("\ufffd", value)
    if fmt in ("query", "url"):
        return _SURROGATE.sub("\ufffd", value)
    return value


def _value(value: Any, template: postback.Template) -> Any:
    fmt = template.format.value
    if isinstance(value, str):
        value = _text(value, fmt)
        if fmt == "header":
            # The render trims the whole header value: a value's own spaces go only
            # where it stands at an end (the test templates hold one placeholder).
            source = template.source.rstrip("\r\n")
            if source.startswith("{"):
                value = value.lstrip(" \t")
            if source.endswith("}"):
                value = value.rstrip(" \t")
        return None if value == "" and template.missing == "empty" else value
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            value = value.replace(tzinfo=template._opts.tz)
        # In UTC: a wall time in a zone's gap or fold is equal to no other zone's time.
        value = value.astimezone(UTC)
        keep = 1000 if template._opts.date_format == "unix_ms" else 1_000_000
        return value.replace(microsecond=value.microsecond // keep * keep)
    return value


def restrict(template: postback.Template, action: Action) -> Action:
    """Return what ``template.parse(template.render(action))`` must equal."""
    fields = {}
    for name in template.fields:
        spec = FIELDS_BY_NAME.get(name)
        if spec is not None:
            fields[spec.attribute] = _value(getattr(action, spec.attribute), template)
    extra = {}
    for name in template.extra_fields:
        value = _value(action.extra.get(name), template)
        if value is not None:
            extra[name] = value
    items: tuple[Item, ...] = ()
    if "items" in template.fields:
        attrs = [ITEM_FIELDS_BY_NAME[a].attribute for a in template._item_attrs]
        items = tuple(
            Item(**{a: _value(getattr(i, a), template) for a in attrs}) for i in action.items
        )
        if len(items) == 1:
            # One item that writes nothing reads as no items.
            without = Action(**{k: getattr(action, k) for k in fields}, extra=action.extra)
            if template.render(without) == template.render(action):
                items = ()
    return Action(**fields, items=items, extra=extra)


def _short(d: Decimal) -> bool:
    return decimal_digits(d) <= 200


def actions(special: str, samples: tuple[str, ...] = ()) -> st.SearchStrategy[Action]:
    """Hostile records: every field and item attribute empty, missing or hostile text
    (with ``special``: the format's delimiters), any number, 0 to 5 items."""
    text = st.one_of(st.none(), st.just(""), hostile_text(special, samples))
    ints = st.one_of(st.none(), st.integers(-(10**20), 10**20))
    decimals = st.one_of(
        st.none(), st.decimals(allow_nan=False, allow_infinity=False).filter(_short)
    )
    dates = st.one_of(st.none(), DATETIMES)
    by_type = {str: text, int: ints, Decimal: decimals, datetime: dates}
    item = st.builds(
        Item, **{spec.attribute: by_type[spec.type] for spec in ITEM_FIELDS_BY_NAME.values()}
    )
    fields = {
        spec.attribute: by_type[spec.type]
        for spec in FIELDS_BY_NAME.values()
        if spec.type in by_type
    }
    return st.builds(Action, **fields, items=st.lists(item, max_size=5))
