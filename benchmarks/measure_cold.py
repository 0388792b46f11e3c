#!/usr/bin/env python3
"""Cold start: whole fresh processes, timed from outside, interleaved in the same run.

``python benchmarks/measure_cold.py [--rounds N]`` prints the table alone; ``run.py``
calls ``cold`` with the other measurements.  Every contender is one fresh interpreter
(``subprocess.run``), timed with ``time.perf_counter`` around it: start, imports, work
and exit.  Each round runs every contender once, in an order rotated by one each round,
so that a change in the machine's load touches all of them alike; a figure is a median
over rounds, a ratio the median of the per-round ratios.  A first round, discarded, fills
a private ``PYTHONPYCACHEPREFIX``, as an installed package has its bytecode cached.

Metrics (the names ``benchmarks/targets.py`` refers to):

* ``cold.first_render``: ``import postback``, the first ``compile`` of the seed template
  and its first render, over ``import jinja2``, the first ``Environment().from_string``
  of the same template in Jinja2 (the same fields, a for-loop over the items, a
  JSON-escaping filter) and its first render, of the same record to the same bytes;
* ``cold.check``: ``postback check examples/action-clearing.json`` (the console script
  installed beside the interpreter; ``python -m postback`` where there is none) over
  ``python -c pass``;
* ``cold.import``: ``import postback`` over ``import jinja2``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "action-clearing.json"

# The first render in a fresh process, postback's way: the body on standard output.
POSTBACK_FIRST = """\
import sys
import postback
source = open(sys.argv[1], encoding="utf-8").read()
template = postback.compile(source)
sys.stdout.write(template.render(postback.sample_action()))
"""

# The same, Jinja2's way: the template and the record (JSON text) from the command line,
# amounts as their text, dates written in UTC, strings escaped with json.dumps.
JINJA_FIRST = """\
import json
import sys
from datetime import UTC, datetime
import jinja2

def jstr(v):
    return "" if v is None else json.dumps(v, ensure_ascii=False)[1:-1]

def plain(v):
    return "" if v is None else str(v)

def iso(v):
    return "" if v is None else datetime.fromisoformat(v).astimezone(UTC).isoformat()

env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
env.filters.update(jstr=jstr, num=plain, dec=plain, jnum=plain, iso=iso)
template = env.from_string(sys.argv[1])
sys.stdout.write(template.render(a=json.loads(sys.argv[2])))
"""


def jinja_args() -> list[str]:
    """The Jinja2 template of the seed (by placeholder name) and the sample record as
    JSON text, as ``JINJA_FIRST`` takes them."""
    import baselines

    import postback

    record = json.dumps(postback.sample_action().to_dict(), ensure_ascii=False)
    return [baselines.JINJA_RECORD_SOURCES["json"], record]


def console_script() -> list[str]:
    """The ``postback`` command as a user runs it: the console script installed beside
    the interpreter, else ``python -m postback``."""
    script = Path(sys.executable).parent / ("postback.exe" if os.name == "nt" else "postback")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "postback"]


def contenders() -> dict[str, list[str]]:
    """Each contender's command line."""
    python = sys.executable
    return {
        "python -c pass": [python, "-c", "pass"],
        "import postback": [python, "-c", "import postback"],
        "import jinja2": [python, "-c", "import jinja2"],
        "postback: import, first compile, first render": [python, "-c", POSTBACK_FIRST, str(SEED)],
        "Jinja2: import, first from_string, first render": [
            python,
            "-c",
            JINJA_FIRST,
            *jinja_args(),
        ],
        "postback check examples/action-clearing.json": [*console_script(), "check", str(SEED)],
    }


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run the command line ``args``; return its wall time and standard output."""
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"a fresh process failed: {args[:3]}\n{done.stderr.decode()}")
    return wall, done.stdout.decode("utf-8")


def interleaved(runs: dict[str, list[str]], rounds: int) -> dict[str, list[float]]:
    """Wall times of every contender, one run each per round, the order rotated."""
    names = list(runs)
    samples: dict[str, list[float]] = {name: [] for name in names}
    outputs: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="postback-cold-") as pycache:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=pycache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for k in range(rounds + 1):
            print(f"\r  cold start: round {k + 1}/{rounds + 1} ", end="", file=sys.stderr)
            shift = k % len(names)
            for name in names[shift:] + names[:shift]:
                wall, outputs[name] = run(runs[name], env)
                if k:  # the first round fills the bytecode cache
                    samples[name].append(wall)
    print("\r" + " " * 40 + "\r", end="", file=sys.stderr)
    postback_body = outputs["postback: import, first compile, first render"]
    if postback_body != outputs["Jinja2: import, first from_string, first render"]:
        from measure import BaselineMismatch  # run.py exits 2 on it, as for the others

        raise BaselineMismatch("the Jinja2 template does not render postback's bytes")
    return samples


def ratio(samples: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median of the per-round ratios ``top / bottom``."""
    return statistics.median(t / b for t, b in zip(samples[top], samples[bottom], strict=True))


RATIOS = {
    "cold.first_render": (
        "postback: import, first compile, first render",
        "Jinja2: import, first from_string, first render",
    ),
    "cold.check": ("postback check examples/action-clearing.json", "python -c pass"),
    "cold.import": ("import postback", "import jinja2"),
}


def cold(res: Any, rounds: int) -> None:
    """Measure the cold start; fill ``res.metrics`` and ``res.details`` and print the table."""
    samples = interleaved(contenders(), rounds)
    for metric, (top, bottom) in RATIOS.items():
        res.metrics[metric] = ratio(samples, top, bottom)
    res.details["cold"] = samples
    print(f"\nCold start, wall time of a fresh process; {rounds} interleaved rounds")
    rows = [("process", "median", "min")]
    for name, values in samples.items():
        rows.append(
            (name, f"{statistics.median(values) * 1e3:.1f} ms", f"{min(values) * 1e3:.1f} ms")
        )
    width = max(len(row[0]) for row in rows)
    for row in rows:
        print(f"  {row[0]:<{width}}  {row[1]:>9}  {row[2]:>9}")
    for metric, (top, bottom) in RATIOS.items():
        print(f"  {metric}: {top} / {bottom} = {res.metrics[metric]:.2f}x")


class _Results:
    def __init__(self) -> None:
        self.metrics: dict[str, float] = {}
        self.details: dict[str, Any] = {}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cold-start table; exit 1 when a cold-start target is missed."""
    from targets import TARGETS

    p = argparse.ArgumentParser(description="Cold start of postback and Jinja2.")
    p.add_argument("--rounds", type=int, default=21, help="interleaved rounds (default 21)")
    args = p.parse_args(argv)
    res = _Results()
    cold(res, args.rounds)
    missed = []
    for t in TARGETS:
        if t.metric in res.metrics and not t.met(res.metrics[t.metric]):
            missed.append(t.name)
            print(f"  missed: {t.name} {t.sign} {t.limit}x" + (" (gates)" if t.gates else ""))
    return 1 if any(t.gates for t in TARGETS if t.name in missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
