"""The measurements behind the targets; each prints its table and fills ``Results``.

Metrics (the names ``benchmarks/targets.py`` refers to):

* ``render.FMT``: postback / hand-written, rendering ``examples/action-clearing.*`` for
  ``postback.sample_action()`` (3 items); ``jinja.FMT``: Jinja2 / postback;
* ``compile.FMT``: seconds per compile (parse + check + codegen), template cache cleared;
* ``import``: seconds of ``import postback`` in a fresh interpreter, bytecode cached;
* ``linearity``: per-item render time at 10,000 items / at 1,000 (per item = (t(N) -
  t(0)) / N, per round);
* ``template_size``: bytes one compile of the seed template retains (tracemalloc);
* ``peak``: peak traced memory rendering 10,000 items / ``sys.getsizeof`` of the output.
"""

from __future__ import annotations

import cProfile
import gc
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from harness import (
    Benchmark,
    call,
    compare_to,
    fmt_bytes,
    fmt_time,
    progress,
    run_interleaved,
    table,
)

import postback

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "json": ROOT / "examples" / "action-clearing.json",
    "xml": ROOT / "examples" / "action-clearing.xml",
    "query": ROOT / "examples" / "action-clearing.qs",
    "url": ROOT / "examples" / "action-clearing.url",
}
FORMATS = tuple(EXAMPLES)
SCALING_SIZES = (0, 10, 100, 1_000, 10_000)


class BaselineMismatch(Exception):
    """A baseline does not produce postback's bytes, so comparing times would mean nothing."""


@dataclass(frozen=True)
class Settings:
    """How long to measure: rounds per comparison, seconds per value, fresh interpreters."""

    rounds: int = 25
    batch: float = 0.020
    warmups: int = 1
    compile_rounds: int = 25
    scaling_rounds: int = 15
    import_runs: int = 21
    bulk_records: int = 20_000
    bulk_per_call: int = 500
    bulk_rounds: int = 10
    bulk_runs: int = 3


@dataclass
class Results:
    """The metrics the targets are checked against, and everything else measured."""

    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def same_output(what: str, got: str, expected: str) -> None:
    """Raise ``BaselineMismatch`` naming the first difference unless ``got == expected``."""
    if got == expected:
        return
    i = next((k for k, (x, y) in enumerate(zip(got, expected, strict=False)) if x != y), None)
    i = min(len(got), len(expected)) if i is None else i
    raise BaselineMismatch(
        f"{what} does not produce postback's output (first difference at index {i}: "
        f"{got[i : i + 40]!r} vs {expected[i : i + 40]!r}); fix benchmarks/baselines.py"
    )


def summary(bench: Benchmark) -> dict[str, Any]:
    """Return one contender's figures for ``--json``."""
    return {
        "median_s": bench.median(),
        "spread": bench.spread(),
        "loops": bench.loops,
        "values": bench.values,
    }


def cell(bench: Benchmark) -> str:
    """Return a median with its spread, e.g. ``43.7 µs ±7%``."""
    return f"{fmt_time(bench.median())} ±{bench.spread() * 100:.0f}%"


def render(res: Results, bl: Any, templates: dict[str, Any], s: Settings) -> None:
    """Render every example with postback, the hand-written function and Jinja2."""
    action = postback.sample_action()
    jinja = bl.jinja_environment()
    jinja_std = bl.jinja_environment(stdlib_filters=True)
    benches: dict[str, Benchmark] = {}
    for fmt in FORMATS:
        expected = templates[fmt].render(action)
        contenders = {
            "postback": (templates[fmt].render, ""),
            "hand": (bl.HAND_WRITTEN[fmt], ""),
            "jinja2": (jinja.from_string(bl.JINJA_SOURCES[fmt]).render, "a"),
            "jinja2-stdlib": (jinja_std.from_string(bl.JINJA_SOURCES[fmt]).render, "a"),
        }
        for name, (func, keyword) in contenders.items():
            got = func(**{keyword: action}) if keyword else func(action)
            same_output(f"the {name} {fmt} renderer", got, expected)
            benches[f"{fmt}/{name}"] = call(f"{fmt}/{name}", func, action, keyword)
    # A reference point only: a dict built per call, numbers as floats, another layout.
    benches["json/json.dumps"] = call("json/json.dumps", bl.dumps_json, action)
    run_interleaved(
        list(benches.values()), rounds=s.rounds, batch=s.batch, warmups=s.warmups, label="render"
    )

    rows = [["format", "postback", "hand-written", "Jinja2", "pb/hand", "Jinja2/pb", "J/hand"]]
    rows[0] += ["Jinja2 stdlib", "/pb"]
    for fmt in FORMATS:
        pb, hand, jj, std = (
            benches[f"{fmt}/{n}"] for n in ("postback", "hand", "jinja2", "jinja2-stdlib")
        )
        res.metrics[f"render.{fmt}"] = compare_to(pb, hand)
        res.metrics[f"jinja.{fmt}"] = compare_to(jj, pb)
        ratios = [compare_to(pb, hand), compare_to(jj, pb), compare_to(jj, hand)]
        rows.append([fmt, cell(pb), cell(hand), cell(jj), *(f"{r:.2f}×" for r in ratios)])
        rows[-1] += [fmt_time(std.median()), f"{compare_to(std, pb):.2f}×"]
    res.details["render"] = {name: summary(b) for name, b in benches.items()}
    dumps = benches["json/json.dumps"]
    print(
        f"\nRender each example for sample_action() (3 items): median per call ± half the IQR;\n"
        f"{s.rounds} rounds over {len(benches)} contenders, values of ~{s.batch * 1e3:.0f} ms; "
        "ratios are medians of per-round ratios"
    )
    print(table(rows))
    print(
        "  hand-written: one f-string per template, a helper per placeholder, the same escaping."
        "\n  Jinja2: the same template with the hand-written helpers as filters (J/hand is Jinja2's"
        "\n  own cost); Jinja2 stdlib: filters on json.dumps, xml.sax.saxutils and quote_plus."
        f"\n  json.dumps of a dict built from the action (a reference only): {cell(dumps)}"
    )


