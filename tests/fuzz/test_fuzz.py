"""Fuzzing of the compiler (docs/security.md): hostile template text in every format.

Template strings come from a grammar-aware generator, ``generate(Decisions(data),
fmt)``, driven by a byte string: Hypothesis draws the bytes here, atheris mutates them
in fuzz/fuzz_compile.py.  The generator mixes well-formed templates of each format,
the same with near misses of the placeholder language spliced in, piles of pieces, and
random junk.  For every template (``exercise``):

* ``check`` never raises and returns ``Diagnostic`` records;
* ``compile`` returns a ``Template`` or raises a ``TemplateError``, nothing else;
* ``check`` reports an error iff ``compile`` refuses (a template for which ``check``
  returns no error compiles), and the exception is its first error;
* a compiled template renders the sample action, an empty action and hostile actions to
  ``str`` or raises ``RenderError``, nothing else; the output is well-formed in its
  format and has the same structure for every record (structure preservation).

The ``ci`` Hypothesis profile (the default) runs 20,400 examples; ``quick`` a
twentieth of that and ``thorough`` ten times as many (``HYPOTHESIS_PROFILE=...``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.parsers import expat

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._formats import format_names

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"quick": 0.05, "ci": 1.0, "thorough": 10.0}.get(PROFILE, 1.0)
TOTAL_CI_EXAMPLES = 20_400
FORMATS = list(format_names())
PER_FORMAT = max(20, int(TOTAL_CI_EXAMPLES * SCALE) // len(FORMATS))

FIELD_NAMES = [f.name for f in postback.FIELDS]
ITEM_ATTRS = [f.name for f in postback.ITEM_FIELDS]
STR_ATTRS = [f.attribute for f in postback.FIELDS if f.type is str]
LOOP_VARS = ["i", "v", "it", "class", "def", "lambda", "import", "_it", "_v", "_s", "a", "_b0"]

# -- records -------------------------------------------------------------------------

NASTY = "\"'<>&]]>%+=#;?/\\ \t\r\n\x00\x1b\x7f\u0085\u2028\ud800{CampaignId}{{}}\ufffe é東🎉"

SAMPLE = postback.sample_action()
EMPTY = Action()


def action_with(text: str) -> Action:
    """The sample action with every str field and str item attribute set to ``text``."""
    values = {attr: getattr(SAMPLE, attr) for attr in SAMPLE.__slots__ if attr != "extra"}
    values.update(dict.fromkeys(STR_ATTRS, text))
    item = Item(
        sku=text,
        amt=Decimal("-1.50"),
        cat=text,
        qty=Decimal("2"),
        cartamt=Decimal("1E+3"),
        rbt=Decimal("0.00"),
        name=text,
        itemlist=text,
    )
    values["items"] = (item, item, item)
    return Action(**values)


HOSTILE = action_with(NASTY)

# -- the template generator ------------------------------------------------------------


class Decisions:
    """Choices read from a byte string; once it is exhausted every choice is 0."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def below(self, n: int) -> int:
        """Return an integer in ``range(n)``."""
        value = 0
        for _ in range(1 if n <= 256 else 2):
            value <<= 8
            if self.pos < len(self.data):
                value |= self.data[self.pos]
                self.pos += 1
        return value % n

    def pick(self, options: Any) -> Any:
        return options[self.below(len(options))]


