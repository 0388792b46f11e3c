"""The header format: one header value, never a second header."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._contexts.header import header_context
from references import utf8_safe
from strategies import hostile_chars, hostile_text

SPECIAL = "\r\n\x00\t \x01\x1f\x7f\x80\x85\u2028\u00e9\U0001f389:;,\"'\\"
TEXT = hostile_text(SPECIAL)
# RFC 9110 §5.5: CR, LF and NUL are dangerous, other CTLs invalid (HTAB is allowed).
FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
INJECTION = re.compile("[\r\n\x00]")
SECRET = "s3cr3t-token-value"


@given(TEXT, TEXT)
@settings()
def test_values_are_inserted_as_is_or_refused(a: str, b: str) -> None:
    template = postback.compile("Bearer {SubId1}; v={SubId2}", format="header")
    action = Action(sub_id1=a, sub_id2=b)
    if FORBIDDEN.search(a) or FORBIDDEN.search(b):
        with pytest.raises(postback.RenderError):
            template.render(action)
        with pytest.raises(postback.RenderError):
            template.render_bytes(action)
        return
    out = template.render(action)
    # The value ends the template: spaces and tabs at its end are trimmed.
    assert out == f"Bearer {utf8_safe(a)}; v={utf8_safe(b)}".rstrip(" \t")
    assert not FORBIDDEN.search(out)
    assert template.render_bytes(action) == out.encode("utf-8")


@given(TEXT, st.sampled_from(["\r", "\n", "\x00", "\r\n"]), TEXT)
@settings()
def test_injection_characters_always_raise_without_leaking_the_value(
    before: str, bad: str, after: str
) -> None:
    value = before + SECRET + bad + after
    template = postback.compile("X {SubId2}", format="header")
    with pytest.raises(postback.RenderError) as info:
        template.render(Action(sub_id2=value))
    message = str(info.value)
    assert "{SubId2}" in message
    assert info.value.field == "SubId2"
    assert SECRET not in message


@pytest.mark.parametrize(
    ("char", "words"),
    [
        ("\r", "carriage return"),
        ("\n", "line feed"),
        ("\x00", "NUL"),
        ("\x0b", "U+000B"),
        ("\x1b", "U+001B"),
        ("\x7f", "DEL"),
    ],
)
def test_each_forbidden_character_is_named(char: str, words: str) -> None:
    template = postback.compile('{join(items, i, "{i.sku}", ",")}', format="header")
    with pytest.raises(postback.RenderError) as info:
        template.render(Action(items=[Item(sku="ok"), Item(sku=f"ab{char}c")]))
    assert words in info.value.message
    assert "{i.sku}" in info.value.message
    assert "index 2" in info.value.message


def test_tab_non_ascii_and_surrogates_pass() -> None:
    template = postback.compile("t={SubId1}", format="header")
    assert template.render(Action(sub_id1="a\tb \u00e9\u6771\U0001f389\x85")) == (
        "t=a\tb \u00e9\u6771\U0001f389\x85"
    )
    assert template.render_bytes(Action(sub_id1="x\ud800")) == "t=x\ufffd".encode()


@given(st.integers(), st.decimals(allow_nan=False, allow_infinity=False))
@settings()
def test_numbers_pass(cid: int, payout: Decimal) -> None:
    template = postback.compile("{CampaignId}/{Payout}", format="header")
    assert template.render(Action(campaign_id=cid, payout=payout)) == f"{cid}/{payout:f}"


def test_dates_are_checked_after_formatting() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-8)))
    iso = postback.compile("d={EventDate}", format="header")
    assert iso.render(Action(event_date=when)) == "d=2026-01-02T11:04:05+00:00"
    assert when.astimezone(UTC).isoformat() == "2026-01-02T11:04:05+00:00"
    bad = postback.compile("d={EventDate}", format="header", date_format="%Y\n%m")
    with pytest.raises(postback.RenderError):
        bad.render(Action(event_date=when))


def test_extra_fields_are_checked() -> None:
    template = postback.compile("{Tok}", format="header", extra_fields=["Tok"])
    assert template.render(Action(extra={"Tok": 5})) == "5"
    with pytest.raises(postback.RenderError):
        template.render(Action(extra={"Tok": "a\nInjected: yes"}))


def test_missing_value_renders_empty() -> None:
    assert postback.compile("a{SubId1}b", format="header").render(Action()) == "ab"


def test_content_type_is_none() -> None:
    assert postback.Format.HEADER.content_type is None


# -- compile-time refusals ---------------------------------------------------------

REFUSALS = [
    ("Bearer abc\r", "invalid-header", 1, 11, "carriage return"),
    ("a\r\nX-Injected: 1", "invalid-header", 1, 2, "carriage return"),
    ("a\nb", "invalid-header", 1, 2, "line feed"),
    ("a\x00b", "invalid-header", 1, 2, "NUL"),
    ("a\x01b", "invalid-header", 1, 2, "U+0001"),
    ("a\x7fb", "invalid-header", 1, 2, "DEL"),
    ("{SubId1}\x1b", "invalid-header", 1, 9, "U+001B"),
    (" Bearer", "invalid-header", 1, 1, "start with whitespace"),
    ("\tBearer", "invalid-header", 1, 1, "start with whitespace"),
    ("Bearer {SubId1} ", "invalid-header", 1, 16, "end with whitespace"),
    ("Bearer {SubId1} \t", "invalid-header", 1, 16, "end with whitespace"),
    ('x{join(items, i, "{i.sku}", ", ")} ', "invalid-header", 1, 35, "with 0 items"),
    ('x{join(items, i, "{i.sku} ", ",")}', "invalid-header", 1, 26, "with 1 item"),
    ('x{join(items, i, "{i.sku}\n", ",")}', "invalid-header", 1, 26, "line feed"),
]


@pytest.mark.parametrize(("source", "code", "line", "column", "text"), REFUSALS)
def test_refusals(source: str, code: str, line: int, column: int, text: str) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="header")
    err = info.value
    assert (err.code, err.line, err.column) == (code, line, column), err.message
    assert text in err.message


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        ("", ""),
        ("Bearer {SubId1}", "Bearer t\u00f6k"),
        ("a\tb", "a\tb"),
        ("{SubId1} {SubId2}", 't\u00f6k a;b="c"'),
        ("caf\u00e9", "caf\u00e9"),
        ('k={join(items, i, "{i.sku}", ", ")}', "k=a, b"),
    ],
)
def test_valid_templates_render_a_value_strict_parsers_accept(source: str, rendered: str) -> None:
    import h11

    action = Action(sub_id1="t\u00f6k", sub_id2='a;b="c"', items=[Item(sku="a"), Item(sku="b")])
    value = postback.compile(source, format="header").render(action)
    assert value == rendered
    h11.Request(method="GET", target="/", headers=[("Host", "h"), ("X", value.encode())])


@given(st.text(hostile_chars(SPECIAL), min_size=1))
@example("\n")
@example(" \r\n")
@example("a\n\n")
@settings()
def test_literal_text_is_refused_iff_invalid(text: str) -> None:
    """The header is a one-line format: one final line ending of its template is not
    part of it (docs/language.md), so "\\n" is the empty template and "a\\n\\n" holds
    one line feed."""
    assume("{" not in text and "}" not in text and "\\" not in text)
    value = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    invalid = (
        bool(FORBIDDEN.search(value))
        or bool(re.search("[\ud800-\udfff]", value))
        or value[:1] in (" ", "\t")
        or value[-1:] in (" ", "\t")
    )
    if invalid:
        with pytest.raises(postback.TemplateFormatError):
            postback.compile(text, format="header")
    else:
        assert postback.compile(text, format="header").render(Action()) == value


# -- every defect of the literal text is reported ---------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a\rb\nc\x00d", [(1, 2, "carriage return"), (1, 4, "line feed"), (2, 2, "NUL")]),
        ("x {SubId1}\x01 {SubId2}\x7f", [(1, 11, "U+0001"), (1, 21, "DEL")]),
        (" a{SubId1}\x1b", [(1, 1, "start with whitespace"), (1, 11, "U+001B")]),
        ("a\rb ", [(1, 2, "carriage return"), (1, 4, "end with whitespace")]),
        ("\ud800x\udfff", [(1, 1, "U+D800"), (1, 3, "U+DFFF")]),
        # The first defect stays the one reported before: controls first, then lone
        # surrogates after the last control, then leading whitespace.
        (" a\nb", [(1, 3, "line feed")]),
        ("\ud800\n\udfff", [(1, 2, "line feed"), (2, 1, "U+DFFF")]),
        (" \ud800", [(1, 2, "U+D800")]),
        # Whitespace reported as leading is not reported as trailing too.
        ("  ", [(1, 1, "start with whitespace")]),
    ],
)
def test_every_defect_is_reported(source: str, expected: list[tuple[int, int, str]]) -> None:
    diagnostics = postback.check(source, format="header")
    assert [(d.line, d.column) for d in diagnostics] == [(line, col) for line, col, _ in expected]
    for diagnostic, (_, _, words) in zip(diagnostics, expected, strict=True):
        assert diagnostic.code == "invalid-header"
        assert words in diagnostic.message
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="header")
    assert (info.value.line, info.value.column) == expected[0][:2]


def test_one_context_per_label() -> None:
    first = header_context("{SubId1}")
    assert header_context("{SubId1}") == first
    assert header_context("{SubId2}") != first
    assert first.escape is not None
    with pytest.raises(postback.RenderError, match=r"\{SubId1\}"):
        first.escape("a\nb")
    t = postback.compile("{SubId1},{SubId1}", format="header")
    assert t.render(Action(sub_id1="v")) == "v,v"


def test_context_leaves_printable_ascii_unescaped() -> None:
    # tests/formats/test_contexts.py checks that the escaper writes these as they are.
    context = header_context("{SubId1}")
    assert context.inert == frozenset(chr(c) for c in range(0x20, 0x7F))
    assert context.wrap == ""


def test_header_values_have_no_outer_whitespace() -> None:
    """'Bearer ' (no SubId1), a join with one empty item and a value ' token ' passed
    through, and h11 refuses each as an illegal header value."""
    import h11

    bearer = postback.compile("Bearer {SubId1}", format="header")
    joined = postback.compile('Bearer{join(items, i, " {i.sku}", "")}', format="header")
    outputs = [
        bearer.render(Action()),
        joined.render(Action(items=[Item(sku="")])),
        bearer.render(Action(sub_id1=" token ")),
        postback.compile("{SubId1}", format="header").render(Action(sub_id1=" token\t")),
    ]
    assert outputs == ["Bearer", "Bearer", "Bearer  token", "token"]
    for value in outputs:
        h11.Request(method="GET", target="/", headers=[("Host", "h"), ("X", value)])
