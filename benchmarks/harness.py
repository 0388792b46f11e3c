"""A small same-process benchmark harness, in pyperf's vocabulary.

A :class:`Benchmark` is one contender: a statement timed by :mod:`timeit`.  Calibration
picks its ``loops`` (calls per value) so that one value takes about ``batch`` seconds;
each *value* is the mean time per call over ``loops`` calls.  :func:`run_interleaved`
runs every contender once per round, round-robin, rotating the order each round, after
``warmups`` discarded rounds.  :func:`compare_to` is the median of the per-round ratios
of two contenders.

pyperf spawns a worker process per run, so two contenders never share a moment of the
machine's load; here they alternate within milliseconds, and a ratio taken within one
round cancels most of the drift of a busy shared machine.  That is what makes the
ratios stable enough to gate on.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class Benchmark:
    """One contender: ``stmt`` run with ``names`` as its globals."""

    name: str
    stmt: str
    names: dict[str, Any]
    gc: bool = False
    loops: int = 1
    values: list[float] = field(default_factory=list)

    def timer(self) -> timeit.Timer:
        """Return the timer; timeit turns the collector off unless ``gc`` asks for it."""
        setup = "import gc; gc.enable()" if self.gc else "pass"
        return timeit.Timer(self.stmt, setup, globals=self.names)

    def median(self) -> float:
        """Return the median of the values (seconds per call)."""
        return statistics.median(self.values)

    def spread(self) -> float:
        """Return half the interquartile range of the values, relative to their median."""
        if len(self.values) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.values, n=4)
        return (q3 - q1) / 2 / self.median()


def call(name: str, func: Callable[..., Any], arg: Any, keyword: str = "") -> Benchmark:
    """Return a benchmark of ``func(arg)`` (or ``func(keyword=arg)``), as user code calls it."""
    stmt = f"f({keyword}=x)" if keyword else "f(x)"
    return Benchmark(name, stmt, {"f": func, "x": arg})


def calibrate(bench: Benchmark, batch: float) -> None:
    """Set ``bench.loops`` so that one value takes about ``batch`` seconds."""
    timer = bench.timer()
    timer.timeit(1)
    loops = 1
    while True:
        # The fastest of three, so that a moment of load elsewhere does not shorten values.
        elapsed = min(timer.repeat(3, loops))
        if elapsed >= min(0.002, batch / 4) or loops >= 1 << 24:
            break
        loops *= 4
    bench.loops = max(1, round(batch / (elapsed / loops)))


def run_interleaved(
    benchmarks: Sequence[Benchmark], *, rounds: int, batch: float, warmups: int, label: str
) -> None:
    """Fill every benchmark's values: ``warmups`` + ``rounds`` rounds, order rotated."""
    for bench in benchmarks:
        calibrate(bench, batch)
    timers = [bench.timer() for bench in benchmarks]
    count = len(benchmarks)
    for r in range(warmups + rounds):
        for k in range(count):
            i = (r + k) % count
            value = timers[i].timeit(benchmarks[i].loops) / benchmarks[i].loops
            if r >= warmups:
                benchmarks[i].values.append(value)
        progress(f"{label}: round {r + 1}/{warmups + rounds}")
    progress("")


def compare_to(a: Benchmark, b: Benchmark) -> float:
    """Return how many times slower ``a`` is than ``b``: the median per-round ratio."""
    return statistics.median(x / y for x, y in zip(a.values, b.values, strict=True))


def progress(text: str) -> None:
    """Show a progress line on stderr, overwritten by the next one."""
    print(f"\r{text:<40}\r" if text else "\r" + " " * 40 + "\r", end="", file=sys.stderr)
    sys.stderr.flush()


def fmt_time(seconds: float) -> str:
    """Return a duration with a unit that keeps three or four significant digits."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e9:.0f} ns"


def fmt_bytes(n: float) -> str:
    """Return a size in B, KiB or MiB."""
    if abs(n) >= 1024 * 1024:
        return f"{n / 1024 / 1024:.2f} MiB"
    if abs(n) >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n:.0f} B"


def show(value: float, unit: str) -> str:
    """Return ``value`` in its unit: ``"s"`` (seconds), ``"B"`` (bytes) or ``"x"`` (a ratio)."""
    if unit == "s":
        return fmt_time(value)
    if unit == "B":
        return fmt_bytes(value)
    return f"{value:.2f}×"


def table(rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Return a plain-text table: a header row, a rule, the first column left-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [c.rjust(w) for c, w in zip(row, widths, strict=True)]
        cells[0] = row[0].ljust(widths[0])
        lines.append(indent + "  ".join(cells).rstrip())
        if k == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """Return what the figures depend on: date, CPU, cores, load and Python."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [
                v for k, _, v in (line.partition(":") for line in fh) if k.strip() == "model name"
            ]
        cpu = names[0].strip() if names else cpu
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{platform.machine()}, {cpu}",
        "cores": os.cpu_count(),
        "load_average": load,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }
