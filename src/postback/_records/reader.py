"""Reading a record mapping into an ``Action``: one generated function per set of fields.

``Action.from_dict`` and ``Template.render(mapping)`` both read a mapping keyed by
placeholder or attribute names.  A reader is the straight-line Python source of that
work for one set of fields, compiled once: for ``from_dict`` every field, for a
template only the fields and item attributes it names, so a template with three
placeholders converts three values.

Keys are checked before any value: a plain ``dict`` whose keys are all placeholder
names (the common case) passes with one set comparison; any other mapping goes
through ``record_keys``, which refuses or sorts out its keys exactly as
``from_dict`` always has, naming the first bad key.  Values are then converted in
catalog order, items after the fields and item by item, so the first bad value is
the one ``from_dict`` reports too.  Only catalog names and validated extra-field
names (ASCII identifiers) reach the generated source, and only as ``ascii()``
literals; the values it uses are bound under fixed names that say what they are
(``_record_keys``, ``_ITEM_KEYS``, ``_c_int``: the catalog's int converter).
``Template.reader_code`` shows a template's reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any, Final

from .._compiler.values import MAX_DIGITS
from .._errors import RecordError
from .._messages import describe_value, option, short_repr, suggest
from .catalog import COLLECTION, FIELDS, ITEM_FIELDS, FieldSpec
from .conversion_lines import convert_lines
from .convert import (
    CANONICAL_DECIMAL,
    CONVERTERS,
    DECIMAL_ERRORS,
    DECIMAL_FAST_BOUND,
    UnknownKeys,
    check_unknown_keys,
    date_converter,
)
from .expect import expected_error, require_mapping, require_str_key
from .item import ITEM_KEYS, Item, item_keys, item_list

__all__ = [
    "ACTION_KEYS",
    "EMPTY_EXTRA",
    "Reader",
    "check_extra_name",
    "check_extra_names",
    "generate_reader",
    "make_reader",
    "record_keys",
    "to_extra",
    "unknown_field",
]

# Every spelling a record may use -> (attribute, placeholder name).
ACTION_KEYS: Final[Mapping[str, tuple[str, str]]] = {
    **{spec.name: (spec.attribute, spec.name) for spec in FIELDS},
    **{spec.attribute: (spec.attribute, spec.name) for spec in FIELDS},
    COLLECTION: (COLLECTION, COLLECTION),
}
_CANDIDATES: Final = (
    *(spec.name for spec in FIELDS),
    *(spec.attribute for spec in FIELDS),
    COLLECTION,
)
_ITEM_ATTRS: Final = tuple(spec.attribute for spec in ITEM_FIELDS)
EMPTY_EXTRA: Final[Mapping[str, object]] = MappingProxyType({})

Reader = Callable[..., Any]


def to_extra(value: object) -> Mapping[str, object]:
    """Return a read-only copy of an action's ``extra`` mapping, its names checked."""
    if not isinstance(value, Mapping):
        raise expected_error("extra", "a mapping of extra field names to values", value)
    copy: dict[str, object] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise RecordError(
                f"extra: extra field names must be strings, got {describe_value(key)}",
                field="extra",
            )
        check_extra_name(key)
        copy[key] = item
    return MappingProxyType(copy) if copy else EMPTY_EXTRA


def check_extra_name(name: str) -> None:
    """Refuse an extra field named like a catalog field."""
    if name in ACTION_KEYS:
        raise RecordError(
            f"{name}: an extra field cannot have the name of a catalog field", field=name
        )


def check_extra_names(extra: Iterable[str]) -> frozenset[str]:
    """Return ``from_dict``'s ``extra`` argument as a set of checked names."""
    if isinstance(extra, str):
        raise TypeError(f"extra must be an iterable of field names, not the str {extra!r}")
    names = frozenset(extra)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"extra field names must be strings, got {describe_value(name)}")
        check_extra_name(name)
    return names


def unknown_field(name: str, extra_names: Iterable[str]) -> RecordError:
    """Return the error for the unknown top-level key ``name``, with the likeliest fix.

    The hint names arguments that both ``Action.from_dict`` and ``compile`` take, so
    the error reads the same whichever of them met the key.
    """
    candidates = (*_CANDIDATES, *sorted(extra_names))
    suggestion = suggest(name, candidates, cutoff=0.6)
    if name.lower() == "extra":
        # Fuzzy matching would offer 'Text2' here; say how extras really work.
        hint = (
            "extra fields go at top level, their names listed in compile(..., "
            "extra_fields=(...)) or Action.from_dict(..., extra=(...))"
        )
    elif name in ITEM_KEYS:
        hint = f"{name!r} is an item attribute; give it inside an item in {COLLECTION!r}"
    elif suggestion is not None:
        hint = f"did you mean {suggestion!r}?"
    else:
        # Spelled for the reader: compile(..., unknown_keys='ignore') in Python, the
        # --unknown-keys flag on the command line, the key of a notification file.
        hint = (
            "postback.FIELDS lists the field names; to accept other keys, use "
            f"{option('unknown_keys', 'ignore')} (skip them) or "
            f"{option('unknown_keys', 'extra')} (keep them as extra fields)"
        )
    return RecordError(f"{name}: unknown field {short_repr(name)}; {hint}", field=name)


