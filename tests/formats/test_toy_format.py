"""A format added by the steps of docs/architecture.md, "Adding a format", and nothing else.

This module is the toy format's context module and escaper module both: a "csv line",
one record of comma-separated fields where a placeholder is a whole field, written
quoted.  The fixture registers its ``FormatSpec`` and undoes that after each test;
the tests then compile, check and render templates in it, and send it as a
notification's body, through the public API only.
"""

from __future__ import annotations

import csv
import pickle
from collections.abc import Iterator
from typing import Final, NamedTuple

import pytest

import postback
from postback._compiler.nodes import Hole, Span, Text
from postback._contexts import Context, Defect, Fusion
from postback._escape import Escape, Escaper
from postback._escape._rules import translation
from postback._files.project import directory_suffixes
from postback._formats import (
    FormatSpec,
    format_for,
    format_names,
    register_format,
    unregister_format,
)
from postback._problems import Code, Problem

# -- Step 2: the escaper, built from a table of named rules ----------------------------------

_WRITES: Final = {
    "quote": {'"': '""'},
    "line-breaks": {"\r": " ", "\n": " "},
}
_RULES: Final = {
    "quote": 'a " is written twice: the field is quoted',
    "line-breaks": "CR and LF become spaces: the record stays one line",
}


def _build(rules: frozenset[str]) -> Escape:
    table = translation(writes for name, writes in _WRITES.items() if name in rules)

    def csv_field(value: str | None) -> str:
        return '"' + ("" if value is None else value).translate(table) + '"'

    return csv_field


CSV_FIELD_ESCAPER: Final = Escaper("csv_field", _RULES, _build)
csv_field = CSV_FIELD_ESCAPER.complete()

# -- Step 1: the context module: a state machine and its contexts ----------------------------

CSV_FIELD: Final = Context("csv field", csv_field, '""', frozenset("0123456789.-+:TZ "), '"')
"""A whole field: the value quoted."""


class CsvState(NamedTuple):
    """Where the scanner is: at a field's start, in literal text, or after a placeholder."""

    mode: str


START: Final = CsvState("start")
LITERAL: Final = CsvState("literal")
VALUE: Final = CsvState("value")


def _glued(start: int, end: int) -> Problem:
    return Problem(
        Span(start, end),
        Code.PLACEHOLDER_GLUED,
        "a placeholder is a whole field of a csv line: put a comma between it and the text",
    )


class _CsvLineFormat:
    """Fields between commas; a placeholder must be a whole field."""

    def initial(self) -> CsvState:
        return START

    def text(self, state: CsvState, node: Text, start: int = 0) -> CsvState | Defect[CsvState]:
        for i in range(start, len(node.value)):
            if node.value[i] == ",":
                state = START
            elif state == VALUE:
                at = node.offset_of(i)
                return Defect(_glued(at, at + 1), LITERAL, i + 1)
            else:
                state = LITERAL
        return state

    def hole(self, state: CsvState, node: Hole) -> tuple[CsvState, Context] | Defect[CsvState]:
        if state != START:
            return Defect(_glued(node.span.start, node.span.end), VALUE)
        return VALUE, CSV_FIELD

    def loop(self, before: CsvState, after: CsvState) -> str | None:
        return None

    def end(self, state: CsvState, offset: int) -> Problem | None:
        return None

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None:
        return None


FORMAT = _CsvLineFormat()

# -- Step 3: the registry entry --------------------------------------------------------------

CSV_LINE: Final = FormatSpec(
    "csvline",
    "CSV Line",
    __name__,
    __name__,
    ("csv_field",),
    content_type="text/csv; charset=utf-8",
    body=True,
    suffixes=(".csvline",),
    one_line=True,
    one_line_values=True,
)


@pytest.fixture
def csv_line() -> Iterator[postback.Format]:
    """The added format while a test runs: its ``Format`` member, as type checkers see it."""
    spec = register_format(CSV_LINE)
    try:
        yield postback.Format.parse(spec.name)
    finally:
        unregister_format(spec.name)


