"""The ``xml`` format: the XML scanner, its refusals and the XML escapers.

The property tests render adversarial values into every XML position and parse the
result with the standard library's expat-based parsers: the document must parse, keep
exactly the template's elements and attributes, and give every value back exactly
(after the documented U+FFFD replacement).
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postback
from postback import Action, Item
from postback._compiler.analysis import analyze
from postback._compiler.parser import parse as parse_template
from postback._contexts import xml_names
from postback._escape import xml_attribute, xml_cdata, xml_content
from postback._formats import format_spec
from postback._problems import Code, LineIndex
from postback._records.catalog import SOURCES
from strategies import ANY_CHAR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "action-clearing.xml"
EXPECTED = Path(__file__).resolve().parents[1] / "cases" / "action-clearing.xml.expected"

# ---------------------------------------------------------------------------
# Helpers and strategies
# ---------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def carried(value: str) -> str:
    """What XML gives back for ``value``: characters XML 1.0 cannot carry become U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def parse(body: str) -> ET.Element:
    """Parse ``body`` as text and as its UTF-8 bytes (the two must agree)."""
    root = ET.fromstring(body)
    from_bytes = ET.fromstring(body.encode("utf-8"))
    assert ET.tostring(root) == ET.tostring(from_bytes)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.Parse(body.encode("utf-8"), True)
    return root


def skeleton(element: ET.Element) -> tuple[Any, ...]:
    """The structure of ``element``: tags and attribute names, recursively."""
    return (element.tag, tuple(sorted(element.attrib)), tuple(skeleton(c) for c in element))


def text_of(element: ET.Element | None) -> str:
    assert element is not None
    return "".join(element.itertext())