def record_keys(
    mapping: object, extra_names: frozenset[str], unknown: str
) -> tuple[dict[str, object], dict[str, object]]:
    """Check a record's keys the way ``from_dict`` does; sort its values out.

    Returns the values keyed by placeholder name and the extra fields (the keys in
    ``extra_names``, and under ``unknown="extra"`` every unknown key).  Raises
    ``RecordError`` for a non-mapping, a key that is not a string, an unknown key
    under ``unknown="error"`` and a field given under both its names.
    """
    data = require_mapping(mapping, None)
    values: dict[str, object] = {}
    given_as: dict[str, str] = {}
    extras: dict[str, object] = {}
    for key, value in data.items():
        name = require_str_key(key, "")
        if name in extra_names:
            extras[name] = value
            continue
        target = ACTION_KEYS.get(name)
        if target is None:
            if unknown == "error":
                raise unknown_field(name, extra_names)
            if unknown == "extra":
                extras[name] = value
            continue
        placeholder = target[1]
        if placeholder in given_as:
            raise RecordError(
                f"{placeholder}: given twice, as {given_as[placeholder]!r} and {name!r}",
                field=placeholder,
            )
        given_as[placeholder] = name
        values[placeholder] = value
    return values, extras


# ---------------------------------------------------------------------------
# Code generation
# ---------------------------------------------------------------------------

_INT_BOUND: Final = 10**MAX_DIGITS


def _item_lines(attrs: Sequence[FieldSpec], complete: bool, decimal_text: bool) -> list[str]:
    """Return the body of ``_read_items(v, unknown)``: the items of one record."""
    lines = [
        "if type(v) is not list:",
        "    v = _item_list(v)",
        "out = []",
        "k = -1",
        "for e in v:",
        "    k += 1",
        "    if type(e) is not dict or not _ITEM_KEYS.issuperset(e):",
        "        if isinstance(e, _Item):",
        "            out.append(e)",
        "            continue",
        "        e = _item_keys(e, f'items[{k}]', unknown)",
        "    i = _ItemSlots()",
        "    g = e.get",
    ]
    for spec in attrs:
        label = f"f'items[{{k}}].{spec.attribute}'"
        lines.append(f"    x = g({spec.attribute!r})")
        lines += [
            "    " + line for line in convert_lines(spec, "x", label, decimal_text=decimal_text)
        ]
        lines.append(f"    i.{spec.attribute} = x")
    lines += [
        *(() if decimal_text else ["    i.__class__ = _Item"]),
        "    out.append(i)",
        "return tuple(out)" if complete else "return out",
    ]
    return lines


def _read_lines(
    fields: Sequence[FieldSpec],
    items: bool,
    extra_names: Sequence[str],
    complete: bool,
    decimal_text: bool,
) -> list[str]:
    """Return the body of ``read(m, extra_names, unknown)``: one record to an ``Action``
    (with ``decimal_text``, to its slots' twin, canonical decimal strings kept as text)."""
    lines = ["if type(m) is dict and _KNOWN_KEYS.issuperset(m):"]
    if extra_names:
        lines.append("    x = {}")
        for name in extra_names:
            key = ascii(name)
            lines += [f"    if {key} in m:", f"        x[{key}] = m[{key}]"]
    else:
        lines.append("    x = None")
    lines += [
        "else:",
        "    m, x = _record_keys(m, extra_names, unknown)",
        "a = _ActionSlots()",
        "g = m.get",
    ]
    for spec in fields:
        lines.append(f"v = g({spec.name!r})")
        lines += convert_lines(spec, "v", repr(spec.name), decimal_text=decimal_text)
        lines.append(f"a.{spec.attribute} = v")
    if items:
        lines += [
            f"v = g({COLLECTION!r})",
            f"a.{COLLECTION} = () if v is None else _read_items(v, unknown)",
        ]
    if complete:
        lines.append("a.extra = _MappingProxyType(x) if x else _EMPTY_EXTRA")
    elif extra_names:
        lines.append("a.extra = x")
    lines += ["return a"] if decimal_text else ["a.__class__ = _Action", "return a"]
    return lines


