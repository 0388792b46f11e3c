"""Hostile bodies: whatever the text, ``Template.parse`` returns an action or raises
``ParseError``, and nothing else; and what it returns is what the body says.

Bodies rendered from the examples are mutated (bytes flipped, text cut, repeated,
nested in brackets, elements and delimiters inserted, re-encoded in another encoding)
and read back; the quick profile reads a thousand per format, the default three
thousand, the thorough profile (``nox -s thorough``, in CI) twenty thousand.  JSON
bodies are also read without the fast reader, which must read what the full reader
reads or decline.  Templates of every
shape, from the compiler's grammar-aware fuzzer (tests/fuzz/test_fuzz.py), render
hostile records, and whatever ``parse`` reads from a body renders that body again;
where ``check(reading=True)`` reports nothing, no body reads two ways.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest
from _expected import restrict
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
from postback import Action, ParseError
from postback._reading import make_plan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from test_fuzz import FORMATS, Decisions, action_with, generate  # noqa: E402

NASTY = action_with("\"'<>&]]>%+=#;?/\\ \t\r\n\x00\x1b\x7f\u2028\ud800{CampaignId} é東🎉")

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# Mutated bodies per format: 20,000 in CI's run of the suite (about 40 seconds in all)
# and in the thorough profile; fewer in the quick loop of development.
COUNT = {"quick": 1000, "ci": 20_000, "thorough": 20_000}.get(PROFILE, 20_000)

HOSTILE = postback.Action(
    sub_id1='a,b&c=d "e" <f> \\ é \ud800',
    sub_id2="",
    payout="-0.10",
    items=[{"sku": "x,y", "name": "]]>&amp;"}, {"sku": ""}],
)
TEMPLATES = {
    "json": postback.compile((ROOT / "examples/action-clearing.json").read_text(), format="json"),
    "query": postback.compile((ROOT / "examples/action-clearing.qs").read_text(), format="query"),
    "xml": postback.compile((ROOT / "examples/action-clearing.xml").read_text(), format="xml"),
    "url": postback.compile((ROOT / "examples/action-clearing.url").read_text(), format="url"),
    "text": postback.compile('{SubId1}-{SubId2}:{join(items, i, "{i.sku}", ";")}', format="text"),
    "header": postback.compile("Bearer {SubId1}", format="header"),
}
SNIPPETS = {
    "json": ['{"a":', "[", "]", "}", '"', "\\u", "\\ud800", "1e999999", "null", ",", ":", "\x00"],
    "query": ["&", "=", "%", "%F", "%FF", "%C3", "+", "&&", "==", ",", "skus=", "a=b"],
    "xml": [
        "<",
        ">",
        "&",
        "&amp;",
        "&#0;",
        "<!DOCTYPE a [<!ENTITY e 'x'>]>",
        "]]>",
        "<![CDATA[",
        "<x>",
        "</x>",
        "<item/>",
        '"',
        "xmlns:p='u'",
    ],
    "url": ["/", "?", "#", "&", "=", "%", "%2F", "://", "HTTPS://", "..", "%FF", "+"],
    "text": ["-", ":", ";", "\n", "\x00"],
    "header": [" ", "\t", "Bearer", "\r\n"],
}


ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig", "utf-7"]


def mutate(body: bytes, rng: random.Random, snippets: list[str]) -> bytes:
    """Apply one to four random mutations to ``body``."""
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        at = rng.randint(0, len(data))
        if kind == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[at : at + rng.randint(1, 40)]
        elif kind == 2:
            piece = data[at : at + rng.randint(1, 60)]
            data[at:at] = piece * rng.randint(1, 50)
        elif kind == 3:
            depth = rng.choice([1, 2, 100, 600, 5000])
            opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ("<a>", "</a>")])
            data[at:at] = (opener * depth + closer * rng.choice([0, depth])).encode()
        elif kind == 4:
            data[at:at] = rng.choice(snippets).encode("utf-8", "surrogatepass")
        elif kind == 5:
            # Re-encoded: the whole body, or a piece of it, in another encoding.
            end = len(data) if rng.random() < 0.5 else at + rng.randint(1, 80)
            text = bytes(data[at:end]).decode("utf-8", "replace")
            data[at:end] = text.encode(rng.choice(ENCODINGS), "replace")
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(TEMPLATES))
def test_mutated_bodies_raise_only_parse_errors(fmt: str) -> None:
    template = TEMPLATES[fmt]
    seeds = [template.render_bytes(a) for a in (postback.sample_action(), HOSTILE, Action())]
    rng = random.Random(f"{fmt}-{PROFILE}")
    read = errors = 0
    for _ in range(COUNT):
        body = mutate(rng.choice(seeds), rng, SNIPPETS[fmt])
        text: str | bytes = body
        if rng.random() < 0.5:
            text = body.decode("utf-8", "surrogateescape")
        try:
            action = template.parse(text)
        except ParseError as exc:
            errors += 1
            assert exc.message
            assert exc.line is None or exc.line >= 1
        else:
            read += 1
            assert isinstance(action, Action)
    assert errors > COUNT // 10


def test_the_json_fast_reader_reads_mutated_bodies_as_the_full_reader_does() -> None:
    template = TEMPLATES["json"]
    seeds = [template.render(a) for a in (postback.sample_action(), HOSTILE, Action())]
    plan = make_plan(template.source, template.format, template._opts)
    full = make_plan(template.source, template.format, template._opts)
    full._fast = None
    assert plan._fast is not None
    rng = random.Random(f"fast-{PROFILE}")
    taken = 0
    for _ in range(COUNT):
        seed = rng.choice(seeds).encode()
        body = mutate(seed, rng, SNIPPETS["json"]).decode("utf-8", "surrogateescape")
        got = plan._fast(body)
        if got is None:
            continue
        taken += 1
        assert repr(got) == repr(full.parse(body, "error")), body
    assert taken > COUNT // 100  # some mutations leave a body the template could write


READ_AGAIN = {"quick": 300, "ci": 2000, "thorough": 20000}.get(PROFILE, 2000)


@settings(max_examples=READ_AGAIN)
@given(st.sampled_from(FORMATS), st.binary(min_size=8, max_size=300))
def test_what_parse_reads_renders_the_same_body(fmt: str, data: bytes) -> None:
    """Three items that each wrote a key twice read as six items, and a join's
    separator read as part of a value: readings that did not render their body.  A
    template ``check(reading=True)`` passes never has a body with two readings."""
    source = generate(Decisions(data), fmt)
    try:
        template = postback.compile(source, format=postback.Format.parse(fmt))
    except postback.TemplateError:
        return
    found = postback.check(source, format=fmt, reading=True)
    one_way = not any(d.code.startswith("reading-") for d in found)
    for action in (postback.sample_action(), Action(), NASTY, action_with("x-y,z")):
        try:
            body = template.render(action)
        except postback.RenderError:
            continue
        try:
            read = template.parse(body)
        except ParseError as exc:
            # Two readings only where the check said so; or a shape the reader does
            # not take.  Never a guess.
            assert not (one_way and exc.readings), (source, exc.message)
            continue
        assert template.render(read) == body
        if one_way:
            # Read one way: the record itself, as the template keeps it.
            assert read == restrict(template, action), (source, body)
