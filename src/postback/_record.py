"""The typed action record: `Action`, `Item`, their value conversions and the built-in sample."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final, Self

from ._catalog import COLLECTION, FIELDS, ITEM_FIELDS, FieldSpec
from ._errors import RecordError
from ._values import MAX_DIGITS, decimal_digits

__all__ = ["Action", "Item", "sample_action"]

_Converter = Callable[[Any, str], Any]

# ---------------------------------------------------------------------------
# Value conversion.  Each converter takes the raw value and the label the error
# names (``CampaignId``, ``items[2].amt``) and returns the stored value.
# ---------------------------------------------------------------------------

_REPR_LIMIT: Final = 60

# Only ASCII digits: ``int()``/``Decimal()`` would also take Arabic-Indic digits and
# ``1_000``, which in a postback record are far more likely mistakes than intent.
_INT_RE: Final = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE: Final = re.compile(
    r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|s?nan[0-9]*)",
    re.IGNORECASE,
)

_EXPECT_INT: Final = "an integer"
_INT_BOUND: Final = 10**MAX_DIGITS
_EXPECT_SHORT_INT: Final = f"an integer of at most {MAX_DIGITS} digits"
_EXPECT_SHORT_DECIMAL: Final = f"a decimal number of at most {MAX_DIGITS} digits in fixed-point"
_EXPECT_DECIMAL: Final = "a decimal number"
_EXPECT_STR: Final = "a string"
_EXPECT_DATETIME: Final = (
    "a date and time (a datetime, a date, or a string such as "
    "'2026-01-02T03:04:05-08:00' or 'Jan 2 2026 3:04 PM')"
)


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) > _REPR_LIMIT:
        text = text[: _REPR_LIMIT - 3] + "..."
    return text


def _describe(value: object) -> str:
    return f"{_short_repr(value)} ({type(value).__name__})"


def _expected(label: str, expected: str, value: object) -> RecordError:
    return RecordError(f"{label}: expected {expected}, got {_describe(value)}", field=label)


def _to_int(value: Any, label: str) -> int:
    if type(value) is int:
        if -_INT_BOUND < value < _INT_BOUND:
            return value
        raise _expected(label, _EXPECT_SHORT_INT, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _to_int(int(value), label)
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            try:
                return int(text)
            except ValueError:  # more digits than sys.get_int_max_str_digits()
                pass
    raise _expected(label, _EXPECT_INT, value)


def _to_decimal(value: Any, label: str) -> Decimal:
    result: Decimal
    if type(value) is Decimal:
        result = value
    elif isinstance(value, bool):
        raise _expected(label, _EXPECT_DECIMAL, value)
    elif isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, float):
        # The shortest repr is the decimal the user wrote: 0.1 -> Decimal("0.1"), not
        # the binary expansion.  float.__repr__ also serves float subclasses whose own
        # repr is decorated (numpy.float64 -> "np.float64(0.1)").
        result = Decimal(float.__repr__(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.fullmatch(text):
            raise _expected(label, _EXPECT_DECIMAL, value)
        try:
            result = Decimal(text)
        except (InvalidOperation, ValueError, OverflowError):
            raise _expected(label, _EXPECT_DECIMAL, value) from None
    else:
        raise _expected(label, _EXPECT_DECIMAL, value)
    if result.is_snan():
        # A signaling NaN cannot be hashed or compared, so a record holding one
        # could be neither; quiet NaN and infinities are kept (rendering refuses them).
        raise _expected(label, "a decimal number (not a signaling NaN)", value)
    if result.is_finite() and decimal_digits(result) > MAX_DIGITS:
        raise _expected(label, _EXPECT_SHORT_DECIMAL, value)
    return result


def _to_str(value: Any, label: str) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(int(value))
        except ValueError:  # more digits than sys.get_int_max_str_digits()
            pass
    raise _expected(label, _EXPECT_STR, value)


def _to_datetime(value: Any, label: str) -> datetime:
    if type(value) is datetime:
        return value
    if isinstance(value, datetime):
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return _parse_datetime(value, label)
    raise _expected(label, _EXPECT_DATETIME, value)


class _UnknownTimezoneName(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _tzinfos(name: str | None, offset: int | None) -> timezone | None:
    # Passed to dateutil.parser.parse so that a time-zone *name* never resolves to the
    # machine's local zone (dateutil does that for names in time.tzname) and an unknown
    # name is an error rather than a warning and a silently naive result.
    if offset is not None:
        return UTC if offset == 0 else timezone(timedelta(seconds=offset))
    if name is not None:
        raise _UnknownTimezoneName(name)
    return None


# Two defaults that differ in year, month and day: a string that leaves any of them
# out parses differently with each, and is refused instead of silently completed.
_DEFAULT_A: Final = datetime(2000, 1, 1)
_DEFAULT_B: Final = datetime(2001, 2, 2)


def _parse_datetime(value: str, label: str) -> datetime:
    # Imported here: dateutil's parser is only needed for string dates and is
    # comparatively slow to import.
    from dateutil import parser as dateparser
    from dateutil import tz as datetz

    text = value.strip()
    if not text:
        raise _expected(label, _EXPECT_DATETIME, value)
    result: datetime | None = None
    with contextlib.suppress(ValueError, OverflowError):
        result = dateparser.isoparse(text)
    if result is None:
        # isoparse refuses offsets with seconds ("+00:19:32"), which isoformat()
        # produces for some historical zones; the standard library reads them.
        with contextlib.suppress(ValueError):
            result = datetime.fromisoformat(text)
    if result is None:
        try:
            first = dateparser.parse(text, default=_DEFAULT_A, tzinfos=_tzinfos)
            second = dateparser.parse(text, default=_DEFAULT_B, tzinfos=_tzinfos)
        except _UnknownTimezoneName as exc:
            raise RecordError(
                f"{label}: unknown time zone name {exc.name!r} in {_short_repr(value)}; "
                "give a numeric UTC offset such as -08:00 instead",
                field=label,
            ) from None
        except (ValueError, OverflowError):
            raise _expected(label, _EXPECT_DATETIME, value) from None
        if first != second:
            raise _expected(label, "a date with year, month and day", value)
        result = first
    if isinstance(result.tzinfo, datetz.tzutc | datetz.tzoffset):
        # Prefer the standard library's fixed-offset zones: same instant, plainer repr.
        offset = result.utcoffset()
        assert offset is not None
        result = result.replace(tzinfo=UTC if not offset else timezone(offset))
    return result


_CONVERTERS: Final[Mapping[type, _Converter]] = {
    int: _to_int,
    Decimal: _to_decimal,
    str: _to_str,
    datetime: _to_datetime,
}

# The exact types a stored value already has; anything else goes through the
# converter.  Decimal and int are absent on purpose: a Decimal must still be checked
# for sNaN, and both for their number of digits.
_SKIP_TYPES: Final[Mapping[type, type | None]] = {
    int: None,  # an int must still be checked for its number of digits
    Decimal: None,
    str: str,
    datetime: datetime,
}

_Plan = tuple[tuple[str, str, _Converter, "type | None"], ...]


def _plan(specs: Sequence[FieldSpec]) -> _Plan:
    return tuple(
        (spec.attribute, spec.name, _CONVERTERS[spec.type], _SKIP_TYPES[spec.type])
        for spec in specs
    )


_ACTION_PLAN: Final = _plan(FIELDS)
_ITEM_PLAN: Final = _plan(ITEM_FIELDS)


def _suggest(key: str, candidates: Sequence[str]) -> str | None:
    """Return the candidate ``key`` most likely meant, or None."""
    folded = key.lower()
    for candidate in candidates:
        if candidate.lower() == folded:
            return candidate
    squashed = folded.replace("_", "")
    for candidate in candidates:
        if candidate.lower().replace("_", "") == squashed:
            return candidate
    lowered = [c.lower() for c in candidates]
    import difflib

    close = difflib.get_close_matches(folded, lowered, n=1)
    if close:
        return candidates[lowered.index(close[0])]
    return None


def _require_mapping(mapping: object, label: str | None) -> Mapping[Any, Any]:
    if not isinstance(mapping, Mapping):
        where = f"{label}: " if label else ""
        raise RecordError(
            f"{where}expected a mapping of field names to values, got {_describe(mapping)}",
            field=label,
        )
    return mapping


def _require_str_key(key: object, prefix: str) -> str:
    if not isinstance(key, str):
        label = f"{prefix}{key!s}"
        raise RecordError(
            f"{label}: field names must be strings, got {_describe(key)}", field=label
        )
    return key


# ---------------------------------------------------------------------------
# Item
# ---------------------------------------------------------------------------

_ITEM_ATTRS: Final = tuple(spec.attribute for spec in ITEM_FIELDS)
_ITEM_KEYS: Final = frozenset(_ITEM_ATTRS)


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

    def __post_init__(self) -> None:
        for attr, _name, convert, exact in _ITEM_PLAN:
            value = getattr(self, attr)
            if value is None or type(value) is exact:
                continue
            object.__setattr__(self, attr, convert(value, attr))

    @classmethod
    def from_dict(cls, mapping: Mapping[str, object]) -> Self:
        """Build an item from a mapping keyed by attribute names (``sku``, ``amt``, ...).

        Raises ``RecordError`` for a non-mapping, an unknown key (suggesting the closest
        attribute) or a value that cannot be converted.
        """
        return cls._from_mapping(mapping, None)

    @classmethod
    def _from_mapping(cls, mapping: object, prefix: str | None) -> Self:
        data = _require_mapping(mapping, prefix)
        dotted = f"{prefix}." if prefix else ""
        values: dict[str, object] = {}
        for key, value in data.items():
            name = _require_str_key(key, dotted)
            if name not in _ITEM_KEYS:
                label = f"{dotted}{name}"
                suggestion = _suggest(name, _ITEM_ATTRS)
                hint = (
                    f"did you mean {suggestion!r}?"
                    if suggestion
                    else f"item attributes are {', '.join(_ITEM_ATTRS)}"
                )
                raise RecordError(
                    f"{label}: unknown item attribute {_short_repr(name)}; {hint}", field=label
                )
            values[name] = value
        if prefix is not None:
            # Convert here so that errors name the item's place in the action.
            for attr, _name, convert, exact in _ITEM_PLAN:
                value = values.get(attr)
                if value is not None and type(value) is not exact:
                    values[attr] = convert(value, f"{prefix}.{attr}")
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict keyed by attribute names, omitting unset attributes.

        Decimals become their exact string (``str(d)``, scale kept), which ``from_dict``
        reads back to an equal value.
        """
        out: dict[str, object] = {}
        for attr in _ITEM_ATTRS:
            value = getattr(self, attr)
            if value is not None:
                out[attr] = _jsonable(value)
        return out

    def __repr__(self) -> str:
        parts = (
            f"{attr}={getattr(self, attr)!r}"
            for attr in _ITEM_ATTRS
            if getattr(self, attr) is not None
        )
        return f"{type(self).__name__}({', '.join(parts)})"


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


