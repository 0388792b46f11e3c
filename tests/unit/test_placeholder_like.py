"""The placeholder-like warning: braces the parser read as literal text around a name.

``{Payout:.2f}``, ``{Payout|round}``, ``{Sub-Id1}``, ``{Päyout}``, ``{Payout!}`` and
``{$Payout}`` are no placeholders: the parser reads them as literal text, which a
postback would send as it is written.  ``check`` warns about each at its exact span,
with the placeholder it most likely means; ``compile`` ignores the warning.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback import Diagnostic
from postback._compiler.macros import find_placeholder_like
from strategies import ANY_CHAR

ROOT = Path(__file__).resolve().parents[2]
FIELDS = frozenset(f.name for f in postback.FIELDS)


def warned(source: str, fmt: str = "text") -> list[Diagnostic]:
    return [d for d in postback.check(source, format=fmt) if d.code == "placeholder-like"]


def spans(found: list[Diagnostic], source: str) -> list[str]:
    """The source text each diagnostic points at (one-line sources only)."""
    return [source[d.column - 1 : d.end_column - 1] for d in found]


@pytest.mark.parametrize(
    ("written", "suggestion", "reason"),
    [
        ("{Payout:.2f}", "{Payout}", "a placeholder takes no format specification (:.2f)"),
        ("{Payout|round}", "{Payout}", "a placeholder takes no filter (|round)"),
        ("{Sub-Id1}", "{SubId1}", "a field name has only ASCII letters, digits and '_'"),
        ("{Päyout}", "{Payout}", "a field name has only ASCII letters, digits and '_'"),
        ("{Payout!}", "{Payout}", "a placeholder takes no conversion (!)"),
        ("{$Payout}", "{Payout}", "a placeholder has no '$' before its name"),
    ],
)
def test_each_near_miss_is_a_warning_at_its_span_with_the_placeholder_meant(
    written: str, suggestion: str, reason: str
) -> None:
    source = f'{{"a": "x {written} y", "b": {{Payout}}}}'
    found = postback.check(source, format="json")
    assert [(d.severity, d.code) for d in found] == [("warning", "placeholder-like")]
    (diagnostic,) = found
    assert spans(found, source) == [written]
    assert diagnostic.line == diagnostic.end_line == 1
    assert diagnostic.suggestion == suggestion
    assert diagnostic.message.startswith(
        f"{written} looks like a placeholder but is literal text: {reason}; "
    )
    assert suggestion in diagnostic.message


def test_the_advice_follows_the_type_of_the_field() -> None:
    (payout,) = warned("{Payout:.2f}")
    assert payout.message.endswith(
        "write {Payout}; numbers are written exactly as the record holds them "
        "(12.50 stays 12.50), so round them before they reach the record"
    )
    (date,) = warned("{EventDate:%d/%m/%Y}")
    assert date.message.endswith("write {EventDate} and compile with date_format='%d/%m/%Y'")
    (text,) = warned("{SubId1|upper}")
    assert text.message.endswith("write {SubId1}; text is written as the record holds it")
    (hyphen,) = warned("{Sub-Id1}")
    assert hyphen.message.endswith("did you mean {SubId1}?")


def test_names_that_match_no_field_get_no_suggestion() -> None:
    (found,) = warned("<a>{foo-bar}</a>", "xml")
    assert found.suggestion is None
    assert "`postback fields` lists them" in found.message
    assert "write \\{ and \\}" in found.message


def test_double_braces_are_one_warning_covering_both_pairs() -> None:
    source = "{{ Payout | round }}"
    found = postback.check(source, format="text")
    assert [(d.code, d.suggestion) for d in found] == [("placeholder-like", "{Payout}")]
    assert spans(found, source) == [source]
    assert "one pair of braces" in found[0].message


def test_inside_a_join_the_item_placeholder_is_suggested_where_it_stands() -> None:
    source = '[{join(items, i, "{\\"s\\": \\"{i.sku|upper}\\"}")}]'
    (found,) = warned(source, "json")
    assert spans([found], source) == ["{i.sku|upper}"]
    assert found.suggestion == "{i.sku}"


def test_positions_on_later_lines() -> None:
    (found,) = warned("<r>\n  <p>{Payout:.2f}</p>\n</r>", "xml")
    assert (found.line, found.column, found.end_line, found.end_column) == (2, 6, 2, 18)


def test_compile_ignores_the_warning_and_renders_the_text_as_written() -> None:
    template = postback.compile("p={Payout:.2f}&s={Sub-Id1}", format="text")
    assert template.render(postback.sample_action()) == "p={Payout:.2f}&s={Sub-Id1}"


@pytest.mark.parametrize(
    ("source", "fmt"),
    [
        ('{"a": 1, "b": {"c": [{}]}, "d": "{Payout}"}', "json"),
        ('{ "a" : { } }', "json"),
        ("<a>{6F9619FF-8B86-D011-B42D-00C04FC964FF}</a>", "xml"),
        ("<a>{3F2504E0-4F89-11D3-9A0C-0305E82C3301}</a>", "xml"),
        ("\\{Payout:.2f\\} \\{Sub-Id1\\}", "text"),  # escaped braces are intended
        ("{a|{Payout}}", "text"),  # a placeholder between the braces
        ("{Payout: .2f} {: x} {1-2} {}", "text"),
        ("${Payout} and {{Payout}}", "text"),  # foreign-macro's business
    ],
)
def test_literal_braces_around_other_text_are_left_alone(source: str, fmt: str) -> None:
    assert warned(source, fmt) == []


def test_the_examples_and_the_fixtures_get_no_such_warning() -> None:
    # Every template and notification file the command line finds in them.
    command = [sys.executable, "-m", "postback", "check", "--output-format", "json"]
    result = subprocess.run(
        [*command, "examples", "tests/fixtures"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = json.loads(result.stdout)
    assert found, result.stderr  # the fixtures hold deliberate errors
    assert [d for d in found if d["severity"] == "warning"] == []
    seed = ROOT / "tests" / "data" / "seed_body.json.txt"
    for path in [*sorted(ROOT.glob("examples/action-clearing.*")), seed]:
        assert warned(path.read_text(encoding="utf-8"), "text") == [], path


_NO_BRACE = ANY_CHAR.filter(lambda c: c not in "{}")
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(_NO_BRACE),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(_NO_BRACE), inner),
)


@given(_JSON)
def test_json_structure_never_warns(value: object) -> None:
    # A JSON object's braces are structure: "{" is always followed by a key or "}".
    source = json.dumps({"v": value}, ensure_ascii=False)
    assert warned(source, "json") == []
    assert find_placeholder_like(source, FIELDS) == []


@given(st.text(st.sampled_from("{}$:|!- \t.aZ_é9\0")))
def test_every_warning_is_braces_around_a_name(text: str) -> None:
    for found in find_placeholder_like(text, FIELDS):
        written = text[found.start : found.end]
        assert written.startswith("{") and written.endswith("}")
        assert "\0" not in written
        assert written.count("{") == written.count("}") <= 2
