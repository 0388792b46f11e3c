"""The bulk measurements: records per second through ``render_many`` and ``render --records``.

Metrics (the names ``benchmarks/targets.py`` refers to):

* ``bulk.render_many``: ``render_many`` over JSON Lines / (loading the same lines into
  ``Action`` objects + rendering those pre-built actions), per record, in one process;
* ``bulk.cli``: ``postback render --records`` end to end (a fresh process: start,
  compile, read, render, write JSON Lines) / ``render_many`` over the same file read
  in this process, per record.

The records are the sample action with its three items, a different CampaignId and
ActionId on every line, written as ``Action.to_dict()`` JSON; the template is the seed,
``examples/action-clearing.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness import Benchmark, fmt_time, progress, run_interleaved, table

import postback

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "action-clearing.json"


def write_records(path: Path, count: int) -> list[bytes]:
    """Write ``count`` seed-like records as JSON Lines to ``path``; return the lines."""
    sample = postback.sample_action()
    lines = [
        json.dumps(
            replace(sample, campaign_id=k, action_id=f"1000.{k}.158133").to_dict(),
            ensure_ascii=False,
        ).encode("utf-8")
        + b"\n"
        for k in range(1, count + 1)
    ]
    path.write_bytes(b"".join(lines))
    return lines


def load_action(line: bytes) -> postback.Action:
    """Load one line into an Action the way a hand-written loop would, exactly."""
    return postback.Action.from_json(line)


def _drain(results: Any) -> None:
    for _ in results:
        pass


def in_process(res: Any, template: Any, lines: list[bytes], rounds: int, batch: float) -> None:
    """Time ``render_many`` against loading + rendering pre-built actions, interleaved."""
    actions = [load_action(line) for line in lines]
    many = list(template.render_many(lines))
    assert [r.body for r in many] == [template.render(a) for a in actions]
    benches = {
        "render_many": Benchmark(
            "render_many",
            "drain(t.render_many(lines))",
            {"drain": _drain, "t": template, "lines": lines},
        ),
        "load": Benchmark(
            "load", "[load(x) for x in lines]", {"load": load_action, "lines": lines}
        ),
        "render": Benchmark(
            "render", "[r(a) for a in actions]", {"r": template.render, "actions": actions}
        ),
    }
    run_interleaved(list(benches.values()), rounds=rounds, batch=batch, warmups=1, label="bulk")
    n = len(lines)
    per = {name: [v / n for v in bench.values] for name, bench in benches.items()}
    ratios = [
        m / (lo + r)
        for m, lo, r in zip(per["render_many"], per["load"], per["render"], strict=True)
    ]
    res.metrics["bulk.render_many"] = statistics.median(ratios)
    res.details["bulk"] = {name: statistics.median(values) for name, values in per.items()}


def end_to_end(
    res: Any, template: Any, path: Path, count: int, rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """Time ``postback render --records`` and in-process ``render_many`` on one file.

    Also times the command on an empty file (process start, import and compile), so
    that the table can show what the loop itself costs.
    """
    command = [sys.executable, "-m", "postback", "render", str(SEED), "--records", str(path)]
    empty = path.with_name("empty.jsonl")
    empty.write_bytes(b"")
    cli: list[float] = []
    inside: list[float] = []
    starts: list[float] = []

    def in_this_process() -> None:
        with path.open("rb") as lines:
            _drain(template.render_many(lines))

    for k in range(rounds):
        progress(f"bulk: end to end, round {k + 1}/{rounds}")
        for run in _order(k, command, in_this_process):
            start = time.perf_counter()
            run()
            elapsed = (time.perf_counter() - start) / count
            (cli if run is not in_this_process else inside).append(elapsed)
        start = time.perf_counter()
        _order(0, [*command[:-1], str(empty)], in_this_process)[0]()
        starts.append(time.perf_counter() - start)
    progress("")
    res.metrics["bulk.cli"] = statistics.median(c / i for c, i in zip(cli, inside, strict=True))
    return cli, inside, starts


def _order(k: int, command: list[str], inside: Callable[[], None]) -> list[Callable[[], None]]:
    def cli() -> None:
        with open(os.devnull, "wb") as sink:
            out = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
        if out.returncode:
            raise RuntimeError(f"postback render --records failed:\n{out.stderr.decode()}")

    # Alternate which goes first, so that neither always follows the other.
    return [cli, inside] if k % 2 == 0 else [inside, cli]


def bulk(res: Any, records: int, per_call: int, rounds: int, runs: int, batch: float) -> None:
    """Run both measurements and print their table.

    ``per_call`` records are rendered per timed call in process, for ``rounds``
    interleaved rounds; the end-to-end comparison renders ``records`` records, ``runs``
    times each way.
    """
    template = postback.compile(SEED.read_text("utf-8"), format="json")
    with tempfile.TemporaryDirectory(prefix="postback-bulk-") as folder:
        path = Path(folder) / "actions.jsonl"
        lines = write_records(path, records)
        in_process(res, template, lines[:per_call], rounds, batch)
        cli, inside, starts = end_to_end(res, template, path, records, runs)
    per = res.details["bulk"]
    res.details["bulk"] |= {"cli": cli, "render_many_file": inside, "records": records}
    res.details["bulk"]["cli_start"] = starts
    start = statistics.median(starts)
    loop = statistics.median(cli) - start / records
    rows = [["per record", "time", "records/s"]]
    for name, seconds in (
        ("load JSON into an Action (Action.from_json)", per["load"]),
        ("render a pre-built Action", per["render"]),
        ("render_many over JSON Lines", per["render_many"]),
        (f"render_many over a {records:,}-line file", statistics.median(inside)),
        ("postback render --records, end to end", statistics.median(cli)),
        ("  of which the loop (less start, import and compile)", loop),
    ):
        rows.append([name, fmt_time(seconds), f"{1 / seconds:,.0f}"])
    res.metrics["bulk.records_per_s"] = 1 / statistics.median(cli)
    print(
        "\nBulk: the seed template, records of the sample with 3 items as JSON Lines; "
        f"{rounds} interleaved rounds of {per_call:,} records in process, {runs} runs "
        "end to end"
    )
    print(table(rows))
    print(
        f"  render_many / (load + render): {res.metrics['bulk.render_many']:.2f}×;  "
        f"render --records / render_many: {res.metrics['bulk.cli']:.2f}× end to end, "
        f"{loop / statistics.median(inside):.2f}× for the loop alone (the command on an "
        f"empty file takes {fmt_time(start)})"
    )