def compile_times(res: Results, sources: dict[str, str], s: Settings) -> None:
    """Time ``postback.compile`` of every example with the template cache cleared."""
    from postback._compiler import cache

    benches = [
        # Compiling allocates many objects, so the collector runs as it would in a program.
        Benchmark(
            f"compile {fmt}",
            "clear(); compile(src, format=fmt)",
            {"clear": cache.templates.clear, "compile": postback.compile, "src": src, "fmt": fmt},
            gc=True,
        )
        for fmt, src in sources.items()
    ]
    run_interleaved(
        benches, rounds=s.compile_rounds, batch=s.batch, warmups=s.warmups, label="compile"
    )
    cache.templates.clear()
    rows = [["format", "median", "min", "loops"]]
    for fmt, bench in zip(sources, benches, strict=True):
        res.metrics[f"compile.{fmt}"] = bench.median()
        rows.append([fmt, cell(bench), fmt_time(min(bench.values)), str(bench.loops)])
    res.details["compile"] = {b.name: summary(b) for b in benches}
    print(
        f"\nCompile (parse + check + codegen), cache cleared, collector on; {s.compile_rounds} "
        "rounds"
    )
    print(table(rows))


def import_time(res: Results, s: Settings) -> None:
    """Time ``import postback`` and a first compile in fresh interpreters.

    Installed packages have their bytecode cached, so the target is measured with a
    private ``PYTHONPYCACHEPREFIX`` filled by a discarded first run: the tree is not
    touched and ``PYTHONDONTWRITEBYTECODE`` in the environment does not matter.
    """
    timed = "import time; t = time.perf_counter(); import postback; print(time.perf_counter() - t)"
    first = "import sys, time, postback; s = open(sys.argv[1], encoding='utf-8').read()"
    first += "; t = time.perf_counter(); postback.compile(s); print(time.perf_counter() - t)"
    runs = {
        "python -c pass (wall: the interpreter's own start)": ["pass"],
        "import postback": [timed],
        "first compile of the seed template (builds the parser)": [first, str(EXAMPLES["json"])],
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory(prefix="postback-bench-") as pycache:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for k in range(s.import_runs + 1):
            progress(f"import: run {k + 1}/{s.import_runs + 1}")
            for name, args in runs.items():
                wall, printed = python(args, env)
                if k:
                    samples[name].append(float(printed) if printed else wall)
    progress("")
    res.metrics["import"] = statistics.median(samples["import postback"])
    res.details["import"] = samples
    rows = [["in a fresh interpreter", "median", "min"]]
    for name, values in samples.items():
        rows.append([name, fmt_time(statistics.median(values)), fmt_time(min(values))])
    print(f"\nImport, bytecode cached; {s.import_runs} fresh interpreters each")
    print(table(rows))


def python(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``python -c *args`` in a fresh interpreter; return its wall time and output."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", *args], env=env, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - start
    if out.returncode:
        raise RuntimeError(f"a fresh interpreter failed:\n{out.stderr.decode()}")
    return wall, out.stdout.decode().strip()


def with_items(n: int) -> postback.Action:
    """Return the sample action with its three items cycled to ``n``."""
    sample = postback.sample_action()
    return replace(sample, items=tuple(islice(cycle(sample.items), n)))


def scaling(res: Results, bl: Any, template: Any, s: Settings) -> None:
    """Render the JSON example with 0 to 10,000 items, postback against hand-written."""
    hand = bl.HAND_WRITTEN["json"]
    benches: dict[tuple[int, str], Benchmark] = {}
    for n in SCALING_SIZES:
        action = with_items(n)
        same_output(f"the hand json renderer with {n} items", hand(action), template.render(action))
        benches[n, "postback"] = call(f"{n} items/postback", template.render, action)
        benches[n, "hand"] = call(f"{n} items/hand", hand, action)
    run_interleaved(
        list(benches.values()),
        rounds=s.scaling_rounds,
        batch=s.batch,
        warmups=s.warmups,
        label="scaling",
    )

    def per_item(n: int, who: str) -> list[float]:
        zero = benches[0, who].values
        return [(t - t0) / n for t, t0 in zip(benches[n, who].values, zero, strict=True)]

    res.metrics["linearity"] = statistics.median(
        a / b
        for a, b in zip(per_item(10_000, "postback"), per_item(1_000, "postback"), strict=True)
    )
    rows = [["items", "postback", "per item", "hand-written", "per item", "pb/hand"]]
    for n in SCALING_SIZES:
        pb, hw = benches[n, "postback"], benches[n, "hand"]
        pi = fmt_time(statistics.median(per_item(n, "postback"))) if n else "-"
        hi = fmt_time(statistics.median(per_item(n, "hand"))) if n else "-"
        rows.append([f"{n:,}", fmt_time(pb.median()), pi, fmt_time(hw.median()), hi])
        rows[-1].append(f"{compare_to(pb, hw):.2f}×")
    res.details["scaling"] = {b.name: summary(b) for b in benches.values()}
    print(
        f"\nScaling: the JSON example with N items (the sample's 3 cycled); per item = "
        f"(t(N) - t(0)) / N; {s.scaling_rounds} rounds"
    )
    print(table(rows))
    print(f"  per-item time at 10,000 / at 1,000 items: {res.metrics['linearity']:.2f}×")


def retained_by_compile(source: str, fmt: str) -> int:
    """Return the bytes one compile leaves allocated, its cache entry included."""
    from postback._compiler import cache

    postback.compile(source, format=fmt)  # the parser and regex caches are built once
    cache.templates.clear()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        template = postback.compile(source, format=fmt)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del template
    cache.templates.clear()
    return after - before


def peak_while_rendering(render: Callable[[Any], str], action: Any) -> tuple[int, int]:
    """Return the peak traced memory of one render and ``sys.getsizeof`` of its output."""
    render(action)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = render(action)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, sys.getsizeof(out)


def memory(res: Results, bl: Any, template: Any, sources: dict[str, str]) -> None:
    """Measure a compiled template's retained size and the peak of a 10,000-item render."""
    retained = {fmt: retained_by_compile(src, fmt) for fmt, src in sources.items()}
    res.metrics["template_size"] = retained["json"]
    action = with_items(10_000)
    peaks = {
        "postback": peak_while_rendering(template.render, action),
        "hand-written": peak_while_rendering(bl.HAND_WRITTEN["json"], action),
    }
    res.metrics["peak"] = peaks["postback"][0] / peaks["postback"][1]
    res.details["memory"] = {"retained_bytes": retained, "peak_and_output_bytes": peaks}
    print("\nMemory (tracemalloc)")
    sizes = ", ".join(f"{fmt} {fmt_bytes(n)}" for fmt, n in retained.items())
    print(f"  retained by one compile (cache entry included): {sizes}")
    rows = [["rendering the JSON example, 10,000 items", "output str", "peak", "peak/output"]]
    for name, (peak, size) in peaks.items():
        rows.append([name, fmt_bytes(size), fmt_bytes(peak), f"{peak / size:.2f}×"])
    print(table(rows))


def profile(bl: Any, templates: dict[str, Any], calls: int) -> None:
    """Print where render time goes (cProfile) and what ``import postback`` costs."""
    action = postback.sample_action()
    print(f"\nProfile: tottime share per function over {calls} renders")
    for fmt in FORMATS:
        for name, func in (("postback", templates[fmt].render), ("hand", bl.HAND_WRITTEN[fmt])):
            prof = cProfile.Profile()
            prof.runcall(lambda f=func: [f(action) for _ in range(calls)])
            entries = pstats.Stats(prof).stats  # type: ignore[attr-defined]
            total = sum(tt for (_, _, tt, _, _) in entries.values())
            top = sorted(((tt, where) for where, (_, _, tt, _, _) in entries.items()), reverse=True)
            print(f"  {fmt}/{name}: " + ", ".join(f"{w[2]} {tt / total:.0%}" for tt, w in top[:5]))
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import postback"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    rows = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    print("  largest cumulative imports (python -X importtime, one run):")
    for cumulative, name in sorted(rows, reverse=True)[:10]:
        print(f"    {cumulative / 1e3:6.1f} ms  {name}")
