"""One line item of an order: ``Item``, used in templates as ``{i.sku}`` inside a ``join``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Self

from .._errors import RecordError
from .._messages import short_repr, suggest
from .._pickling import restore, state
from .catalog import COLLECTION, ITEM_FIELDS
from .convert import ITEM_PLAN, UnknownKeys, check_unknown_keys
from .expect import expected_error, require_mapping, require_str_key

__all__ = ["ITEM_KEYS", "Item", "item_keys", "item_values", "jsonable", "to_items"]

if TYPE_CHECKING:
    from typing import TypeAlias

    # What constructors take for each type of field (see Action.__init__).
    IdInput: TypeAlias = int | str | None
    TextInput: TypeAlias = str | int | None
    MoneyInput: TypeAlias = Decimal | int | float | str | None
    DateInput: TypeAlias = datetime | date | str | None

_ITEM_ATTRS: Final = tuple(spec.attribute for spec in ITEM_FIELDS)
ITEM_KEYS: Final = frozenset(_ITEM_ATTRS)


@dataclass(frozen=True, slots=True, repr=False)
class Item:
    """One line item of an order, used in templates as ``{i.sku}`` inside a ``join``.

    Every attribute is optional.  Values are converted on construction: Decimal
    attributes take ``Decimal``, ``int``, ``float`` (exactly: ``12.5`` -> ``Decimal("12.5")``)
    and numeric strings; str attributes take ``str`` and ``int``.  A value of any other
    type raises ``RecordError``.
    """

    sku: str | None = None
    amt: Decimal | None = None
    cat: str | None = None
    qty: Decimal | None = None
    cartamt: Decimal | None = None
    rbt: Decimal | None = None
    name: str | None = None
    itemlist: str | None = None

    if TYPE_CHECKING:
        # What the constructor takes, for type checkers (see Action.__init__).
        def __init__(
            self,
            *,
            sku: TextInput = None,
            amt: MoneyInput = None,
            cat: TextInput = None,
            qty: MoneyInput = None,
            cartamt: MoneyInput = None,
            rbt: MoneyInput = None,
            name: TextInput = None,
            itemlist: TextInput = None,
        ) -> None: ...

    def __post_init__(self) -> None:
        for attr, _name, convert, exact in ITEM_PLAN:
            value = getattr(self, attr)
            if value is None or type(value) is exact:
                continue
            object.__setattr__(self, attr, convert(value, attr))

    @classmethod
    def from_dict(
        cls, mapping: Mapping[str, object], *, unknown_keys: UnknownKeys = "error"
    ) -> Self:
        """Build an item from a mapping keyed by attribute names (``sku``, ``amt``, ...).

        Raises ``RecordError`` for a non-mapping, an unknown key (suggesting the closest
        attribute; ``unknown_keys="ignore"`` or ``"extra"`` drops unknown keys instead,
        an item having no extra fields) or a value that cannot be converted.
        """
        return cls._from_mapping(mapping, None, check_unknown_keys(unknown_keys))

    @classmethod
    def _from_mapping(cls, mapping: object, prefix: str | None, unknown: str = "error") -> Self:
        values = item_values(mapping, prefix, unknown)
        item = object.__new__(cls)
        # Converted here, once, so that errors name the item's place in the action.
        for attr, _name, convert, exact in ITEM_PLAN:
            value = values.get(attr)
            if value is not None and type(value) is not exact:
                value = convert(value, f"{prefix}.{attr}" if prefix else attr)
            object.__setattr__(item, attr, value)
        return item

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict keyed by attribute names, omitting unset attributes.

        Decimals become their exact string (``str(d)``, scale kept), which ``from_dict``
        reads back to an equal value.
        """
        out: dict[str, object] = {}
        for attr in _ITEM_ATTRS:
            value = getattr(self, attr)
            if value is not None:
                out[attr] = jsonable(value)
        return out

    def __repr__(self) -> str:
        parts = (
            f"{attr}={getattr(self, attr)!r}"
            for attr in _ITEM_ATTRS
            if getattr(self, attr) is not None
        )
        return f"{type(self).__name__}({', '.join(parts)})"

    # The set attributes travel by name, with the version (``_pickling``).  (A
    # ``__reduce__``: before 3.11.4 ``dataclass(slots=True)`` replaced a class's own
    # ``__getstate__`` and ``__setstate__``.)
    def __reduce__(self) -> tuple[object, ...]:
        values = {}
        for attr in _ITEM_ATTRS:
            value = getattr(self, attr)
            if value is not None:
                values[attr] = value
        return (_rebuild_item, (type(self), state(fields=values)))


def _rebuild_item(cls: type[Item], pickled: object) -> Item:
    """Return the item ``Item.__reduce__`` took apart (values already checked)."""
    values = restore("Item (or the Action whose items it is)", pickled)["fields"]
    item = object.__new__(cls)
    for attr in _ITEM_ATTRS:
        object.__setattr__(item, attr, values.get(attr))
    return item


def item_keys(element: object, label: str, unknown: str) -> dict[str, object]:
    """Check the keys of the item ``element`` at ``label`` (``items[2]``); return its values."""
    if not isinstance(element, Mapping):
        raise expected_error(label, _EXPECT_ELEMENT, element)
    return item_values(element, label, unknown)


def item_values(mapping: object, prefix: str | None, unknown: str) -> dict[str, object]:
    """Check the keys of an item mapping (``Item.from_dict``'s when ``prefix`` is None).

    Unknown attributes are refused under ``unknown="error"`` and dropped otherwise:
    an item has no place for extra fields.
    """
    data = require_mapping(mapping, prefix)
    dotted = f"{prefix}." if prefix else ""
    values: dict[str, object] = {}
    for key, value in data.items():
        name = require_str_key(key, dotted)
        if name in ITEM_KEYS:
            values[name] = value
        elif unknown == "error":
            label = f"{dotted}{name}"
            suggestion = suggest(name, _ITEM_ATTRS, cutoff=0.6)
            hint = (
                f"did you mean {suggestion!r}?"
                if suggestion
                else f"item attributes are {', '.join(_ITEM_ATTRS)}"
            )
            raise RecordError(
                f"{label}: unknown item attribute {short_repr(name)}; {hint}", field=label
            )
    return values


def jsonable(value: object) -> object:
    """Return a stored value as JSON takes it: Decimals and datetimes as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


_EXPECT_ITEMS: Final = "a list of items (Item objects or mappings)"
_EXPECT_ELEMENT: Final = "an Item or a mapping of item attributes"


def item_list(value: object) -> list[object]:
    """Return the elements of an ``items`` value (any iterable but text, bytes or a
    mapping), or raise."""
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping):
        raise expected_error(COLLECTION, _EXPECT_ITEMS, value)
    try:
        iterator = iter(value)  # type: ignore[call-overload]
    except TypeError:
        raise expected_error(COLLECTION, _EXPECT_ITEMS, value) from None
    return list(iterator)


def to_items(value: object) -> tuple[Item, ...]:
    """Convert the ``items`` of an action: Items and mappings in a list, or None."""
    if value is None:
        return ()
    items: list[Item] = []
    for index, element in enumerate(item_list(value)):
        if isinstance(element, Item):
            items.append(element)
        else:
            label = f"{COLLECTION}[{index}]"
            if not isinstance(element, Mapping):
                raise expected_error(label, _EXPECT_ELEMENT, element)
            items.append(Item._from_mapping(element, label))
    return tuple(items)
