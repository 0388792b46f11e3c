"""The typed action record: `Action`, its line items (`Item`) and the built-in sample."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Self

from .._errors import RecordError
from .._pickling import restore, state
from .catalog import COLLECTION, FIELDS
from .convert import ACTION_PLAN, UnknownKeys, check_day_first, check_unknown_keys
from .item import Item, jsonable, to_items
from .reader import EMPTY_EXTRA, Reader, check_extra_names, make_reader, to_extra
from .sample import SAMPLE_FIELDS, SAMPLE_ITEMS

if TYPE_CHECKING:
    from os import PathLike

    from .item import DateInput, IdInput, MoneyInput, TextInput

__all__ = ["Action", "Item", "coerce", "not_a_record", "sample_action"]

# ---------------------------------------------------------------------------
# Action
# ---------------------------------------------------------------------------

_ACTION_ATTRS: Final = tuple(spec.attribute for spec in FIELDS)
_EMPTY_EXTRA: Final = EMPTY_EXTRA


def _empty_extra() -> Mapping[str, object]:
    return _EMPTY_EXTRA


@dataclass(frozen=True, slots=True, repr=False)
class Action:
    """One action (conversion) as a postback template sees it.

    Attributes are the snake_case of the placeholder names (``CampaignId`` ->
    ``campaign_id``), all optional; ``items`` holds the order's line items and
    ``extra`` any additional fields a template declares with ``extra_fields=``.
    Values are converted on construction (``"123"`` -> ``123`` for int fields, exact
    ``Decimal`` for numbers, ISO 8601 date strings read by the standard library and
    other date strings by python-dateutil); a value that cannot be converted raises
    ``RecordError`` naming the field and the value.  A date string that writes day and
    month as numbers before the year (``04.03.2026``) is refused here: read the record
    with ``from_dict(..., day_first=...)``, or pass a ``datetime``.
    Instances are immutable, hashable (``extra`` does not take part in the hash but
    does in equality) and picklable.
    """

    # One attribute per catalog field, in catalog order; tests/unit/test_record.py checks
    # that names, order and types match postback._records.catalog.FIELDS.
    campaign_id: int | None = None
    action_tracker_id: int | None = None
    media_partner_id: int | None = None
    campaign_name: str | None = None
    action_tracker_name: str | None = None
    media_partner_name: str | None = None
    action_type: str | None = None
    referring_type: str | None = None
    action_id: str | None = None
    status: str | None = None
    status_detail: str | None = None
    ad_id: int | None = None
    payout: Decimal | None = None
    delta_payout: Decimal | None = None
    intended_payout: Decimal | None = None
    amount: Decimal | None = None
    delta_amount: Decimal | None = None
    intended_amount: Decimal | None = None
    currency: str | None = None
    original_currency: str | None = None
    original_amount: Decimal | None = None
    event_date: datetime | None = None
    creation_date: datetime | None = None
    locking_date: datetime | None = None
    cleared_date: datetime | None = None
    referring_domain: str | None = None
    landing_page_url: str | None = None
    ref_customer_area: str | None = None
    ref_customer_city: str | None = None
    ref_customer_region: str | None = None
    ref_customer_country: str | None = None
    ref_click_id: str | None = None
    shared_id: str | None = None
    sub_id1: str | None = None
    sub_id2: str | None = None
    sub_id3: str | None = None
    text1: str | None = None
    text2: str | None = None
    promo_code: str | None = None
    oid: str | None = None
    referring_date: datetime | None = None
    ip_address: str | None = None
    customer_id: str | None = None
    customer_status: str | None = None
    customer_post_code: str | None = None
    event_code: str | None = None
    event_type_id: int | None = None
    event_type_name: str | None = None
    note: str | None = None
    caller_id: str | None = None
    state: str | None = None
    state_detail: str | None = None
    items: tuple[Item, ...] = ()
    extra: Mapping[str, object] = field(default_factory=_empty_extra, hash=False)

    if TYPE_CHECKING:
        # What the constructor takes, for type checkers: each value is converted to
        # the attribute's type as the class docstring says.  At run time the
        # dataclass writes __init__; tests/unit/test_record_types.py keeps this in step.
        def __init__(
            self,
            *,
            campaign_id: IdInput = None,
            action_tracker_id: IdInput = None,
            media_partner_id: IdInput = None,
            campaign_name: TextInput = None,
            action_tracker_name: TextInput = None,
            media_partner_name: TextInput = None,
            action_type: TextInput = None,
            referring_type: TextInput = None,
            action_id: TextInput = None,
            status: TextInput = None,
            status_detail: TextInput = None,
            ad_id: IdInput = None,
            payout: MoneyInput = None,
            delta_payout: MoneyInput = None,
            intended_payout: MoneyInput = None,
            amount: MoneyInput = None,
            delta_amount: MoneyInput = None,
            intended_amount: MoneyInput = None,
            currency: TextInput = None,
            original_currency: TextInput = None,
            original_amount: MoneyInput = None,
            event_date: DateInput = None,
            creation_date: DateInput = None,
            locking_date: DateInput = None,
            cleared_date: DateInput = None,
            referring_domain: TextInput = None,
            landing_page_url: TextInput = None,
            ref_customer_area: TextInput = None,
            ref_customer_city: TextInput = None,
            ref_customer_region: TextInput = None,
            ref_customer_country: TextInput = None,
            ref_click_id: TextInput = None,
            shared_id: TextInput = None,
            sub_id1: TextInput = None,
            sub_id2: TextInput = None,
            sub_id3: TextInput = None,
            text1: TextInput = None,
            text2: TextInput = None,
            promo_code: TextInput = None,
            oid: TextInput = None,
            referring_date: DateInput = None,
            ip_address: TextInput = None,
            customer_id: TextInput = None,
            customer_status: TextInput = None,
            customer_post_code: TextInput = None,
            event_code: TextInput = None,
            event_type_id: IdInput = None,
            event_type_name: TextInput = None,
            note: TextInput = None,
            caller_id: TextInput = None,
            state: TextInput = None,
            state_detail: TextInput = None,
            items: Iterable[Item | Mapping[str, object]] | None = (),
            extra: Mapping[str, object] = EMPTY_EXTRA,
        ) -> None: ...

    def __post_init__(self) -> None:
        for attr, name, convert, exact in ACTION_PLAN:
            value = getattr(self, attr)
            if value is None or type(value) is exact:
                continue
            object.__setattr__(self, attr, convert(value, name))
        items: object = self.items
        if type(items) is not tuple or not all(isinstance(i, Item) for i in items):
            object.__setattr__(self, "items", to_items(items))
        if self.extra is not _EMPTY_EXTRA:
            object.__setattr__(self, "extra", to_extra(self.extra))

    @classmethod
    def from_dict(
        cls,
        mapping: Mapping[str, object],
        *,
        extra: Iterable[str] = (),
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
    ) -> Self:
        """Build an action from a mapping keyed by placeholder or attribute names.

        ``"CampaignId"`` and ``"campaign_id"`` both set ``campaign_id``; ``"items"`` takes
        a list of ``Item`` objects or mappings.  Keys named in ``extra`` go, with their
        values unchanged, into ``Action.extra``.  Any other key is refused
        (``unknown_keys="error"``, suggesting the closest name), skipped (``"ignore"``)
        or kept in ``Action.extra`` too (``"extra"``); unknown item attributes are
        refused or skipped.  A date that writes day and month as numbers before the
        year (``04.03.2026``) is read day first (``day_first=True``), month first
        (``False``) or refused (None).  Raises ``RecordError`` for a non-mapping, a
        refused key, a field given under both its names, or a value that cannot be
        converted: every value is checked.
        """
        extra_names = check_extra_names(extra)
        read = _full_reader(check_day_first(day_first))
        action: Action = read(mapping, extra_names, check_unknown_keys(unknown_keys))
        if cls is Action:
            return action  # type: ignore[return-value]
        values: dict[str, Any] = {attr: getattr(action, attr) for attr in _ACTION_ATTRS}
        return cls(**values, items=action.items, extra=action.extra)

    @classmethod
    def from_json(
        cls,
        data: str | bytes | bytearray | memoryview,
        *,
        extra: Iterable[str] = (),
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
    ) -> Self:
        """Build an action from the JSON text of a record (an object read by ``from_dict``).

        Exact where ``json.loads`` is not: a number with a fraction or an exponent is
        read as a ``Decimal`` (``12.50`` stays ``12.50``).  Raises ``RecordError`` for
        invalid JSON (with ``line`` and ``column``), bytes that are not UTF-8, ``NaN``
        and ``Infinity``, a key given twice in one object, a number of more than 1,000
        digits (all naming the key), a value that is not an object, and whatever
        ``from_dict`` refuses.
        """
        # The exact JSON reader loads with the first from_json: rendering never needs it.
        from .json import loads_record

        return cls.from_dict(
            loads_record(data), extra=extra, unknown_keys=unknown_keys, day_first=day_first
        )

    @classmethod
    def from_json_file(
        cls,
        path: str | PathLike[str],
        *,
        extra: Iterable[str] = (),
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
    ) -> Self:
        """Build an action from a JSON record file (see ``from_json``); ``OSError`` if unreadable."""
        with open(path, "rb") as file:
            data = file.read()
        return cls.from_json(data, extra=extra, unknown_keys=unknown_keys, day_first=day_first)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict keyed by placeholder names, omitting unset fields.

        ints and strs stay as they are, Decimals become their exact string (``str(d)``,
        scale kept), datetimes ``isoformat()`` strings, ``items`` (when there are any) a
        list of ``Item.to_dict()`` dicts; the ``extra`` fields are merged in at top
        level with their values as they are.  ``Action.from_dict(a.to_dict(),
        extra=tuple(a.extra)) == a`` for every action ``a``.
        """
        out: dict[str, object] = {}
        for attr, name, _convert, _exact in ACTION_PLAN:
            value = getattr(self, attr)
            if value is not None:
                out[name] = jsonable(value)
        if self.items:
            out[COLLECTION] = [item.to_dict() for item in self.items]
        out.update(self.extra)
        return out

    def __repr__(self) -> str:
        parts = [
            f"{attr}={getattr(self, attr)!r}"
            for attr in _ACTION_ATTRS
            if getattr(self, attr) is not None
        ]
        if self.items:
            parts.append(f"items={self.items!r}")
        if self.extra:
            parts.append(f"extra={dict(self.extra)!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # The set fields travel by name, with the version (``_pickling``), and
    # MappingProxyType cannot be pickled, so ``extra`` travels as a plain dict.  (A
    # ``__reduce__``: before 3.11.4 ``dataclass(slots=True)`` replaced a class's own
    # ``__getstate__`` and ``__setstate__``.)
    def __reduce__(self) -> tuple[object, ...]:
        values = {}
        for attr in _ACTION_ATTRS:
            value = getattr(self, attr)
            if value is not None:
                values[attr] = value
        pickled = state(fields=values, items=self.items, extra=dict(self.extra))
        return (_rebuild_action, (type(self), pickled))


def _rebuild_action(cls: type[Action], pickled: object) -> Action:
    """Return the action ``Action.__reduce__`` took apart (values already checked)."""
    restored = restore(cls.__name__, pickled)
    values = restored["fields"]
    action = object.__new__(cls)
    for attr in _ACTION_ATTRS:
        object.__setattr__(action, attr, values.get(attr))
    object.__setattr__(action, "items", restored["items"])
    extra = restored["extra"]
    object.__setattr__(action, "extra", MappingProxyType(extra) if extra else _EMPTY_EXTRA)
    return action


# One reader for each ``day_first`` setting.
_readers: dict[bool | None, Reader] = {}


def _full_reader(day_first: bool | None) -> Reader:
    # Built on first use: compiling the reader costs about a millisecond that
    # ``import postback`` need not pay.
    reader = _readers.get(day_first)
    if reader is None:
        reader = _readers[day_first] = make_reader(Action, day_first=day_first)
    return reader


def coerce(
    record: object,
    extra: Iterable[str],
    caller: str,
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
) -> Action:
    """Return ``record`` as an ``Action``: an action as it is, a mapping through ``from_dict``.

    ``extra`` names the extra fields a mapping may carry, ``unknown_keys`` what
    becomes of its other keys and ``day_first`` how its dates read a numeric day and
    month; ``caller`` names the function that was given something else (``render``,
    ``prepare``) in the error.
    """
    if isinstance(record, Action):
        return record
    if isinstance(record, Mapping):
        return Action.from_dict(record, extra=extra, unknown_keys=unknown_keys, day_first=day_first)
    raise not_a_record(record, caller)


def not_a_record(record: object, caller: str) -> RecordError:
    """Return the error for a record that is neither an ``Action`` nor a mapping."""
    return RecordError(
        f"{caller} takes a postback.Action or a mapping, not {type(record).__name__}"
    )


# ---------------------------------------------------------------------------
# The built-in sample
# ---------------------------------------------------------------------------


def sample_action() -> Action:
    """Return the built-in sample action, the record behind the CLI's ``--sample``.

    Every field is set and there are three items with every attribute set; the
    values include double and single quotes, ``&``, ``<``, ``>``, non-ASCII text and an
    emoji, a URL with a query string, aware dates (-08:00 and UTC) and Decimals with
    scale.  Each call returns a new, equal object; its values are in ``sample.py``.
    """
    return Action(**SAMPLE_FIELDS, items=SAMPLE_ITEMS)
