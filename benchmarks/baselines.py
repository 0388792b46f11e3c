"""Baselines for ``benchmarks/run.py``: what postback is measured against.

For each example template (``examples/action-clearing.{json,xml,qs,url}``) this module has

* a **hand-written** render function: what a careful developer would write by hand
  without a template library -- one f-string per template, a list comprehension for the
  line items, and one small helper per kind of value.  The helpers implement the same
  formatting (docs/fields.md) and the same escaping (docs/formats.md) as postback, not
  a weaker version: lone surrogates (escaped in JSON, U+FFFD elsewhere), characters
  XML cannot carry, CR in XML content, ``]`` next to CDATA boundaries, tab/LF/CR in XML
  attributes, non-finite decimals refused, naive dates taken as UTC.  They are written
  independently of postback (stdlib building blocks only) and as fast as a good
  hand-writer would make them;
* a **Jinja2** template (preloaded ``Environment``, autoescape off) with custom filters
  that give the same output: the hand-written baseline's own helpers, so that only
  Jinja2's own cost differs (the Jinja2 / postback ratio); and, for information, the same
  template with the filters written on the standard library (``json.dumps``,
  ``xml.sax.saxutils.escape``, ``urllib.parse.quote_plus``) as a typical Jinja2 user
  would, completed to give the same output;
* for JSON, ``json.dumps`` of a dict built from the action, a reference point only (its
  output is not byte-identical: it writes the numbers as floats).

``tests/integration/test_benchmark_baselines.py`` checks that the hand-written and Jinja2 renderers
produce exactly postback's output for the sample, an empty action and hostile records,
so the comparison stays honest as the library changes.  The templates are compiled with
postback's defaults: ``missing="empty"``, ``timezone="UTC"``, ``date_format="iso"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus
from xml.sax.saxutils import escape as _sax_escape

__all__ = [
    "HAND_WRITTEN",
    "JINJA_RECORD_SOURCES",
    "JINJA_SOURCES",
    "Record",
    "dumps_json",
    "hand_record",
    "jinja_environment",
    "jinja_renderers",
    "render_json",
    "render_query",
    "render_url",
    "render_xml",
]

# ---------------------------------------------------------------------------
# Value formatting, as docs/fields.md states it.  A missing value (None) is the empty
# string, except at a bare JSON value position, where it is ``null``.
# ---------------------------------------------------------------------------


def num(v: int | None) -> str:
    """An int in decimal."""
    return "" if v is None else str(v)


def _non_finite(d: Decimal) -> str:
    raise ValueError(f"cannot render the non-finite decimal {d}")


def dec(d: Decimal | None) -> str:
    """A Decimal in fixed-point notation, keeping its scale; NaN and infinities refused."""
    if d is None:
        return ""
    if d.is_finite():
        return format(d, "f")
    return _non_finite(d)


def iso(d: datetime | None) -> str:
    """A datetime converted to UTC (naive ones are taken to be UTC), ISO 8601, seconds."""
    if d is None:
        return ""
    if d.tzinfo is None or d.utcoffset() is None:
        return d.replace(tzinfo=UTC).isoformat(timespec="seconds")
    return d.astimezone(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------
# JSON: the C string encoder of the json module; it writes non-ASCII characters as they
# are, so lone surrogates (which UTF-8 cannot carry) are escaped afterwards, in text the
# C UTF-8 encoder refuses (it refuses exactly those, faster than any search for them).
# ---------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _u_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def json_str(s: str | None) -> str:
    """A JSON string literal, quotes included (``""`` for None)."""
    if s is None:
        return '""'
    out: str = encode_basestring(s)
    if s.isascii():
        return out
    try:
        s.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub(_u_escape, out)
    return out


def json_body(s: str | None) -> str:
    """The inside of a JSON string literal (for Jinja2, where the template has the quotes)."""
    if s is None:
        return ""
    out: str = encode_basestring(s)[1:-1]
    if s.isascii():
        return out
    try:
        s.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub(_u_escape, out)
    return out


def json_num(d: Decimal | None) -> str:
    """A Decimal as a bare JSON number (``null`` for None)."""
    if d is None:
        return "null"
    if d.is_finite():
        return format(d, "f")
    return _non_finite(d)


# ---------------------------------------------------------------------------
# XML: one regex search for the fast path, then str.replace.  Characters XML 1.0 cannot
# carry become U+FFFD.
# ---------------------------------------------------------------------------

_XML_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_XML_INVALID = re.compile(f"[{_XML_BAD}]")
_TEXT_SPECIAL = re.compile(f"[&<>\r{_XML_BAD}]").search
_ATTR_SPECIAL = re.compile(f"[&<>\"'\t\n\r{_XML_BAD}]").search
_CDATA_SPECIAL = re.compile(f"[\\]>\r{_XML_BAD}]").search


def xml_text(s: str | None) -> str:
    """Element content: ``& < >`` as entities, CR as ``&#13;``, a final ``]`` as ``&#93;``."""
    if s is None:
        return ""
    if _TEXT_SPECIAL(s) is not None:
        s = (
            _XML_INVALID.sub("\ufffd", s)
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\r", "&#13;")
        )
    if s[-1:] == "]":
        return s[:-1] + "&#93;"
    return s