def iso(value: datetime) -> str:
    """A datetime as templates write it by default: ISO 8601 in UTC, seconds precision."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


TRICKY = [
    "\ud800",
    "\udfff",
    "\udbff\udc00",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1f",
    "\x7f",
    "\x85",
    "\r",
    "\r\n",
    "\n",
    "\t",
    '"',
    "'",
    "&",
    "<",
    ">",
    "]]>",
    "]]",
    "]",
    "&amp;",
    "&#13;",
    "<![CDATA[",
    "-->",
    "--",
    "?>",
    "\U0001f389",
    "\ufffe",
    "\uffff",
    "\ufeff",
    "\u2028",
    " ",
    "Café",
    "東京",
]

# Every code point (control characters and lone surrogates included), mixed with
# the strings that matter to XML.
texts = st.one_of(
    st.text(ANY_CHAR, max_size=20),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(ANY_CHAR, max_size=3)), max_size=8).map(
        "".join
    ),
)
decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15)
ints = st.integers(min_value=-(2**63), max_value=2**63)
datetimes = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-8))]),
)
items = st.builds(Item, sku=texts, amt=decimals, name=texts)


@st.composite
def actions(draw: st.DrawFn) -> Action:
    """An action with adversarial values of every catalog type, sometimes missing."""

    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(st.none(), strategy))

    return Action(
        campaign_id=maybe(ints),
        campaign_name=maybe(texts),
        payout=maybe(decimals),
        event_date=maybe(datetimes),
        sub_id1=maybe(texts),
        sub_id2=maybe(texts),
        items=tuple(draw(st.lists(items, max_size=3))),
    )


def expected(value: Any) -> str:
    """The text a value must come back as (a missing value: the empty string)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return carried(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


# One template per context, each placing a value of every catalog type there; the
# text around some placeholders tests the boundaries (']]' before, ']' or '>' after).
ESCAPERS = {
    "content": xml_content,
    'attr"': xml_attribute,
    "attr'": xml_attribute,
    "cdata": xml_cdata,
}
TEMPLATES = {
    "content": (
        "<r><i>{CampaignId}</i><s>{CampaignName}</s><d>{Payout}</d><t>{EventDate}</t>"
        "<b>]]{SubId1}x&gt;</b><e>{SubId2}</e>"
        '<items>{join(items, i, "<it><sku>{i.sku}</sku><n>{i.name}</n><a>{i.amt}</a></it>", "")}'
        "</items></r>"
    ),
    'attr"': (
        '<r i="{CampaignId}" s="{CampaignName}" d="{Payout}" t="{EventDate}" '
        'b="]]{SubId1}x>" e="{SubId2}">'
        '<items>{join(items, i, "<it sku=\\"{i.sku}\\" n=\\"{i.name}\\" a=\\"{i.amt}\\"/>", "")}'
        "</items></r>"
    ),
    "attr'": (
        "<r i='{CampaignId}' s='{CampaignName}' d='{Payout}' t='{EventDate}' "
        "b=']]{SubId1}x>' e='{SubId2}'>"
        "<items>{join(items, i, \"<it sku='{i.sku}' n='{i.name}' a='{i.amt}'/>\", \"\")}"
        "</items></r>"
    ),
    "cdata": (
        "<r><i><![CDATA[{CampaignId}]]></i><s><![CDATA[{CampaignName}]]></s>"
        "<d><![CDATA[{Payout}]]></d><t><![CDATA[{EventDate}]]></t>"
        "<b><![CDATA[]{SubId1}x]]]></b><e><![CDATA[{SubId2}]]></e>"
        '<items>{join(items, i, "<it><sku><![CDATA[{i.sku}]]></sku>'
        '<n><![CDATA[{i.name}]]></n><a><![CDATA[{i.amt}]]></a></it>", "")}'
        "</items></r>"
    ),
}

# Where each value lands in the parsed document, per context, and the text around it.
BOUNDARY = {
    "content": ("]]", "x>"),
    'attr"': ("]]", "x>"),
    "attr'": ("]]", "x>"),
    "cdata": ("]", "x]"),
}


def values_back(context: str, root: ET.Element) -> dict[str, str]:
    """Read back every placed value from a rendered document of ``TEMPLATES[context]``."""
    if context.startswith("attr"):
        top = {key: root.attrib[key] for key in ("i", "s", "d", "t", "b", "e")}
        rows = [(it.attrib["sku"], it.attrib["n"], it.attrib["a"]) for it in root.iter("it")]
    else:
        top = {key: text_of(root.find(key)) for key in ("i", "s", "d", "t", "b", "e")}
        rows = [
            (text_of(it.find("sku")), text_of(it.find("n")), text_of(it.find("a")))
            for it in root.iter("it")
        ]
    out = dict(top)
    for k, (sku, name, amt) in enumerate(rows):
        out[f"sku{k}"], out[f"name{k}"], out[f"amt{k}"] = sku, name, amt
    return out


def values_sent(context: str, action: Action) -> dict[str, str]:
    before, after = BOUNDARY[context]
    out = {
        "i": expected(action.campaign_id),
        "s": expected(action.campaign_name),
        "d": expected(action.payout),
        "t": expected(action.event_date),
        "b": before + expected(action.sub_id1) + after,
        "e": expected(action.sub_id2),
    }
    for k, item in enumerate(action.items):
        out[f"sku{k}"] = expected(item.sku)
        out[f"name{k}"] = expected(item.name)
        out[f"amt{k}"] = expected(item.amt)
    return out


# ---------------------------------------------------------------------------
# Property tests: every value comes back exactly, the structure never changes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("context", list(TEMPLATES))
def test_each_template_lands_in_its_context(context: str) -> None:
    source = TEMPLATES[context]
    nodes = parse_template(source).nodes
    contexts, problems = analyze(
        nodes, format_spec("xml").machine(), len(source), LineIndex(source)
    )
    assert problems == []
    assert {c.escape for c in contexts.values()} == {ESCAPERS[context]}
    parse(postback.compile(source, format="xml").render(Action()))


def _check_roundtrip(context: str, action: Action) -> None:
    template = postback.compile(TEMPLATES[context], format="xml")
    body = template.render(action)
    data = template.render_bytes(action)  # never raises, whatever the values
    assert data == body.encode("utf-8")
    root = parse(body)
    assert skeleton(root) == skeleton(
        parse(template.render(Action(items=tuple(Item() for _ in action.items))))
    )
    assert values_back(context, root) == values_sent(context, action)


@settings()
@given(action=actions())
def test_content_values_come_back(action: Action) -> None:
    _check_roundtrip("content", action)


@settings()
@given(action=actions())
def test_double_quoted_attribute_values_come_back(action: Action) -> None:
    _check_roundtrip('attr"', action)


@settings()
@given(action=actions())
def test_single_quoted_attribute_values_come_back(action: Action) -> None:
    _check_roundtrip("attr'", action)


@settings()
@given(action=actions())
def test_cdata_values_come_back(action: Action) -> None:
    _check_roundtrip("cdata", action)


@settings()
@given(value=texts)
def test_escapers_emit_only_what_xml_carries(value: str) -> None:
    for escape in (xml_content, xml_attribute, xml_cdata):
        out = escape(value)
        assert _NOT_XML.search(out) is None
        out.encode("utf-8")  # no lone surrogate survives
    assert "<" not in xml_content(value) and "]]>" not in xml_content(value)
    assert not xml_content(value).endswith("]")
    assert not re.search("[<\"'\t\n\r]", xml_attribute(value))
    assert "\r" not in xml_content(value) and "\r" not in xml_cdata(value)
    cdata = xml_cdata(value)
    assert not cdata.endswith("]") and not cdata.startswith((">", "]>"))
    body = f"<r><![CDATA[{cdata}]]><![CDATA[]]{cdata}]]><![CDATA[]{cdata}>]]></r>"
    assert (
        ET.fromstring(body).text
        == carried(value) + "]]" + carried(value) + "]" + carried(value) + ">"
    )


@pytest.mark.parametrize(
    ("value", "content", "attribute", "cdata"),
    [
        ("plain", "plain", "plain", "plain"),
        ("a&b<c>d", "a&amp;b&lt;c&gt;d", "a&amp;b&lt;c&gt;d", "a&b<c>d"),
        ("\"q\" 'a'", "\"q\" 'a'", "&quot;q&quot; &apos;a&apos;", "\"q\" 'a'"),
        ("l1\r\nl2\tx", "l1&#13;\nl2\tx", "l1&#13;&#10;l2&#9;x", "l1]]>&#13;<![CDATA[\nl2\tx"),
        ("x]]>y", "x]]&gt;y", "x]]&gt;y", "x]]]]><![CDATA[>y"),
        ("ends]", "ends&#93;", "ends]", "ends]]]><![CDATA["),
        (">starts", "&gt;starts", "&gt;starts", "]]><![CDATA[>starts"),
        (
            "nul\x00 \ud800 \ufffe",
            "nul\ufffd \ufffd \ufffd",
            "nul\ufffd \ufffd \ufffd",
            "nul\ufffd \ufffd \ufffd",
        ),
        ("", "", "", ""),
    ],
)
def test_escaper_outputs(value: str, content: str, attribute: str, cdata: str) -> None:
    assert xml_content(value) == content
    assert xml_attribute(value) == attribute
    assert xml_cdata(value) == cdata


def test_clean_values_pass_through_unchanged() -> None:
    for value in ("1000.4636.158133", "Café Müller Sale", "東京 🍵", "a]b", "line\nbreak"):
        assert xml_content(value) is value
        assert xml_cdata(value) is value
    assert xml_attribute("Café Müller Sale") == "Café Müller Sale"


def test_numbers_are_not_escaped_and_other_types_are() -> None:
    t = postback.compile(
        '<r n="{CampaignId}" d="{Payout}" t="{EventDate}">{Payout}</r>',
        format="xml",
        date_format='<%Y> & "%m"',
    )
    body = t.render(
        Action(campaign_id=-5, payout=Decimal("-0.50"), event_date=datetime(2026, 1, 2, tzinfo=UTC))
    )
    assert body == '<r n="-5" d="-0.50" t="&lt;2026&gt; &amp; &quot;01&quot;">-0.50</r>'
    root = parse(body)
    assert root.attrib["t"] == '<2026> & "01"'


@settings()
@given(value=st.one_of(texts, ints, decimals, st.booleans(), datetimes))
def test_extra_fields_of_any_type_are_escaped(value: Any) -> None:
    t = postback.compile(
        "<r a='{Memo}'><c>{Memo}</c><d><![CDATA[{Memo}]]></d></r>",
        format="xml",
        extra_fields=("Memo",),
    )
    root = parse(t.render(Action(extra={"Memo": value})))
    want = expected(value)
    assert root.attrib["a"] == text_of(root.find("c")) == text_of(root.find("d")) == want


def test_missing_values_render_as_nothing_in_every_context() -> None:
    for context, source in TEMPLATES.items():
        body = postback.compile(source, format="xml").render(Action())
        root = parse(body)
        assert values_back(context, root) == values_sent(context, Action()), context


def test_content_type() -> None:
    assert postback.Format("xml").content_type == "application/xml; charset=utf-8"
    assert postback.compile("<a/>", format="XML").format.content_type == (
        "application/xml; charset=utf-8"
    )


# Random templates built from XML fragments and placeholders: whichever of them compile
# must render, for adversarial values and any number of items, a document that parses
# and has the same elements and attributes as with every value missing.
FRAGMENTS = [
    "<a>",
    "</a>",
    '<b x="',
    '">',
    "'",
    "<c y='",
    "'/>",
    "{SubId1}",
    "{SubId2}",
    "{Payout}",
    "]",
    "]]",
    ">",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?p ",
    "?>",
    " ",
    "&amp;",
    "&",
    ";",
    "<d>",
    "</d>",
    '"',
    "=",
    "<",
    "/>",
    "t",
    "{join(items, i, \"<i s='{i.sku}'>{i.name}</i>\")}",
    '{join(items, i, "{i.sku}]", "")}',
    '{join(items, i, "]", "")}',
    "<e z=\"{SubId3}\" w='{SubId1}'/>",
]


@settings()
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8),
    values=st.lists(
        st.sampled_from(["", "]", ">", "]]>", "<", "&", "'", '"', "\r", "\x00", "a]"]),
        min_size=5,
        max_size=5,
    ),
    count=st.integers(min_value=0, max_value=3),
)
def test_compiled_templates_keep_their_structure(
    parts: list[str], values: list[str], count: int
) -> None:
    source = "<r>" + "".join(parts) + "</r>"
    try:
        template = postback.compile(source, format="xml")
    except postback.TemplateError:
        return
    empty = Action(items=tuple(Item() for _ in range(count)))
    full = Action(
        sub_id1=values[0],
        sub_id2=values[1],
        sub_id3=values[2],
        items=tuple(Item(sku=values[3], name=values[4]) for _ in range(count)),
    )
    assert skeleton(parse(template.render(full))) == skeleton(parse(template.render(empty)))


