"""The scanner that reads well-formed templates without Lark (``_compiler/fastpath.py``).

Wherever it reads a template it must give exactly the nodes, spans included, that the
Lark path gives; wherever it is not sure it must give up, so the Lark path reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import hostile_chars

from postback._compiler.fastpath import scan
from postback._compiler.nodes import Node
from postback._compiler.parser import _Reader, parse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from test_fuzz import FORMATS, Decisions, generate  # noqa: E402  the fuzzer's generator


def lark_nodes(source: str) -> tuple[tuple[Node, ...], int]:
    """The Lark path's nodes for ``source`` and how many problems it found."""
    reader = _Reader()
    nodes = reader.template(source)
    return tuple(nodes), len(reader.problems)


def assert_same(source: str) -> None:
    fast = scan(source)
    nodes, problems = lark_nodes(source)
    if fast is not None:
        assert problems == 0, source
        assert fast == nodes, source


ACCEPTED = [
    "plain {CampaignId} text",
    "{a.b}",
    "\\{ and \\} escaped",
    "lenient { and } braces",
    "trailing backslash \\",
    "a \\n backslash pair",
    "{ Payout }",
    "{1x}",
    "line\r\n{Field}\r\n",
    "non-ASCII é ✓ {Ünï} 𝄞 {Name}",
    '{join(items, i, "{i.sku}")}',
    '{join( items ,i,  "{i.sku}:{i.qty}" , "; " )}',
    '{join(items, i, "\\"{i.sku}\\" \\\\ \\{x\\}", "\\"|\\"")}',
    '[{join(items, i, "{ i.sku }{Field}{", "}")}]',
    '{"a": {join(xs, x, "{x.a}", ",\\n")}, "b": "{B}"}',
]


@pytest.mark.parametrize("source", ACCEPTED)
def test_fast_path_reads_each_construct_as_lark_does(source: str) -> None:
    """Each construct, nesting, escapes, lenient braces, CRLF, non-ASCII and positions."""
    fast = scan(source)
    assert fast is not None
    assert fast == lark_nodes(source)[0]
    assert parse(source).nodes == fast


REFUSED = [
    "{foo(x)}",
    "{join(items, i)}",
    "{join()}",
    '{join(items, 1, "x")}',
    '{join(items, i, "{join(a, b, \\"c\\")}")}',
    '{join(items, i, "x", "{i.a}")}',
    '{join(items, i, "x"}',
    "{join(items, i, x)}",
    '{join(items, i, "x", "y", "z")}',
]


@pytest.mark.parametrize("source", REFUSED)
def test_fast_path_gives_defects_to_lark(source: str) -> None:
    """A defect or a construct the scanner does not read goes to Lark, which reports it."""
    assert scan(source) is None
    assert parse(source).problems


PIECES = st.sampled_from(
    [
        "{",
        "}",
        "\\",
        "\\{",
        "\\}",
        '"',
        '\\"',
        "\\\\",
        "{F}",
        "{i.a}",
        "{ F }",
        "{a.b.c}",
        "{join(",
        "{foo(",
        "items",
        "i",
        ", ",
        ",",
        ")}",
        " ) }",
        "(",
        ")",
        "\r\n",
        "é",
        '"{i.a}"',
        '"; "',
        '{join(items, i, "',
        '{join(items, i, "{i.a}", "',
    ]
)


@given(st.lists(st.one_of(PIECES, st.text(hostile_chars('{}\\",().'), max_size=3)), max_size=12))
def test_fast_path_equals_lark_whenever_it_accepts(pieces: list[str]) -> None:
    assert_same("".join(pieces))


def test_first_compile_of_the_example_does_not_load_lark() -> None:
    """Compiling impact.com's example body in a fresh process never imports Lark."""
    body = (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8")
    code = (
        "import sys, postback\n"
        f"postback.compile({body!r}, format='json')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'lark')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == []


@given(st.integers(0, 5), st.binary(min_size=8, max_size=400))
def test_the_fuzzers_templates_read_as_lark_reads_them(which: int, data: bytes) -> None:
    """Templates of every shape, from the compiler's grammar-aware fuzzer: most go the
    fast way, and each that does gives Lark's nodes."""
    assert_same(generate(Decisions(data), FORMATS[which % len(FORMATS)]))
