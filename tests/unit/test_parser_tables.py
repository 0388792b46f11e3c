"""The parser's tables ship with the package and are the tables of ``grammar.lark``.

The first compile in a process loads ``src/postback/_compiler/grammar.tables``, the LALR
tables Lark made of the grammar ahead of time (``_compiler/tables.py``), instead of
analysing the grammar.  These tests fail when the shipped file is not what Lark makes of
the grammar now, and show that the loaded parser reads every template, broken ones
included, as the parser built from the grammar does.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import lark
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postback._compiler import parser, tables
from postback._compiler.parser import ParseResult, parse
from strategies import hostile_text

SHIPPED = Path(tables.__file__).with_name(tables.TABLES)
GRAMMAR = Path(tables.__file__).with_name(tables.GRAMMAR)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "action-clearing.json"
HOW = (
    f"make them again with `{tables.REGENERATE}` and commit "
    "src/postback/_compiler/grammar.tables with the grammar"
)

#: Pieces of templates, broken calls among them, for the recovery to work on.
PIECES = [
    "{join(",
    "{joinn(",
    "{Payout}",
    "{i.sku}",
    "{ Payout }",
    "items",
    ", ",
    " i",
    '"{i.sku}"',
    '"x"',
    '"',
    '\\"',
    "\\",
    "\\{",
    ")}",
    ")",
    "{",
    "}",
    "text ",
    "\n",
]


def read(path: Path) -> tuple[bytes, Any]:
    """Return the header line of a tables file and the parser data after it."""
    with path.open("rb") as file:
        return file.readline(), pickle.load(file)


def built() -> lark.Lark:
    """The parser made by analysing the grammar, as every compile did before tables shipped."""
    return tables.build(GRAMMAR.read_text("utf-8"))


def test_the_shipped_tables_are_made_from_this_grammar_with_this_lark() -> None:
    header, _ = read(SHIPPED)
    expected = tables.fingerprint(GRAMMAR.read_text("utf-8"), lark.__version__)
    assert header == expected, (
        "grammar.tables was made from another grammar.lark, other options or another "
        f"version of Lark than lark {lark.__version__}: {HOW}"
    )


def test_making_the_tables_again_gives_the_shipped_file(tmp_path: Path) -> None:
    """The tables are made the same way every time (states and tokens in a fixed order),
    so the shipped file is compared whole with what the generator writes now."""
    made = tmp_path / tables.TABLES
    tables.main([str(made)])
    assert read(made) == read(SHIPPED), f"grammar.tables differs from the grammar's tables: {HOW}"
    again = tmp_path / "again.tables"
    tables.main([str(again)])
    assert again.read_bytes() == made.read_bytes()


def test_the_fingerprint_changes_with_the_grammar_and_lark() -> None:
    grammar = GRAMMAR.read_text("utf-8")
    header = tables.fingerprint(grammar, lark.__version__)
    assert tables.fingerprint(grammar + "\n", lark.__version__) != header
    assert tables.fingerprint(grammar, lark.__version__ + ".1") != header
    assert header.startswith(f"postback parser tables, lark {lark.__version__}, ".encode())


def test_loading_uses_the_tables_and_analyses_no_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(grammar: str) -> lark.Lark:
        raise AssertionError("the grammar was analysed although the tables fit")

    monkeypatch.setattr(tables, "build", refuse)
    loaded = tables.load()
    assert loaded.parse("{Payout}", start="template").children[0].type == "FIELD"


def test_tables_that_do_not_fit_are_not_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another version of Lark installed (or a grammar changed without its tables): the
    parser is built from the grammar, and reads as the tables' parser does."""

    def refuse(file: Any) -> lark.Lark:
        raise AssertionError("tables made by another version of Lark were loaded")

    monkeypatch.setattr(lark, "__version__", "0.0.0")
    monkeypatch.setattr(lark.Lark, "load", refuse)
    monkeypatch.setattr(parser, "_lark", tables.load())
    source = EXAMPLE.read_text("utf-8") + '{join(items, i, "{i.sku}" "x")}'
    result = parse(source)
    monkeypatch.undo()
    assert result == parse(source)
    assert result.problems, "the broken call at the end is reported"


def parse_with(parser_: lark.Lark, source: str, monkeypatch: pytest.MonkeyPatch) -> ParseResult:
    with monkeypatch.context() as patch:
        patch.setattr(parser, "_lark", parser_)
        return parse(source)


_BUILT = built()


@given(
    st.one_of(
        st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
        hostile_text('{}\\"(),. ij'),
    )
)
def test_the_tables_read_every_template_as_the_grammar_does(source: str) -> None:
    """Nodes and problems, recovery from broken calls included, are those of the parser
    built from the grammar."""
    with pytest.MonkeyPatch.context() as patch:
        shipped = parse_with(tables.load(), source, patch)
        assert shipped == parse_with(_BUILT, source, patch)


def test_the_first_compile_in_a_process_analyses_no_grammar() -> None:
    """A fresh process compiles impact.com's example body and checks a broken call (the
    recovery works on the loaded parser's interactive parser) with ``Lark()`` forbidden."""
    code = f"""
import json, lark

def refuse(*args, **kwargs):
    raise AssertionError("Lark analysed a grammar")

lark.Lark.__init__ = refuse
import postback

postback.compile(open({str(EXAMPLE)!r}, encoding="utf-8").read())
found = postback.check('{{"a": "{{join(items, i, "{{i.sku}}" "x")}}"}}')
print(json.dumps([d.code for d in found]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["invalid-call"]


def lark_modules(code: str) -> list[str]:
    """The modules of Lark loaded in a fresh process once ``code`` has run."""
    show = "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'lark'))"
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{show}"], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.replace("'", '"'))


def test_the_first_compile_loads_no_more_of_lark_than_import_lark() -> None:
    compiled = lark_modules(
        "import postback\n"
        f"postback.compile(open({str(EXAMPLE)!r}, encoding='utf-8').read())\n"
        "postback.check('{join(items, i')"
    )
    assert "lark" in compiled
    assert compiled == lark_modules("import lark")
    assert lark_modules("import postback") == []


@given(hostile_text(" \"'()<>&=?/.:,"))
def test_text_without_braces_or_backslashes_reads_as_the_parser_reads_it(text: str) -> None:
    """Such text is read without Lark, into the nodes Lark's parser makes of it."""
    source = text.replace("{", "").replace("}", "").replace("\\", "")
    result = parse(source)
    assert result.problems == ()
    assert list(result.nodes) == parser._Reader().template(source)


def test_templates_of_literal_text_alone_never_load_lark() -> None:
    code = (
        "import postback\n"
        "postback.compile('application/json', format='header')\n"
        "postback.compile('https://example.com/postback?a=1', format='url')\n"
        "postback.compile('a=1&b=two', format='query')\n"
        "assert postback.check('plain text', format='text') == []"
    )
    assert lark_modules(code) == []
