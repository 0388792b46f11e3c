"""The record path's measurements: records as a sender holds them, and non-ASCII text.

Metrics (the names ``benchmarks/targets.py`` refers to):

* ``mapping.FMT``: ``render(mapping)`` / ``render(Action)``, the mapping being the
  sample's record decoded from JSON text (``json.loads``; 3 items);
* ``from_dict``: ``Action.from_dict(mapping)`` / the hand-written conversion of the
  same values (``baselines.hand_record``);
* ``e2e.FMT``: from the record's JSON text to the body's bytes, Jinja2 / postback:
  ``json.loads``, then ``template.render_bytes(mapping)`` against the hand-written
  conversion, Jinja2's render and ``encode()``;
* ``nonascii.FMT``: postback / hand-written rendering the sample with non-ASCII text in
  every string field and item attribute.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from harness import Benchmark, call, compare_to, fmt_time, run_interleaved, table
from measure import FORMATS, Results, Settings, cell, same_output, summary

import postback


def record_text(action: postback.Action) -> str:
    """Return an action as a sender receives it: JSON text keyed by placeholder names."""
    return json.dumps(action.to_dict(), ensure_ascii=False)


def non_ascii_action() -> postback.Action:
    """Return the sample with non-ASCII text added to every string field and attribute."""
    sample = postback.sample_action()
    strings = {s.attribute for s in postback.FIELDS if s.type is str}
    item_strings = {s.attribute for s in postback.ITEM_FIELDS if s.type is str}
    items = tuple(
        replace(item, **{a: f"{getattr(item, a)} Müller 東京" for a in item_strings})
        for item in sample.items
    )
    return replace(sample, items=items, **{a: f"{getattr(sample, a)} – 東京" for a in strings})


# A checkout older than Action.from_json can still be measured, without that contender.
EXACT_LOADER = hasattr(postback.Action, "from_json")

# The contenders measured for each example, as statements over the names _contenders binds.
PER_FORMAT = {
    "render(Action)": "t.render(action)",
    "render(mapping)": "t.render(data)",
    "text→bytes": "t.render_bytes(loads(text))",
    "text→bytes, exact": "t.render_bytes(Action.from_json(text))",
    "hand text→bytes": "hand(convert(loads(text))).encode()",
    "Jinja2 text→bytes": "jinja_record(a=loads(text)).encode()",
    "Jinja2 typed text→bytes": "jinja(a=convert(loads(text))).encode()",
}


def _contenders(bl: Any, templates: dict[str, Any]) -> dict[str, Benchmark]:
    """Return the record-path contenders, each checked to give postback's bytes first."""
    action = postback.sample_action()
    text = record_text(action)
    data = json.loads(text)
    hand_record = bl.hand_record
    jinja = bl.jinja_environment()
    jinja_for_records = bl.jinja_environment(record_filters=True)
    benches: dict[str, Benchmark] = {}
    for fmt in FORMATS:
        template = templates[fmt]
        expected = template.render(action)
        hand = bl.HAND_WRITTEN[fmt]
        render_jinja = jinja.from_string(bl.JINJA_SOURCES[fmt]).render
        same_output(f"render(mapping) of the {fmt} template", template.render(data), expected)
        same_output(f"the hand {fmt} renderer fed the record", hand(hand_record(data)), expected)
        render_record = jinja_for_records.from_string(bl.JINJA_RECORD_SOURCES[fmt]).render
        same_output(f"Jinja2 {fmt} fed the record", render_record(a=data), expected)
        same_output(f"Jinja2 {fmt}, record converted", render_jinja(a=hand_record(data)), expected)
        names = {"t": template, "text": text, "data": data, "action": action, "loads": json.loads}
        names |= {"hand": hand, "convert": hand_record, "jinja": render_jinja}
        names |= {"jinja_record": render_record}
        names |= {"Action": postback.Action}
        for name, stmt in PER_FORMAT.items():
            if "from_json" in stmt and not EXACT_LOADER:
                continue
            benches[f"{fmt}/{name}"] = Benchmark(f"{fmt}/{name}", stmt, names)
    benches["from_dict"] = call("from_dict", postback.Action.from_dict, data)
    benches["hand conversion"] = call("hand conversion", hand_record, data)
    if EXACT_LOADER:
        benches["from_json"] = call("from_json", postback.Action.from_json, text)
    benches["json.loads"] = call("json.loads", json.loads, text)
    return benches