LITERALS = [
    "<a>",
    "</a>",
    "<b/>",
    "<p:a>",
    "</p:a>",
    ' xmlns:p="u"',
    ' x="1"',
    " p:x='2'",
    " xml:lang='en'",
    "<a",
    ">",
    "/>",
    "&amp;",
    "&#65;",
    "&#0;",
    "&x;",
    "&",
    "]]>",
    "]",
    "<!-- c -->",
    "<!-- - -->",
    "--",
    "<?pi x?>",
    "<?xml?>",
    "<![CDATA[ <&> ]]>",
    " ",
    "\r\n",
    "t",
    "<",
    "<!DOCTYPE a>",
    "\x01",
]


@settings()
@given(parts=st.lists(st.sampled_from(LITERALS), max_size=10))
def test_scanner_agrees_with_expat_on_literal_documents(parts: list[str]) -> None:
    source = "".join(parts)
    try:
        ET.fromstring(source)
        parses = True
    except ET.ParseError:
        parses = False
    diagnostics = postback.check(source, format="xml")
    if not diagnostics:
        assert parses, source
    elif parses:  # only the deliberate refusals may reject what expat takes
        assert {d.code for d in diagnostics} == {"doctype-not-allowed"}, (source, diagnostics)


# ---------------------------------------------------------------------------
# Joins
# ---------------------------------------------------------------------------

ITEMS_TEMPLATE = (
    '<order id="{ActionId}"><items>'
    '{join(items, i, "<item sku=\\"{i.sku}\\" qty=\'{i.qty}\'><name>{i.name}</name></item>", "\n")}'
    "</items></order>"
)


@pytest.mark.parametrize("count", [0, 1, 50])
def test_join_renders_one_element_per_item(count: int) -> None:
    template = postback.compile(ITEMS_TEMPLATE, format="xml")
    action = Action(
        action_id="A&1",
        items=tuple(Item(sku=f"S<{k}>", qty=Decimal(k), name=f"N'{k}\"") for k in range(count)),
    )
    root = parse(template.render(action))
    assert root.attrib == {"id": "A&1"}
    found = root.findall("./items/item")
    assert len(found) == count
    for k, element in enumerate(found):
        assert element.attrib == {"sku": f"S<{k}>", "qty": str(k)}
        assert text_of(element.find("name")) == f"N'{k}\""


def test_join_inside_an_attribute_value_and_a_cdata_section() -> None:
    template = postback.compile(
        '<r skus="{join(items, i, "{i.sku}", " ")}"><![CDATA[{join(items, i, "{i.name}]")}]]></r>',
        format="xml",
    )
    action = Action(items=(Item(sku='a"b', name="x]]>"), Item(sku="c\td", name="]")))
    root = parse(template.render(action))
    assert root.attrib["skus"] == 'a"b c\td'
    assert root.text == "x]]>],]]"
    assert parse(template.render(Action())).attrib["skus"] == ""


# ---------------------------------------------------------------------------
# Compile-time refusals
# ---------------------------------------------------------------------------


NOT_PORTABLE = "xml-name-not-portable"


@dataclass(frozen=True)
class Refusal:
    description: str
    source: str
    code: str
    line: int
    column: int
    message: str  # a part of the message


