"""Code generation cannot be steered by template text (docs/security.md).

Templates are compiled to Python source and ``exec``-uted, so these tests attack that
step: template text full of quotes of every kind, triple quotes, backslashes, NUL,
f-string syntax, Python names and keywords, and 100,000 placeholders.  Each template
either compiles to a function that renders exactly the text an independent reference
computes, or is refused with ``TemplateError``; rendering imports nothing, runs nothing
and creates no file; and the generated code is made only of the shapes the compiler
writes (checked on its syntax tree, for these templates and for fuzzed ones).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._escape import INLINE_FORMS
from postback._formats import formats

sys.path.insert(0, str(Path(__file__).parent))
from test_fuzz import FORMATS, SCALE, Decisions, escape_literal, generate

ACTION = Action(
    campaign_id=42,
    campaign_name="Name",
    ad_id=7,
    payout=Decimal("1.50"),
    sub_id1="s1",
    items=(Item(sku="A"), Item(sku="B")),
)
VALUES = {"CampaignId": "42", "CampaignName": "Name", "AdId": "7", "Payout": "1.50", "SubId1": "s1"}

# Literal text that would break out of a naively generated Python string or f-string.
HOSTILE_TEXT = [
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\\\",
    "\\'",
    '\\"',
    "\\n",
    "\\x00",
    "\\N{BULLET}",
    "\\u0027",
    "\x00",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    "\x7f",
    "\ud800",
    "\udfff",
    "\U0010ffff",
    "é東🎉",
    "{{",
    "}}",
    "{{}}",
    "{x!r}",
    "{x!s:>10}",
    "{CampaignId!r}",
    "{CampaignId:>10}",
    "{0}",
    "%s %(x)s",
    "${x} #{x} {{x}}",
    "f'{a}'",
    "' + __import__('os').system('touch PWNED') + '",
    "''' + __import__('os').system('touch PWNED') + '''",
    '""" + __import__("os").system("touch PWNED") + """',
    "'\n__import__('os').system('touch PWNED')\n'",
    "'); import os; os.system('touch PWNED'); ('",
    "{__import__('os').system('touch PWNED')}",
    "{(lambda: __import__('os').system('touch PWNED'))()}",
    "{a.__class__.__mro__}",
    "{a!r}",
    "\\{CampaignId\\}",
    "\\{{CampaignId}\\}",
    "\\\\{CampaignId}",
    "# comment",
    "\\\n",
    "pass\n    return 'x'\n",
]

# Names from Python that a template might try as placeholders or loop variables.
PYTHON_NAMES = [
    "__import__",
    "__class__",
    "__builtins__",
    "__globals__",
    "os",
    "sys",
    "eval",
    "exec",
    "a",
    "render",
    "_factory",
    "_v",
    "_it",
    "_s",
    "_sep",
    "_b0",
    "_j0",
    # names the generated code binds
    "iter",
    "json_quote",
    "format_decimal",
    "missing_text",
    "extra_value",
    "raise_missing_extra",
    "class",
    "def",
    "lambda",
    "import",
    "return",
    "None",
    "True",
    "yield",
    "await",
    "global",
    "nonlocal",
    "del",
    "pass",
]

_REFERENCE = re.compile(r"\\[{}]|\\[^{}]|\{([A-Za-z_][A-Za-z0-9_]*)\}|.", re.S)


def reference_text(template: str, values: dict[str, str]) -> str:
    """Render a join-free text template by the language's rules, independently of the library."""
    out = []
    for m in _REFERENCE.finditer(template):
        token = m.group(0)
        if m.group(1) is not None:
            out.append(values[m.group(1)])
        elif token in ("\\{", "\\}"):
            out.append(token[1])
        else:
            out.append(token)
    return "".join(out)


# -- the generated code ------------------------------------------------------------------

