"""The field catalog: every placeholder name, its record attribute, type and meaning."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, NamedTuple

__all__ = [
    "COLLECTION",
    "FIELDS",
    "FIELDS_BY_ATTR",
    "FIELDS_BY_NAME",
    "ITEM_FIELDS",
    "ITEM_FIELDS_BY_ATTR",
    "ITEM_FIELDS_BY_NAME",
    "SOURCES",
    "FieldSpec",
    "Source",
    "snake_case",
]


class FieldSpec(NamedTuple):
    """One field of the catalog, a named tuple.

    ``name`` is the placeholder name (``CampaignId``), ``attribute`` the record
    attribute (``campaign_id``), ``type`` one of ``int``, ``str``, ``Decimal``,
    ``datetime`` or ``tuple`` (the ``items`` collection), ``description`` a sentence.
    (A named tuple, not a dataclass: the catalog loads with every compile, and a
    named tuple costs a fraction of a dataclass at start-up.)
    """

    name: str
    attribute: str
    type: type
    description: str

    @property
    def type_name(self) -> str:
        """The type as written in the docs: ``int``, ``str``, ``Decimal``, ``datetime``."""
        if self.type is tuple:
            return "list[Item]"
        return self.type.__name__


def snake_case(name: str) -> str:
    """Return the attribute name of a placeholder name: ``SubId1`` -> ``sub_id1``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _f(name: str, typ: type, description: str) -> FieldSpec:
    return FieldSpec(name, snake_case(name), typ, description)


COLLECTION: Final = "items"

FIELDS: Final[tuple[FieldSpec, ...]] = (
    _f("CampaignId", int, "Numeric id of the campaign (program) the action belongs to."),
    _f(
        "ActionTrackerId",
        int,
        "Numeric id of the action tracker (event type) that recorded the action.",
    ),
    _f("MediaPartnerId", int, "Numeric id of the partner credited with the action."),
    _f("CampaignName", str, "Name of the campaign."),
    _f("ActionTrackerName", str, 'Name of the action tracker, for example "Online Sale".'),
    _f("MediaPartnerName", str, "Name of the partner credited with the action."),
    _f("ActionType", str, "Kind of action, for example SALE or LEAD."),
    _f("ReferringType", str, "How the action was referred, for example CLICK_COOKIE."),
    _f("ActionId", str, "Unique id of the action, for example 1000.4636.158133."),
    _f("Status", str, "Life-cycle status of the action: PENDING, APPROVED, REVERSED, ..."),
    _f("StatusDetail", str, "Free-text detail of the status."),
    _f("AdId", int, "Numeric id of the ad (creative) that referred the action."),
    _f("Payout", Decimal, "Payout to the partner for the action."),
    _f("DeltaPayout", Decimal, "Change of the payout since the previous notification."),
    _f("IntendedPayout", Decimal, "Payout before any adjustment."),
    _f("Amount", Decimal, "Sale amount of the action."),
    _f("DeltaAmount", Decimal, "Change of the sale amount since the previous notification."),
    _f("IntendedAmount", Decimal, "Sale amount before any adjustment."),
    _f("Currency", str, "ISO 4217 code of the currency of Payout and Amount."),
    _f("OriginalCurrency", str, "ISO 4217 code of the currency the sale was made in."),
    _f("OriginalAmount", Decimal, "Sale amount in the original currency."),
    _f("EventDate", datetime, "When the action (event) happened."),
    _f("CreationDate", datetime, "When the action was recorded."),
    _f("LockingDate", datetime, "When the action locks and can no longer be changed."),
    _f("ClearedDate", datetime, "When the action cleared."),
    _f("ReferringDomain", str, "Domain that referred the visitor."),
    _f("LandingPageUrl", str, "URL of the page the visitor landed on."),
    _f("RefCustomerArea", str, "Area (postal or metro code) of the customer."),
    _f("RefCustomerCity", str, "City of the customer."),
    _f("RefCustomerRegion", str, "Region (state, province) of the customer."),
    _f("RefCustomerCountry", str, "Country of the customer."),
    _f("RefClickId", str, "Id of the click that referred the action."),
    _f("SharedId", str, "Shared id passed by the partner on the click."),
    _f("SubId1", str, "First sub id passed by the partner on the click."),
    _f("SubId2", str, "Second sub id passed by the partner on the click."),
    _f("SubId3", str, "Third sub id passed by the partner on the click."),
    _f("Text1", str, "First free-text field."),
    _f("Text2", str, "Second free-text field."),
    _f("PromoCode", str, "Promo code used with the order."),
    _f("Oid", str, "The brand's order id for the action (partner guides write it {OID})."),
    _f("ReferringDate", datetime, "When the winning click (the credited referral) happened."),
    _f("IpAddress", str, "IP address of the customer when the action happened."),
    _f("CustomerId", str, "The brand's id of the customer."),
    _f("CustomerStatus", str, "Whether the customer is new or returning."),
    _f("CustomerPostCode", str, "Postal code of the customer."),
    _f("EventCode", str, "Code of the event type that recorded the action."),
    _f(
        "EventTypeId",
        int,
        "Numeric id of the event type, impact.com's newer name for the action tracker.",
    ),
    _f("EventTypeName", str, 'Name of the event type, for example "Online Sale".'),
    _f("Note", str, "Free-text note the brand attached to the action."),
    _f("CallerId", str, "Phone number of the caller, for call actions."),
    _f("State", str, "State of the action as the API names it: PENDING, APPROVED or REVERSED."),
    _f("StateDetail", str, "Free-text detail of the state, for example why it was reversed."),
)
"""The top-level fields a template may name, in catalog order: one ``FieldSpec`` each.

Each is a placeholder (``{CampaignId}``) and an attribute of ``Action``
(``campaign_id``); the [Fields][fields] page lists them.
"""


