"""The placeholder language (docs/language.md): every construct and every compile-time error."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback._compiler.nodes import Field, ItemField, Join, Text
from postback._compiler.parser import parse


@dataclass(frozen=True)
class Case:
    description: str
    source: str
    code: str
    line: int
    column: int
    message: str
    error: type[postback.TemplateError] = postback.TemplateSyntaxError
    suggestion: str | None = None


USAGE = '{join(items, i, "TEMPLATE")} or {join(items, i, "TEMPLATE", "SEP")}'

ERRORS = [
    Case(
        "malformed placeholder split by a line break",
        '{"a":\n  "{DeltaAmo\nunt}"}',
        "malformed-placeholder",
        2,
        4,
        "malformed placeholder {DeltaAmo\\nunt}: a placeholder cannot contain whitespace or "
        "line breaks; did you mean {DeltaAmount}?",
        suggestion="{DeltaAmount}",
    ),
    Case(
        "malformed placeholder with spaces around the name",
        '{"a": "{ CampaignId }"}',
        "malformed-placeholder",
        1,
        8,
        "malformed placeholder { CampaignId }: a placeholder cannot contain whitespace or "
        "line breaks; did you mean {CampaignId}?",
        suggestion="{CampaignId}",
    ),
    Case(
        "malformed placeholder with a space inside the name",
        '{"a": "{Sub Id1}"}',
        "malformed-placeholder",
        1,
        8,
        "malformed placeholder {Sub Id1}: a placeholder cannot contain whitespace or "
        "line breaks; did you mean {SubId1}?",
        suggestion="{SubId1}",
    ),
    Case(
        "item placeholder without attribute",
        '[{join(items, i, "\\"{i.}\\"")}]',
        "malformed-placeholder",
        1,
        21,
        "malformed placeholder {i.}: write {Field} or, inside a join, {var.attr}; "
        "to keep it as text, write \\{ and \\}",
    ),
    Case(
        "item placeholder without variable",
        '[{join(items, i, "\\"{.sku}\\"")}]',
        "malformed-placeholder",
        1,
        21,
        "malformed placeholder {.sku}: write {Field} or, inside a join, {var.attr}; "
        "to keep it as text, write \\{ and \\}",
    ),
    Case(
        "unknown field differing in case",
        '{"a": "{subid1}"}',
        "unknown-field",
        1,
        8,
        "unknown field {subid1}; did you mean {SubId1}?",
        postback.UnknownFieldError,
        "{SubId1}",
    ),
    Case(
        "unknown field with a typo",
        '{"a":\n"{CampaingId}"}',
        "unknown-field",
        2,
        2,
        "unknown field {CampaingId}; did you mean {CampaignId}?",
        postback.UnknownFieldError,
        "{CampaignId}",
    ),
    Case(
        "unknown field far from every name",
        '{"a": "{Zzzzz}"}',
        "unknown-field",
        1,
        8,
        "unknown field {Zzzzz}; `postback fields` lists them",
        postback.UnknownFieldError,
    ),
    Case(
        "unknown item attribute",
        '[{join(items, i, "\\"{i.skew}\\"")}]',
        "unknown-item-field",
        1,
        21,
        "unknown item attribute {i.skew}; item attributes are sku, amt, cat, qty, cartamt, "
        "rbt, name, itemlist",
        postback.UnknownFieldError,
    ),
    Case(
        "item attribute with a typo",
        '[{join(items, i, "\\"{i.sk}\\"")}]',
        "unknown-item-field",
        1,
        21,
        "unknown item attribute {i.sk}; did you mean {i.sku}?",
        postback.UnknownFieldError,
        "{i.sku}",
    ),
    Case(
        "item placeholder outside a join",
        '{"a": "{i.sku}"}',
        "item-outside-join",
        1,
        8,
        "{i.sku} is an item placeholder and can only stand inside a join template: "
        '{join(items, i, "...{i.sku}...")}',
    ),
    Case(
        "item placeholder with the wrong loop variable",
        '[{join(items, i, "\\"{j.sku}\\"")}]',
        "wrong-loop-variable",
        1,
        21,
        "{j.sku} uses 'j' but the loop variable of this join is 'i'; did you mean {i.sku}?",
        suggestion="{i.sku}",
    ),
    Case(
        "unknown function",
        '{"a": "{foo(x)}"}',
        "unknown-function",
        1,
        8,
        'unknown function foo(...); the only function is {join(items, VAR, "TEMPLATE"[, "SEP"])}; '
        "to keep the text, write \\{",
    ),
    Case(
        "join with too few arguments",
        "[{join(items, i)}]",
        "join-arguments",
        1,
        2,
        f"join takes 3 or 4 arguments, got 2: {USAGE}",
    ),
    Case(
        "join with too many arguments",
        '[{join(items, i, "1", ",", "x")}]',
        "join-arguments",
        1,
        2,
        f"join takes 3 or 4 arguments, got 5: {USAGE}",
    ),
    Case(
        "join with a string where the loop variable goes",
        '[{join(items, "i", "x")}]',
        "join-arguments",
        1,
        15,
        f'argument 2 of join must be a loop variable name, not "i": {USAGE}',
    ),
    Case(
        "join with a number where the template goes",
        "[{join(items, i, 5)}]",
        "join-arguments",
        1,
        18,
        f"argument 3 of join must be a string literal, not 5: {USAGE}",
    ),
    Case(
        "join over an unknown collection",
        '[{join(things, i, "1")}]',
        "unknown-collection",
        1,
        8,
        "unknown collection 'things'; the collection is items",
        postback.UnknownFieldError,
    ),
    Case(
        "join over a plain field",
        '[{join(Payout, i, "1")}]',
        "unknown-collection",
        1,
        8,
        "join loops over a collection; Payout is a plain field. Use items",
        postback.UnknownFieldError,
        "items",
    ),
    Case(
        "loop variable that shadows a field",
        '[{join(items, Payout, "1")}]',
        "loop-variable-shadows-field",
        1,
        15,
        "loop variable 'Payout' shadows the field {Payout}; pick another name such as i",
    ),
    Case(
        "join nested inside a join template",
        '[{join(items, i, "{join(items, j, \\"1\\")}")}]',
        "nested-join",
        1,
        19,
        "join cannot be nested inside a join template; flatten the loop",
    ),
    Case(
        "unterminated string literal",
        '[{join(items, i,\n "1)}]',
        "unterminated-string",
        2,
        2,
        "unterminated string literal in join(...): add the closing '\"' "
        '(write \\" for a quote inside the string)',
    ),
    Case(
        "unterminated call",
        '[{join(items, i, "1"',
        "unterminated-call",
        1,
        2,
        'unterminated join(...) call: it is never closed with ")}"',
    ),
    Case(
        "unexpected text in a call",
        '[{join(items, i, "1" x)}]',
        "invalid-call",
        1,
        21,
        "unexpected 'x)' in join(...): arguments are separated by ',' and the call ends with "
        '")}"; expected {join(items, i, "TEMPLATE"[, "SEP"])}',
    ),
    Case(
        "placeholder in the separator",
        '[{join(items, i, "1", "{CampaignId}")}]',
        "placeholder-in-separator",
        1,
        24,
        "the separator of join is plain text and cannot hold placeholders; write \\{ and \\} "
        "for literal braces",
    ),
    Case(
        "collection used as a placeholder",
        '{"a": "{items}"}',
        "collection-as-placeholder",
        1,
        8,
        "{items} is a collection and cannot be a placeholder; loop over it with "
        '{join(items, i, "...{i.sku}...")}',
    ),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c.description for c in ERRORS])
def test_error_is_reported_with_message_line_and_column(case: Case) -> None:
    diagnostics = postback.check(case.source, format="json")
    assert len(diagnostics) == 1, diagnostics
    d = diagnostics[0]
    assert (d.code, d.line, d.column, d.message) == (
        case.code,
        case.line,
        case.column,
        case.message,
    )
    assert d.severity == "error"
    assert d.suggestion == case.suggestion
    with pytest.raises(case.error) as info:
        postback.compile(case.source, format="json")
    err = info.value
    assert (err.line, err.column, err.message, err.code) == (
        case.line,
        case.column,
        case.message,
        case.code,
    )
    text = str(err)
    assert f"<template>:{case.line}:{case.column}" in text
    assert "^" in text


def test_unknown_field_error_carries_field_and_suggestion() -> None:
    with pytest.raises(postback.UnknownFieldError) as info:
        postback.compile('{"a": "{subid1}"}')
    assert info.value.field == "subid1"
    assert info.value.suggestion == "{SubId1}"
    assert isinstance(info.value, ValueError)


def test_caret_sits_under_the_offending_span() -> None:
    with pytest.raises(postback.TemplateError) as info:
        postback.compile('{"a": "{subid1}"}', name="body.json")
    lines = str(info.value).splitlines()
    assert lines[0] == "unknown field {subid1}; did you mean {SubId1}?"
    assert lines[1] == "  --> body.json:1:8"
    assert lines[2] == '    {"a": "{subid1}"}'
    assert lines[3] == "           ^^^^^^^^"


def test_three_unknown_fields_give_three_diagnostics() -> None:
    src = '{"a": "{Foo}", "b": "{bar}", "c": "{Bazz}"}'
    diagnostics = postback.check(src)
    assert [(d.code, d.column) for d in diagnostics] == [
        ("unknown-field", 8),
        ("unknown-field", 22),
        ("unknown-field", 36),
    ]


def test_columns_count_characters_not_bytes() -> None:
    (d,) = postback.check('{"é😀": "{Nope}"}')
    assert d.column == 9


def test_literal_braces_and_escapes() -> None:
    result = parse('\\{CampaignId\\} {} { "x" } \\n \\" \\\\{Payout}')
    assert not result.problems
    text = "".join(n.value for n in result.nodes if isinstance(n, Text))
    assert text == '{CampaignId} {} { "x" } \\n \\" \\\\'
    assert next(n for n in result.nodes if isinstance(n, Field)).name == "Payout"


def test_string_literal_escapes_in_join_template() -> None:
    result = parse('{join(items, i, "\\{\\"k\\": \\"{i.sku}\\\\n\\"\\}", "; ")}')
    assert not result.problems
    (join,) = result.nodes
    assert isinstance(join, Join)
    assert join.sep == "; "
    parts = [n.value if isinstance(n, Text) else "<hole>" for n in join.body]
    assert "".join(parts) == '{"k": "<hole>\\n"}'
    assert next(n for n in join.body if isinstance(n, ItemField)).attr == "sku"


def test_join_allows_whitespace_and_newlines_between_tokens() -> None:
    result = parse('{join(\n  items ,\n  i ,\n  "{i.sku}" ,\n  "|"\n)\n}')
    assert not result.problems
    (join,) = result.nodes
    assert isinstance(join, Join)
    assert (join.collection, join.var, join.sep) == ("items", "i", "|")


def test_default_separator_is_a_comma() -> None:
    t = postback.compile('{join(items, i, "{i.sku}")}', format="text")
    action = postback.Action(items=[postback.Item(sku="a"), postback.Item(sku="b")])
    assert t.render(action) == "a,b"


def test_check_returns_nothing_for_a_good_template_and_it_compiles() -> None:
    src = '{"id": "{ActionId}", "n": [{join(items, i, "{i.qty}")}]}'
    assert postback.check(src) == []
    assert postback.compile(src).fields == frozenset({"ActionId", "items"})


def test_extra_fields_are_known_to_the_parser() -> None:
    assert postback.check('{"a": "{MyField}"}', extra_fields=["MyField"]) == []
    (d,) = postback.check('{"a": "{MyFeld}"}', extra_fields=["MyField"])
    assert d.suggestion == "{MyField}"


@pytest.mark.parametrize(
    ("source", "fmt", "quoted", "span"),
    [
        # An unescaped quote ends a join's string literal early: the error quotes the
        # one word after it, not the rest of the line or of the template.
        ('{"items": [{join(items, i, "{"sku": "{i.sku}"}")}]}', "json", "sku", (1, 31, 1, 34)),
        ('<r>{join(items, i, "<a>"x</a>\n<b>t</b>\n<c/>")}</r>', "xml", "x", (1, 25, 1, 26)),
    ],
)
def test_a_stray_quote_in_a_join_quotes_one_word(
    source: str, fmt: str, quoted: str, span: tuple[int, int, int, int]
) -> None:
    (found,) = [d for d in postback.check(source, format=fmt) if d.code == "invalid-call"]
    assert found.message.startswith(f"unexpected {quoted!r} in join(...)")
    assert (found.line, found.column, found.end_line, found.end_column) == span


def test_a_call_closed_by_a_brace_quotes_the_brace_and_long_text_is_cut() -> None:
    """``{a(b}`` written many times quoted the whole rest of the template in each message."""
    found = postback.check("{a(b}" * 50, format="text")
    assert [(d.code, d.column, d.end_column) for d in found] == [
        ("invalid-call", 5 + 5 * k, 6 + 5 * k) for k in range(50)
    ]
    assert all(d.message.startswith("unexpected '}' in join(...)") for d in found)
    (long,) = postback.check('{join(items, i, "x" ' + "y" * 100 + ")}", format="text")
    assert long.message.startswith(f"unexpected '{'y' * 40}…' in join(...)")


# -- broken calls ------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["{join(", "{a("])
def test_every_unclosed_call_opener_is_reported_without_recursion(opener: str) -> None:
    """``{join(`` written 1,000 times (or ``{a(``, about 6 KB) made ``check`` and ``compile``
    raise RecursionError: the text before each unclosed opener was read again as a
    template of its own, one call deeper per opener."""
    limit = sys.getrecursionlimit()
    source = opener * 5_000
    name = opener[1:-1]
    diagnostics = postback.check(source, format="json")
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        ("unterminated-call", 1, 1 + k * len(opener)) for k in range(5_000)
    ]
    assert diagnostics[0].message == f'unterminated {name}(...) call: it is never closed with ")}}"'
    with pytest.raises(postback.TemplateSyntaxError) as info:
        postback.compile(source, format="json")
    assert (info.value.code, info.value.line, info.value.column) == ("unterminated-call", 1, 1)
    assert sys.getrecursionlimit() == limit


RECOVERY = [
    # Every unclosed opener is reported, and its `{` stays text.
    (
        "{join({join({join(",
        [("unterminated-call", 1), ("unterminated-call", 7), ("unterminated-call", 13)],
    ),
    ("{a({b(x", [("unterminated-call", 1), ("unterminated-call", 4)]),
    # An opener inside a string literal of the broken call: the string is unterminated
    # where the text before the opener ends.
    (
        '{join(x, "{a(", {b(, ',
        [("unterminated-string", 10), ("unterminated-call", 11), ("unterminated-call", 17)],
    ),
    (
        '{join(items, i, "{a(" {b(',
        [("unterminated-string", 17), ("invalid-call", 22), ("unterminated-call", 23)],
    ),
    ('{join(items, i, "x)}', [("unterminated-string", 17)]),
    # Reading resumes after the broken call: later placeholders and calls are checked.
    ("{join(a b)}{Payout}{join(", [("invalid-call", 8), ("unterminated-call", 20)]),
    ("{join(a b)}{Payot}", [("invalid-call", 8), ("unknown-field", 12)]),
    ('{join(items, i, "{i.sku}"{join(', [("invalid-call", 26), ("unterminated-call", 26)]),
    ('x{join(items, "{a({b(" y)}{Payout}', [("unterminated-string", 15), ("invalid-call", 23)]),
    ("\\{" * 3 + "{join(" * 2, [("unterminated-call", 7), ("unterminated-call", 13)]),
]


@pytest.mark.parametrize(("source", "expected"), RECOVERY, ids=[r[0] for r in RECOVERY])
def test_reading_recovers_from_broken_calls(source: str, expected: list[tuple[str, int]]) -> None:
    assert [(d.code, d.column) for d in postback.check(source, format="text")] == expected
    with pytest.raises(postback.TemplateSyntaxError) as info:
        postback.compile(source, format="text")
    assert (info.value.code, info.value.column) == expected[0]


CALL_PIECES = [
    "{join(",
    "{a(",
    "items",
    " i",
    ", ",
    '"',
    '\\"',
    "\\",
    ")}",
    ")",
    "}",
    "{",
    "\\{",
    "{Payout}",
    "{i.sku}",
    '"x"',
    " ",
    "\n",
]


@given(st.lists(st.sampled_from(CALL_PIECES), max_size=30).map("".join))
def test_recovery_keeps_nodes_in_order_and_unclosed_braces_as_text(source: str) -> None:
    result = parse(source)
    assert all(a.span.end <= b.span.start for a, b in pairwise(result.nodes))
    assert all(0 <= p.span.start <= p.span.end <= len(source) for p in result.problems)
    # The `{` of every unclosed opener stays text where it stands.
    braces = {n.span.start for n in result.nodes if isinstance(n, Text) and n.value == "{"}
    for problem in result.problems:
        if problem.code == "unterminated-call":
            assert source[problem.span.start] == "{"
            assert problem.span.start in braces
