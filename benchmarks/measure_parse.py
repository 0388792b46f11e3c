"""Reading a received body back: ``Template.parse`` against what a receiver writes by hand.

Metrics (the names ``benchmarks/targets.py`` refers to):

* ``parse.json``: ``Template.parse`` of the seed template's body for
  ``postback.sample_action()`` (impact.com's example JSON body, 3 items) / the floor:
  ``json.loads(body, parse_float=Decimal)`` and a hand-written conversion of the same
  values into the same ``Action`` (``hand_parse``);
* ``parse.mapping``: ``Template.parse`` / the mapping path: the same ``json.loads``, the
  body's keys renamed to placeholder names by hand, then ``Action.from_dict``
  (``mapping_parse``), as the record path reads a mapping (``benchmarks/records.py``).

The three contenders are checked to give the same ``Action`` first, and timed
interleaved in one run.  ``tests/integration/test_benchmark_parse.py`` keeps the floor
and the mapping path equal to ``parse`` for more than the sample.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness import Benchmark, call, compare_to, machine, run_interleaved, show, table
from measure import Results, Settings, cell, summary
from targets import TARGETS

import postback
from postback import Action, Item

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "action-clearing.json"


class ParseMismatch(Exception):
    """A contender does not read the body into ``parse``'s action: timing would mean nothing."""


# ---------------------------------------------------------------------------
# The floor: what a careful receiver writes by hand for this one body.  The template
# writes a missing value as an empty string (bare numbers as ``null``), so an empty
# text reads as None, as ``parse`` reads it; ids are strings of digits, amounts strings
# of digits (bare numbers in the items, which ``parse_float=Decimal`` keeps exact), dates
# ISO 8601.
# ---------------------------------------------------------------------------


def _text(v: str) -> str | None:
    return v or None


def _int(v: str) -> int | None:
    return int(v) if v else None


def _dec(v: str) -> Decimal | None:
    return Decimal(v) if v else None


def _num(v: Decimal | int | None) -> Decimal | None:
    return None if v is None else Decimal(v)


def _date(v: str) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def _item(i: dict[str, Any]) -> Item:
    return Item(
        sku=_text(i["sku"]),
        amt=_num(i["item_price"]),
        cat=_text(i["category"]),
        qty=_num(i["quantity"]),
        cartamt=_num(i["cartamt"]),
        rbt=_dec(i["rbt"]),
        name=_text(i["name"]),
        itemlist=_text(i["category_list"]),
    )


def hand_parse(body: str | bytes) -> Action:
    """Read the seed template's body by hand: ``json.loads`` and one conversion per key."""
    d = json.loads(body, parse_float=Decimal)
    return Action(
        campaign_id=_int(d["campaign_id"]),
        action_tracker_id=_int(d["action_tracker_id"]),
        media_partner_id=_int(d["media_partner_id"]),
        campaign_name=_text(d["campaign_name"]),
        action_tracker_name=_text(d["action_tracker_name"]),
        media_partner_name=_text(d["media_partner_name"]),
        action_type=_text(d["action_type"]),
        referring_type=_text(d["referring_type"]),
        action_id=_text(d["action_id"]),
        status=_text(d["status"]),
        status_detail=_text(d["status_detail"]),
        ad_id=_int(d["ad_id"]),
        payout=_dec(d["payout"]),
        delta_payout=_dec(d["delta_payout"]),
        intended_payout=_dec(d["intended_payout"]),
        amount=_dec(d["amount"]),
        delta_amount=_dec(d["delta_amount"]),
        intended_amount=_dec(d["intended_amount"]),
        currency=_text(d["currency"]),
        original_currency=_text(d["original_currency"]),
        original_amount=_dec(d["original_amount"]),
        event_date=_date(d["event_date"]),
        creation_date=_date(d["creation_date"]),
        locking_date=_date(d["locking_date"]),
        cleared_date=_date(d["cleared_date"]),
        referring_domain=_text(d["referring_domain"]),
        landing_page_url=_text(d["landing_page_url"]),
        ref_customer_area=_text(d["ref_customer_area"]),
        ref_customer_city=_text(d["ref_customer_city"]),
        ref_customer_region=_text(d["ref_customer_region"]),
        ref_customer_country=_text(d["ref_customer_country"]),
        ref_click_id=_text(d["ref_click_id"]),
        shared_id=_text(d["shared_id"]),
        sub_id1=_text(d["sub_id1"]),
        sub_id2=_text(d["sub_id2"]),
        sub_id3=_text(d["sub_id3"]),
        text1=_text(d["text_1"]),
        text2=_text(d["text_2"]),
        promo_code=_text(d["promo_code"]),
        items=tuple([_item(i) for i in d["items"]]),
    )


# ---------------------------------------------------------------------------
# The mapping path: the decoded body's keys renamed to placeholder names, then
# ``Action.from_dict``, which converts and checks every value.  The body's constant
# "event" member is no field; empty texts become None as above.
# ---------------------------------------------------------------------------