_ALLOWED_NODES = (
    ast.Module,
    ast.FunctionDef,
    ast.arguments,
    ast.arg,
    ast.Return,
    ast.Assign,
    ast.AugAssign,
    ast.For,
    ast.Break,
    ast.If,
    ast.Expr,
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.Constant,
    ast.IfExp,
    ast.BinOp,  # a value between the delimiters its context wraps it in: _w + _f(_v) + _w
    ast.Add,
    ast.Compare,
    ast.Is,
    ast.IsNot,
    ast.NamedExpr,
    ast.Tuple,
    ast.List,
    ast.ListComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Load,
    ast.Store,
    ast.Add,
    # An escaper's inline form: ``e(_v)[1:-1] if (_v := a.x) and _v.isascii() else ...``.
    ast.BoolOp,
    ast.Or,
    ast.And,
    ast.Subscript,
    ast.Slice,
    ast.UnaryOp,
    ast.USub,
    ast.Not,
)
# Every name the compiler may write: its locals, and what it binds, each named after
# what it is (an escaper by its own name, a formatter or writer by the type it writes,
# a missing-value check by the field's attribute), then a number if the name is taken.
_ESCAPERS = sorted({name for spec in formats() for name in spec.escapers})
# The C functions and tables of the escapers' inline forms, and the str methods they call.
_INLINE_NAMES = sorted({name for form in INLINE_FORMS.values() for name in form.names})
_INLINE_METHODS = {"isascii", "isprintable", "translate", "strip", "endswith"}
_FIELD_WORDS = sorted(
    {f.attribute for f in postback.FIELDS}
    | {f"item_{f.attribute}" for f in postback.ITEM_FIELDS}
    | {"extra"}
)
_TYPE_WORDS = "(?:int|str|decimal|date_(?:iso|unix|unix_ms|pattern))"
_NAME = re.compile(
    rf"a|render|_factory|_v|_s|_it|_sep|(?:{'|'.join(_ESCAPERS)}"
    rf"|(?:format|write|write_quoted)_{_TYPE_WORDS}(?:_or_null)?"
    rf"|raise_missing_(?:{'|'.join(_FIELD_WORDS)})"
    rf"|missing_text|wrap_text|extra_value|write_any|write_present_any|iter|str_[lr]?strip"
    rf"|{'|'.join(_INLINE_NAMES)}"
    rf")(?:_[1-9][0-9]*)?"
)
_ATTRIBUTES = (
    {f.attribute for f in postback.FIELDS}
    | {f.attribute for f in postback.ITEM_FIELDS}
    | {"items", "extra", "get", "join"}
    | _INLINE_METHODS
)


def assert_generated_code_is_safe(template: postback.Template) -> None:
    """The generated source has only the compiler's own shapes; text is only constants."""
    tree = ast.parse(template.code)
    for node in ast.walk(tree):
        assert isinstance(node, _ALLOWED_NODES), ast.dump(node)
        if isinstance(node, ast.Name):
            assert _NAME.fullmatch(node.id), node.id
        elif isinstance(node, ast.arg):
            assert _NAME.fullmatch(node.arg), node.arg
        elif isinstance(node, ast.FunctionDef):
            assert node.name in ("_factory", "render") and not node.decorator_list
        elif isinstance(node, ast.Attribute):
            assert node.attr in _ATTRIBUTES, node.attr
        elif isinstance(node, ast.Constant):
            assert node.value is None or type(node.value) in (str, int), node.value
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            assert isinstance(node.operand, ast.Constant) and type(node.operand.value) is int
        elif isinstance(node, ast.FormattedValue):
            assert node.conversion == -1 and node.format_spec is None
        elif isinstance(node, ast.Call):
            assert not node.keywords
            assert isinstance(node.func, ast.Name) or (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in ("join", "get", *_INLINE_METHODS)
            ), ast.dump(node)
    # The source is printable ASCII: template text only appears escaped.
    assert template.code.isascii()
    assert all(ch == "\n" or " " <= ch <= "~" for ch in template.code)
    # The render function sees no builtins at all.
    assert template._fn.__globals__["__builtins__"] == {}
    # Each bound value has its own name, and no local of the function takes one.
    factory = tree.body[0]
    assert isinstance(factory, ast.FunctionDef)
    bound = [arg.arg for arg in factory.args.args]
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    assert len(set(bound)) == len(bound) and not assigned & set(bound), (bound, assigned)