def make_reader(
    action_cls: type,
    fields: Iterable[str] | None = None,
    item_attrs: Iterable[str] | None = None,
    extra_names: Iterable[str] = (),
    unknown: UnknownKeys = "error",
    day_first: bool | None = None,
) -> Reader:
    """Return ``read(mapping, extra_names=..., unknown=...)`` -> an ``action_cls``.

    With ``fields`` None the reader is complete: it checks every field and returns
    a whole ``Action``, as ``from_dict`` does.  Otherwise it converts only the named
    fields (placeholder names; ``items`` for the line items) and item attributes,
    and returns an ``Action`` whose other attributes are not set at all: it is made
    for one render function, which reads nothing else, and must not leave it.
    ``extra_names`` and ``unknown`` are the defaults of the returned function;
    ``day_first`` is how its dates read a numeric day and month (``04.03.2026``).
    """
    return generate_reader(action_cls, fields, item_attrs, extra_names, unknown, day_first)[0]


def generate_reader(
    action_cls: type,
    fields: Iterable[str] | None = None,
    item_attrs: Iterable[str] | None = None,
    extra_names: Iterable[str] = (),
    unknown: UnknownKeys = "error",
    day_first: bool | None = None,
    *,
    decimal_text: bool = False,
) -> tuple[Reader, str]:
    """Return ``make_reader``'s reader and the Python source it was made from.

    With ``decimal_text`` the reader is the mapping render path's: a decimal string in
    canonical form (``CANONICAL_DECIMAL``) stays text, and the record and its items
    stay the plain twins of ``Action`` and ``Item``, read by a render function made for
    them (``codegen.generate(decimal_text=True)``) and by nothing else.
    """
    complete = fields is None
    wanted = None if fields is None else frozenset(fields)
    specs = [s for s in FIELDS if wanted is None or s.name in wanted]
    items = wanted is None or COLLECTION in wanted
    attrs = set(_ITEM_ATTRS if item_attrs is None or complete else item_attrs)
    item_specs = [s for s in ITEM_FIELDS if s.attribute in attrs]
    extras = tuple(sorted(extra_names))
    body = _read_lines(specs, items, () if complete else extras, complete, decimal_text)
    lines = [
        "def _factory(" + ", ".join(_BOUND) + "):",
        "    def read(m, /, extra_names=_EXTRA, unknown=_UNKNOWN):",
        *("        " + line for line in body),
    ]
    if items:
        lines.append("    def _read_items(v, unknown):")
        lines += ["        " + line for line in _item_lines(item_specs, complete, decimal_text)]
    lines.append("    return read")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<postback record reader>", "exec"), {}, namespace)
    bound = dict(_BOUND)
    bound["_Action"] = action_cls
    bound["_ActionSlots"] = _slots_twin(action_cls)
    bound["_KNOWN_KEYS"] = frozenset(
        [*(s.name for s in FIELDS), COLLECTION, *(() if complete else extras)]
    )
    bound["_EXTRA"] = frozenset(extras)
    bound["_UNKNOWN"] = check_unknown_keys(unknown)
    bound["_c_datetime"] = date_converter(day_first)
    reader: Reader = namespace["_factory"](**bound)
    return reader, source


@cache
def _slots_twin(cls: type) -> type:
    """Return a plain class with the same slots as the frozen dataclass ``cls``.

    A reader fills a twin with plain attribute stores and then sets its
    ``__class__`` to ``cls``, which Python allows between classes of the same layout:
    the object becomes an ordinary ``cls`` instance.  Setting each attribute of a
    frozen dataclass goes through ``object.__setattr__``, a call that costs ten
    times a plain store, and a record has some sixty attributes.
    """
    return type(f"_{cls.__name__}Slots", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]


# The names every reader's source may use, and what they are bound to: the plain
# dict keys read without ``record_keys``, the defaults of ``extra_names`` and
# ``unknown``, the bound on the size of a record's ints, the catalog's converters
# (``_c_<type>``) and their fast paths, the classes filled and the key checks.
_BOUND: Final[dict[str, object]] = {
    "_Action": None,
    "_KNOWN_KEYS": frozenset(),
    "_EXTRA": frozenset(),
    "_UNKNOWN": "error",
    "_ITEM_KEYS": ITEM_KEYS,
    "_INT_BOUND": _INT_BOUND,
    "_c_int": CONVERTERS[int],
    "_c_str": CONVERTERS[str],
    "_c_Decimal": CONVERTERS[Decimal],
    "_c_datetime": CONVERTERS[datetime],
    "_Decimal": Decimal,
    "_DEC_BOUND": DECIMAL_FAST_BOUND,
    "_DEC_ERRORS": DECIMAL_ERRORS,
    "_iso": datetime.fromisoformat,
    "_canonical": CANONICAL_DECIMAL.fullmatch,
    "_ActionSlots": None,
    "_ItemSlots": _slots_twin(Item),
    "_Item": Item,
    "_item_list": item_list,
    "_item_keys": item_keys,
    "_record_keys": record_keys,
    "_MappingProxyType": MappingProxyType,
    "_EMPTY_EXTRA": EMPTY_EXTRA,
}