# -- Step 4: its tests -----------------------------------------------------------------------

SOURCE = "{ActionId},fixed,{SubId1},{Payout},{EventDate}"
HOSTILE = 'a "b",\nc\r'


def fields(line: str) -> list[str]:
    (row,) = csv.reader([line], strict=True)
    return row


def test_a_template_compiles_and_renders_in_the_added_format(csv_line: postback.Format) -> None:
    template = postback.compile(SOURCE, format=csv_line)
    assert template.format == "csvline"
    assert template.format is postback.Format.parse("CSV Line") is postback.Format("csvline")
    action = postback.Action(action_id="1000.1", sub_id1=HOSTILE, payout="9.50")
    out = template.render(action)
    assert "\n" not in out and "\r" not in out
    assert fields(out) == ["1000.1", "fixed", 'a "b", c ', "9.50", ""]
    assert postback.check(SOURCE, format=csv_line) == []
    assert "csv_field(a.sub_id1)" in template.code


def test_a_value_with_only_inert_characters_is_written_without_the_escaper(
    csv_line: postback.Format,
) -> None:
    template = postback.compile("{Payout}", format=csv_line)
    assert "csv_field" not in template.code
    for value in ("1", "-2.5", None):
        action = postback.Action(payout=value)
        expected = '""' if value is None else csv_field(str(action.payout))
        assert template.render(action) == expected


@pytest.mark.parametrize(
    ("source", "column"),
    [("a{SubId1}", 2), ("{SubId1}a", 9), ("x,{SubId1}{SubId2}", 11)],
)
def test_a_placeholder_glued_to_text_is_refused_where_it_is(
    csv_line: postback.Format, source: str, column: int
) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format=csv_line)
    assert (info.value.code, info.value.line, info.value.column) == ("placeholder-glued", 1, column)


def test_the_registry_s_facts_apply_to_the_added_format(csv_line: postback.Format) -> None:
    assert postback.compile(SOURCE + "\n", format=csv_line).source == SOURCE  # one line
    assert format_for("orders/t.CSVLINE") is csv_line
    assert ".csvline" in directory_suffixes()
    assert format_names()[-1] == "csvline"
    template = postback.compile(SOURCE, format=csv_line)
    assert pickle.loads(pickle.dumps(template)) == template


def test_the_added_format_is_a_notification_body(csv_line: postback.Format) -> None:
    notification = postback.Notification(
        url="https://example.com/pb",
        method="POST",
        body="{ActionId},{SubId1}",
        body_format=postback.Format.parse("CSV line"),
    )
    assert notification.body_format is csv_line
    request = notification.prepare(postback.Action(action_id="1000.1", sub_id1=HOSTILE))
    assert request.header("Content-Type") == "text/csv; charset=utf-8"
    assert request.body is not None
    assert fields(request.body.decode()) == ["1000.1", 'a "b", c ']


def test_the_escaper_s_rules_are_each_needed() -> None:
    for rule in CSV_FIELD_ESCAPER.rules:
        mutant = CSV_FIELD_ESCAPER.without(rule)
        with pytest.raises((csv.Error, AssertionError, ValueError)):
            line = mutant(HOSTILE)
            assert fields(line) == [HOSTILE.replace("\r", " ").replace("\n", " ")]
            assert "\n" not in line and "\r" not in line


def test_the_registration_is_undone_after_each_test() -> None:
    assert "csvline" not in format_names()
    assert format_for("t.csvline") is None
    with pytest.raises(postback.ConfigError, match="unknown format 'csvline'"):
        postback.Format.parse("csvline")
    with pytest.raises(postback.ConfigError, match="unknown body_format 'csvline'"):
        postback.Notification(
            url="https://example.com/pb",
            method="POST",
            body="x",
            body_format="csvline",  # type: ignore[arg-type]
        )
