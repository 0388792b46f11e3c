"""Warnings for other systems' macros left in a template, and messages for their syntax."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
import postback._compiler.macros as macros
from postback import Diagnostic
from postback._compiler.macros import MACROS, lookup
from postback._formats import format_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def warnings(source: str, fmt: str = "text") -> list[Diagnostic]:
    found = postback.check(source, format=fmt)
    return [d for d in found if d.severity == "warning"]


def spans(found: list[Diagnostic], source: str) -> list[str]:
    """The source text each diagnostic points at (one-line sources only)."""
    return [source[d.column - 1 : d.end_column - 1] for d in found]


def test_cake_macros_with_a_known_mapping_get_a_suggestion() -> None:
    source = "p=#price#&o=#tid#&c=#s2#&x=#frob#"
    found = warnings(source)
    assert spans(found, source) == ["#price#", "#tid#", "#s2#", "#frob#"]
    assert all(d.code == "foreign-macro" for d in found)
    price, tid, s2, frob = found
    assert price.message == (
        "#price# looks like a macro of CAKE (the payout) but is literal text here; write {Payout}"
    )
    assert (price.suggestion, tid.suggestion) == ("{Payout}", "{Oid}")
    assert s2.suggestion is None and "{SubId1}" in s2.message and "{SharedId}" in s2.message
    assert frob.suggestion is None
    assert "CAKE writes its macros #name#" in frob.message


def test_awin_macros() -> None:
    source = "<a>!!!awc!!!</a><b>!!!clickref!!!</b>"
    awc, clickref = warnings(source, "xml")
    assert spans([awc, clickref], source) == ["!!!awc!!!", "!!!clickref!!!"]
    assert awc.suggestion == "{RefClickId}"
    assert "Awin" in clickref.message and "{SubId1}" in clickref.message


def test_template_literal_syntax() -> None:
    source = '{"a": "${transaction_id}", "b": "${Payout}", "c": "${a.b.c}"}'
    found = postback.check(source)
    shown = [(d.severity, d.code, source[d.column - 1 : d.end_column - 1]) for d in found]
    assert shown == [
        ("warning", "foreign-macro", "${transaction_id}"),
        ("error", "unknown-field", "{transaction_id}"),
        ("warning", "foreign-macro", "${a.b.c}"),
        ("error", "malformed-placeholder", "{a.b.c}"),
    ]
    assert "Everflow or TUNE" in found[0].message and "{SubId1}" in found[0].message
    assert "${name} is a template-literal placeholder" in found[2].message


def test_a_dollar_sign_before_a_known_field_is_a_price() -> None:
    assert postback.check("You earned ${Payout}!", format="text") == []


def test_double_braces() -> None:
    source = "{{Payout}} {{ CampaignId }} {{clickref}}"
    found = postback.check(source, format="text")
    shown = [(d.severity, d.code, source[d.column - 1 : d.end_column - 1]) for d in found]
    assert shown == [
        ("warning", "foreign-macro", "{{Payout}}"),
        ("warning", "foreign-macro", "{{ CampaignId }}"),
        ("error", "malformed-placeholder", "{ CampaignId }"),
        ("warning", "foreign-macro", "{{clickref}}"),
        ("error", "unknown-field", "{clickref}"),
    ]
    assert found[0].message == (
        "{{Payout}} writes literal braces around a value ({{name}} is a Mustache, "
        "Handlebars or Liquid placeholder); a placeholder takes one pair of braces: "
        "write {Payout}"
    )
    assert (found[0].suggestion, found[1].suggestion) == ("{Payout}", "{CampaignId}")


def test_double_braces_inside_a_join() -> None:
    source = '[{join(items, i, "{{i.sku}}")}]'
    (found,) = warnings(source, "text")
    assert spans([found], source) == ["{{i.sku}}"]
    assert found.suggestion == "{i.sku}"


def test_escaped_braces_around_a_placeholder_are_intended() -> None:
    assert postback.check("\\{{Payout}\\}", format="text") == []


def test_square_brackets_only_in_url_and_query_values() -> None:
    source = "https://example.com/pb?c=[clickid]&p=[payout]&a[b]=1"
    found = warnings(source, "url")
    assert spans(found, source) == ["[clickid]", "[payout]"]
    assert found[1].suggestion == "{Payout}"
    query = "c=[clickid]"
    assert spans(warnings(query, "query"), query) == ["[clickid]"]
    assert warnings("c=[clickid]", "text") == []
    assert warnings('{"c": "=[clickid]"}', "json") == []


def test_positions_are_line_and_column_of_the_macro() -> None:
    (found,) = warnings('{\n  "p": "#price#"\n}', "json")
    assert (found.line, found.column, found.end_line, found.end_column) == (2, 9, 2, 16)


def test_warnings_never_stop_compile() -> None:
    source = '{"p": "#price#", "q": "{{Payout}}"}'
    assert [d.severity for d in postback.check(source)] == ["warning", "warning"]
    template = postback.compile(source)
    assert template.render(postback.sample_action()) == '{"p": "#price#", "q": "{12.50}"}'


def test_an_error_after_a_warning_is_what_compile_raises() -> None:
    source = "#price# {Nope}"
    with pytest.raises(postback.UnknownFieldError) as info:
        postback.compile(source, format="text")
    assert info.value.code == "unknown-field"
    assert [d.code for d in info.value.diagnostics] == ["unknown-field"]


def test_unknown_fields_that_are_known_macros_say_what_to_write() -> None:
    (diag,) = postback.check('{"p": "{payout_amount}"}')
    assert diag.code == "unknown-field"
    assert diag.message == (
        "unknown field {payout_amount}: a macro of Everflow (the payout); write {Payout}"
    )
    assert diag.suggestion == "{Payout}"
    (click,) = postback.check('{"c": "{transaction_id}"}')
    assert click.suggestion is None and "{SubId1}" in click.message
    # A near miss of a field keeps its suggestion.
    (near,) = postback.check('{"p": "{payout}"}')
    assert near.message == "unknown field {payout}; did you mean {Payout}?"


def test_dotted_names_outside_a_join_are_foreign_syntax() -> None:
    (order,) = postback.check("{order.number}", format="text")
    assert order.code == "item-outside-join"
    assert order.message == (
        "{order.number} looks like another system's placeholder: a dotted name is an item "
        "attribute, used only inside a join ({i.sku}), and 'number' is not one; name a "
        "field instead: did you mean {Oid}?"
    )
    assert order.suggestion == "{Oid}"
    (amount,) = postback.check("{conversion.amount}", format="text")
    assert amount.suggestion == "{Amount}"
    (other,) = postback.check("{conversion.zzz}", format="text")
    assert other.suggestion is None and "`postback fields` lists them" in other.message
    with pytest.raises(postback.TemplateSyntaxError):
        postback.compile("{order.number}", format="text")


def test_item_attributes_outside_a_join_keep_the_join_hint() -> None:
    (diag,) = postback.check("{i.sku}", format="text")
    assert diag.code == "item-outside-join"
    assert diag.message == (
        "{i.sku} is an item placeholder and can only stand inside a join template: "
        '{join(items, i, "...{i.sku}...")}'
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("action-clearing.*")), ids=lambda p: p.name)
def test_the_examples_do_not_warn(path: Path) -> None:
    fmt = format_for(path)
    assert fmt is not None
    assert postback.check(path.read_text(encoding="utf-8"), format=fmt) == []


def test_the_seed_body_does_not_warn() -> None:
    source = (ROOT / "tests" / "data" / "seed_body.json.txt").read_text(encoding="utf-8")
    assert warnings(source, "json") == []


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *["#", "!!!", "!", "${", "{{", "}}", "}", "=", "[", "]", "ab", "_1", " ", "."],
                *["#ab#", "!!!ab!!!", "${ab}", "{{ab}}", "{{ a.b }}", "=[ab]"],
            ]
        ),
        max_size=10,
    ).map("".join),
    st.booleans(),
)
def test_the_first_search_finds_where_every_macro_starts(text: str, brackets: bool) -> None:
    # find_in_text scans from the first place a macro can start; scanning from the
    # text's start must find the same macros.
    fields = ["SubId1"]
    found = macros.find_in_text(text, fields, brackets=brackets)
    everywhere = re.compile("")
    with (
        mock.patch.object(macros, "_START", everywhere),
        mock.patch.object(macros, "_START_WITH_BRACKETS", everywhere),
    ):
        assert macros.find_in_text(text, fields, brackets=brackets) == found


def test_every_mapping_names_a_catalog_field() -> None:
    names = {f"{{{f.name}}}" for f in postback.FIELDS}
    for macro in MACROS:
        assert (macro.field is None) != (macro.advice is None), macro
        if macro.field is not None:
            assert macro.field in names, macro
        else:
            assert macro.advice is not None and "{" in macro.advice
    assert lookup("cake", "PRICE") == lookup("cake", "price")
    assert lookup("awin", "price") is None


def test_the_language_page_lists_every_known_macro() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text[text.index("| system | macro | holds | write instead |") :]
    shapes = {"cake": "`#{}#`", "awin": "`!!!{}!!!`", "braces": "`{{{}}}`"}
    for macro in MACROS:
        written = shapes[macro.family].format(macro.name)
        row = next((line for line in section.splitlines() if written in line), None)
        assert row is not None, written
        if macro.field is not None:
            assert row.endswith(f"| `{macro.field}` |") or f"`{macro.field}` with" in row, row


def test_macros_after_escaped_quotes_in_a_join_point_at_themselves() -> None:
    # `\"` in a join's string literal writes one character from two: the positions
    # of what follows still count both.
    source = '{"a": [{join(items, i, "\\{\\"k\\": \\"#s2# \\\\\\"{{sku}}{i.sku}\\"\\}")}]}'
    found = warnings(source, "json")
    assert spans(found, source) == ["#s2#", "{{sku}}"]