_EXPECT_ITEMS: Final = "a list of items (Item objects or mappings)"


def _to_items(value: object) -> tuple[Item, ...]:
    if value is None:
        return ()
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping):
        raise _expected(COLLECTION, _EXPECT_ITEMS, value)
    try:
        iterator = iter(value)  # type: ignore[call-overload]
    except TypeError:
        raise _expected(COLLECTION, _EXPECT_ITEMS, value) from None
    items: list[Item] = []
    for index, element in enumerate(iterator):
        label = f"{COLLECTION}[{index}]"
        if isinstance(element, Item):
            items.append(element)
        elif isinstance(element, Mapping):
            items.append(Item._from_mapping(element, label))
        else:
            raise _expected(label, "an Item or a mapping of item attributes", element)
    return tuple(items)


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
        raise _expected("extra", "a mapping of extra field names to values", value)
    copy: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise RecordError(
                f"extra: extra field names must be strings, got {_describe(key)}", field="extra"
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
        for attr, name, convert, exact in _ACTION_PLAN:
            value = getattr(self, attr)
            if value is None or type(value) is exact:
                continue
            object.__setattr__(self, attr, convert(value, name))
        items: object = self.items
        if type(items) is not tuple or not all(isinstance(i, Item) for i in items):
            object.__setattr__(self, "items", _to_items(items))
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
                raise TypeError(f"extra field names must be strings, got {_describe(name)}")
            _check_extra_name(name)
        data = _require_mapping(mapping, None)
        values: dict[str, object] = {}
        given_as: dict[str, str] = {}
        extras: dict[str, object] = {}
        for key, value in data.items():
            name = _require_str_key(key, "")
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
        for attr, name, _convert, _exact in _ACTION_PLAN:
            value = getattr(self, attr)
            if value is not None:
                out[name] = _jsonable(value)
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
    suggestion = _suggest(name, candidates)
    if name.lower() == "extra":
        # Fuzzy matching would offer 'Text2' here; say how extras really work.
        hint = (
            "extra fields go at top level, their names listed in "
            "Action.from_dict(mapping, extra=(...))"
        )
    elif name in _ITEM_KEYS:
        hint = f"{name!r} is an item attribute; give it inside an item in {COLLECTION!r}"
    elif suggestion is not None:
        hint = f"did you mean {suggestion!r}?"
    else:
        hint = (
            "postback.FIELDS lists the field names; to keep it as an extra field, "
            f"pass extra=({_short_repr(name)},)"
        )
    return RecordError(f"{name}: unknown field {_short_repr(name)}; {hint}", field=name)


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
        items=(
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
        ),
    )
