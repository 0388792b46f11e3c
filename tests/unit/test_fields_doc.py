"""docs/fields.md is generated from the field catalog and must stay equal to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from postback._records.catalog import FIELDS, ITEM_FIELDS
from postback._records.fieldsdoc import fields_markdown, main

DOC = Path(__file__).resolve().parents[2] / "docs" / "fields.md"


def test_docs_fields_md_matches_catalog() -> None:
    assert DOC.read_text(encoding="utf-8") == fields_markdown(), (
        "docs/fields.md is out of date with src/postback/_records/catalog.py; regenerate it with "
        "`PYTHONPATH=src python -m postback._records.fieldsdoc > docs/fields.md`"
    )


def test_every_field_and_item_attribute_has_a_table_row() -> None:
    text = fields_markdown()
    for spec in FIELDS:
        row = (
            f"| `{{{spec.name}}}` | `{spec.attribute}` | `{spec.type_name}` | {spec.description} |"
        )
        assert row in text
    for spec in ITEM_FIELDS:
        row = f"| `{{i.{spec.name}}}` | `{spec.attribute}` | `{spec.type_name}` | {spec.description} |"
        assert row in text


def test_page_documents_value_formatting() -> None:
    text = fields_markdown()
    assert "## How values are formatted" in text
    assert "`2026-01-02T03:04:05-08:00`" in text
    assert '`Decimal("5.00")` gives `5.00`' in text
    assert "`true` or `false`" in text
    assert 'missing="error"' in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_main_writes_stdout_or_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == fields_markdown()
    target = tmp_path / "fields.md"
    assert main([str(target)]) == 0
    assert target.read_bytes() == fields_markdown().encode("utf-8")
