"""Where TOML strings are written: every character of a decoded value back to its place.

Documents are written here in every TOML string style (basic with escapes, literal,
multi-line basic with line-ending backslashes, multi-line literal) and must decode to
what ``tomllib`` reads; each character must map to the offset where it is written.
"""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postback._files.tomlspans import beyond_bounds, locate

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b"}


def _basic(value: str, draw_unicode: list[bool]) -> str:
    out = []
    for i, ch in enumerate(value):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif (
            ord(ch) < 0x20 or ch == "\x7f" or (draw_unicode and draw_unicode[i % len(draw_unicode)])
        ):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _multi_basic(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\\r\t\b' or (ord(ch) < 0x20 and ch != "\n") or ch == "\x7f":
            out.append(_ESCAPES.get(ch, f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    # A line-ending backslash and indentation that the string does not contain.
    return '"""\n' + "".join(out) + '\\\n     """'


def _literal(value: str) -> str | None:
    if "'" in value or any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return None
    return f"'{value}'"


def _multi_literal(value: str) -> str | None:
    if "'''" in value or value.endswith("'") or "\r" in value:
        return None
    if any((ord(c) < 0x20 and c not in "\n\t") or c == "\x7f" for c in value):
        return None
    return "'''\n" + value + "'''"


text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@given(
    url=text,
    headers=st.dictionaries(
        st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True), text, max_size=3
    ),
    body=text,
    styles=st.lists(st.integers(0, 3), min_size=8, max_size=8),
    unicode=st.lists(st.booleans(), min_size=1, max_size=4),
)
def test_every_character_maps_to_where_it_is_written(
    url: str, headers: dict[str, str], body: str, styles: list[int], unicode: list[bool]
) -> None:
    def written(value: str, style: int) -> str:
        choices = [
            _basic(value, unicode),
            _literal(value),
            _multi_basic(value),
            _multi_literal(value),
        ]
        return choices[style] or _basic(value, unicode)

    lines = [f"url = {written(url, styles[0])}  # a comment", f"body = {written(body, styles[1])}"]
    lines.append("[headers]")
    for k, (name, value) in enumerate(headers.items()):
        lines.append(f'"{name}" = {written(value, styles[2 + k])}')
    document = "\n".join(lines) + "\n"
    data = tomllib.loads(document)
    found = locate(document)
    for path, value in [(("url",), data["url"]), (("body",), data["body"])] + [
        (("headers", n), v) for n, v in data["headers"].items()
    ]:
        where = found[path]
        assert where.value == value
        assert len(where.chars) == len(value) + 1
        assert list(where.chars) == sorted(where.chars)
        for ch, offset in zip(value, where.chars, strict=False):
            at = document[offset]
            # The character itself, or the backslash of its escape.
            assert at == ch or at == "\\", (ch, at)


def test_inline_tables_dotted_keys_and_arrays() -> None:
    document = (
        'headers = { "X-A" = "a{B}", X-C = \'c\' }\n'
        "[other]\n"
        'list = ["x", { k = "v" }]\n'
        'dotted.key = "w"\n'
        "[[many]]\n"
        'url = "not this one"\n'
    )
    found = locate(document)
    assert found[("headers", "X-A")].value == "a{B}"
    assert document[found[("headers", "X-A")].chars[1]] == "{"
    assert found[("headers", "X-C")].value == "c"
    assert found[("other", "list", "1", "k")].value == "v"
    assert found[("other", "dotted", "key")].value == "w"
    assert ("url",) not in found and ("many", "url") not in found


def test_a_document_it_cannot_follow_gives_what_it_found() -> None:
    found = locate('url = "x"\nbody = "unterminated\n')
    assert found[("url",)].value == "x"
    assert ("body",) not in found


def test_an_array_of_tables_is_found_at_its_header_and_keeps_what_came_before() -> None:
    """Each value inside an array of tables copied every key path found so far, so a
    table of n keys followed by an array of tables of n keys took time in n squared
    (``postback check`` of 0.7 MB: 6.4 s); the header is where an unknown key is."""
    document = "[headers]\n" + "".join(f'X-{k} = "v"\n' for k in range(3)) + "[[many]]\n"
    document += 'url = "not this one"\nk = [1, "x"]\n'
    found = locate(document)
    assert [path for path in found if path[0] == "headers"] == [
        ("headers",),
        ("headers", "X-0"),
        ("headers", "X-1"),
        ("headers", "X-2"),
    ]
    assert found[("many",)].key == document.index("many")
    assert ("url",) not in found and ("many", "url") not in found and ("",) not in found


REASONS = {
    "nested": "arrays and inline tables nested more than 100 levels deep",
    "digits": "a number of more than 1,000 digits",
}


@pytest.mark.parametrize(
    ("document", "offset", "reason"),
    [
        ("x = " + "[" * 100 + "]" * 100, None, ""),
        ("x = " + "[" * 101 + "]" * 101, 104, "nested"),
        ("x = " + "{a = " * 100 + "1" + "}" * 100, None, ""),
        ("x = " + "{a = " * 101 + "1" + "}" * 101, 504, "nested"),
        ("x = [\n  # ]]]\n  " + "[" * 100 + "]" * 101, 115, "nested"),  # comments do not count
        ("x = [\n" + "[" * 100 + "\n", 105, "nested"),  # a line's first "[" in an array
        ("[table]\n[[array]]\n" + "x = " + "[" * 99 + "]" * 99, None, ""),  # headers open nothing
        ('x = "' + "[" * 200 + '"', None, ""),
        ("x = '" + "[" * 200 + "'", None, ""),
        ('x = """\n' + "[" * 200 + '\n"""', None, ""),
        ("x = '''\n" + "[" * 200 + "\n'''", None, ""),
        ('x = "\\"' + "[" * 200 + '"', None, ""),  # an escaped quote does not end the string
        ('x = """a""""\ny = ' + "[" * 101, 117, "nested"),  # up to two quotes end the content
        ('["a[[[[" . b]\nx = ' + "[" * 101, 118, "nested"),  # a quoted key in a header
        ("x = " + "9" * 1000, None, ""),
        ("x = " + "9" * 1001, 4, "digits"),
        ("x = -" + "1_0" * 501, 5, "digits"),
        ("x = [1, " + "9" * 1001 + "]", 8, "digits"),
        ("x = 3." + "9" * 1001, 6, "digits"),
        ("x = 0x" + "f" * 5000, None, ""),  # int() reads hexadecimal in linear time
        ("x = 0b" + "1" * 5000, None, ""),
        ("x = 1e" + "9" * 5000, None, ""),  # a float: inf
        ("k" + "9" * 5000 + " = 1", None, ""),  # a bare key
        ("a-" + "9" * 5000 + " = 1", None, ""),
        ('x = "' + "9" * 5000 + '"', None, ""),
        ("# " + "9" * 5000, None, ""),
    ],
)
def test_what_tomllib_is_not_given(document: str, offset: int | None, reason: str) -> None:
    """Nesting deeper than 100 arrays and inline tables (tomllib would recurse into
    RecursionError) and integers of more than 1,000 digits (int() is quadratic, and
    refuses more than 4,300 digits with ValueError), outside strings and comments."""
    found = beyond_bounds(document)
    if offset is None:
        assert found is None
        if len(document) < 5000:
            tomllib.loads(document)  # within the bounds, and valid
        return
    assert found is not None
    assert found[0] == offset
    assert found[1] == REASONS[reason]
