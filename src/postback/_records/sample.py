"""The values of the built-in sample action (``sample_action()``, in ``action.py``), as data:
a value for every field of the catalog, and three items with every attribute set."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from .item import Item

__all__ = ["SAMPLE_FIELDS", "SAMPLE_ITEMS"]

_PST: Final = timezone(timedelta(hours=-8))

#: The sample's fields by attribute, one for every field of the catalog.
SAMPLE_FIELDS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "campaign_id": 4636,
        "action_tracker_id": 12890,
        "media_partner_id": 158133,
        "campaign_name": 'Café Müller "Winter" Sale',
        "action_tracker_name": "Online Sale",
        "media_partner_name": "Smith & Jones <Deals>",
        "action_type": "SALE",
        "referring_type": "CLICK_COOKIE",
        "action_id": "1000.4636.158133",
        "status": "APPROVED",
        "status_detail": "Approved after the 30-day lock ('auto-approve')",
        "ad_id": 702134,
        "payout": Decimal("12.50"),
        "delta_payout": Decimal("-1.25"),
        "intended_payout": Decimal("13.75"),
        "amount": Decimal("125.00"),
        "delta_amount": Decimal("-12.50"),
        "intended_amount": Decimal("137.50"),
        "currency": "USD",
        "original_currency": "EUR",
        "original_amount": Decimal("115.20"),
        "event_date": datetime(2026, 1, 2, 3, 4, 5, tzinfo=_PST),
        "creation_date": datetime(2026, 1, 2, 3, 5, 17, tzinfo=_PST),
        "locking_date": datetime(2026, 2, 1, 8, 0, 0, tzinfo=UTC),
        "cleared_date": datetime(2026, 2, 3, 11, 30, 0, tzinfo=UTC),
        "referring_domain": "deals.example.net",
        "landing_page_url": (
            "https://shop.example.com/espresso?utm_source=impact&utm_medium=affiliate"
            "&q=caf%C3%A9+m%C3%BCller"
        ),
        "ref_customer_area": "100-0005",
        "ref_customer_city": "東京",
        "ref_customer_region": "東京都",
        "ref_customer_country": "JP",
        "ref_click_id": "Qw3-xYz_9a8B7c6D5e4F",
        "shared_id": "shared-42",
        "sub_id1": "newsletter",
        "sub_id2": 'hero "banner"',
        "sub_id3": "a&b=c",
        "text1": "Thanks! 🎉",
        "text2": 'Gift note: "Happy 30th!" <3 — Ana & José',
        "promo_code": "WINTER25",
        "oid": "ORD-2026-0001042",
        "referring_date": datetime(2026, 1, 1, 21, 47, 33, tzinfo=_PST),
        "ip_address": "203.0.113.42",
        "customer_id": "cust-73019",
        "customer_status": "Returning",
        "customer_post_code": "100-0005",
        "event_code": "online_sale",
        "event_type_id": 12890,
        "event_type_name": "Online Sale",
        "note": 'Split into 2 parcels: "express" & <gift wrap>',
        "caller_id": "+81 3-1234-5678",
        "state": "APPROVED",
        "state_detail": "Auto-approved after the 30-day lock",
    }
)

#: The sample's items, every attribute set.
SAMPLE_ITEMS: Final = (
    Item(
        sku="CM-ESP-01",
        amt=Decimal("79.50"),
        cat="Kitchen & Dining",
        qty=Decimal("1"),
        cartamt=Decimal("79.50"),
        rbt=Decimal("0.00"),
        name='Café Müller "Barista" Espresso Machine',
        itemlist="Home > Kitchen > Coffee",
    ),
    Item(
        sku="TKY-MUG-2",
        amt=Decimal("12.50"),
        cat="Mugs <Limited>",
        qty=Decimal("2"),
        cartamt=Decimal("25.00"),
        rbt=Decimal("1.25"),
        name="東京 Ceramic Mug 🍵",
        itemlist="Home > Kitchen > Mugs",
    ),
    Item(
        sku="GIFT-OKEEFE",
        amt=Decimal("20.50"),
        cat="Gift Cards",
        qty=Decimal("1"),
        cartamt=Decimal("20.50"),
        rbt=Decimal("0.50"),
        name="O'Keefe's Gift Card",
        itemlist="Gifts > Cards",
    ),
)