REFUSALS = [
    Refusal(
        "placeholder in a tag name",
        "<root>\n  <{Status}>x</{Status}>\n</root>",
        "placeholder-in-tag-name",
        2,
        4,
        "{Status} stands in a tag name",
    ),
    Refusal(
        "placeholder in an end tag name",
        "<root>\n  <a>x</{Status}>\n</root>",
        "placeholder-in-tag-name",
        2,
        9,
        "tag name",
    ),
    Refusal(
        "placeholder in an attribute name",
        '<root {Status}="1"/>',
        "placeholder-in-attribute-name",
        1,
        7,
        "where an attribute name goes",
    ),
    Refusal(
        "placeholder glued to an attribute name",
        '<root\n   data-{Status}="1"/>',
        "placeholder-in-attribute-name",
        2,
        9,
        "attribute names must be literal",
    ),
    Refusal(
        "placeholder as an unquoted attribute value",
        "<root id={ActionId}/>",
        "placeholder-unquoted-attribute",
        1,
        10,
        'must be quoted: id="{ActionId}"',
    ),
    Refusal(
        "placeholder in a comment",
        "<root>\n<!-- id: {ActionId} -->\n</root>",
        "placeholder-in-comment",
        2,
        10,
        "stands in a comment",
    ),
    Refusal(
        "placeholder in a processing instruction",
        "<root><?track {ActionId}?></root>",
        "placeholder-in-processing-instruction",
        1,
        15,
        "processing instruction",
    ),
    Refusal(
        "placeholder in the XML declaration",
        '<?xml version="{Status}"?><root/>',
        "placeholder-in-processing-instruction",
        1,
        16,
        "the XML declaration",
    ),
    Refusal(
        "placeholder in a character reference",
        "<root>&#{AdId};</root>",
        "placeholder-in-reference",
        1,
        9,
        "reference",
    ),
    Refusal(
        "placeholder in a namespace declaration",
        '<root xmlns:p="{LandingPageUrl}"/>',
        "placeholder-in-namespace-declaration",
        1,
        16,
        "namespace names must be literal",
    ),
    Refusal(
        "placeholder before the root element",
        "{ActionId}\n<root/>",
        "placeholder-outside-root",
        1,
        1,
        "before the root element",
    ),
    Refusal(
        "placeholder after the root element",
        "<root/>\n{ActionId}",
        "placeholder-outside-root",
        2,
        1,
        "after the root element",
    ),
    Refusal(
        "DOCTYPE",
        '<?xml version="1.0"?>\n<!DOCTYPE root [<!ENTITY e "{ActionId}">]>\n<root>&e;</root>',
        "doctype-not-allowed",
        2,
        1,
        "<!DOCTYPE is not allowed",
    ),
    Refusal(
        "an ENTITY declaration",
        '<!ENTITY x "y">\n<root/>',
        "doctype-not-allowed",
        1,
        1,
        "<!ENTITY is not allowed",
    ),
    Refusal(
        "unbalanced tags: an element left open",
        "<root>\n  <a>{ActionId}</a>\n",
        "invalid-xml",
        3,
        1,
        "1 unclosed element(s) <root>; add </root>",
    ),
    Refusal(
        "unbalanced tags: an end tag while a child is open",
        "<root>\n  <a>{ActionId}\n</root>",
        "invalid-xml",
        3,
        3,
        "the end tag </root> comes while <a> is still open",
    ),
    Refusal(
        "mismatched end tag",
        "<root>\n  <a>{ActionId}</b>\n</root>",
        "invalid-xml",
        2,
        18,
        "the end tag </b> does not match the open element <a>",
    ),
    Refusal(
        "an end tag with nothing open",
        "<root/></root>",
        "invalid-xml",
        1,
        10,
        "the end tag </root> has no matching start tag",
    ),
    Refusal(
        "two root elements",
        '<a id="{ActionId}"/>\n<b/>',
        "invalid-xml",
        2,
        1,
        "a second root element",
    ),
    Refusal("no root element", "<!-- nothing -->\n", "invalid-xml", 2, 1, "no root element"),
    Refusal(
        "text outside the root", "<root/>\ntrailing", "invalid-xml", 2, 1, "text cannot stand after"
    ),
    Refusal(
        "a join that would produce two roots",
        '{join(items, i, "<item>{i.sku}</item>")}',
        "join-structure",
        1,
        1,
        "with 2 items there would be two",
    ),
    Refusal(
        "a join that leaves an element open",
        '<items>\n  {join(items, i, "<item>{i.sku}")}\n</items>',
        "join-structure",
        2,
        3,
        "leaves <item> open",
    ),
    Refusal(
        "a join that closes an element it did not open",
        '<a><b>{join(items, i, "{i.sku}</b>")}</a>',
        "join-structure",
        1,
        7,
        "closes <b>, which it did not open",
    ),
    Refusal(
        "a join that repeats an attribute",
        '<a {join(items, i, " sku=\\"{i.sku}\\"")}/>',
        "join-structure",
        1,
        4,
        "adds attributes to <a>, which would repeat",
    ),
    Refusal(
        "an unknown entity", "<root>&nbsp;</root>", "invalid-xml", 1, 7, "write &#160; instead"
    ),
    Refusal("a bare ampersand", "<root>A & B</root>", "invalid-xml", 1, 9, "written &amp;"),
    Refusal("a bare less-than", "<root>1 < 2</root>", "invalid-xml", 1, 9, "write &lt;"),
    Refusal("']]>' in content", "<root>]]></root>", "invalid-xml", 1, 7, "']]>' cannot appear"),
    Refusal("'--' in a comment", "<root><!-- a -- b --></root>", "invalid-xml", 1, 14, "'--'"),
    Refusal("an unclosed comment", "<root/><!-- x", "invalid-xml", 1, 14, "ends inside a comment"),
    Refusal("a bad element name", "<1a/>", "invalid-xml", 1, 1, "does not start a tag"),
    Refusal("a duplicate attribute", '<a x="1" x="2"/>', "invalid-xml", 1, 10, "'x' twice"),
    Refusal(
        "an undeclared prefix", "<p:a/>", "invalid-xml", 1, 6, "prefix 'p' of 'p:a' is not declared"
    ),
    Refusal(
        "a declaration that is not UTF-8",
        '<?xml version="1.0" encoding="ISO-8859-1"?><a/>',
        "invalid-xml",
        1,
        31,
        "sent as UTF-8",
    ),
    Refusal(
        "an XML declaration after whitespace",
        ' <?xml version="1.0"?><a/>',
        "invalid-xml",
        1,
        2,
        "very start",
    ),
    Refusal("a control character", "<a>\x01</a>", "invalid-xml", 1, 4, "U+0001"),
    Refusal(
        "a character reference to a number beyond U+10FFFF, after leading zeros",
        "<a>&#0000000000000000001114112;</a>",
        "invalid-xml",
        1,
        4,
        "beyond U+10FFFF",
    ),
    Refusal(
        "an element name expat refuses",
        "<oraș/>",
        NOT_PORTABLE,
        1,
        5,
        "expat, the parser of Python's xml.etree and of many receivers, refuses 'ș' (U+0219)",
    ),
    Refusal(
        "an attribute name expat refuses",
        '<r Ĳ="1"/>',
        NOT_PORTABLE,
        1,
        4,
        "refuses 'Ĳ' (U+0132) in a name",
    ),
    Refusal(
        "a processing instruction target expat refuses",
        "<?oraș x?><r/>",
        NOT_PORTABLE,
        1,
        6,
        "the processing instruction target 'oraș' is valid XML 1.0",
    ),
    Refusal(
        "brackets that an empty value would join into ']]>'",
        "<a>]]{SubId1}></a>",
        "invalid-xml",
        1,
        14,
        "when the value is empty",
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c.description for c in REFUSALS])
def test_refusals(case: Refusal) -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(case.source, format="xml")
    error = info.value
    assert (error.code, error.line, error.column) == (case.code, case.line, case.column), (
        error.message
    )
    assert case.message in error.message
    diagnostics = postback.check(case.source, format="xml")
    assert [(d.code, d.line, d.column) for d in diagnostics] == [
        (case.code, case.line, case.column)
    ]
    assert diagnostics[0].severity == "error"


