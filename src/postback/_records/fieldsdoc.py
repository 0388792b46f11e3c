"""Generates ``docs/fields.md``, the field reference, from the catalog in ``catalog``.

Regenerate the page with::

    python -m postback._records.fieldsdoc > docs/fields.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from .catalog import COLLECTION, FIELDS, ITEM_FIELDS, SOURCES, FieldSpec

__all__ = ["fields_markdown", "main"]

_REGENERATE = "python -m postback._records.fieldsdoc > docs/fields.md"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _field_row(spec: FieldSpec) -> tuple[str, ...]:
    return (f"`{{{spec.name}}}`", f"`{spec.attribute}`", f"`{spec.type_name}`", spec.description)


def _item_row(spec: FieldSpec) -> tuple[str, ...]:
    return (f"`{{i.{spec.name}}}`", f"`{spec.attribute}`", f"`{spec.type_name}`", spec.description)


def _source_lines() -> list[str]:
    """Return one list entry per run of fields that one source documents."""
    names = [spec.name for spec in FIELDS]
    starts = [names.index(source.first) for source in SOURCES]
    ends = [*starts[1:], len(names)]
    return [
        f"- `{{{names[start]}}}` to `{{{names[end - 1]}}}` ({end - start} fields): "
        + source.reference
        for source, start, end in zip(SOURCES, starts, ends, strict=True)
    ]


def _reading_lines() -> list[str]:
    """Return the section on how record values are read (a part of ``fields_markdown``)."""
    return [
        "## How record values are read",
        "",
        "`Action(...)`, `Item(...)` and their `from_dict` convert values on construction "
        "and raise `RecordError` (naming the field, e.g. `CampaignId` or `items[2].amt`, "
        "and the value) for anything they cannot convert:",
        "",
        "- `int` fields take an `int` or a string of ASCII digits with an optional sign "
        '(`" 123 "` gives `123`), of at most 1,000 digits. `bool` is refused.',
        "- `Decimal` fields take a `Decimal`, an `int`, a `float` (exactly as written: "
        '`12.5` gives `Decimal("12.5")`, `0.1` gives `Decimal("0.1")`) or a numeric string '
        '(`"12.50"` gives `Decimal("12.50")`, scale kept), of at most 1,000 digits in '
        "fixed-point (a string is measured on its digits and exponent before it is "
        "converted). `bool` and signaling NaN are refused; NaN and infinities are "
        "accepted but cannot be rendered.",
        "- `str` fields take a `str`, or an `int` of at most 1,000 digits (written in decimal).",
        "- `datetime` fields take a `datetime` (naive stays naive, aware stays aware), a "
        "`date` (midnight, naive) or a string: ISO 8601 first, then python-dateutil's "
        "general parser (`Jan 2 2026 3:04 PM`, `2 January 2026`). The string must give "
        "year, month and day (`2026` and `2026-01` are refused), and a day and month both "
        "written as numbers before the year (`04.03.2026`, `03/04/2026`, `4-3-26`) are "
        "refused, since senders write them in either order: write ISO 8601 (`2026-03-04`) "
        "or the month as a word (see docs/records.md). A time zone must be a numeric "
        "offset or UTC/GMT/Z (names such as `PST` are ambiguous and refused).",
        f"- `{COLLECTION}` takes any iterable of `Item` objects or mappings (not a string "
        "or a mapping); `None` means no items.",
        "- `from_dict` accepts placeholder names (`CampaignId`) and attribute names "
        '(`campaign_id`); an unknown key is an error with a "did you mean" suggestion '
        '(or, with `unknown_keys="ignore"` or `"extra"`, skipped or kept as an '
        "extra field), and so is a field given under both names. Keys named in "
        "`from_dict(..., extra=(...))` go, unchanged, into `Action.extra`. "
        "`from_dict` checks every value; `template.render(mapping)` checks every key but "
        "converts only the values the template uses; `Action.from_json` reads JSON text "
        "exactly (see [records.md](records.md)).",
        "- `Action.to_dict()` gives back a JSON-ready dict keyed by placeholder names "
        "(Decimals as exact strings, datetimes as `isoformat()` strings, items as a list "
        "of dicts; unset fields and an empty item list left out; extra fields merged in "
        "as they are), which `from_dict` reads back to an equal action.",
        "",
    ]


def fields_markdown() -> str:
    """Return the whole text of ``docs/fields.md``, generated from the field catalog."""
    out: list[str] = [
        "# Fields",
        "",
        f"<!-- Generated from src/postback/_records/catalog.py; do not edit. Regenerate with: {_REGENERATE} -->",
        "",
        "Templates name data points of an action in braces: `{CampaignId}`, `{Payout}`. "
        "Each field is an attribute of `postback.Action` (the snake_case of its name) and "
        "every field is optional. The order's line items are the collection "
        f"`{COLLECTION}`, used only in a loop: "
        f'`{{join({COLLECTION}, i, "{{i.sku}}:{{i.qty}}")}}`. '
        "`postback.FIELDS` and `postback.ITEM_FIELDS` hold this catalog in Python, and "
        "`postback fields` prints it.",
        "",
        f"## Fields ({len(FIELDS)})",
        "",
        *_table(("placeholder", "attribute", "type", "description"), map(_field_row, FIELDS)),
        "",
        f"## Item attributes ({len(ITEM_FIELDS)})",
        "",
        f"Used as `{{i.sku}}` inside `{{join({COLLECTION}, i, ...)}}`, where `i` is the "
        "join's loop variable; each attribute of `postback.Item` is optional.",
        "",
        *_table(("placeholder", "attribute", "type", "description"), map(_item_row, ITEM_FIELDS)),
        "",
        "## Sources",
        "",
        "The fields are impact.com's own names for the data points of an action, as these "
        "pages document them (the item attributes come from the first):",
        "",
        *_source_lines(),
        "",
        "## How values are formatted",
        "",
        "Before a value is escaped for its position in the body, it is formatted:",
        "",
        "- `str`: as is.",
        "- `int`: in decimal (`4636`, `-3`).",
        "- `Decimal`: in fixed-point notation without exponent, keeping its scale: "
        '`Decimal("5.00")` gives `5.00`. A NaN or '
        "infinite Decimal cannot be rendered (`RenderError`).",
        "- `datetime`: converted to the template's time zone (`timezone=`, default UTC; a "
        "naive datetime is taken to be in that zone already), then written in ISO 8601 with "
        "its UTC offset to the second: `2026-01-02T03:04:05-08:00`; or with the "
        "template's `date_format=`: a `strftime` pattern of portable directives, or "
        '`"unix"` (`"unix_ms"`) for the whole seconds (milliseconds) since '
        "1970-01-01T00:00:00Z, `1767351845`, written as a bare number at a JSON value "
        "position.",
        "- `bool` (an extra field's value): `true` or `false`.",
        '- a missing value (`None`, or a key absent from a mapping): with `missing="empty"` '
        "(the default) nothing, or `null` for an unquoted JSON value; with "
        '`missing="error"` a `RenderError` naming the field.',
        "",
        *_reading_lines(),
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write the generated page to the file named in ``argv`` or to standard output."""
    args = sys.argv[1:] if argv is None else argv
    text = fields_markdown()
    if args:
        with open(args[0], "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
