"""The field catalog: its sources, impact.com's action object, records, the fields page,
and every field rendered in every format."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import postback
from postback import Action
from postback._records.catalog import FIELDS, FIELDS_BY_NAME, SOURCES, FieldSpec, Source, snake_case
from postback._records.fieldsdoc import fields_markdown
from references import expected_text

# The fields impact.com's API reference "The action object" documents, with the
# attribute and type each has in the catalog.
ACTION_OBJECT_FIELDS = {
    "Oid": ("oid", str),
    "ReferringDate": ("referring_date", datetime),
    "IpAddress": ("ip_address", str),
    "CustomerId": ("customer_id", str),
    "CustomerStatus": ("customer_status", str),
    "CustomerPostCode": ("customer_post_code", str),
    "EventCode": ("event_code", str),
    "EventTypeId": ("event_type_id", int),
    "EventTypeName": ("event_type_name", str),
    "Note": ("note", str),
    "CallerId": ("caller_id", str),
    "State": ("state", str),
    "StateDetail": ("state_detail", str),
}

SAMPLE = postback.sample_action()


def source_fields(source: Source) -> tuple[FieldSpec, ...]:
    """The run of ``FIELDS`` that ``source`` documents: from its first field up to the
    first field of the source that follows it in the catalog."""
    names = [spec.name for spec in FIELDS]
    start = names.index(source.first)
    later = [names.index(s.first) for s in SOURCES if names.index(s.first) > start]
    return FIELDS[start : min(later, default=len(FIELDS))]


def test_the_sources_document_the_catalog_in_consecutive_runs() -> None:
    assert SOURCES[0].first == FIELDS[0].name
    runs = [source_fields(source) for source in SOURCES]
    assert all(runs)
    assert tuple(spec for run in runs for spec in run) == FIELDS


def test_every_field_has_the_snake_case_attribute_and_a_one_line_description() -> None:
    for spec in FIELDS:
        assert spec.attribute == snake_case(spec.name), spec.name
        assert spec.type in (int, str, Decimal, datetime), spec.name
        assert spec.description.endswith(".") and "\n" not in spec.description, spec.name


def test_the_action_object_fields_are_in_its_source_with_their_types() -> None:
    (api,) = [s for s in SOURCES if "The action object" in s.reference]
    documented = {spec.name: (spec.attribute, spec.type) for spec in source_fields(api)}
    assert ACTION_OBJECT_FIELDS.items() <= documented.items()


def test_records_and_dicts_carry_the_action_object_fields() -> None:
    values = {
        "Oid": "A-1",
        "ReferringDate": "2026-01-01T21:47:33-08:00",
        "EventTypeId": " 12890 ",
        "State": "REVERSED",
    }
    action = Action.from_dict(values)
    assert action.oid == "A-1"
    assert action.referring_date == datetime(2026, 1, 2, 5, 47, 33, tzinfo=UTC)
    assert action.event_type_id == 12890
    assert action.state == "REVERSED"
    by_attr = Action.from_dict({"event_type_id": 7, "caller_id": "+1 555"})
    assert (by_attr.event_type_id, by_attr.caller_id) == (7, "+1 555")
    out = action.to_dict()
    assert out["Oid"] == "A-1" and out["EventTypeId"] == 12890
    assert out["ReferringDate"] == "2026-01-01T21:47:33-08:00"
    assert Action.from_dict(out) == action
    with pytest.raises(postback.RecordError, match="EventTypeId"):
        Action(event_type_id="12.5")  # type: ignore[arg-type]


def test_the_sample_sets_realistic_action_object_values() -> None:
    assert SAMPLE.state == "APPROVED"
    assert SAMPLE.event_type_id == SAMPLE.action_tracker_id
    assert SAMPLE.referring_date is not None and SAMPLE.event_date is not None
    assert SAMPLE.referring_date < SAMPLE.event_date
    strings = [getattr(SAMPLE, a) for a, t in ACTION_OBJECT_FIELDS.values() if t is str]
    assert any(c in s for s in strings for c in "\"&<>'")


def test_upper_case_oid_suggests_the_field() -> None:
    (diag,) = postback.check('{"oid": "{OID}"}')
    assert diag.code == "unknown-field"
    assert diag.message == "unknown field {OID}; did you mean {Oid}?"
    assert diag.suggestion == "{Oid}"
    with pytest.raises(postback.UnknownFieldError) as info:
        postback.compile("{OID}", format="text")
    assert info.value.suggestion == "{Oid}"


def test_referring_date_compiles_and_renders_in_the_template_zone() -> None:
    template = postback.compile('{"r": "{ReferringDate}"}', timezone="Asia/Tokyo")
    assert json.loads(template.render(SAMPLE)) == {"r": "2026-01-02T14:47:33+09:00"}


def test_fields_page_lists_each_source_with_its_run_after_the_tables() -> None:
    text = fields_markdown()
    sources = text.index("## Sources")
    assert text.index("## Item attributes") < sources < text.index("## How values are formatted")
    for source in SOURCES:
        run = source_fields(source)
        head = f"- `{{{run[0].name}}}` to `{{{run[-1].name}}}` ({len(run)} fields): "
        assert head + source.reference in text.splitlines()
    assert 'impact.com\'s help page "Action Clearing Event Notifications".' in text
    assert "https://integrations.impact.com/impact-brand/reference/action-object" in text
    assert "https://integrations.impact.com/impact-publisher/reference/the-action-object" in text


# -- every field renders in every format --------------------------------------------------

FIELD_NAMES = [spec.name for spec in FIELDS]


def sample_text(name: str) -> str:
    """The sample's value of ``name`` as text, computed without postback's formatters."""
    return expected_text(getattr(SAMPLE, FIELDS_BY_NAME[name].attribute))


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_each_field_renders_in_json(name: str) -> None:
    want = sample_text(name)
    quoted = postback.compile(f'{{"v": "{{{name}}}", "w": {{{name}}}}}', format="json")
    data = json.loads(quoted.render(SAMPLE), parse_float=Decimal)
    value = getattr(SAMPLE, FIELDS_BY_NAME[name].attribute)
    bare = value if isinstance(value, int | Decimal) else want
    assert data == {"v": want, "w": bare}


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_each_field_renders_in_xml(name: str) -> None:
    template = postback.compile(
        f'<r v="{{{name}}}"><c>{{{name}}}</c><d><![CDATA[{{{name}}}]]></d></r>', format="xml"
    )
    root = ET.fromstring(template.render(SAMPLE))
    want = sample_text(name)
    assert (root.get("v"), root.findtext("c"), root.findtext("d")) == (want, want, want)


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_each_field_renders_in_query(name: str) -> None:
    template = postback.compile(f"v={{{name}}}&{{{name}}}=k", format="query")
    pairs = urllib.parse.parse_qsl(template.render(SAMPLE), strict_parsing=True)
    want = sample_text(name)
    assert pairs == [("v", want), (want, "k")]


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_each_field_renders_in_url(name: str) -> None:
    source = f"https://example.com/pb/{{{name}}}?v={{{name}}}#{{{name}}}"
    parts = urllib.parse.urlsplit(postback.compile(source, format="url").render(SAMPLE))
    want = sample_text(name)
    assert parts.netloc == "example.com"
    assert urllib.parse.unquote(parts.path) == f"/pb/{want}"
    assert urllib.parse.parse_qsl(parts.query, strict_parsing=True) == [("v", want)]
    assert urllib.parse.unquote(parts.fragment) == want


@pytest.mark.parametrize("name", FIELD_NAMES)
def test_each_field_renders_in_header_and_text(name: str) -> None:
    want = sample_text(name)
    header = postback.compile(f"v={{{name}}}", format="header").render(SAMPLE)
    assert header == f"v={want}" and not any(c in header for c in "\r\n\x00")
    assert postback.compile(f"{{{name}}}", format="text").render(SAMPLE) == want