class Tripwire:
    """While active, records imports and fails on eval/exec/open/os.system/subprocess.

    Use as a context manager around rendering; afterwards nothing but postback's own
    modules may have been imported, ``sys.modules`` must be unchanged and the current
    directory (a fresh temporary one) empty.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
        self.monkeypatch = monkeypatch
        self.directory = directory
        self.imports: list[tuple[str, int, str]] = []
        self.forbidden: list[str] = []

    def _import(self, name: str, globals: Any = None, *args: Any, **kwargs: Any) -> Any:
        level = kwargs.get("level", args[2] if len(args) > 2 else 0)
        importer = (globals or {}).get("__name__", "?")
        self.imports.append((name, level, importer))
        return _real_import(name, globals, *args, **kwargs)

    def _refuse(self, what: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.forbidden.append(f"{what}{args[:1]!r}")
            raise AssertionError(f"rendering called {what}{args[:1]!r}")

        return refuse

    def __enter__(self) -> Tripwire:
        import os
        import subprocess

        mp = self.monkeypatch
        mp.chdir(self.directory)
        self.modules = set(sys.modules)
        for name in ("eval", "exec", "open", "compile", "breakpoint", "input"):
            mp.setattr(builtins, name, self._refuse(name))
        for name in ("system", "popen", "execv", "execve", "spawnv", "fork", "remove"):
            if hasattr(os, name):
                mp.setattr(os, name, self._refuse("os." + name))
        mp.setattr(subprocess, "Popen", self._refuse("subprocess.Popen"))
        mp.setattr(builtins, "__import__", self._import)  # last: monkeypatch imports too
        return self

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.undo()
        assert self.forbidden == []
        assert set(sys.modules) == self.modules
        for name, level, importer in self.imports:
            assert importer.startswith("postback") and (level > 0 or name.startswith("postback")), (
                name,
                level,
                importer,
            )
        assert list(self.directory.iterdir()) == []


_real_import = builtins.__import__


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Tripwire:
    return Tripwire(monkeypatch, tmp_path)


def compile_or_refuse(source: str, fmt: str) -> postback.Template | None:
    try:
        template = postback.compile(source, format=fmt)
    except postback.TemplateError:
        return None
    assert_generated_code_is_safe(template)
    return template


# -- text: every hostile literal, around and between placeholders -----------------------


def text_templates() -> Iterator[str]:
    for text in HOSTILE_TEXT:
        yield text
        yield text + "{CampaignId}" + text
        yield "{CampaignName}" + text + "{AdId}" + text + "{Payout}"
        yield text * 3 + "{SubId1}"


@pytest.mark.parametrize("source", list(text_templates()))
def test_text_literals_render_exactly_or_are_refused(source: str, tripwire: Tripwire) -> None:
    template = compile_or_refuse(source, "text")
    if template is None:
        return
    with tripwire:
        out = template.render(ACTION)
    assert out == reference_text(source, VALUES)


def test_most_hostile_text_templates_compile() -> None:
    compiled = [s for s in text_templates() if compile_or_refuse(s, "text") is not None]
    assert len(compiled) >= 150


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_literals_in_join_templates_and_separators(text: str) -> None:
    body = escape_literal(text)
    source = f'<{{join(items, i, "[{body}{{i.sku}}{body}]", "{body}")}}>'
    template = compile_or_refuse(source, "text")
    if template is None:
        return
    inner = reference_text(text, VALUES)
    expected = "<" + inner.join(f"[{inner}{sku}{inner}]" for sku in ("A", "B")) + ">"
    assert template.render(ACTION) == expected


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_literals_inside_json_strings(text: str) -> None:
    escaped = json.dumps(text)[1:-1]
    string = escaped + "{CampaignName}" + escaped
    template = compile_or_refuse('{"k": "' + string + '", "n": {Payout}}', "json")
    if template is None:
        return
    data = json.loads(template.render(ACTION))
    assert data["k"] == json.loads('"' + reference_text(string, VALUES) + '"')
    assert Decimal(str(data["n"])) == Decimal("1.50")


# -- names and keywords --------------------------------------------------------------------


@pytest.mark.parametrize("name", PYTHON_NAMES)
def test_python_names_as_placeholders_are_unknown_fields(name: str) -> None:
    with pytest.raises(postback.TemplateError):
        postback.compile("{" + name + "}", format="text")
    with pytest.raises(postback.TemplateError):
        postback.compile(f'{{join(items, i, "{{{name}.sku}}")}}', format="text")


@pytest.mark.parametrize("name", PYTHON_NAMES)
@pytest.mark.parametrize(
    ("fmt", "source", "expected"),
    [
        ("text", '{{join(items, {v}, "{{{v}.sku}}")}}', "A,B"),
        ("text", '{{join(items, {v}, "{v}={{{v}.sku}};", "")}}', "{v}=A;{v}=B;"),
        ("json", '{{"s": [{{join(items, {v}, "\\"{{{v}.sku}}\\"")}}]}}', '{{"s": ["A","B"]}}'),
        ("xml", '<r>{{join(items, {v}, "<i>{{{v}.sku}}</i>", "")}}</r>', "<r><i>A</i><i>B</i></r>"),
        ("query", 'a=1{{join(items, {v}, "&s={{{v}.sku}}", "")}}', "a=1&s=A&s=B"),
    ],
)
def test_python_names_and_keywords_as_loop_variables(
    name: str, fmt: str, source: str, expected: str, tripwire: Tripwire
) -> None:
    template = compile_or_refuse(source.format(v=name), fmt)
    # None of these is a field name, so each is a loop variable like any other.
    assert template is not None
    with tripwire:
        out = template.render(ACTION)
    assert out == expected.format(v=name)


def test_keyword_loop_variable_from_the_issue() -> None:
    template = postback.compile('{join(items, class, "{class.sku}")}', format="text")
    assert template.render(ACTION) == "A,B"
    assert_generated_code_is_safe(template)


@pytest.mark.parametrize("missing", ["empty", "error"])
def test_extra_fields_named_like_generated_names_stay_values(missing: Any) -> None:
    """An extra field may be called like a name of the generated code; the code's names
    come from the compiler, so the field is read from ``extra`` under a name of its own."""
    names = ["extra_value", "json_quote", "format_int", "missing_text", "iter", "render", "a"]
    source = "{" + ", ".join(f'"{n}": "{{{n}}}"' for n in names) + "}"
    template = postback.compile(source, "json", missing=missing, extra_fields=names)
    assert_generated_code_is_safe(template)
    values = {n: f"<{n}>" for n in names}
    assert json.loads(template.render(Action(extra=values))) == values
    for name in names[1:]:
        assert f"'{name}'" in template.code  # only as the key read from extra
    other = postback.compile(
        source.replace('"a"', '"b"'), "json", missing=missing, extra_fields=names
    )
    params = re.findall(r"def _factory\((.*)\):", template.code)
    assert params == re.findall(r"def _factory\((.*)\):", other.code)


def test_the_generated_code_is_the_same_on_every_compile() -> None:
    source = '{"a": "{SubId1}", "b": {Payout}, "c": [{join(items, i, "{i.qty}")}], "d": "{Z}"}'
    first = postback.compile(source, extra_fields=["Z"], missing="error")
    postback._compiler.cache.templates.clear()
    again = postback.compile(source, extra_fields=["Z"], missing="error")
    assert again is not first and again.code == first.code


# -- nothing runs -------------------------------------------------------------------------------

ATTACKS = [
    "{__import__('os').system('touch pwned')}",
    '{__import__("os").system("touch pwned")}',
    "{join(items, i, \"{__import__('os').system('touch pwned')}\")}",
    "{join(items, i, \"x\", \"' + __import__('os').system('touch pwned') + '\")}",
    "' + __import__('os').system('touch pwned') + '{CampaignId}",
    "\\' + __import__('os').system('touch pwned') + \\'{CampaignId}",
    '""" + __import__(\'os\').system(\'touch pwned\') + """{CampaignId}',
    "{CampaignId}\\x27 + open('pwned', 'w').write('x') + \\x27",
    "{CampaignId}\\N{APOSTROPHE} + open('pwned', 'w').write('x') + \\N{APOSTROPHE}",
    "{x!r}{CampaignId}{__class__.__init__.__globals__}",
    "{CampaignId}\n        open('pwned', 'w')\n",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_run_nothing(source: str, fmt: str, tripwire: Tripwire) -> None:
    template = compile_or_refuse(source, fmt)
    if template is None:
        return
    actions = (ACTION, Action(), postback.sample_action())
    with tripwire:
        for action in actions:
            with contextlib.suppress(postback.RenderError):
                template.render(action)
                template.render_bytes(action)


def test_attacks_compile_in_the_text_format_and_render_as_text(tripwire: Tripwire) -> None:
    source = "' + __import__('os').system('touch pwned') + '{CampaignId}"
    template = postback.compile(source, format="text")
    with tripwire:
        out = template.render(ACTION)
    assert out == source.replace("{CampaignId}", "42")


# -- many placeholders ------------------------------------------------------------------------


def test_one_hundred_thousand_placeholders() -> None:
    names = ["CampaignId", "AdId", "CampaignName", "Payout", "SubId1"]
    source = "".join(f"{{{names[k % 5]}}}{'' if k % 7 else '|'}" for k in range(100_000))
    assert source.count("{") == 100_000 and len(source) < 1024 * 1024
    template = postback.compile(source, format="text")
    assert template.render(ACTION) == reference_text(source, VALUES)
    assert template.code.isascii()


def test_ten_thousand_placeholders_in_json() -> None:
    source = "[" + ",".join(["{AdId}"] * 5_000 + ['"{SubId1}"'] * 5_000) + "]"
    template = postback.compile(source, format="json")
    assert json.loads(template.render(ACTION)) == [7] * 5_000 + ["s1"] * 5_000
    assert_generated_code_is_safe(template)


def test_many_joins() -> None:
    source = '{join(items, i, "{i.sku}", "")}.' * 5_000
    template = postback.compile(source, format="text")
    assert template.render(ACTION) == "AB." * 5_000
    assert template.code.isascii()


# -- fuzzed templates ---------------------------------------------------------------------------


@settings(
    max_examples=max(20, int(1500 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.binary(max_size=160), st.sampled_from(FORMATS))
def test_generated_code_of_fuzzed_templates_is_safe(data: bytes, fmt: str) -> None:
    compile_or_refuse(generate(Decisions(data), fmt), fmt)