NEAR_MISSES = (
    "{campaignid}",
    "{ CampaignId }",
    "{Sub Id1}",
    "{DeltaAmo\nunt}",
    "{i.}",
    "{.sku}",
    "{i.sku}",
    "{j.sku}",
    "{i.skuu}",
    "{i}",
    "{items}",
    "{Foo}",
    "{1}",
    "{_}",
    "{__import__}",
    "{__class__}",
    "{os}",
    "{x!r}",
    "{x:>10}",
    "{CampaignId!r}",
    "{CampaignId",
    "CampaignId}",
    "{{CampaignId}}",
    "{foo(}",
    "{foo()}",
    "{__import__('os')}",
    "{join(}",
    "{join()}",
    "{join(items)}",
    "{join(items, i)}",
    '{join(items, i, "x"',
    '{join(items, i, "x)}',
    '{join(items, i, "x"))}',
    '{join(items, CampaignId, "x")}',
    '{join(items, items, "x")}',
    '{join(CampaignId, i, "x")}',
    '{join(things, i, "x")}',
    "{join(items, i, x)}",
    '{join(items, i, "x", "{Payout}")}',
    '{join(items, i, "{join(items, j, "")}")}',
    '{join(items, i, "{join(items, j, \\"\\")}")}',
    '{join(items i "x")}',
    '{join(items, i, "x", "y", "z")}',
    '{join(items, i, "{CampaignId}", ",")}',
    '{join(\n items ,\n i ,\n "{i.sku}" ,\n ";"\n)}',
    '{join(items, i, "',
    "{join(items, i, '{i.sku}')}",
    "{",
    "}",
    "{{",
    "}}",
    "\\",
    "\\{",
    "\\}",
    '\\"',
    "\\\\",
    "\\n",
    "\\u00e9",
    "\\x00",
    '"""',
    "'''",
    "\x00",
    "\r\n",
    "\ud800",
    "\U0010ffff",
)

# Characters that matter to some format or to the language, for junk text.
INTERESTING = "{}\\\"'()[],.:;=&?#%+/<>!-_ \t\n\rxiI0é\x00\x7f\u2028\ud800\udfff\ufffe\ufeff"

LITERALS = {
    "json": ("{", "}", "[", "]", ",", ":", '"', '"k": ', "1", "null", " "),
    "xml": ("<", ">", "</", "/>", "<a>", "</a>", '="', "&", "&amp;", "<![CDATA[", "]]>", "<!--"),
    "query": ("&", "=", "%", "%2", "%41", "+", "k=", "?", "#"),
    "url": ("https://", "http://", "/", "?", "#", "@", ":", "%", "[", "]", "host.example"),
    "header": (" ", "\t", ";", ",", "=", "\r", "\n", '"'),
    "text": ("x", " ", "\n"),
}


