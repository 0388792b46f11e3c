"""postback's performance targets, as data.

Each target names a metric that ``benchmarks/measure.py`` (or ``measure_bulk.py``)
produces, a limit, whether the metric must stay at most (``"max"``) or at least
(``"min"``) that limit, and whether a miss makes ``benchmarks/run.py`` exit 1
(``gates``).  The gating targets are set on the
seed template, ``examples/action-clearing.json``; the same bars on the other examples,
and the comparison with Jinja2, are reported but do not decide the exit status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KIB = 1024


@dataclass(frozen=True)
class Target:
    """One bar a metric must clear; ``unit`` is ``"x"`` (a ratio), ``"s"`` or ``"B"`` (bytes)."""

    name: str
    metric: str
    limit: float
    kind: Literal["max", "min"]
    gates: bool
    unit: Literal["x", "s", "B"]
    note: str

    def met(self, measured: float) -> bool:
        """Return whether ``measured`` clears the bar."""
        return measured <= self.limit if self.kind == "max" else measured >= self.limit

    @property
    def sign(self) -> str:
        """Return the comparison as a reader writes it, ``≤`` or ``≥``."""
        return "≤" if self.kind == "max" else "≥"


SEED = "the seed template, examples/action-clearing.json"
FRESH = "a fresh interpreter, bytecode cached"
OTHER = "the same bar on another example, for information"
JINJA = "out of reach with equivalent escaping (docs/performance.md)"
BULK = "JSON Lines of the sample action, the seed template; interleaved in one process"
PROCESSES = "a run of seconds in another process: the machine's load is not cancelled"
RECORD = "the seed template's record, decoded from JSON text"
TEXT = "the seed template, non-ASCII text in every string value"
E2E = "JSON text to body bytes; out of reach like the other Jinja2 bars (docs/performance.md)"
READING = "the seed template's body for the sample (3 items), read back"
COLD = "fresh processes, wall time, interleaved in the same run (measure_cold.py)"

# Those with gates=True decide the exit status; the others are reported only.
# fmt: off
TARGETS: tuple[Target, ...] = (
    Target("render json: postback / hand-written", "render.json", 1.1, "max", True, "x", SEED),
    Target("compile json", "compile.json", 0.005, "max", True, "s", SEED),
    Target("import postback", "import", 0.060, "max", True, "s", FRESH),
    Target("per-item time at 10,000 / at 1,000 items", "linearity", 1.5, "max", True, "x", SEED),
    Target("compiled template retained memory", "template_size", 50 * KIB, "max", True, "B", SEED),
    Target("peak memory rendering 10,000 items / output", "peak", 3.0, "max", True, "x", SEED),
    Target("render_many / (load JSON + render)", "bulk.render_many", 1.3, "max", True, "x", BULK),
    Target("render json: from a mapping / from an Action", "mapping.json", 1.6, "max", True, "x", RECORD),
    Target("Action.from_dict / hand-written conversion", "from_dict", 3.0, "max", True, "x", RECORD),
    Target("render json, non-ASCII: postback / hand-written", "nonascii.json", 1.1, "max", True, "x", TEXT),
    Target("record JSON to body, json: Jinja2 / postback", "e2e.json", 2.0, "min", False, "x", E2E),
    Target("render json: Jinja2 / postback", "jinja.json", 4.0, "min", False, "x", JINJA),
    Target("render xml: postback / hand-written", "render.xml", 1.3, "max", False, "x", OTHER),
    Target("render query: postback / hand-written", "render.query", 1.3, "max", False, "x", OTHER),
    Target("render url: postback / hand-written", "render.url", 1.3, "max", False, "x", OTHER),
    Target("render xml: Jinja2 / postback", "jinja.xml", 4.0, "min", False, "x", JINJA),
    Target("render query: Jinja2 / postback", "jinja.query", 4.0, "min", False, "x", JINJA),
    Target("render url: Jinja2 / postback", "jinja.url", 4.0, "min", False, "x", JINJA),
    Target("compile xml", "compile.xml", 0.005, "max", False, "s", OTHER),
    Target("compile query", "compile.query", 0.005, "max", False, "s", OTHER),
    Target("compile url", "compile.url", 0.005, "max", False, "s", OTHER),
    Target("render --records / render_many", "bulk.cli", 2.0, "max", False, "x", PROCESSES),
    Target("render xml: from a mapping / from an Action", "mapping.xml", 2.0, "max", False, "x", OTHER),
    Target("render query: from a mapping / from an Action", "mapping.query", 2.0, "max", False, "x", OTHER),
    Target("render url: from a mapping / from an Action", "mapping.url", 2.0, "max", False, "x", OTHER),
    Target("record JSON to body, xml: Jinja2 / postback", "e2e.xml", 2.0, "min", False, "x", E2E),
    Target("record JSON to body, query: Jinja2 / postback", "e2e.query", 2.0, "min", False, "x", E2E),
    Target("record JSON to body, url: Jinja2 / postback", "e2e.url", 2.0, "min", False, "x", E2E),
    Target("render xml, non-ASCII: postback / hand-written", "nonascii.xml", 1.3, "max", False, "x", OTHER),
    Target("render query, non-ASCII: postback / hand-written", "nonascii.query", 1.3, "max", False, "x", OTHER),
    Target("render url, non-ASCII: postback / hand-written", "nonascii.url", 1.3, "max", False, "x", OTHER),
    Target("Template.parse json / json.loads + hand conversion", "parse.json", 2.0, "max", True, "x", READING),
    Target("cold import postback / import jinja2", "cold.import", 0.8, "max", True, "x", COLD),
    Target("cold first render: postback / Jinja2", "cold.first_render", 1.0, "max", True, "x", COLD),
    Target("cold postback check / python -c pass", "cold.check", 5.0, "max", True, "x", COLD),
)
# fmt: on
