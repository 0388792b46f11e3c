"""The typed action record: `Action`, its line items (`Item`) and the built-in sample."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Self

from ._catalog import COLLECTION, FIELDS
from ._convert import ACTION_PLAN, expected_error, require_mapping, require_str_key
from ._errors import RecordError
from ._item import ITEM_KEYS, Item, jsonable, to_items
from ._messages import describe_value, short_repr, suggest

__all__ = ["Action", "Item", "coerce", "sample_action"]

# ---------------------------------------------------------------------------
# Action
# ---------------------------------------------------------------------------

_ACTION_ATTRS: Final = tuple(spec.attribute for spec in FIELDS)
# Every spelling from_dict accepts -> (attribute, placeholder name).
_ACTION_KEYS: Final[Mapping[str, tuple[str, str]]] = {
    **{spec.name: (spec.attribute, spec.name) for spec in FIELDS},
    **{spec.attribute: (spec.attribute, spec.name) for spec in FIELDS},
    COLLECTION: (COLLECTION, COLLECTION),
}
_ACTION_CANDIDATES: Final = (
    *(spec.name for spec in FIELDS),
    *(spec.attribute for spec in FIELDS),
    COLLECTION,
)

_EMPTY_EXTRA: Final[Mapping[str, object]] = MappingProxyType({})


def _empty_extra() -> Mapping[str, object]:
    return _EMPTY_EXTRA


def _to_extra(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise expected_error("extra", "a mapping of extra field names to values", value)
    copy: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise RecordError(
                f"extra: extra field names must be strings, got {describe_value(key)}",
                field="extra",
            )
        _check_extra_name(key)
        copy[key] = item
    return MappingProxyType(copy) if copy else _EMPTY_EXTRA


def _check_extra_name(name: str) -> None:
    if name in _ACTION_KEYS:
        raise RecordError(
            f"{name}: an extra field cannot have the name of a catalog field", field=name
        )


@dataclass(frozen=True, slots=True, repr=False)
class Action:
    """One action (conversion) as a postback template sees it.

    Attributes are the snake_case of the placeholder names (``CampaignId`` ->
    ``campaign_id``), all optional; ``items`` holds the order's line items and
    ``extra`` any additional fields a template declares with ``extra_fields=``.
    Values are converted on construction (``"123"`` -> ``123`` for int fields, exact
    ``Decimal`` for numbers, date strings parsed with python-dateutil); a value that
    cannot be converted raises ``RecordError`` naming the field and the value.
    Instances are immutable, hashable (``extra`` does not take part in the hash but
    does in equality) and picklable.
    """

    # One attribute per catalog field, in catalog order; tests/test_record.py checks
    # that names, order and types match postback._catalog.FIELDS.
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
            object.__setattr__(self, "extra", _to_extra(self.extra))

    @classmethod
    def from_dict(cls, mapping: Mapping[str, object], *, extra: Iterable[str] = ()) -> Self:
        """Build an action from a mapping keyed by placeholder or attribute names.

        ``"CampaignId"`` and ``"campaign_id"`` both set ``campaign_id``; ``"items"`` takes
        a list of ``Item`` objects or mappings.  Keys named in ``extra`` go, with their
        values unchanged, into ``Action.extra``.  Raises ``RecordError`` for a
        non-mapping, an unknown key (suggesting the closest name), a field given under
        both its names, or a value that cannot be converted.
        """
        if isinstance(extra, str):
            raise TypeError(f"extra must be an iterable of field names, not the str {extra!r}")
        extra_names = frozenset(extra)
        for name in extra_names:
            if not isinstance(name, str):
                raise TypeError(f"extra field names must be strings, got {describe_value(name)}")
            _check_extra_name(name)
        data = require_mapping(mapping, None)
        values: dict[str, object] = {}
        given_as: dict[str, str] = {}
        extras: dict[str, object] = {}
        for key, value in data.items():
            name = require_str_key(key, "")
            if name in extra_names:
                extras[name] = value
                continue
            target = _ACTION_KEYS.get(name)
            if target is None:
                raise _unknown_field(name, extra_names)
            attr, placeholder = target
            if attr in given_as:
                raise RecordError(
                    f"{placeholder}: given twice, as {given_as[attr]!r} and {name!r}",
                    field=placeholder,
                )
            given_as[attr] = name
            values[attr] = value
        if extras:
            values["extra"] = extras
        return cls(**values)  # type: ignore[arg-type]

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

    # MappingProxyType cannot be pickled, so ``extra`` travels as a plain dict.
    def __getstate__(self) -> tuple[object, ...]:
        return (
            *(getattr(self, attr) for attr in _ACTION_ATTRS),
            self.items,
            dict(self.extra),
        )

    def __setstate__(self, state: tuple[object, ...]) -> None:
        *values, items, extra = state
        for attr, value in zip(_ACTION_ATTRS, values, strict=True):
            object.__setattr__(self, attr, value)
        object.__setattr__(self, "items", items)
        assert isinstance(extra, dict)
        object.__setattr__(self, "extra", MappingProxyType(extra) if extra else _EMPTY_EXTRA)


def _unknown_field(name: str, extra_names: frozenset[str]) -> RecordError:
    candidates = (*_ACTION_CANDIDATES, *sorted(extra_names))
    suggestion = suggest(name, candidates, cutoff=0.6)
    if name.lower() == "extra":
        # Fuzzy matching would offer 'Text2' here; say how extras really work.
        hint = (
            "extra fields go at top level, their names listed in "
            "Action.from_dict(mapping, extra=(...))"
        )
    elif name in ITEM_KEYS:
        hint = f"{name!r} is an item attribute; give it inside an item in {COLLECTION!r}"
    elif suggestion is not None:
        hint = f"did you mean {suggestion!r}?"
    else:
        hint = (
            "postback.FIELDS lists the field names; to keep it as an extra field, "
            f"pass extra=({short_repr(name)},)"
        )
    return RecordError(f"{name}: unknown field {short_repr(name)}; {hint}", field=name)


def coerce(record: object, extra: Iterable[str], caller: str) -> Action:
    """Return ``record`` as an ``Action``: an action as it is, a mapping through ``from_dict``.

    ``extra`` names the extra fields a mapping may carry; ``caller`` names the
    function that was given something else (``render``, ``prepare``) in the error.
    """
    if isinstance(record, Action):
        return record
    if isinstance(record, Mapping):
        return Action.from_dict(record, extra=extra)
    raise RecordError(f"{caller} takes a postback.Action or a mapping, not {type(record).__name__}")


# ---------------------------------------------------------------------------
# The built-in sample
# ---------------------------------------------------------------------------

_PST: Final = timezone(timedelta(hours=-8))


def sample_action() -> Action:
    """Return the built-in sample action, the record behind the CLI's ``--sample``.

    Every field is set and there are three items with every attribute set; the
    values include double and single quotes, ``&``, ``<``, ``>``, non-ASCII text and an
    emoji, a URL with a query string, aware dates (-08:00 and UTC) and Decimals with
    scale.  Each call returns a new, equal object.
    """
    return Action(
        campaign_id=4636,
        action_tracker_id=12890,
        media_partner_id=158133,
        campaign_name='Café Müller "Winter" Sale',
        action_tracker_name="Online Sale",
        media_partner_name="Smith & Jones <Deals>",
        action_type="SALE",
        referring_type="CLICK_COOKIE",
        action_id="1000.4636.158133",
        status="APPROVED",
        status_detail="Approved after the 30-day lock ('auto-approve')",
        ad_id=702134,
        payout=Decimal("12.50"),
        delta_payout=Decimal("-1.25"),
        intended_payout=Decimal("13.75"),
        amount=Decimal("125.00"),
        delta_amount=Decimal("-12.50"),
        intended_amount=Decimal("137.50"),
        currency="USD",
        original_currency="EUR",
        original_amount=Decimal("115.20"),
        event_date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=_PST),
        creation_date=datetime(2026, 1, 2, 3, 5, 17, tzinfo=_PST),
        locking_date=datetime(2026, 2, 1, 8, 0, 0, tzinfo=UTC),
        cleared_date=datetime(2026, 2, 3, 11, 30, 0, tzinfo=UTC),
        referring_domain="deals.example.net",
        landing_page_url=(
            "https://shop.example.com/espresso?utm_source=impact&utm_medium=affiliate"
            "&q=caf%C3%A9+m%C3%BCller"
        ),
        ref_customer_area="100-0005",
        ref_customer_city="東京",
        ref_customer_region="東京都",
        ref_customer_country="JP",
        ref_click_id="Qw3-xYz_9a8B7c6D5e4F",
        shared_id="shared-42",
        sub_id1="newsletter",
        sub_id2='hero "banner"',
        sub_id3="a&b=c",
        text1="Thanks! 🎉",
        text2='Gift note: "Happy 30th!" <3 — Ana & José',
        promo_code="WINTER25",
        oid="ORD-2026-0001042",
        referring_date=datetime(2026, 1, 1, 21, 47, 33, tzinfo=_PST),
        ip_address="203.0.113.42",
        customer_id="cust-73019",
        customer_status="Returning",
        customer_post_code="100-0005",
        event_code="online_sale",
        event_type_id=12890,
        event_type_name="Online Sale",
        note='Split into 2 parcels: "express" & <gift wrap>',
        caller_id="+81 3-1234-5678",
        state="APPROVED",
        state_detail="Auto-approved after the 30-day lock",
        items=_sample_items(),
    )


def _sample_items() -> tuple[Item, ...]:
    return (
        Item(
            sku="CM-ESP-01",
            amt=Decimal("79.50"),
            cat="Kitchen & Dining",
            qty=Decimal("1"),
            cartamt=Decimal("79.50"),
            rbt=Decimal("0.00"),
            name='Café Müller "Barista" Espresso Machine',
            itemlist="Home > Kitchen > Coffee",
        ),
        Item(
            sku="TKY-MUG-2",
            amt=Decimal("12.50"),
            cat="Mugs <Limited>",
            qty=Decimal("2"),
            cartamt=Decimal("25.00"),
            rbt=Decimal("1.25"),
            name="東京 Ceramic Mug 🍵",
            itemlist="Home > Kitchen > Mugs",
        ),
        Item(
            sku="GIFT-OKEEFE",
            amt=Decimal("20.50"),
            cat="Gift Cards",
            qty=Decimal("1"),
            cartamt=Decimal("20.50"),
            rbt=Decimal("0.50"),
            name="O'Keefe's Gift Card",
            itemlist="Gifts > Cards",
        ),
    )