def junk(d: Decisions, size: int) -> str:
    out = []
    for _ in range(size):
        k = d.below(4)
        if k < 3:
            out.append(d.pick(INTERESTING))
        else:
            out.append(chr(d.below(0x110000 // 17) * 17 + d.below(17)))
    return "".join(out)


def escape_literal(body: str) -> str:
    """Write template text as the body of a join string literal with the same meaning.

    Inside a literal ``\\"`` is ``"`` and ``\\\\`` is ``\\``; ``\\{`` and
    ``\\}`` mean what they mean at top level; any other backslash pair is kept.
    """
    out: list[str] = []
    k = 0
    while k < len(body):
        ch = body[k]
        if ch == "\\" and body[k + 1 : k + 2] in ("{", "}"):
            out.append(body[k : k + 2])
            k += 2
        elif ch == "\\":
            out.append(
                "\\\\" + {"\\": "\\\\", '"': '\\"'}.get(body[k + 1 : k + 2], body[k + 1 : k + 2])
            )
            k += 2
        else:
            out.append('\\"' if ch == '"' else ch)
            k += 1
    return "".join(out)


class Generator:
    """Builds templates of one format from decisions."""

    def __init__(self, d: Decisions, fmt: str) -> None:
        self.d = d
        self.fmt = fmt

    def hole(self, var: str | None) -> str:
        if var is not None and self.d.below(4):
            return "{" + var + "." + self.d.pick(ITEM_ATTRS) + "}"
        return "{" + self.d.pick(FIELD_NAMES) + "}"

    def join(self, body: Any, seps: tuple[str | None, ...] = (None, ",")) -> str:
        d = self.d
        var = d.pick(LOOP_VARS)
        text = body(var)
        literal = escape_literal(text) if d.below(8) else text
        sep = d.pick((*seps, *seps, *seps, "", ";", "&", " , ", "\\{"))
        ws = d.pick(("", "", " ", "\n  "))
        args = ["items", var, f'"{literal}"'] + ([] if sep is None else [f'"{sep}"'])
        return "{join(" + ws + ("," + ws).join(args) + ws + ")}"

    # json

    def json_string(self, var: str | None) -> str:
        bits = ("a", " ", "\\n", '\\"', "\\\\", "\\u00e9", "\\{", "\\}", "é", "{", "}", "<&>")
        out = []
        for _ in range(self.d.below(4)):
            out.append(self.hole(var) if self.d.below(2) else self.d.pick(bits))
        return '"' + "".join(out) + '"'

    def json_value(self, var: str | None, depth: int) -> str:
        d = self.d
        k = d.below(9 if depth else 3)
        if k == 0:
            return self.hole(var)
        if k == 1:
            return self.json_string(var)
        if k == 2:
            return d.pick(("1", "-2.5e3", "0", "true", "false", "null"))
        if k == 3:
            return "[" + ", ".join(self.json_value(var, depth - 1) for _ in range(d.below(4))) + "]"
        if k in (4, 5, 6) or var is not None:
            open_, close = ("\\{", "\\}") if var is not None and d.below(2) else ("{", "}")
            pairs = [
                f"{self.json_string(var)}: {self.json_value(var, depth - 1)}"
                for _ in range(d.below(4))
            ]
            return open_ + ", ".join(pairs) + close
        lead = d.pick(("", "", "1, "))
        return "[" + lead + self.join(lambda v: self.json_value(v, 1)) + "]"

    # xml

    def xml_content(self, var: str | None, depth: int) -> str:
        d = self.d
        out = []
        for _ in range(d.below(5)):
            k = d.below(8 if depth else 5)
            if k == 0:
                out.append(self.hole(var))
            elif k == 1:
                out.append(d.pick(("text", " ", "&amp;", "&#233;", "&lt;", "]", "é", "\n", ">")))
            elif k == 2:
                out.append("<![CDATA[" + d.pick(("", "]", "x")) + self.hole(var) + "]]>")
            elif k == 3:
                q = d.pick(('"', "'"))
                out.append(f"<e a={q}{d.pick(('', 'x'))}{self.hole(var)}{q}/>")
            elif k == 4:
                out.append(d.pick(("<!-- c -->", "<?pi x?>", "<e/>")))
            elif k in (5, 6) or var is not None:
                name = d.pick(("a", "b:c", "x-y"))
                out.append(f"<{name}>{self.xml_content(var, depth - 1)}</{name}>")
            else:
                out.append(self.join(lambda v: self.xml_content(v, 1), (None, "", "\n")))
        return "".join(out)

    def xml_document(self) -> str:
        # Declarations in every spelling of UTF-8 people write: only "UTF-8" in any
        # case is a name expat knows (others fail on the first non-ASCII character).
        head = self.d.pick(("", "declaration", "<!-- head -->"))
        if head == "declaration":
            encoding = self.d.pick(("UTF-8", "utf-8", "UTF8", "utf_8"))
            head = f'<?xml version="1.0" encoding="{encoding}"?>\n'
        return (
            head
            + '<root xmlns:b="urn:b" id="{CampaignId}">'
            + self.xml_content(None, 2)
            + "</root>"
        )

    # query and url

    def pairs(self, var: str | None, lead: str = "") -> str:
        d = self.d
        out = []
        for _ in range(1 + d.below(4)):
            key = self.hole(var) if d.below(3) == 0 else d.pick(("k", "sku", "a%5B%5D", "x.y"))
            words = [
                self.hole(var) if d.below(2) else d.pick(("v", "a%20b", "x+y", "%C3%A9", "~-._"))
                for _ in range(d.below(3))
            ]
            out.append(key + "=" + "".join(words))
        return lead + "&".join(out)

    def query_body(self) -> str:
        body = self.pairs(None)
        for _ in range(self.d.below(3)):
            body += self.join(lambda v: self.pairs(v, "&"), ("", ""))
        return body

    def url(self) -> str:
        d = self.d
        base = d.pick(("https://example.com", "http://user@h.example:8080", "https://[::1]"))
        segs = [
            self.hole(None) if d.below(2) else d.pick(("p", "a%20b", "~x", "@", "", "..", "."))
            for _ in range(d.below(4))
        ]
        url = base + "/" + "/".join(segs)
        if d.below(2):
            url += "?" + self.pairs(None)
            if d.below(3) == 0:
                url += self.join(lambda v: self.pairs(v, "&"), ("", ""))
        if d.below(3) == 0:
            url += "#" + "".join(
                self.hole(None) if d.below(2) else "f/?" for _ in range(d.below(3))
            )
        return url

    # header and text

    def header(self) -> str:
        words = ("Bearer", "a=b;", "x", "é", '"q"', "\\{", "\t")
        return " ".join(
            self.hole(None) if self.d.below(2) else self.d.pick(words)
            for _ in range(1 + self.d.below(4))
        ).strip()

    def text(self) -> str:
        out = []
        for _ in range(self.d.below(6)):
            k = self.d.below(4)
            if k == 0:
                out.append(self.hole(None))
            elif k == 1:
                out.append(self.join(lambda v: junk(self.d, 3) + self.hole(v)))
            else:
                out.append(self.d.pick(("x", " ", "\n", "\\{", "\\}", "{", "}", '"', "'", "\\")))
        return "".join(out)

    # the mix

    def valid(self) -> str:
        fmt = self.fmt
        if fmt == "json":
            return self.json_value(None, 3)
        if fmt == "xml":
            return self.xml_document()
        if fmt == "query":
            return self.query_body()
        if fmt == "url":
            return self.url()
        if fmt == "header":
            return self.header()
        return self.text()

    def piece(self) -> str:
        k = self.d.below(6)
        if k == 0:
            return str(self.d.pick(NEAR_MISSES))
        if k == 1:
            return junk(self.d, 1 + self.d.below(4))
        if k == 2:
            return self.hole(None)
        if k == 3:
            return self.join(lambda v: self.hole(v))
        return str(self.d.pick(LITERALS[self.fmt]))

    def template(self) -> str:
        d = self.d
        mode = d.below(8)
        if mode <= 2:
            return self.valid()
        if mode <= 5:
            text = self.valid()
            for _ in range(1 + d.below(3)):
                at = d.below(len(text) + 1)
                if d.below(3):
                    text = text[:at] + self.piece() + text[at:]
                else:
                    text = text[:at] + text[at + 1 + d.below(4) :]
            return text
        if mode == 6:
            return "".join(self.piece() for _ in range(d.below(10)))
        return junk(d, d.below(40))


def generate(d: Decisions, fmt: str) -> str:
    """Return a template of ``fmt`` built from the decisions ``d``."""
    return Generator(d, fmt).template()


# -- well-formedness of the output -------------------------------------------------------


class _Obj(tuple):  # type: ignore[type-arg]
    """A JSON object as the tuple of its values, in order (rendered keys may collide)."""


def json_shape(value: Any) -> Any:
    if isinstance(value, _Obj):
        return ("object", [json_shape(v) for v in value])
    if isinstance(value, list):
        return [json_shape(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return type(value).__name__
    return "number"


def xml_shape(document: bytes) -> Any:
    """Parse with expat (without namespace processing, which ElementTree does: it
    refuses a literal namespace name containing '}'); return the element skeleton."""
    parser = expat.ParserCreate()
    root: list[Any] = []
    stack = [root]

    def start(name: str, attrs: dict[str, str]) -> None:
        children: list[Any] = []
        stack[-1].append((name, len(attrs), children))
        stack.append(children)

    def end(name: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(document, True)
    return root


def query_shape(body: str) -> Any:
    if body == "":
        return 0
    return len(parse_qsl(body, keep_blank_values=True, strict_parsing=True))


def url_shape(url: str) -> Any:
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    assert parts.hostname, url
    return (parts.netloc, parts.path.count("/"), query_shape(parts.query), "#" in url)


def shape(fmt: str, out: str) -> Any:
    """Parse ``out`` as ``fmt`` (failing the test if it is malformed); return its skeleton."""
    if fmt == "json":
        return json_shape(json.loads(out, object_pairs_hook=lambda kv: _Obj(v for _, v in kv)))
    if fmt == "xml":
        return xml_shape(out.encode("utf-8"))
    if fmt == "query":
        return query_shape(out)
    if fmt == "url":
        return url_shape(out)
    if fmt == "header":
        assert not re.search("[\r\n\x00]", out), repr(out)
    return None


def exercise(source: str, fmt: str, actions: tuple[Action, ...] = (SAMPLE, HOSTILE)) -> str:
    """Check the fuzz properties for one template; return what happened (for statistics).

    ``actions`` all have three items and every field set, so their renderings must have
    the same shape; the empty action is rendered too, and must be well-formed.
    """
    diagnostics = postback.check(source, format=fmt)
    assert isinstance(diagnostics, list)
    for diag in diagnostics:
        assert isinstance(diag, postback.Diagnostic)
        assert diag.severity in ("error", "warning")
        assert 1 <= diag.line <= diag.end_line and diag.column >= 1, diag
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", diag.code), diag.code
    errors = [diag for diag in diagnostics if diag.severity == "error"]
    try:
        template = postback.compile(source, format=fmt)
    except postback.TemplateError as exc:
        assert errors, f"compile refused what check accepted: {exc}"
        assert exc.code == errors[0].code
        assert (exc.line, exc.column) == (errors[0].line, errors[0].column)
        assert str(exc)
        return f"refused: {exc.code}"
    assert not errors, f"check reported errors for a template that compiles: {errors}"
    assert isinstance(template, postback.Template)
    shapes = []
    for action in actions:
        try:
            out = template.render(action)
        except postback.RenderError:
            continue
        assert type(out) is str
        assert type(template.render_bytes(action)) is bytes
        shapes.append(shape(fmt, out))
    assert all(s == shapes[0] for s in shapes), shapes
    with contextlib.suppress(postback.RenderError):
        shape(fmt, template.render(EMPTY))
    return "compiled"


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@settings(
    max_examples=PER_FORMAT,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.binary(max_size=160), value=st.text(max_size=6))
def test_fuzz_compile_check_render(fmt: str, data: bytes, value: str) -> None:
    source = generate(Decisions(data), fmt)
    event(exercise(source, fmt, (SAMPLE, HOSTILE, action_with(value + NASTY[len(value) :]))))


def test_the_ci_profile_runs_at_least_20000_examples() -> None:
    if PROFILE == "ci":
        assert PER_FORMAT * len(FORMATS) >= 20_000


def test_the_generator_reaches_both_outcomes_in_every_format() -> None:
    import random

    rng = random.Random(1)
    for fmt in FORMATS:
        outcomes = set()
        for _ in range(300):
            source = generate(Decisions(rng.randbytes(120)), fmt)
            outcomes.add(exercise(source, fmt).split(":")[0])
        assert outcomes == {"compiled", "refused"}, fmt


def test_exhausted_decisions_give_one_template_that_compiles() -> None:
    for fmt in FORMATS:
        source = generate(Decisions(b""), fmt)
        assert generate(Decisions(b""), fmt) == source
        assert exercise(source, fmt) == "compiled", (fmt, source)


@pytest.mark.parametrize(
    "source",
    [
        '{join(items, i, "{i.sku}", "\\{")}',
        '{join(items, i, "\\\\")}',
        '{join(items,i,"")}',
        '{"a": [{join(items, class, "{class.sku}")}]}',
        '<r a="{join(items, def, "{def.sku}")}"/>',
        'a={join(items, lambda, "{lambda.sku}", "")}',
        'https://h.example/{join(items, import, "{import.sku}", "")}',
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_fixed_corner_cases(source: str, fmt: str) -> None:
    exercise(source, fmt)


def test_hostile_item_values_round_trip_through_json() -> None:
    t = postback.compile('{"a": [{join(items, i, "{\\"s\\": \\"{i.sku}\\", \\"n\\": {i.amt}}")}]}')
    data = json.loads(t.render(HOSTILE))
    assert [d["s"] for d in data["a"]] == [NASTY] * 3
    assert [Decimal(str(d["n"])) for d in data["a"]] == [Decimal("-1.50")] * 3