def xml_attr(s: str | None) -> str:
    """A quoted attribute value: ``& < > " '`` as entities, tab/LF/CR as references."""
    if s is None:
        return ""
    if _ATTR_SPECIAL(s) is None:
        return s
    return (
        _XML_INVALID.sub("\ufffd", s)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def xml_cdata(s: str | None) -> str:
    """The inside of a CDATA section: ``]]>`` split, CR carried outside the section, and a
    leading ``]``/``>`` or a trailing ``]`` split off, so no ``]]>`` forms with the text
    around the value."""
    if s is None:
        return ""
    if _CDATA_SPECIAL(s) is None:
        return s
    s = _XML_INVALID.sub("\ufffd", s)
    out = s.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    if s[:1] in ("]", ">"):
        out = "]]><![CDATA[" + out
    if s[-1:] == "]":
        out += "]]><![CDATA["
    return out


# ---------------------------------------------------------------------------
# Form encoding, as ``urllib.parse.quote_plus(s, safe="")`` (lone surrogates as U+FFFD),
# with a fast path for unreserved-only values and translate tables instead of quote_plus's
# Python-level byte loop (same output, checked by the tests).
# ---------------------------------------------------------------------------

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_ALL_UNRESERVED = re.compile(r"[A-Za-z0-9._~\-]*").fullmatch
_FORM_BYTES = {b: chr(b) if chr(b) in _UNRESERVED else f"%{b:02X}" for b in range(256)}
_FORM_BYTES[0x20] = "+"
_FORM_ASCII = {b: _FORM_BYTES[b] for b in range(128)}


def form(s: str | None) -> str:
    """A form-encoded key or value."""
    if s is None:
        return ""
    if _ALL_UNRESERVED(s):
        return s
    if s.isascii():
        return s.translate(_FORM_ASCII)
    try:
        data = s.encode("utf-8")
    except UnicodeEncodeError:
        data = _SURROGATE.sub("\ufffd", s).encode("utf-8")
    # Each UTF-8 byte as a Latin-1 character, then one table maps bytes to escapes.
    return data.decode("latin-1").translate(_FORM_BYTES)


def form_date(d: datetime | None) -> str:
    """A date (ISO 8601: digits, ``-``, ``T``, ``:``, ``+``) form-encoded."""
    return iso(d).replace(":", "%3A").replace("+", "%2B")


# ---------------------------------------------------------------------------
# The hand-written renderers, one per example template.
# ---------------------------------------------------------------------------


def render_json(a: Any) -> str:
    """examples/action-clearing.json."""
    items = ",".join(
        [
            f"""{{"sku":{json_str(i.sku)},
"item_price":{json_num(i.amt)},
"category":{json_str(i.cat)},
"quantity":{json_num(i.qty)},
"cartamt":{json_num(i.cartamt)},"rbt":"{dec(i.rbt)}",
"name":{json_str(i.name)},
"category_list":{json_str(i.itemlist)}}}"""
            for i in a.items
        ]
    )
    return f"""{{"event": "Action Life Cycle Postback",
"campaign_id": "{num(a.campaign_id)}",
"action_tracker_id": "{num(a.action_tracker_id)}",
"media_partner_id": "{num(a.media_partner_id)}",
"campaign_name": {json_str(a.campaign_name)},
"action_tracker_name": {json_str(a.action_tracker_name)},
"media_partner_name": {json_str(a.media_partner_name)},
"action_type": {json_str(a.action_type)},
"referring_type": {json_str(a.referring_type)},
"action_id": {json_str(a.action_id)},
"status": {json_str(a.status)},
"status_detail": {json_str(a.status_detail)},
"ad_id": "{num(a.ad_id)}",
"payout": "{dec(a.payout)}",
"delta_payout": "{dec(a.delta_payout)}",
"intended_payout": "{dec(a.intended_payout)}",
"amount": "{dec(a.amount)}",
"delta_amount": "{dec(a.delta_amount)}",
"intended_amount": "{dec(a.intended_amount)}",
"currency": {json_str(a.currency)},
"original_currency": {json_str(a.original_currency)},
"original_amount": "{dec(a.original_amount)}",
"event_date": "{iso(a.event_date)}",
"creation_date": "{iso(a.creation_date)}",
"locking_date": "{iso(a.locking_date)}",
"cleared_date": "{iso(a.cleared_date)}",
"referring_domain": {json_str(a.referring_domain)},
"landing_page_url": {json_str(a.landing_page_url)},
"ref_customer_area": {json_str(a.ref_customer_area)},
"ref_customer_city": {json_str(a.ref_customer_city)},
"ref_customer_region": {json_str(a.ref_customer_region)},
"ref_customer_country": {json_str(a.ref_customer_country)},
"ref_click_id": {json_str(a.ref_click_id)},
"shared_id": {json_str(a.shared_id)},
"sub_id1": {json_str(a.sub_id1)},
"sub_id2": {json_str(a.sub_id2)},
"sub_id3": {json_str(a.sub_id3)},
"text_1": {json_str(a.text1)},
"text_2": {json_str(a.text2)},
"promo_code": {json_str(a.promo_code)},
"items": [{items}]}}
"""


def render_xml(a: Any) -> str:
    """examples/action-clearing.xml."""
    items = "".join(
        [
            f"""
    <item sku="{xml_attr(i.sku)}" qty="{dec(i.qty)}" amt="{dec(i.amt)}">
      <cat>{xml_text(i.cat)}</cat>
      <cartamt>{dec(i.cartamt)}</cartamt>
      <rbt>{dec(i.rbt)}</rbt>
      <name>{xml_text(i.name)}</name>
      <itemlist>{xml_text(i.itemlist)}</itemlist>
    </item>"""
            for i in a.items
        ]
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- impact.com Action Clearing Event Notification as an XML body.
     Every field of the catalog is an element named after its placeholder; the action's
     id and status are also attributes of the root, and the line items a join. -->
<action id="{xml_attr(a.action_id)}" status="{xml_attr(a.status)}">
  <CampaignId>{num(a.campaign_id)}</CampaignId>
  <ActionTrackerId>{num(a.action_tracker_id)}</ActionTrackerId>
  <MediaPartnerId>{num(a.media_partner_id)}</MediaPartnerId>
  <CampaignName>{xml_text(a.campaign_name)}</CampaignName>
  <ActionTrackerName>{xml_text(a.action_tracker_name)}</ActionTrackerName>
  <MediaPartnerName>{xml_text(a.media_partner_name)}</MediaPartnerName>
  <ActionType>{xml_text(a.action_type)}</ActionType>
  <ReferringType>{xml_text(a.referring_type)}</ReferringType>
  <ActionId>{xml_text(a.action_id)}</ActionId>
  <Status>{xml_text(a.status)}</Status>
  <StatusDetail><![CDATA[{xml_cdata(a.status_detail)}]]></StatusDetail>
  <AdId>{num(a.ad_id)}</AdId>
  <Payout>{dec(a.payout)}</Payout>
  <DeltaPayout>{dec(a.delta_payout)}</DeltaPayout>
  <IntendedPayout>{dec(a.intended_payout)}</IntendedPayout>
  <Amount>{dec(a.amount)}</Amount>
  <DeltaAmount>{dec(a.delta_amount)}</DeltaAmount>
  <IntendedAmount>{dec(a.intended_amount)}</IntendedAmount>
  <Currency>{xml_text(a.currency)}</Currency>
  <OriginalCurrency>{xml_text(a.original_currency)}</OriginalCurrency>
  <OriginalAmount>{dec(a.original_amount)}</OriginalAmount>
  <EventDate>{iso(a.event_date)}</EventDate>
  <CreationDate>{iso(a.creation_date)}</CreationDate>
  <LockingDate>{iso(a.locking_date)}</LockingDate>
  <ClearedDate>{iso(a.cleared_date)}</ClearedDate>
  <ReferringDomain>{xml_text(a.referring_domain)}</ReferringDomain>
  <LandingPageUrl>{xml_text(a.landing_page_url)}</LandingPageUrl>
  <RefCustomerArea>{xml_text(a.ref_customer_area)}</RefCustomerArea>
  <RefCustomerCity>{xml_text(a.ref_customer_city)}</RefCustomerCity>
  <RefCustomerRegion>{xml_text(a.ref_customer_region)}</RefCustomerRegion>
  <RefCustomerCountry>{xml_text(a.ref_customer_country)}</RefCustomerCountry>
  <RefClickId>{xml_text(a.ref_click_id)}</RefClickId>
  <SharedId>{xml_text(a.shared_id)}</SharedId>
  <SubId1>{xml_text(a.sub_id1)}</SubId1>
  <SubId2>{xml_text(a.sub_id2)}</SubId2>
  <SubId3>{xml_text(a.sub_id3)}</SubId3>
  <Text1>{xml_text(a.text1)}</Text1>
  <Text2><![CDATA[{xml_cdata(a.text2)}]]></Text2>
  <PromoCode>{xml_text(a.promo_code)}</PromoCode>
  <items>{items}
  </items>
</action>
"""


def render_query(a: Any) -> str:
    """examples/action-clearing.qs."""
    items = a.items
    return (
        f"campaign_id={num(a.campaign_id)}"
        f"&action_tracker_id={num(a.action_tracker_id)}"
        f"&media_partner_id={num(a.media_partner_id)}"
        f"&campaign_name={form(a.campaign_name)}"
        f"&action_tracker_name={form(a.action_tracker_name)}"
        f"&media_partner_name={form(a.media_partner_name)}"
        f"&action_type={form(a.action_type)}"
        f"&referring_type={form(a.referring_type)}"
        f"&action_id={form(a.action_id)}"
        f"&status={form(a.status)}"
        f"&status_detail={form(a.status_detail)}"
        f"&ad_id={num(a.ad_id)}"
        f"&payout={dec(a.payout)}"
        f"&delta_payout={dec(a.delta_payout)}"
        f"&intended_payout={dec(a.intended_payout)}"
        f"&amount={dec(a.amount)}"
        f"&delta_amount={dec(a.delta_amount)}"
        f"&intended_amount={dec(a.intended_amount)}"
        f"&currency={form(a.currency)}"
        f"&original_currency={form(a.original_currency)}"
        f"&original_amount={dec(a.original_amount)}"
        f"&event_date={form_date(a.event_date)}"
        f"&creation_date={form_date(a.creation_date)}"
        f"&locking_date={form_date(a.locking_date)}"
        f"&cleared_date={form_date(a.cleared_date)}"
        f"&referring_domain={form(a.referring_domain)}"
        f"&landing_page_url={form(a.landing_page_url)}"
        f"&ref_customer_area={form(a.ref_customer_area)}"
        f"&ref_customer_city={form(a.ref_customer_city)}"
        f"&ref_customer_region={form(a.ref_customer_region)}"
        f"&ref_customer_country={form(a.ref_customer_country)}"
        f"&ref_click_id={form(a.ref_click_id)}"
        f"&shared_id={form(a.shared_id)}"
        f"&sub_id1={form(a.sub_id1)}"
        f"&sub_id2={form(a.sub_id2)}"
        f"&sub_id3={form(a.sub_id3)}"
        f"&text_1={form(a.text1)}"
        f"&text_2={form(a.text2)}"
        f"&promo_code={form(a.promo_code)}"
        f"&skus={','.join([form(i.sku) for i in items])}"
        f"&item_prices={','.join([dec(i.amt) for i in items])}"
        f"&categories={','.join([form(i.cat) for i in items])}"
        f"&quantities={','.join([dec(i.qty) for i in items])}"
        f"&cartamts={','.join([dec(i.cartamt) for i in items])}"
        f"&rbts={','.join([dec(i.rbt) for i in items])}"
        f"&names={','.join([form(i.name) for i in items])}"
        f"&category_lists={','.join([form(i.itemlist) for i in items])}"
    )


def render_url(a: Any) -> str:
    """examples/action-clearing.url (the int in the path segment needs no encoding)."""
    items = "".join(
        [
            f"&sku={form(i.sku)}"
            f"&item_price={dec(i.amt)}"
            f"&category={form(i.cat)}"
            f"&quantity={dec(i.qty)}"
            f"&cartamt={dec(i.cartamt)}"
            f"&rbt={dec(i.rbt)}"
            f"&name={form(i.name)}"
            f"&category_list={form(i.itemlist)}"
            for i in a.items
        ]
    )
    return (
        f"https://partner.example.com/postback/{num(a.campaign_id)}"
        f"?action_tracker_id={num(a.action_tracker_id)}"
        f"&media_partner_id={num(a.media_partner_id)}"
        f"&campaign_name={form(a.campaign_name)}"
        f"&action_tracker_name={form(a.action_tracker_name)}"
        f"&media_partner_name={form(a.media_partner_name)}"
        f"&action_type={form(a.action_type)}"
        f"&referring_type={form(a.referring_type)}"
        f"&action_id={form(a.action_id)}"
        f"&status={form(a.status)}"
        f"&status_detail={form(a.status_detail)}"
        f"&ad_id={num(a.ad_id)}"
        f"&payout={dec(a.payout)}"
        f"&delta_payout={dec(a.delta_payout)}"
        f"&intended_payout={dec(a.intended_payout)}"
        f"&amount={dec(a.amount)}"
        f"&delta_amount={dec(a.delta_amount)}"
        f"&intended_amount={dec(a.intended_amount)}"
        f"&currency={form(a.currency)}"
        f"&original_currency={form(a.original_currency)}"
        f"&original_amount={dec(a.original_amount)}"
        f"&event_date={form_date(a.event_date)}"
        f"&creation_date={form_date(a.creation_date)}"
        f"&locking_date={form_date(a.locking_date)}"
        f"&cleared_date={form_date(a.cleared_date)}"
        f"&referring_domain={form(a.referring_domain)}"
        f"&landing_page_url={form(a.landing_page_url)}"
        f"&ref_customer_area={form(a.ref_customer_area)}"
        f"&ref_customer_city={form(a.ref_customer_city)}"
        f"&ref_customer_region={form(a.ref_customer_region)}"
        f"&ref_customer_country={form(a.ref_customer_country)}"
        f"&ref_click_id={form(a.ref_click_id)}"
        f"&shared_id={form(a.shared_id)}"
        f"&sub_id1={form(a.sub_id1)}"
        f"&sub_id2={form(a.sub_id2)}"
        f"&sub_id3={form(a.sub_id3)}"
        f"&text_1={form(a.text1)}"
        f"&text_2={form(a.text2)}"
        f"&promo_code={form(a.promo_code)}"
        f"{items}"
    )


HAND_WRITTEN: dict[str, Callable[[Any], str]] = {
    "json": render_json,
    "xml": render_xml,
    "query": render_query,
    "url": render_url,
}


# ---------------------------------------------------------------------------
# The record path by hand: a record decoded from JSON text (``json.loads``) turned into
# what the renderers above take.  Amounts become ``Decimal(text)`` and dates
# ``datetime.fromisoformat(text)``; every other value is used as it is, and the keys
# (placeholder names) become attribute names.
# ---------------------------------------------------------------------------

_DECIMAL_KEYS = frozenset(
    [
        "Payout",
        "DeltaPayout",
        "IntendedPayout",
        "Amount",
        "DeltaAmount",
        "IntendedAmount",
        "OriginalAmount",
    ]
)
_DATE_KEYS = frozenset(["EventDate", "CreationDate", "LockingDate", "ClearedDate", "ReferringDate"])
_ITEM_DECIMAL_KEYS = frozenset(["amt", "qty", "cartamt", "rbt"])


class _AttributeNames(dict[str, str]):
    """Placeholder name -> attribute name (``SubId1`` -> ``sub_id1``), filled on first use."""

    def __missing__(self, key: str) -> str:
        name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
        self[key] = name
        return name


_ATTRIBUTES = _AttributeNames()


class Record(SimpleNamespace):
    """A record's values as attributes; one the record does not set reads as None."""

    def __getattr__(self, name: str) -> None:
        return None


def _hand_item(d: dict[str, Any]) -> Record:
    return Record(
        **{k: Decimal(v) if v is not None and k in _ITEM_DECIMAL_KEYS else v for k, v in d.items()}
    )


def hand_record(d: dict[str, Any]) -> Record:
    """The values of a decoded JSON record, converted by hand for the renderers above."""
    out: dict[str, Any] = {"items": ()}
    for key, value in d.items():
        if value is not None:
            if key in _DECIMAL_KEYS:
                value = Decimal(value)
            elif key in _DATE_KEYS:
                value = datetime.fromisoformat(value)
            elif key == "items":
                value = [_hand_item(item) for item in value]
        out[_ATTRIBUTES[key]] = value
    return Record(**out)


# ---------------------------------------------------------------------------
# json.dumps reference (JSON only): the dict a sender would build from the action.  Not
# byte-identical (layout differs and bare numbers go through float); a reference point.
# ---------------------------------------------------------------------------


def _float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def dumps_json(a: Any) -> str:
    """``json.dumps`` of a dict with the JSON example's keys, built from ``a``."""
    return json.dumps(
        {
            "event": "Action Life Cycle Postback",
            "campaign_id": num(a.campaign_id),
            "action_tracker_id": num(a.action_tracker_id),
            "media_partner_id": num(a.media_partner_id),
            "campaign_name": a.campaign_name or "",
            "action_tracker_name": a.action_tracker_name or "",
            "media_partner_name": a.media_partner_name or "",
            "action_type": a.action_type or "",
            "referring_type": a.referring_type or "",
            "action_id": a.action_id or "",
            "status": a.status or "",
            "status_detail": a.status_detail or "",
            "ad_id": num(a.ad_id),
            "payout": dec(a.payout),
            "delta_payout": dec(a.delta_payout),
            "intended_payout": dec(a.intended_payout),
            "amount": dec(a.amount),
            "delta_amount": dec(a.delta_amount),
            "intended_amount": dec(a.intended_amount),
            "currency": a.currency or "",
            "original_currency": a.original_currency or "",
            "original_amount": dec(a.original_amount),
            "event_date": iso(a.event_date),
            "creation_date": iso(a.creation_date),
            "locking_date": iso(a.locking_date),
            "cleared_date": iso(a.cleared_date),
            "referring_domain": a.referring_domain or "",
            "landing_page_url": a.landing_page_url or "",
            "ref_customer_area": a.ref_customer_area or "",
            "ref_customer_city": a.ref_customer_city or "",
            "ref_customer_region": a.ref_customer_region or "",
            "ref_customer_country": a.ref_customer_country or "",
            "ref_click_id": a.ref_click_id or "",
            "shared_id": a.shared_id or "",
            "sub_id1": a.sub_id1 or "",
            "sub_id2": a.sub_id2 or "",
            "sub_id3": a.sub_id3 or "",
            "text_1": a.text1 or "",
            "text_2": a.text2 or "",
            "promo_code": a.promo_code or "",
            "items": [
                {
                    "sku": i.sku or "",
                    "item_price": _float(i.amt),
                    "category": i.cat or "",
                    "quantity": _float(i.qty),
                    "cartamt": _float(i.cartamt),
                    "rbt": dec(i.rbt),
                    "name": i.name or "",
                    "category_list": i.itemlist or "",
                }
                for i in a.items
            ],
        },
        ensure_ascii=False,
    )


# ---------------------------------------------------------------------------
# Jinja2: the same templates with filters that do the same formatting and escaping.
# ---------------------------------------------------------------------------

JINJA_FILTERS: dict[str, Callable[[Any], str]] = {
    "num": num,
    "dec": dec,
    "iso": iso,
    "jstr": json_body,
    "jnum": json_num,
    "xtext": xml_text,
    "xattr": xml_attr,
    "xcdata": xml_cdata,
    "form": form,
    "fdate": form_date,
}

_JINJA_JSON = """\
{"event": "Action Life Cycle Postback",
"campaign_id": "{{ a.campaign_id|num }}",
"action_tracker_id": "{{ a.action_tracker_id|num }}",
"media_partner_id": "{{ a.media_partner_id|num }}",
"campaign_name": "{{ a.campaign_name|jstr }}",
"action_tracker_name": "{{ a.action_tracker_name|jstr }}",
"media_partner_name": "{{ a.media_partner_name|jstr }}",
"action_type": "{{ a.action_type|jstr }}",
"referring_type": "{{ a.referring_type|jstr }}",
"action_id": "{{ a.action_id|jstr }}",
"status": "{{ a.status|jstr }}",
"status_detail": "{{ a.status_detail|jstr }}",
"ad_id": "{{ a.ad_id|num }}",
"payout": "{{ a.payout|dec }}",
"delta_payout": "{{ a.delta_payout|dec }}",
"intended_payout": "{{ a.intended_payout|dec }}",
"amount": "{{ a.amount|dec }}",
"delta_amount": "{{ a.delta_amount|dec }}",
"intended_amount": "{{ a.intended_amount|dec }}",
"currency": "{{ a.currency|jstr }}",
"original_currency": "{{ a.original_currency|jstr }}",
"original_amount": "{{ a.original_amount|dec }}",
"event_date": "{{ a.event_date|iso }}",
"creation_date": "{{ a.creation_date|iso }}",
"locking_date": "{{ a.locking_date|iso }}",
"cleared_date": "{{ a.cleared_date|iso }}",
"referring_domain": "{{ a.referring_domain|jstr }}",
"landing_page_url": "{{ a.landing_page_url|jstr }}",
"ref_customer_area": "{{ a.ref_customer_area|jstr }}",
"ref_customer_city": "{{ a.ref_customer_city|jstr }}",
"ref_customer_region": "{{ a.ref_customer_region|jstr }}",
"ref_customer_country": "{{ a.ref_customer_country|jstr }}",
"ref_click_id": "{{ a.ref_click_id|jstr }}",
"shared_id": "{{ a.shared_id|jstr }}",
"sub_id1": "{{ a.sub_id1|jstr }}",
"sub_id2": "{{ a.sub_id2|jstr }}",
"sub_id3": "{{ a.sub_id3|jstr }}",
"text_1": "{{ a.text1|jstr }}",
"text_2": "{{ a.text2|jstr }}",
"promo_code": "{{ a.promo_code|jstr }}",
"items": [{% for i in a.items %}{"sku":"{{ i.sku|jstr }}",
"item_price":{{ i.amt|jnum }},
"category":"{{ i.cat|jstr }}",
"quantity":{{ i.qty|jnum }},
"cartamt":{{ i.cartamt|jnum }},"rbt":"{{ i.rbt|dec }}",
"name":"{{ i.name|jstr }}",
"category_list":"{{ i.itemlist|jstr }}"}{% if not loop.last %},{% endif %}{% endfor %}]}
"""

_JINJA_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- impact.com Action Clearing Event Notification as an XML body.
     Every field of the catalog is an element named after its placeholder; the action's
     id and status are also attributes of the root, and the line items a join. -->
<action id="{{ a.action_id|xattr }}" status="{{ a.status|xattr }}">
  <CampaignId>{{ a.campaign_id|num }}</CampaignId>
  <ActionTrackerId>{{ a.action_tracker_id|num }}</ActionTrackerId>
  <MediaPartnerId>{{ a.media_partner_id|num }}</MediaPartnerId>
  <CampaignName>{{ a.campaign_name|xtext }}</CampaignName>
  <ActionTrackerName>{{ a.action_tracker_name|xtext }}</ActionTrackerName>
  <MediaPartnerName>{{ a.media_partner_name|xtext }}</MediaPartnerName>
  <ActionType>{{ a.action_type|xtext }}</ActionType>
  <ReferringType>{{ a.referring_type|xtext }}</ReferringType>
  <ActionId>{{ a.action_id|xtext }}</ActionId>
  <Status>{{ a.status|xtext }}</Status>
  <StatusDetail><![CDATA[{{ a.status_detail|xcdata }}]]></StatusDetail>
  <AdId>{{ a.ad_id|num }}</AdId>
  <Payout>{{ a.payout|dec }}</Payout>
  <DeltaPayout>{{ a.delta_payout|dec }}</DeltaPayout>
  <IntendedPayout>{{ a.intended_payout|dec }}</IntendedPayout>
  <Amount>{{ a.amount|dec }}</Amount>
  <DeltaAmount>{{ a.delta_amount|dec }}</DeltaAmount>
  <IntendedAmount>{{ a.intended_amount|dec }}</IntendedAmount>
  <Currency>{{ a.currency|xtext }}</Currency>
  <OriginalCurrency>{{ a.original_currency|xtext }}</OriginalCurrency>
  <OriginalAmount>{{ a.original_amount|dec }}</OriginalAmount>
  <EventDate>{{ a.event_date|iso }}</EventDate>
  <CreationDate>{{ a.creation_date|iso }}</CreationDate>
  <LockingDate>{{ a.locking_date|iso }}</LockingDate>
  <ClearedDate>{{ a.cleared_date|iso }}</ClearedDate>
  <ReferringDomain>{{ a.referring_domain|xtext }}</ReferringDomain>
  <LandingPageUrl>{{ a.landing_page_url|xtext }}</LandingPageUrl>
  <RefCustomerArea>{{ a.ref_customer_area|xtext }}</RefCustomerArea>
  <RefCustomerCity>{{ a.ref_customer_city|xtext }}</RefCustomerCity>
  <RefCustomerRegion>{{ a.ref_customer_region|xtext }}</RefCustomerRegion>
  <RefCustomerCountry>{{ a.ref_customer_country|xtext }}</RefCustomerCountry>
  <RefClickId>{{ a.ref_click_id|xtext }}</RefClickId>
  <SharedId>{{ a.shared_id|xtext }}</SharedId>
  <SubId1>{{ a.sub_id1|xtext }}</SubId1>
  <SubId2>{{ a.sub_id2|xtext }}</SubId2>
  <SubId3>{{ a.sub_id3|xtext }}</SubId3>
  <Text1>{{ a.text1|xtext }}</Text1>
  <Text2><![CDATA[{{ a.text2|xcdata }}]]></Text2>
  <PromoCode>{{ a.promo_code|xtext }}</PromoCode>
  <items>{% for i in a.items %}
    <item sku="{{ i.sku|xattr }}" qty="{{ i.qty|dec }}" amt="{{ i.amt|dec }}">
      <cat>{{ i.cat|xtext }}</cat>
      <cartamt>{{ i.cartamt|dec }}</cartamt>
      <rbt>{{ i.rbt|dec }}</rbt>
      <name>{{ i.name|xtext }}</name>
      <itemlist>{{ i.itemlist|xtext }}</itemlist>
    </item>{% endfor %}
  </items>
</action>
"""

# The scalar pairs shared by the query and URL examples (after campaign_id).
_JINJA_PAIRS = (
    "action_tracker_id={{ a.action_tracker_id|num }}"
    "&media_partner_id={{ a.media_partner_id|num }}"
    "&campaign_name={{ a.campaign_name|form }}"
    "&action_tracker_name={{ a.action_tracker_name|form }}"
    "&media_partner_name={{ a.media_partner_name|form }}"
    "&action_type={{ a.action_type|form }}"
    "&referring_type={{ a.referring_type|form }}"
    "&action_id={{ a.action_id|form }}"
    "&status={{ a.status|form }}"
    "&status_detail={{ a.status_detail|form }}"
    "&ad_id={{ a.ad_id|num }}"
    "&payout={{ a.payout|dec }}"
    "&delta_payout={{ a.delta_payout|dec }}"
    "&intended_payout={{ a.intended_payout|dec }}"
    "&amount={{ a.amount|dec }}"
    "&delta_amount={{ a.delta_amount|dec }}"
    "&intended_amount={{ a.intended_amount|dec }}"
    "&currency={{ a.currency|form }}"
    "&original_currency={{ a.original_currency|form }}"
    "&original_amount={{ a.original_amount|dec }}"
    "&event_date={{ a.event_date|fdate }}"
    "&creation_date={{ a.creation_date|fdate }}"
    "&locking_date={{ a.locking_date|fdate }}"
    "&cleared_date={{ a.cleared_date|fdate }}"
    "&referring_domain={{ a.referring_domain|form }}"
    "&landing_page_url={{ a.landing_page_url|form }}"
    "&ref_customer_area={{ a.ref_customer_area|form }}"
    "&ref_customer_city={{ a.ref_customer_city|form }}"
    "&ref_customer_region={{ a.ref_customer_region|form }}"
    "&ref_customer_country={{ a.ref_customer_country|form }}"
    "&ref_click_id={{ a.ref_click_id|form }}"
    "&shared_id={{ a.shared_id|form }}"
    "&sub_id1={{ a.sub_id1|form }}"
    "&sub_id2={{ a.sub_id2|form }}"
    "&sub_id3={{ a.sub_id3|form }}"
    "&text_1={{ a.text1|form }}"
    "&text_2={{ a.text2|form }}"
    "&promo_code={{ a.promo_code|form }}"
)


def _jinja_list(key: str, expr: str) -> str:
    return (
        f"&{key}={{% for i in a.items %}}{{{{ {expr} }}}}"
        "{% if not loop.last %},{% endif %}{% endfor %}"
    )


_JINJA_QUERY = (
    "campaign_id={{ a.campaign_id|num }}&"
    + _JINJA_PAIRS
    + _jinja_list("skus", "i.sku|form")
    + _jinja_list("item_prices", "i.amt|dec")
    + _jinja_list("categories", "i.cat|form")
    + _jinja_list("quantities", "i.qty|dec")
    + _jinja_list("cartamts", "i.cartamt|dec")
    + _jinja_list("rbts", "i.rbt|dec")
    + _jinja_list("names", "i.name|form")
    + _jinja_list("category_lists", "i.itemlist|form")
)

_JINJA_URL = (
    "https://partner.example.com/postback/{{ a.campaign_id|num }}?"
    + _JINJA_PAIRS
    + "{% for i in a.items %}"
    "&sku={{ i.sku|form }}"
    "&item_price={{ i.amt|dec }}"
    "&category={{ i.cat|form }}"
    "&quantity={{ i.qty|dec }}"
    "&cartamt={{ i.cartamt|dec }}"
    "&rbt={{ i.rbt|dec }}"
    "&name={{ i.name|form }}"
    "&category_list={{ i.itemlist|form }}"
    "{% endfor %}"
)

JINJA_SOURCES: dict[str, str] = {
    "json": _JINJA_JSON,
    "xml": _JINJA_XML,
    "query": _JINJA_QUERY,
    "url": _JINJA_URL,
}


# The same filters written the way a typical Jinja2 user would, on the standard library
# (json.dumps, xml.sax.saxutils.escape, urllib.parse.quote_plus), plus what it takes to
# give the same output (surrogates, characters XML cannot carry, the ']' rule).  Used
# only for an informational column of the benchmark: the Jinja2 target is measured with the
# filters above, which are the hand-written baseline's own helpers.


def _std_json_body(s: str | None) -> str:
    if s is None:
        return ""
    out: str = json.dumps(s, ensure_ascii=False)[1:-1]
    return _SURROGATE.sub(_u_escape, out)


def _std_xml_text(s: str | None) -> str:
    if s is None:
        return ""
    s = _sax_escape(_XML_INVALID.sub("\ufffd", s), {"\r": "&#13;"})
    return s[:-1] + "&#93;" if s.endswith("]") else s


_STD_ATTR_ENTITIES = {'"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def _std_xml_attr(s: str | None) -> str:
    if s is None:
        return ""
    return _sax_escape(_XML_INVALID.sub("\ufffd", s), _STD_ATTR_ENTITIES)


def _std_form(s: str | None) -> str:
    if s is None:
        return ""
    return quote_plus(_SURROGATE.sub("\ufffd", s), safe="")


def _std_form_date(d: datetime | None) -> str:
    return quote_plus(iso(d), safe="")


STDLIB_FILTERS: dict[str, Callable[[Any], str]] = {
    **JINJA_FILTERS,
    "jstr": _std_json_body,
    "xtext": _std_xml_text,
    "xattr": _std_xml_attr,
    "form": _std_form,
    "fdate": _std_form_date,
}


# ---------------------------------------------------------------------------
# Jinja2 fed the decoded record itself (``json.loads`` output): the same templates
# reading the dict by placeholder name (``a["CampaignId"]``, Jinja2's fastest lookup: a
# key first, where ``a.CampaignId`` would try an attribute first and pay for the
# AttributeError; ``i["sku"]`` alike; ``a.get("items", ())``, since a record without
# items leaves the key out), with filters that first convert the JSON text of amounts
# and dates.
# ---------------------------------------------------------------------------


def _by_placeholder(match: re.Match[str]) -> str:
    name = match.group(1)
    if name == "items":
        return 'a.get("items", ())'
    return 'a["' + "".join(part.capitalize() for part in name.split("_")) + '"]'


JINJA_RECORD_SOURCES: dict[str, str] = {
    fmt: re.sub(
        r"\bi\.([a-z]+)",
        r'i["\1"]',
        re.sub(r"\ba\.([a-z][a-z0-9_]*)", _by_placeholder, source),
    )
    for fmt, source in JINJA_SOURCES.items()
}


def _decimal_of(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)


def _date_of(v: Any) -> datetime | None:
    return None if v is None else datetime.fromisoformat(v)


RECORD_FILTERS: dict[str, Callable[[Any], str]] = {
    **JINJA_FILTERS,
    "dec": lambda v: dec(_decimal_of(v)),
    "jnum": lambda v: json_num(_decimal_of(v)),
    "iso": lambda v: iso(_date_of(v)),
    "fdate": lambda v: form_date(_date_of(v)),
}


def jinja_environment(*, stdlib_filters: bool = False, record_filters: bool = False) -> Any:
    """The preloaded Environment: autoescape off, the filters above, trailing newline kept.

    ``stdlib_filters``: use the standard-library versions of the filters (same output);
    ``record_filters``: the filters for ``JINJA_RECORD_SOURCES``, which take JSON values,
    and a key the record leaves out as a missing value (None).
    """
    import jinja2

    env = jinja2.Environment(
        autoescape=False,
        keep_trailing_newline=True,
        auto_reload=False,
        undefined=jinja2.Undefined if record_filters else jinja2.StrictUndefined,
    )
    if record_filters:
        undefined = jinja2.Undefined

        def missing_as_none(f: Callable[[Any], str]) -> Callable[[Any], str]:
            return lambda v: f(None if isinstance(v, undefined) else v)

        env.filters.update({name: missing_as_none(f) for name, f in RECORD_FILTERS.items()})
    else:
        env.filters.update(STDLIB_FILTERS if stdlib_filters else JINJA_FILTERS)
    return env


def jinja_renderers(env: Any = None) -> dict[str, Callable[[Any], str]]:
    """Compiled Jinja2 templates, one per format, as ``render(action) -> str``."""
    env = env if env is not None else jinja_environment()
    out: dict[str, Callable[[Any], str]] = {}
    for fmt, source in JINJA_SOURCES.items():
        template = env.from_string(source)

        def render(a: Any, _render: Callable[..., str] = template.render) -> str:
            return _render(a=a)

        out[fmt] = render
    return out
