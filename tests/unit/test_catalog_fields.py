"""The fields from impact.com's action object: catalog entries, records, docs, and rendering."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import postback
from postback import Action
from postback._records.catalog import FIELDS, FIELDS_BY_NAME, SOURCES, snake_case
from postback._records.fieldsdoc import fields_markdown

NEW_FIELDS = {
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


def test_new_fields_follow_the_first_39_with_their_types() -> None:
    assert len(FIELDS) == 52
    assert FIELDS[38].name == "PromoCode"
    assert {f.name: (f.attribute, f.type) for f in FIELDS[39:]} == NEW_FIELDS
    for name, (attribute, _type) in NEW_FIELDS.items():
        assert snake_case(name) == attribute
        description = FIELDS_BY_NAME[name].description
        assert description.endswith(".") and "\n" not in description


def test_action_and_dicts_carry_the_new_fields() -> None:
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


def test_sample_keeps_the_old_values_and_sets_realistic_new_ones() -> None:
    assert SAMPLE.event_date == datetime.fromisoformat("2026-01-02T03:04:05-08:00")
    assert SAMPLE.campaign_name == 'Café Müller "Winter" Sale'
    assert SAMPLE.state == "APPROVED"
    assert SAMPLE.event_type_id == SAMPLE.action_tracker_id
    assert SAMPLE.referring_date is not None and SAMPLE.event_date is not None
    assert SAMPLE.referring_date < SAMPLE.event_date
    new_strings = [getattr(SAMPLE, a) for a, t in NEW_FIELDS.values() if t is str]
    assert any(c in s for s in new_strings for c in "\"&<>'")


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


def test_fields_page_lists_the_sources_after_the_tables() -> None:
    text = fields_markdown()
    sources = text.index("## Sources")
    assert text.index("## Item attributes") < sources < text.index("## How values are formatted")
    assert [s.first for s in SOURCES] == ["CampaignId", "Oid"]
    assert (
        "- `{CampaignId}` to `{PromoCode}` (39 fields): impact.com's help page \"Action "
        'Clearing Event Notifications".'
    ) in text
    line = next(x for x in text.splitlines() if x.startswith("- `{Oid}` to `{StateDetail}`"))
    assert "(13 fields)" in line
    assert "https://integrations.impact.com/impact-brand/reference/action-object" in line
    assert "https://integrations.impact.com/impact-publisher/reference/the-action-object" in line


# -- every new field renders in every format ----------------------------------------------


def expected_text(name: str) -> str:
    """The sample's value of ``name`` as text, computed without postback's formatters."""
    value = getattr(SAMPLE, NEW_FIELDS[name][0])
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    assert isinstance(value, str | int | Decimal)
    return str(value)


@pytest.mark.parametrize("name", NEW_FIELDS)
def test_each_new_field_renders_in_json(name: str) -> None:
    want = expected_text(name)
    quoted = postback.compile(f'{{"v": "{{{name}}}", "w": {{{name}}}}}', format="json")
    data = json.loads(quoted.render(SAMPLE))
    bare = int(want) if NEW_FIELDS[name][1] is int else want
    assert data == {"v": want, "w": bare}


@pytest.mark.parametrize("name", NEW_FIELDS)
def test_each_new_field_renders_in_xml(name: str) -> None:
    template = postback.compile(
        f'<r v="{{{name}}}"><c>{{{name}}}</c><d><![CDATA[{{{name}}}]]></d></r>', format="xml"
    )
    root = ET.fromstring(template.render(SAMPLE))
    want = expected_text(name)
    assert (root.get("v"), root.findtext("c"), root.findtext("d")) == (want, want, want)


@pytest.mark.parametrize("name", NEW_FIELDS)
def test_each_new_field_renders_in_query(name: str) -> None:
    template = postback.compile(f"v={{{name}}}&{{{name}}}=k", format="query")
    pairs = urllib.parse.parse_qsl(template.render(SAMPLE), strict_parsing=True)
    want = expected_text(name)
    assert pairs == [("v", want), (want, "k")]


@pytest.mark.parametrize("name", NEW_FIELDS)
def test_each_new_field_renders_in_url(name: str) -> None:
    source = f"https://example.com/pb/{{{name}}}?v={{{name}}}#{{{name}}}"
    parts = urllib.parse.urlsplit(postback.compile(source, format="url").render(SAMPLE))
    want = expected_text(name)
    assert parts.netloc == "example.com"
    assert urllib.parse.unquote(parts.path) == f"/pb/{want}"
    assert urllib.parse.parse_qsl(parts.query, strict_parsing=True) == [("v", want)]
    assert urllib.parse.unquote(parts.fragment) == want


@pytest.mark.parametrize("name", NEW_FIELDS)
def test_each_new_field_renders_in_header_and_text(name: str) -> None:
    want = expected_text(name)
    header = postback.compile(f"v={{{name}}}", format="header").render(SAMPLE)
    assert header == f"v={want}" and not any(c in header for c in "\r\n\x00")
    assert postback.compile(f"{{{name}}}", format="text").render(SAMPLE) == want
