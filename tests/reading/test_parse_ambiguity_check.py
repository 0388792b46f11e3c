"""``check(reading=True)``: where a template's bodies could be read back two ways.

Each kind is reported where the two readings part (the second placeholder, the
literal text, the join's separator, the value next to a header's trimmed spaces),
and what it reports is what ``Template.parse`` finds: a body rendered from the
witness's values raises the ``ParseError`` that names both readings.  A template
the check passes never raises that error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import postback
from postback import Action, Diagnostic, ParseError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "json": "action-clearing.json",
    "query": "action-clearing.qs",
    "url": "action-clearing.url",
    "xml": "action-clearing.xml",
}


def reading(source: str, fmt: str) -> list[tuple[str, int, int]]:
    """The reading diagnostics of ``source``: (code, line, column)."""
    found = postback.check(source, format=fmt, reading=True)
    return [(d.code, d.line, d.column) for d in found if d.code.startswith("reading-")]


# -- each kind, at its position --------------------------------------------------------

KINDS = [
    # Two placeholders with nothing between them: the second one.
    ("{SubId1}{SubId2}", "text", "reading-adjacent", 9),
    ("x={SubId1}{SubId2}", "query", "reading-adjacent", 11),
    ("https://h/a/{SubId1}{SubId2}", "url", "reading-adjacent", 21),
    ('{"a": "{SubId1}{SubId2}"}', "json", "reading-adjacent", 16),
    ("<a>{SubId1}{SubId2}</a>", "xml", "reading-adjacent", 12),
    # A join with no literal text: "ab" is one item or two.
    ('x={join(items, i, "{i.sku}", "")}', "query", "reading-adjacent", 3),
    # A separator a value may also hold, where the format leaves it unescaped.
    ("{SubId1}-{SubId2}", "text", "reading-separator", 9),
    ("X {SubId1}-{SubId2}", "header", "reading-separator", 11),
    ("https://h/{SubId1}-{SubId2}", "url", "reading-separator", 19),
    ("a={SubId1}-{SubId2}", "query", "reading-separator", 11),
    ('{"a": "{SubId1}-{SubId2}"}', "json", "reading-separator", 16),
    # (In an XML attribute value the place of literal text is known only roughly: the
    # placeholder after it is named.)
    ('<a b="{SubId1}-{SubId2}"/>', "xml", "reading-separator", 16),
    ("{CampaignId}:{ActionId}", "text", "reading-separator", 13),
    # A join whose separator its items may hold.
    ('{join(items, i, "{i.sku}", "-")}', "text", "reading-join-separator", 29),
    ('a={join(items, i, "{i.sku}", "-")}', "query", "reading-join-separator", 31),
    # parse does not know the types: "1,2" is two items, or one that holds "1,2".
    ('{join(items, i, "{i.qty}", ",")}', "text", "reading-join-separator", 29),
    # A header's spaces next to a value that may write nothing, trimmed at render.
    ("{CampaignId} {AdId}", "header", "reading-header-trim", 1),
    ("x{CampaignId} {AdId}", "header", "reading-header-trim", 15),
]


@pytest.mark.parametrize(("source", "fmt", "code", "column"), KINDS)
def test_each_kind_is_reported_where_the_readings_part(
    source: str, fmt: str, code: str, column: int
) -> None:
    assert reading(source, fmt) == [(code, 1, column)]


def test_a_diagnostic_names_a_witness_its_readings_and_a_fix() -> None:
    (diag,) = postback.check("{SubId1}-{SubId2}", format="text", reading=True)
    assert diag == Diagnostic(
        "error",
        "reading-separator",
        diag.message,
        1,
        9,
        1,
        10,
        diag.suggestion,
    )
    assert 'the literal text "-" may also stand in the value before it' in diag.message
    assert '{SubId1}="" {SubId2}="-", or as {SubId1}="-" {SubId2}=""' in diag.message
    assert diag.suggestion is not None and "cannot hold" in diag.suggestion


def test_a_position_on_a_later_line() -> None:
    source = '{"a": "x",\n "b": "{SubId1} {SubId2}"}'
    assert reading(source, "json") == [("reading-separator", 2, 16)]


WITNESSES = [
    ("{SubId1}-{SubId2}", "text", Action(sub_id1="a-b", sub_id2="c")),
    ("{SubId1}{SubId2}", "text", Action(sub_id1="a", sub_id2="b")),
    ("a={SubId1}-{SubId2}", "query", Action(sub_id1="a", sub_id2="b-c")),
    ('{"a": "{SubId1}-{SubId2}"}', "json", Action(sub_id1="a-b", sub_id2="c")),
    ("https://h/{SubId1}-{SubId2}", "url", Action(sub_id1="a-b", sub_id2="c")),
    ('{join(items, i, "{i.sku}", "-")}', "text", Action(items=[{"sku": "a-b"}])),
    ("{CampaignId} {AdId}", "header", Action(campaign_id=5)),
    ('x={join(items, i, "{i.sku}", "")}', "query", Action(items=[{"sku": "ab"}])),
]


@pytest.mark.parametrize(("source", "fmt", "action"), WITNESSES)
def test_what_is_reported_is_what_parse_refuses(source: str, fmt: str, action: Action) -> None:
    """The check and the reader agree: a reported template has a body with two readings."""
    assert reading(source, fmt)
    template = postback.compile(source, format=fmt)
    with pytest.raises(ParseError) as caught:
        template.parse(template.render(action))
    assert len(caught.value.readings) == 2


# -- no false alarms ---------------------------------------------------------------------

CLEAN = [
    # The formats that escape the separator in a value: it tells values apart.
    ("a={SubId1},{SubId2}", "query"),
    ('a={SubId1};{SubId2}&b={join(items, i, "{i.sku}", ",")}', "query"),
    ("https://h/{SubId1}/{SubId2}", "url"),
    ("https://h/{SubId1}/{SubId2}?a={SubId3},{Text1}#{Text2}", "url"),
    ('{"a": "{SubId1}", "b": "{SubId2}"}', "json"),
    ("<a><b>{SubId1}</b><c>{SubId2}</c></a>", "xml"),
    # Values that cannot hold the text between them.
    ("{CampaignId}.{CampaignId}", "text"),
    ("{Payout}:{CampaignId}", "text"),
    ("{ActionId}", "text"),
    # A header's own spaces that read one way, and values alone.
    ("Bearer {SubId1}", "header"),
    ("{CampaignId} x", "header"),
    ("{ActionId}", "header"),
]


@pytest.mark.parametrize(("source", "fmt"), CLEAN)
def test_templates_that_read_one_way_are_not_reported(source: str, fmt: str) -> None:
    assert reading(source, fmt) == []


@pytest.mark.parametrize("fmt", sorted(EXAMPLES))
def test_the_examples_read_one_way(fmt: str) -> None:
    source = (ROOT / "examples" / EXAMPLES[fmt]).read_text()
    assert postback.check(source, format=fmt, reading=True) == []


def test_the_notification_example_reads_one_way() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "postback", "check", "--reading", str(ROOT / "examples")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reading-" not in result.stdout


# -- the API -----------------------------------------------------------------------------


def test_reading_is_off_by_default() -> None:
    assert postback.check("{SubId1}{SubId2}", format="text") == []
    postback.compile("{SubId1}{SubId2}", format="text")


def test_compile_with_reading_raises_the_diagnostics() -> None:
    source = "a={SubId1}{SubId2}&b={SubId3}-{Text1}"
    with pytest.raises(postback.TemplateFormatError) as caught:
        postback.compile(source, format="query", reading=True)
    error = caught.value
    assert error.code == "reading-adjacent"
    assert [(d.code, d.column) for d in error.diagnostics] == [
        ("reading-adjacent", 11),
        ("reading-separator", 30),
    ]
    assert postback.compile("{CampaignId}/{Payout}", format="text", reading=True)


def test_other_defects_come_first_and_alone() -> None:
    """A template with errors is not analysed for reading: its errors are reported."""
    codes = [d.code for d in postback.check("{SubId1}{Nope}", format="text", reading=True)]
    assert codes == ["unknown-field"]
    with pytest.raises(postback.UnknownFieldError):
        postback.compile("{SubId1}{Nope}", format="text", reading=True)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_reading_must_be_a_bool(value: object) -> None:
    with pytest.raises(postback.ConfigError, match="reading must be True or False"):
        postback.check("{SubId1}", format="text", reading=value)  # type: ignore[arg-type]
    with pytest.raises(postback.ConfigError, match="reading must be True or False"):
        postback.compile("{SubId1}", format="text", reading=value)  # type: ignore[arg-type]


def test_check_loads_the_reading_side_only_when_asked() -> None:
    code = (
        "import sys, postback\n"
        "postback.check('{SubId1}-{SubId2}', format='text')\n"
        "postback.compile('{SubId1}', format='text')\n"
        "assert 'postback._reading' not in sys.modules\n"
        "postback.check('{SubId1}-{SubId2}', format='text', reading=True)\n"
        "assert 'postback._reading.ambiguity' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_command_line_reports_with_reading(tmp_path: Path) -> None:
    path = tmp_path / "body.txt"
    path.write_text("{SubId1}-{SubId2}")
    command = [sys.executable, "-m", "postback", "check", "--format", "text", str(path)]
    plain = subprocess.run(command, capture_output=True, text=True, check=False)
    assert plain.returncode == 0
    asked = subprocess.run([*command, "--reading"], capture_output=True, text=True, check=False)
    assert asked.returncode == 1
    assert f"{path}:1:9: error[reading-separator]" in asked.stdout