class Source(NamedTuple):
    """Where a run of ``FIELDS`` is documented: the run starts at the field ``first``
    and ends before the next source's first field; ``reference`` is Markdown text."""

    first: str
    reference: str


_BRAND_API = "https://integrations.impact.com/impact-brand/reference/action-object"
_PARTNER_API = "https://integrations.impact.com/impact-publisher/reference/the-action-object"

SOURCES: Final[tuple[Source, ...]] = (
    Source("CampaignId", 'impact.com\'s help page "Action Clearing Event Notifications".'),
    Source(
        "Oid",
        'impact.com\'s API reference "The action object", '
        f"[for brands]({_BRAND_API}) and [for partners]({_PARTNER_API}).",
    ),
)

ITEM_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("sku", "sku", str, "Stock keeping unit of the item."),
    FieldSpec("amt", "amt", Decimal, "Price of the item."),
    FieldSpec("cat", "cat", str, "Category of the item."),
    FieldSpec("qty", "qty", Decimal, "Quantity of the item."),
    FieldSpec("cartamt", "cartamt", Decimal, "Cart amount of the item line."),
    FieldSpec("rbt", "rbt", Decimal, "Rebate on the item."),
    FieldSpec("name", "name", str, "Name of the item."),
    FieldSpec("itemlist", "itemlist", str, "Category list of the item."),
)
"""The attributes of an order's line items, ``Item``: one ``FieldSpec`` each.

A template names them only inside a loop over ``items``, through its loop variable:
``{join(items, i, "{i.sku}:{i.qty}")}``.
"""

FIELDS_BY_NAME: Final = MappingProxyType({f.name: f for f in FIELDS})
FIELDS_BY_ATTR: Final = MappingProxyType({f.attribute: f for f in FIELDS})
ITEM_FIELDS_BY_NAME: Final = MappingProxyType({f.name: f for f in ITEM_FIELDS})
ITEM_FIELDS_BY_ATTR: Final = ITEM_FIELDS_BY_NAME