def test_error_text_shows_the_position_and_a_caret() -> None:
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile("<root>\n  <a>{ActionId}</b>\n</root>", format="xml", name="body.xml")
    text = str(info.value)
    assert "body.xml:2:18" in text
    assert "  <a>{ActionId}</b>" in text and "^" in text


@pytest.mark.parametrize(
    "source",
    [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<a/>',
        "<?xml version='1.0'?><!-- c --><?pi data?>\n<a/>\n<!-- after --><?pi?>\n",
        '<p:a xmlns:p="urn:x" xmlns="urn:d" p:x="1" x="2" xml:lang="en"><b/></p:a>',
        "<a>&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;]]&gt;]></a>",
        "<a><![CDATA[<not> &a; tag]]]]><![CDATA[>]]></a>",
        "<a\n  x = '1'\n  y=\"2\"\n></a >",
        "<Über_straße-1.x\u00b7/>",
    ],
)
def test_valid_literal_documents_compile_and_parse(source: str) -> None:
    assert postback.check(source, format="xml") == []
    parse(postback.compile(source, format="xml").render(Action()))


@pytest.mark.parametrize("encoding", ["UTF-8", "utf-8", "Utf-8"])
def test_utf_8_in_any_case_is_the_declared_encoding_parsers_accept(encoding: str) -> None:
    source = f'<?xml version="1.0" encoding="{encoding}"?><r a="{{SubId3}}">{{SubId3}}</r>'
    assert postback.check(source, format="xml") == []
    body = postback.compile(source, format="xml").render(Action(sub_id3="é東🎉"))
    assert parse(body).attrib == {"a": "é東🎉"}


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("UTF8", "is not a name XML parsers know for UTF-8"),
        ("utf8", "is not a name XML parsers know for UTF-8"),
        ("Utf_8", "is not a name XML parsers know for UTF-8"),
        ("utf 8", "is not a name XML parsers know for UTF-8"),
        ("latin-1", "but the body is sent as UTF-8"),
        ("", "but the body is sent as UTF-8"),
    ],
)
def test_other_spellings_of_the_encoding_are_refused_at_the_name(
    encoding: str, message: str
) -> None:
    """The fuzzer (fuzz/fuzz_compile.py) found that encoding="UTF8" passed check, while
    expat, reading a name it does not know one byte at a time, refused the rendered
    body as soon as a value held a character that is not ASCII."""
    source = f'<?xml version="1.0" encoding="{encoding}"?><r a="{{SubId3}}"/>'
    (diagnostic,) = postback.check(source, format="xml")
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("invalid-xml", 1, 31)
    assert diagnostic.end_column == 31 + max(len(encoding), 1)
    assert message in diagnostic.message
    assert 'encoding="UTF-8"' in diagnostic.message
    assert diagnostic.suggestion == "UTF-8"
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="xml")
    assert (info.value.code, info.value.column) == ("invalid-xml", 31)


def test_the_fuzzer_s_crash_input_is_refused() -> None:
    """The template the fuzzer saved: it compiled, and ElementTree refused its body."""
    source = '<?xml version="1.0" encoding="UTF8"?><r a="{SubId3}"/>'
    with pytest.raises(ET.ParseError, match="not well-formed"):
        ET.fromstring(source.replace("{SubId3}", "é").encode("utf-8"))
    with pytest.raises(postback.TemplateFormatError, match="did you mean"):
        postback.compile(source, format="xml")


def test_an_encoding_that_starts_in_an_earlier_text_is_reported_where_this_one_starts() -> None:
    source = '<?xml version="1.0" encoding="\\{UTF8"?><a/>'
    (diagnostic,) = postback.check(source, format="xml")
    assert (diagnostic.code, diagnostic.column) == ("invalid-xml", 33)
    assert "encoding='{UTF8'" in diagnostic.message


# ---------------------------------------------------------------------------
# Character references and names, as expat reads them
# ---------------------------------------------------------------------------


def expat_reads(source: str) -> ET.Element | None:
    """The document expat (ElementTree) reads from ``source``, or None if it refuses it
    (or if ``source`` holds a lone surrogate, which no encoding carries)."""
    try:
        return ET.fromstring(source)
    except (ET.ParseError, UnicodeEncodeError):
        return None


def in_text_and_attribute(reference: str) -> str:
    return f'<r a="{reference}">{reference}</r>'


@pytest.mark.parametrize(
    ("reference", "char"),
    [
        ("&#0000000000000000009;", "\t"),
        ("&#x000000000041;", "A"),
        ("&#00000000065;", "A"),
        ("&#x0000000010FFFF;", "\U0010ffff"),
        ("&#x00000000000000000000000001F600;", "\U0001f600"),
    ],
)
def test_character_references_may_have_any_number_of_leading_zeros(
    reference: str, char: str
) -> None:
    """References of more than 10 decimal or 8 hex digits were refused, though XML 1.0
    (production 66) allows any number of leading zeros and expat and lxml read them."""
    source = in_text_and_attribute(reference)
    assert postback.check(source, format="xml") == []
    root = parse(postback.compile(source, format="xml").render(Action()))
    assert (root.text, root.attrib["a"]) == (char, char)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("&#0000000000000000000;", "refers to U+0000, a character XML 1.0 cannot carry"),
        ("&#x00000000000D800;", "refers to U+D800"),
        ("&#x0000000000FFFE;", "refers to U+FFFE"),
        ("&#x0000000000110000;", "beyond U+10FFFF"),
        ("&#00000000001114112;", "beyond U+10FFFF"),
        (
            "&#x000000000000000000000000000000000000000000000000000001;",
            "0001; (58 characters) refers to U+0001",
        ),
        ("&#x0000000000000000;", "refers to U+0000"),
        ("&#X0041;", "is not a character reference"),
        ("&#x;", "is not a character reference"),
        ("&#000\u0661;", "is not a character reference"),  # an Arabic-Indic digit
    ],
)
def test_leading_zeros_do_not_make_a_character_xml_cannot_carry_acceptable(
    reference: str, message: str
) -> None:
    source = in_text_and_attribute(reference)
    assert expat_reads(source) is None
    found = postback.check(source, format="xml")
    assert [(d.code, d.column) for d in found] == [
        ("invalid-xml", 7),
        ("invalid-xml", 9 + len(reference)),
    ]
    assert message in found[0].message


