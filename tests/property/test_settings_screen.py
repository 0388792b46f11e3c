"""A ``pyproject.toml`` is parsed only where it can hold ``[tool.postback]``.

``may_hold_settings`` lets the settings search skip the TOML parser for a
``pyproject.toml`` that cannot hold the table.  It may say yes where there is no table
(the parser then decides) but must never say no where ``tomllib`` finds one: the
property below writes the table every way TOML allows (headers, dotted keys, ``[tool]``
with a ``postback`` key, inline tables, quoted and escaped keys, spaces and tabs
around dots) among unrelated tables, and compares the screen with ``tomllib``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from postback._files.project import may_hold_settings

ROOT = Path(__file__).resolve().parents[2]

_SPACE = st.sampled_from(["", " ", "\t", "  "])


def _key(name: str) -> st.SearchStrategy[str]:
    escaped = "".join(f"\\u{ord(c):04x}" if i == 0 else c for i, c in enumerate(name))
    return st.sampled_from([name, f'"{name}"', f"'{name}'", f'"{escaped}"'])


@st.composite
def _dotted(draw: st.DrawFn, *names: str) -> str:
    parts = [draw(_key(name)) for name in names]
    out = parts[0]
    for part in parts[1:]:
        out += f"{draw(_SPACE)}.{draw(_SPACE)}{part}"
    return out


@st.composite
def _table(draw: st.DrawFn) -> str:
    """A document fragment that makes ``tool.postback`` a table."""
    form = draw(st.integers(0, 5))
    s = draw(_SPACE)
    value = draw(st.sampled_from(['missing = "error"', 'templates = ["t"]', ""]))
    if form == 0:  # [tool.postback] or a sub-table of it
        sub = draw(st.sampled_from([(), ("formats",)]))
        return f"[{s}{draw(_dotted('tool', 'postback', *sub))}{s}]\n{value}\n"
    if form == 1:  # a dotted key at the top
        return f'{draw(_dotted("tool", "postback", "missing"))}{s}={s}"error"\n'
    if form == 2:  # [tool] and a postback key
        key = draw(st.sampled_from([_dotted("postback", "missing"), _key("postback")]))
        key_text = draw(key)
        if "missing" in key_text:
            return f'[{s}{draw(_key("tool"))}{s}]\nother = 1\n{s}{key_text}{s}={s}"error"\n'
        return f"[{s}{draw(_key('tool'))}{s}]\n{key_text}{s}={s}{{{s}{value}{s}}}\n"
    if form == 3:  # an inline tool table
        first = draw(st.sampled_from(["", "ruff = {}, "]))
        return f"{draw(_key('tool'))}{s}={s}{{{s}{first}{draw(_key('postback'))}{s}={s}{{}}}}\n"
    if form == 4:  # [tool] then [tool.postback] made by a dotted key in [tool]
        return f"[tool]\n{draw(_dotted('postback', 'formats'))} = {{}}\n"
    return f"[[{s}{draw(_dotted('tool', 'postback', 'items'))}{s}]]\nname = 1\n"


_NOISE = st.sampled_from(
    [
        '[project]\nname = "postback"\ndependencies = ["postback>=1"]\n',
        '[project.scripts]\npostback = "postback._cli:run"\n',
        "[tool.ruff]\nline-length = 100\n",
        '[tool.hatch.build]\npackages = ["src/postback"]\n',
        "# configure postback in [tool.postback]\n",
        'title = """\n[tool.postback]\n"""\n',
    ]
)


@given(before=st.lists(_NOISE, max_size=3), table=_table(), after=st.lists(_NOISE, max_size=3))
def test_a_document_holding_the_table_is_never_skipped(
    before: list[str], table: str, after: list[str]
) -> None:
    top = not table.lstrip().startswith("[")  # a key of the root table goes first
    text = table + "".join(before + after) if top else "".join(before) + table + "".join(after)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # two fragments defined one table twice: not a document
    tool = document.get("tool")
    assert isinstance(tool, dict) and "postback" in tool, text
    assert may_hold_settings(text.encode("utf-8")), text


@given(st.lists(_NOISE.filter(lambda n: '"""' not in n and "# " not in n), max_size=5))
def test_a_document_without_the_table_is_skipped(noise: list[str]) -> None:
    text = "".join(dict.fromkeys(noise))
    assert "postback" not in tomllib.loads(text).get("tool", {})
    assert not may_hold_settings(text.encode("utf-8"))


def test_this_projects_own_pyproject_is_skipped_and_a_bom_is_not() -> None:
    own = (ROOT / "pyproject.toml").read_bytes()
    assert "postback" not in tomllib.loads(own.decode("utf-8")).get("tool", {})
    assert not may_hold_settings(own)
    assert may_hold_settings(b"\xef\xbb\xbf[tool]\npostback = {}\n")
    # TOML 1.1's \x escape (tomllib reads TOML 1.1 from Python 3.15)
    assert may_hold_settings(b'"\\x74ool".postback.missing = "error"\n')
    assert not may_hold_settings(b"[tool.ruff]\nx = 1\n")
