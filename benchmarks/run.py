#!/usr/bin/env python3
"""postback's performance check: ``python benchmarks/run.py [--quick] [--json FILE] [--profile]``.

Renders every example template with postback, a hand-written function and Jinja2 (all
checked byte-identical first), times compile and ``import postback``, renders up to
10,000 items and measures memory, then checks the figures against the targets in
``benchmarks/targets.py``.  docs/performance.md describes the method.

Exit status: 0 when every gating target is met, 1 when one is missed, 2 when a baseline
does not produce postback's output (or Jinja2 is not installed: ``pip install -e
".[bench]"``).  Only postback's public API is needed (and the template cache, cleared to
time compiles), so the same script can measure another checkout with
``PYTHONPATH=that/src``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import baselines
import measure
import measure_bulk
import measure_cold
import measure_parse
import records
from harness import machine, show, table
from measure import EXAMPLES, FORMATS, BaselineMismatch, Results, Settings
from targets import TARGETS

import postback

QUICK = Settings(
    rounds=5,
    batch=0.005,
    compile_rounds=5,
    scaling_rounds=3,
    import_runs=5,
    bulk_records=2_000,
    bulk_per_call=200,
    bulk_rounds=3,
    bulk_runs=1,
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Return the command line's options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("--quick", action="store_true", help="a smoke run: few rounds, short values")
    p.add_argument("--json", metavar="FILE", help="also write every figure as JSON to FILE")
    p.add_argument("--profile", action="store_true", help="also show where the time goes")
    return p.parse_args(argv)


def header(quick: bool) -> dict[str, str]:
    """Print and return what the figures were measured on."""
    import jinja2

    info = machine()
    info["postback"] = f"{postback.__version__} ({Path(postback.__file__).parent})"
    info["jinja2"] = jinja2.__version__
    print("postback performance check" + ("  [--quick: indicative only]" if quick else ""))
    for key, value in info.items():
        print(f"  {key + ':':<13} {value}")
    return info


def verdicts(res: Results) -> list[dict[str, object]]:
    """Print the target table and return each target's outcome."""
    rows = [["target", "measured", "bar", "gates", "result"]]
    out: list[dict[str, object]] = []
    for t in TARGETS:
        value = res.metrics[t.metric]
        met = t.met(value)
        result = ("PASS" if met else "FAIL") if t.gates else ("met" if met else "missed")
        bar = f"{t.sign} {show(t.limit, t.unit)}"
        rows.append([t.name, show(value, t.unit), bar, "yes" if t.gates else "no", result])
        out.append({**asdict(t), "measured": value, "met": met})
    print("\nTargets")
    print(table(rows))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement, print the tables and return the exit status."""
    args = parse_args(argv)
    if importlib.util.find_spec("jinja2") is None:
        print('error: the benchmark needs jinja2: pip install -e ".[bench]"', file=sys.stderr)
        return 2
    settings = QUICK if args.quick else Settings()
    info = header(args.quick)
    sources = {fmt: EXAMPLES[fmt].read_text("utf-8") for fmt in FORMATS}
    templates = {fmt: postback.compile(sources[fmt], format=fmt) for fmt in FORMATS}
    res = Results()
    gc.collect()
    try:
        measure.render(res, baselines, templates, settings)
        measure.compile_times(res, sources, settings)
        measure.import_time(res, settings)
        measure_cold.cold(res, settings.import_runs)
        measure.scaling(res, baselines, templates["json"], settings)
        records.records(res, baselines, templates, settings)
        records.non_ascii(res, baselines, templates, settings)
        measure_parse.parse(res, settings)
    except (BaselineMismatch, measure_parse.ParseMismatch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    measure.memory(res, baselines, templates["json"], sources)
    measure_bulk.bulk(
        res,
        settings.bulk_records,
        settings.bulk_per_call,
        settings.bulk_rounds,
        settings.bulk_runs,
        settings.batch,
    )
    if args.profile:
        measure.profile(baselines, templates, 200 if args.quick else 2000)

    outcomes = verdicts(res)
    missed = [t.name for t in TARGETS if t.gates and not t.met(res.metrics[t.metric])]
    gating = sum(t.gates for t in TARGETS)
    print(f"\n{gating - len(missed)}/{gating} gating targets met", end="")
    print(f"; missed: {', '.join(missed)}" if missed else "")
    if args.json:
        report = {"machine": info, "settings": asdict(settings), "metrics": res.metrics}
        report |= {"targets": outcomes, "details": res.details, "ok": not missed}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