def test_a_huge_character_reference_is_refused_without_converting_it() -> None:
    """``int`` refuses strings of more than 4,300 digits (ValueError); the digits of a
    reference are never converted whole."""
    assert [d.code for d in postback.check(f"<r>&#{'9' * 5000};</r>", format="xml")] == [
        "invalid-xml"
    ]
    assert [d.code for d in postback.check(f"<r>&#x{'F' * 5000};</r>", format="xml")] == [
        "invalid-xml"
    ]


def _scan_seconds(source: str, runs: int = 3) -> float:
    """Shortest time the XML scanner takes on ``source``, parsed beforehand (the least
    disturbed run: a ratio of minimums follows the algorithm, not the machine's load).
    The scanner's caches of names are emptied before each run, so that each run does
    the work a new template costs."""
    nodes, lines = parse_template(source).nodes, LineIndex(source)
    times = []
    for _ in range(runs):
        xml_names.name_problem.cache_clear()
        xml_names._expat_accepts.cache_clear()
        start = time.perf_counter()
        analyze(nodes, format_spec("xml").machine(), len(source), lines)
        times.append(time.perf_counter() - start)
    return min(times)


@cache
def _plain_growth(small: int, large: int) -> float:
    """How much longer the scanner takes on ``large`` characters of element content than
    on ``small`` ones."""
    return _scan_seconds(f"<r>{'a' * large}</r>") / _scan_seconds(f"<r>{'a' * small}</r>")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: f"<r>&#x{'0' * n}41;</r>", id="zeros in content"),
        pytest.param(lambda n: f'<r a="&#{"0" * n}65;"/>', id="zeros in an attribute"),
        pytest.param(lambda n: f"<r>&#{'0' * n}1114112;</r>", id="zeros, then too large"),
        pytest.param(lambda n: f"<{'é' * n}ș/>", id="a long name expat refuses at its end"),
    ],
)
def test_long_references_and_names_are_checked_in_linear_time(
    make: Callable[[int], str],
) -> None:
    """A reference of a megabyte of zeros is read as fast, a character, as a megabyte of
    text: from 64 KiB to 1 MiB its time grows at most three times as much as that of
    plain element content (which is linear; comparing with it takes the machine's
    memory caches out of the ratio); so is finding the character expat refuses at the
    end of a megabyte-long name."""
    small, large = 64 * 1024, 1024 * 1024
    assert len(postback.check(make(large), format="xml", max_template_size=2 * large)) <= 1
    growth = _scan_seconds(make(large)) / _scan_seconds(make(small))
    assert growth < 3 * _plain_growth(small, large), growth


# References as the property tests write them: any number of leading zeros, decimal or
# hex digits in either case, numbers around the limits of the characters XML carries,
# and near misses (no digits, an 'X', a letter among the digits).
CODE_POINTS = st.one_of(
    st.integers(0, 0x10FFFF),
    st.sampled_from([0, 9, 0xA, 0xD, 0x1F, 0x20, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFD]),
    st.sampled_from([0xFFFE, 0xFFFF, 0x10000, 0x10FFFF, 0x110000, 0xFFFFFFFF, 10**12]),
)


@st.composite
def references(draw: st.DrawFn) -> str:
    zeros = "0" * draw(st.one_of(st.integers(0, 3), st.integers(0, 40)))
    cp = draw(CODE_POINTS)
    kind = draw(st.sampled_from(["decimal", "hex", "HEX", "near miss"]))
    if kind == "decimal":
        return f"&#{zeros}{cp};"
    if kind == "near miss":
        body = draw(st.text(st.sampled_from("#xX0123456789aAfFg"), max_size=12))
        return f"&#{body};"
    digits = f"{cp:x}" if kind == "hex" else f"{cp:X}"
    return f"&#{draw(st.sampled_from(['x', 'X']))}{zeros}{digits};"


@settings()
@given(reference=references())
def test_postback_accepts_exactly_the_character_references_expat_accepts(
    reference: str,
) -> None:
    """In content and in an attribute value, a reference passes ``check`` if and only
    if expat reads it, and the rendered body gives back the character expat reads."""
    source = in_text_and_attribute(reference)
    read = expat_reads(source)
    # Warnings aside: '&#A#;' holds what looks like another system's macro.
    errors = [d.code for d in postback.check(source, format="xml") if d.severity == "error"]
    decoded = xml_names.decode_reference(reference[1:-1], ";", 0, len(reference) - 1)
    if read is None:
        assert errors == ["invalid-xml", "invalid-xml"]
        assert not isinstance(decoded, str)
        return
    assert errors == []
    char = read.text
    assert char is not None and len(char) == 1 and read.attrib == {"a": char}
    assert decoded == char
    rendered = parse(postback.compile(source, format="xml").render(Action()))
    assert (rendered.text, rendered.attrib) == (char, {"a": char})


def test_a_name_expat_refuses_gets_its_own_code_with_a_position_and_a_fix() -> None:
    """Names that XML 1.0's fifth edition allows (lxml reads them) but expat refuses were
    reported as 'not a valid XML name', though they are valid XML."""
    source = "<r>\n  <oraș>{CampaignName}</oraș>\n</r>"
    assert expat_reads(source.replace("{CampaignName}", "")) is None
    (found,) = postback.check(source, format="xml")
    assert (found.code, found.line, found.column, found.end_column) == (NOT_PORTABLE, 2, 7, 8)
    assert found.suggestion == "s"
    assert "write 'oras' instead" in found.message
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(source, format="xml")
    assert (info.value.code, info.value.line, info.value.column) == (NOT_PORTABLE, 2, 7)
    fixed = source.replace("ș", "s")
    assert postback.check(fixed, format="xml") == []
    assert parse(postback.compile(fixed, format="xml").render(Action())).find("oras") is not None