_KEYS = {
    "campaign_id": "CampaignId",
    "action_tracker_id": "ActionTrackerId",
    "media_partner_id": "MediaPartnerId",
    "campaign_name": "CampaignName",
    "action_tracker_name": "ActionTrackerName",
    "media_partner_name": "MediaPartnerName",
    "action_type": "ActionType",
    "referring_type": "ReferringType",
    "action_id": "ActionId",
    "status": "Status",
    "status_detail": "StatusDetail",
    "ad_id": "AdId",
    "payout": "Payout",
    "delta_payout": "DeltaPayout",
    "intended_payout": "IntendedPayout",
    "amount": "Amount",
    "delta_amount": "DeltaAmount",
    "intended_amount": "IntendedAmount",
    "currency": "Currency",
    "original_currency": "OriginalCurrency",
    "original_amount": "OriginalAmount",
    "event_date": "EventDate",
    "creation_date": "CreationDate",
    "locking_date": "LockingDate",
    "cleared_date": "ClearedDate",
    "referring_domain": "ReferringDomain",
    "landing_page_url": "LandingPageUrl",
    "ref_customer_area": "RefCustomerArea",
    "ref_customer_city": "RefCustomerCity",
    "ref_customer_region": "RefCustomerRegion",
    "ref_customer_country": "RefCustomerCountry",
    "ref_click_id": "RefClickId",
    "shared_id": "SharedId",
    "sub_id1": "SubId1",
    "sub_id2": "SubId2",
    "sub_id3": "SubId3",
    "text_1": "Text1",
    "text_2": "Text2",
    "promo_code": "PromoCode",
}
_ITEM_KEYS = {
    "sku": "sku",
    "item_price": "amt",
    "category": "cat",
    "quantity": "qty",
    "cartamt": "cartamt",
    "rbt": "rbt",
    "name": "name",
    "category_list": "itemlist",
}


def mapping_parse(body: str | bytes) -> Action:
    """Read the seed template's body as a mapping: ``json.loads``, renamed, ``from_dict``."""
    d = json.loads(body, parse_float=Decimal)
    record: dict[str, object] = {
        name: (None if d[key] == "" else d[key]) for key, name in _KEYS.items()
    }
    record["items"] = [
        {name: (None if i[key] == "" else i[key]) for key, name in _ITEM_KEYS.items()}
        for i in d["items"]
    ]
    return Action.from_dict(record)


# ---------------------------------------------------------------------------
# The measurement.
# ---------------------------------------------------------------------------


def parse(res: Results, s: Settings) -> None:
    """Time ``Template.parse`` of the seed body against the floor and the mapping path."""
    template = postback.compile(SEED.read_text("utf-8"), format="json")
    body = template.render(postback.sample_action())
    expected = template.parse(body)
    for name, read in (("the hand-written floor", hand_parse), ("the mapping path", mapping_parse)):
        if read(body) != expected:
            raise ParseMismatch(f"{name} does not read the seed body into parse's action")
    benches = {
        "parse": call("Template.parse", template.parse, body),
        "floor": call("json.loads + hand conversion", hand_parse, body),
        "mapping": call("json.loads + Action.from_dict", mapping_parse, body),
        "loads": Benchmark(
            "json.loads alone",
            "loads(x, parse_float=D)",
            {"loads": json.loads, "x": body, "D": Decimal},
        ),
    }
    run_interleaved(
        list(benches.values()), rounds=s.rounds, batch=s.batch, warmups=s.warmups, label="parse"
    )
    parse_bench = benches["parse"]
    res.metrics["parse.json"] = compare_to(parse_bench, benches["floor"])
    res.metrics["parse.mapping"] = compare_to(parse_bench, benches["mapping"])
    res.details["parse"] = {name: summary(b) for name, b in benches.items()}
    res.details["parse"]["body_chars"] = len(body)
    rows = [["reading the seed body", "median", "parse / this"]]
    for bench in benches.values():
        rows.append([bench.name, cell(bench), f"{compare_to(parse_bench, bench):.2f}×"])
    print(
        f"\nReading: Template.parse of the seed template's body for sample_action() "
        f"({len(body):,} characters, 3 items);\n{s.rounds} rounds over {len(benches)} "
        "contenders, ratios are medians of per-round ratios"
    )
    print(table(rows))
    print(
        "  floor: json.loads(body, parse_float=Decimal), then one conversion per key into"
        "\n  Action and Item (int, Decimal, datetime.fromisoformat); mapping path: the same"
        "\n  json.loads, keys renamed to placeholder names, Action.from_dict."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run this measurement alone: ``python benchmarks/measure_parse.py [--quick]``."""
    p = argparse.ArgumentParser(description="Time Template.parse alone; check its targets.")
    p.add_argument("--quick", action="store_true", help="a smoke run: few rounds, short values")
    args = p.parse_args(argv)
    settings = Settings(rounds=5, batch=0.005) if args.quick else Settings()
    for key, value in machine().items():
        print(f"  {key + ':':<13} {value}")
    res = Results()
    try:
        parse(res, settings)
    except ParseMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missed = 0
    for t in TARGETS:
        if t.metric in res.metrics:
            met = t.met(res.metrics[t.metric])
            missed += t.gates and not met
            verdict = "met" if met else "missed"
            print(
                f"  {t.name}: {show(res.metrics[t.metric], t.unit)} {t.sign} {show(t.limit, t.unit)}: {verdict}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