def records(res: Results, bl: Any, templates: dict[str, Any], s: Settings) -> None:
    """Render each example from its record as a mapping and as JSON text; read records."""
    benches = _contenders(bl, templates)
    run_interleaved(
        list(benches.values()), rounds=s.rounds, batch=s.batch, warmups=s.warmups, label="records"
    )
    rows = [["format", "render(Action)", "render(mapping)", "ratio"]]
    rows[0] += ["text→bytes", "exact", "hand", "Jinja2", "Jinja2/pb", "Jinja2 typed"]
    for fmt in FORMATS:
        b = {name: benches[f"{fmt}/{name}"] for name in PER_FORMAT if f"{fmt}/{name}" in benches}
        res.metrics[f"mapping.{fmt}"] = compare_to(b["render(mapping)"], b["render(Action)"])
        res.metrics[f"e2e.{fmt}"] = compare_to(b["Jinja2 text→bytes"], b["text→bytes"])
        rows.append(
            [
                fmt,
                cell(b["render(Action)"]),
                cell(b["render(mapping)"]),
                f"{res.metrics[f'mapping.{fmt}']:.2f}×",
                fmt_time(b["text→bytes"].median()),
                fmt_time(b["text→bytes, exact"].median()) if EXACT_LOADER else "n/a",
                *(fmt_time(b[k].median()) for k in ("hand text→bytes", "Jinja2 text→bytes")),
                f"{res.metrics[f'e2e.{fmt}']:.2f}×",
                fmt_time(b["Jinja2 typed text→bytes"].median()),
            ]
        )
    res.metrics["from_dict"] = compare_to(benches["from_dict"], benches["hand conversion"])
    res.details["records"] = {name: summary(b) for name, b in benches.items()}
    print(
        f"\nRecords: each example rendered from the sample's record decoded from JSON text "
        f"(3 items);\n{s.rounds} rounds over {len(benches)} contenders"
    )
    print(table(rows))
    print(
        "  text→bytes: json.loads, render_bytes(mapping); exact: Action.from_json, render_bytes;"
        "\n  hand: json.loads, the hand-written conversion (baselines.hand_record), the"
        " hand-written\n  renderer, encode(); Jinja2: json.loads, the template reading the"
        " dict with filters that\n  convert amounts and dates, encode(); Jinja2 typed: the"
        " hand-written conversion, then Jinja2."
    )
    reading = [["reading the record", "median", "/ hand conversion"]]
    for name in ("from_dict", "hand conversion", "from_json", "json.loads"):
        if name not in benches:
            continue
        ratio = compare_to(benches[name], benches["hand conversion"])
        reading.append([name, cell(benches[name]), f"{ratio:.2f}×"])
    print(table(reading))


def non_ascii(res: Results, bl: Any, templates: dict[str, Any], s: Settings) -> None:
    """Render each example for the sample with non-ASCII text in every string value."""
    action = non_ascii_action()
    benches: dict[str, Benchmark] = {}
    for fmt in FORMATS:
        expected = templates[fmt].render(action)
        same_output(f"the hand {fmt} renderer (non-ASCII)", bl.HAND_WRITTEN[fmt](action), expected)
        benches[f"{fmt}/postback"] = call(f"{fmt}/postback", templates[fmt].render, action)
        benches[f"{fmt}/hand"] = call(f"{fmt}/hand", bl.HAND_WRITTEN[fmt], action)
    run_interleaved(
        list(benches.values()), rounds=s.rounds, batch=s.batch, warmups=s.warmups, label="text"
    )
    rows = [["format", "postback", "hand-written", "pb/hand"]]
    for fmt in FORMATS:
        pb, hand = benches[f"{fmt}/postback"], benches[f"{fmt}/hand"]
        res.metrics[f"nonascii.{fmt}"] = compare_to(pb, hand)
        rows.append([fmt, cell(pb), cell(hand), f"{res.metrics[f'nonascii.{fmt}']:.2f}×"])
    res.details["nonascii"] = {name: summary(b) for name, b in benches.items()}
    print(
        f"\nNon-ASCII text ('– 東京' in every string field, 'Müller 東京' in every item's);"
        f" {s.rounds} rounds"
    )
    print(table(rows))