def test_a_name_expat_refuses_without_a_plain_letter_is_told_to_leave_the_character_out() -> None:
    (found,) = postback.check("<a\U0001f600/>", format="xml")
    assert (found.code, found.column, found.suggestion) == (NOT_PORTABLE, 3, None)
    assert "write the name without it" in found.message


@pytest.mark.parametrize(
    "source",
    ["<café/>", "<東京 ключ='1'/>", "<Über_straße-1.x\u00b7/>", "<r><?école x?></r>", "<Ω/>"],
)
def test_names_expat_and_postback_both_accept_pass(source: str) -> None:
    assert expat_reads(source) is not None
    assert postback.check(source, format="xml") == []


# Characters from every part of Unicode, and the letters expat is known to refuse.
NAME_CHARS = st.one_of(
    ANY_CHAR,
    st.characters(min_codepoint=0x80, max_codepoint=0x2FFF),
    st.sampled_from("șțȘȚĲĳŀĿǄǅǆ\U0001f600\u0e33\u3007é東"),
)


@settings()
@given(name=st.text(NAME_CHARS, min_size=1, max_size=4))
def test_names_pass_if_expat_reads_them_and_are_refused_where_it_stops(name: str) -> None:
    """Every name ``check`` passes is one expat reads; a valid name expat refuses gets
    ``xml-name-not-portable`` on the first character expat refuses."""
    # Without ':', which expat reads in any name and postback as a namespace prefix.
    name = "a" + name.replace(":", "")
    source = f"<{name}/>"
    found = postback.check(source, format="xml")
    if expat_reads(source) is not None:
        assert found == []
        return
    assert found, source
    first = found[0]
    if first.code == NOT_PORTABLE and first.message.startswith(f"the element name {name!r}"):
        at = first.column - 2  # the index in the name of the character refused
        assert expat_reads(f"<{name[:at]}/>") is not None
        assert expat_reads(f"<{name[: at + 1]}/>") is None


XML_MODULES = sorted((ROOT / "src" / "postback" / "_contexts").glob("xml*.py"))


def test_every_code_the_xml_format_reports_is_in_its_table_of_refusals() -> None:
    docs = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    section = docs[docs.index("\n## xml\n") : docs.index("\n## query\n")]
    codes = {
        Code[member].value
        for module in XML_MODULES
        for member in re.findall(r"\bCode\.([A-Z_]+)", module.read_text(encoding="utf-8"))
    }
    assert NOT_PORTABLE in codes
    assert {code for code in codes if f"| `{code}` |" not in section} == set()


# ---------------------------------------------------------------------------
# Reading on after a defect
# ---------------------------------------------------------------------------

# Each template has two independent defects; check() reports both, where they are.
ENTITY = "invalid-xml"
TWO_DEFECTS = [
    ("two undefined entities", "<r>&nbsp;a &copy;</r>", [(ENTITY, 1, 4), (ENTITY, 1, 12)]),
    ("a bare '&', then an entity", "<r>A & B &nbsp;</r>", [(ENTITY, 1, 6), (ENTITY, 1, 10)]),
    (
        "characters XML cannot carry in content (one run), then an entity",
        "<r>a\x01\x02b &x;</r>",
        [(ENTITY, 1, 5), (ENTITY, 1, 9)],
    ),
    (
        "a character XML cannot carry in an attribute value, then an entity in another",
        '<r t="a\x01" u="&x;"/>',
        [(ENTITY, 1, 8), (ENTITY, 1, 14)],
    ),
    (
        "characters XML cannot carry in a CDATA section, a PI and a comment",
        "<r><![CDATA[\x01]]><?pi \x02?><!-- \x03 --></r>",
        [(ENTITY, 1, 13), (ENTITY, 1, 22), (ENTITY, 1, 30)],
    ),
    ("a duplicate attribute", '<r a="1" a="2">&x;</r>', [(ENTITY, 1, 10), (ENTITY, 1, 16)]),
    (
        "a misspelled end tag",
        "<r><Amount>1</Amuont>&nbsp;</r>",
        [(ENTITY, 1, 15), (ENTITY, 1, 22)],
    ),
    ("']]>' in content", "<r>]]> &x;</r>", [(ENTITY, 1, 4), (ENTITY, 1, 8)]),
    (
        "']]' before a placeholder and '>' after it",
        "<r>]]{SubId1}> &x;</r>",
        [(ENTITY, 1, 14), (ENTITY, 1, 16)],
    ),
    (
        "a placeholder glued to an attribute name",
        '<r data-{Status}="1">&x;</r>',
        [("placeholder-in-attribute-name", 1, 9), (ENTITY, 1, 22)],
    ),
    (
        "a placeholder in a reference in content",
        "<r>&#{AdId}; &x;</r>",
        [("placeholder-in-reference", 1, 6), (ENTITY, 1, 14)],
    ),
    (
        "a placeholder in a reference in an attribute value",
        '<r t="&{AdId};" u="&x;"/>',
        [("placeholder-in-reference", 1, 8), (ENTITY, 1, 20)],
    ),
    (
        "a placeholder after the name of an end tag",
        "<r><a>x</a {Status}>&x;</r>",
        [("placeholder-in-tag-name", 1, 12), (ENTITY, 1, 21)],
    ),
    (
        "attributes not separated by whitespace",
        '<r a="1"b="2">&x;</r>',
        [(ENTITY, 1, 9), (ENTITY, 1, 15)],
    ),
    (
        "a literal '<' in an attribute value",
        '<r t="a < b">&x;</r>',
        [(ENTITY, 1, 9), (ENTITY, 1, 14)],
    ),
    ("'--' in a comment", "<r><!-- a -- b -->&x;</r>", [(ENTITY, 1, 11), (ENTITY, 1, 19)]),
    ("'---' ending a comment", "<r><!-- a --->&x;</r>", [(ENTITY, 1, 11), (ENTITY, 1, 15)]),
    (
        "an unsupported XML version",
        '<?xml version="1.1"?><r>&x;</r>',
        [(ENTITY, 1, 6), (ENTITY, 1, 25)],
    ),
    (
        "an XML declaration inside the document",
        '<r><?xml version="1.0"?>&x;</r>',
        [(ENTITY, 1, 4), (ENTITY, 1, 25)],
    ),
    ("a byte order mark", "\ufeff<r>&x;</r>", [(ENTITY, 1, 1), (ENTITY, 1, 5)]),
    (
        "an element name expat refuses",
        "<oraș>&x;</oraș>",
        [(NOT_PORTABLE, 1, 5), (ENTITY, 1, 7)],
    ),
    (
        "an attribute name expat refuses",
        '<r oraș="1" a="&x;"/>',
        [(NOT_PORTABLE, 1, 7), (ENTITY, 1, 16)],
    ),
    (
        "a processing instruction target expat refuses",
        "<r><?oraș x?>&x;</r>",
        [(NOT_PORTABLE, 1, 9), (ENTITY, 1, 14)],
    ),
]


@pytest.mark.parametrize(
    ("source", "found"), [c[1:] for c in TWO_DEFECTS], ids=[c[0] for c in TWO_DEFECTS]
)
def test_check_reads_on_after_a_defect(source: str, found: list[tuple[str, int, int]]) -> None:
    diagnostics = postback.check(source, format="xml")
    assert [(d.code, d.line, d.column) for d in diagnostics] == found
    with pytest.raises(postback.TemplateError) as info:
        postback.compile(source, format="xml")
    assert (info.value.code, info.value.line, info.value.column) == found[0]


# Where what follows a defect cannot be judged with certainty, the check stops there:
# these templates have one defect reported and no messages that would only echo it.
ONE_DEFECT = [
    ("a stray end tag", "<r></b>text</r>", (ENTITY, 1, 6)),
    ("end tags nested the wrong way", "<r><a><b>x</a></b></r>", (ENTITY, 1, 13)),
    ("a placeholder in a comment left open", "<r><!-- {ActionId} {Status}</r>", None),
    ("a '<' in content", "<r>1 < 2 &x;</r>", (ENTITY, 1, 6)),
    ("an undeclared prefix used twice", "<r><p:a/><p:b/></r>", (ENTITY, 1, 9)),
    ("a '<' that starts a tag in an attribute value", '<r t="1><c>x</c></r>', (ENTITY, 1, 9)),
    ("text after the root element", "<r/>trailing</r>", (ENTITY, 1, 5)),
    ("text that is no XML at all", "Hello {ActionId}", (ENTITY, 1, 1)),
    ("'--' in a comment that never ends", "<r><!-- a -- b &x;</r>", (ENTITY, 1, 11)),
    ("an entity in a namespace declaration", '<r xmlns:p="&x;" t="&y;"/>', (ENTITY, 1, 13)),
    ("a placeholder in a PI", "<r><?pi {ActionId}?>{Status}</r>", None),
]


@pytest.mark.parametrize(
    ("source", "first"), [c[1:] for c in ONE_DEFECT], ids=[c[0] for c in ONE_DEFECT]
)
def test_check_stops_where_reading_on_is_uncertain(
    source: str, first: tuple[str, int, int] | None
) -> None:
    diagnostics = postback.check(source, format="xml")
    assert len(diagnostics) == 1, diagnostics
    if first is not None:
        assert (diagnostics[0].code, diagnostics[0].line, diagnostics[0].column) == first


def test_a_character_xml_cannot_carry_stays_the_first_error_of_its_text() -> None:
    # The text's other defect (&x;) comes before it but is not reported: the character
    # is found before the text is read.
    source = "<r>&x; \x01</r>"
    assert [(d.line, d.column) for d in postback.check(source, format="xml")] == [(1, 8)]
    with pytest.raises(postback.TemplateFormatError, match="U\\+0001"):
        postback.compile(source, format="xml")


# ---------------------------------------------------------------------------
# The example body
# ---------------------------------------------------------------------------


# The fields of impact.com's help page "Action Clearing Event Notifications", the
# catalog's first source (up to the next source's first field): the example uses them all.
SEED_FIELDS = tuple(takewhile(lambda f: f.name != SOURCES[1].first, postback.FIELDS))


def test_example_uses_every_field_and_item_attribute() -> None:
    template = postback.compile(EXAMPLE.read_text(encoding="utf-8"), format="xml")
    assert template.fields == {f.name for f in SEED_FIELDS} | {"items"}
    for spec in postback.ITEM_FIELDS:
        assert f"{{i.{spec.name}}}" in template.source


def _formatted(value: Any) -> str:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def test_example_renders_the_sample_exactly() -> None:
    template = postback.compile(EXAMPLE.read_text(encoding="utf-8"), format="xml")
    sample = postback.sample_action()
    body = template.render(sample)
    root = parse(body)
    assert root.tag == "action"
    assert root.attrib == {"id": sample.action_id, "status": sample.status}
    for spec in SEED_FIELDS:
        assert text_of(root.find(spec.name)) == _formatted(getattr(sample, spec.attribute)), (
            spec.name
        )
    assert [child.tag for child in root] == [f.name for f in SEED_FIELDS] + ["items"]
    rendered_items = root.findall("./items/item")
    assert len(rendered_items) == len(sample.items)
    for element, item in zip(rendered_items, sample.items, strict=True):
        assert element.attrib == {
            "sku": item.sku,
            "qty": _formatted(item.qty),
            "amt": _formatted(item.amt),
        }
        for attr in ("cat", "cartamt", "rbt", "name", "itemlist"):
            assert text_of(element.find(attr)) == _formatted(getattr(item, attr))
    # The pinned body was itself checked by parsing it the same way.
    pinned = EXPECTED.read_text(encoding="utf-8")
    assert skeleton(parse(pinned)) == skeleton(root)
    assert body == pinned
    assert template.render_bytes(sample) == pinned.encode("utf-8")


@pytest.mark.parametrize(
    ("source", "at_fault"),
    [
        # The character at fault stands right before an escaped quote of a join's
        # string literal; the caret points at it, not at the escape after it.
        ('<a>{join(items, i, "<b>&\\"x{i.sku}</b>")}</a>', "&"),
        ('<a>{join(items, i, "<b>{i.sku}<\\"/b></b>")}</a>', "<"),
    ],
)
def test_a_defect_before_an_escaped_quote_points_at_its_character(
    source: str, at_fault: str
) -> None:
    (found,) = postback.check(source, format="xml")
    assert found.code == "invalid-xml"
    assert source[found.column - 1] == at_fault
    assert source[found.column] == "\\"
