"""Runs a format's state machine over checked nodes: where each placeholder lands, and
every format problem.

A join is scanned for one item and again for a second item after its separator; the
second pass must end where the first did, which proves the output well-formed for any
number of items, and the text after the join is scanned from both the "no items" and
the "items" states.  Defects are collected, not raised; where the format can resume
after one, later defects are found too (at most ``MAX_FORMAT_PROBLEMS``).  The code
generator (``codegen.py``) then binds each placeholder's escaper.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from .._contexts import Context, Defect, OutputFormat
from .._problems import Code, LineIndex, Problem
from .nodes import Hole, Join, Node, Span, Text

__all__ = ["MAX_FORMAT_PROBLEMS", "analyze"]

_States = dict[Hashable, str | None]  # state -> label of the loop case that reached it


# The most format problems one analysis reports: past it, the template is certainly to
# be rewritten, and a hostile one with a defect every few characters would otherwise
# cost time and memory for diagnostics nobody reads.
MAX_FORMAT_PROBLEMS = 100


class _Enough(Exception):
    """Raised inside an analysis that has found ``MAX_FORMAT_PROBLEMS`` problems."""


class _Analysis:
    """One run of a format's state machine over a template (see ``analyze``)."""

    def __init__(self, fmt: OutputFormat[Any], lines: LineIndex) -> None:
        self.fmt = fmt
        self.lines = lines
        self.contexts: dict[Hole, Context] = {}
        self.problems: dict[tuple[Span, Code], Problem] = {}
        self.reported = 0  # every report, repeats included
        self.defects = 0  # every Defect the format returned

    def report(self, problem: Problem, label: str | None) -> None:
        """Keep ``problem`` (once per position and code), naming the loop case if any."""
        self.reported += 1
        key = (problem.span, problem.code)
        if key not in self.problems:
            if label:
                problem = problem._replace(message=f"{problem.message} ({label})")
            self.problems[key] = problem
            if len(self.problems) >= MAX_FORMAT_PROBLEMS:
                raise _Enough

    def where(self, join: Join) -> str:
        line, col = self.lines.position(join.span.start)
        return f"the join at {line}:{col}"

    def walk(self, body: Sequence[Node], states: _States) -> _States:
        """Return the states after ``body`` for each state before it."""
        for node in body:
            if isinstance(node, Text):
                states = self.text(node, states)
            elif isinstance(node, Join):
                states = self.join(node, states)
            else:
                states = self.hole(node, states)  # type: ignore[arg-type]
            if not states:
                break
        return states

    def text(self, node: Text, states: _States) -> _States:
        new: _States = {}
        scan = self.fmt.text
        for state, label in states.items():
            start = 0
            while True:
                result = scan(state, node, start)
                if not isinstance(result, Defect):
                    new.setdefault(result, label)
                    break
                self.defects += 1
                self.report(result.problem, label)
                if result.resume is None:
                    break
                state, start = result.resume, result.at
        return new

    def hole(self, node: Hole, states: _States) -> _States:
        new: _States = {}
        for state, label in states.items():
            result = self.fmt.hole(state, node)
            if isinstance(result, Defect):
                self.defects += 1
                self.report(result.problem, label)
                if result.resume is not None:
                    new.setdefault(result.resume, label)
                continue
            after, context = result
            known = self.contexts.setdefault(node, context)
            if known is not context and known != context:
                self.report(
                    Problem(
                        node.span,
                        Code.AMBIGUOUS_POSITION,
                        "this placeholder lands in a different position depending on "
                        "the number of items, so no single escaping fits it",
                    ),
                    label,
                )
            new.setdefault(after, label)
        return new

    def join(self, node: Join, states: _States) -> _States:
        new: _States = dict(states)
        where = self.where(node)
        for state, label in states.items():
            defects = self.defects
            after_one = self.walk(node.body, {state: label or f"with 1 item in {where}"})
            if self.defects > defects:
                # The template is already reported for one item: checking its
                # repetition, or what follows from it, would only echo that.
                new[state] = label or f"with 0 items in {where}"
                continue
            if not self.repeats(node, state, after_one, label or f"with 2 items in {where}"):
                # What follows a body that cannot repeat has no meaningful state:
                # checking it would only echo this defect.
                return {}
            new[state] = label or f"with 0 items in {where}"
            for after in after_one:
                new.setdefault(after, label or f"with 1 item in {where}")
        return new

    def repeats(self, node: Join, before: Hashable, after_one: _States, label: str) -> bool:
        """Check that the join body can follow itself after the separator."""
        for after in after_one:
            why = self.fmt.loop(before, after)
            if why is not None:
                self.report(self.join_problem(node, f"cannot repeat: {why}"), None)
                return False
        sep = Text(node.sep, node.sep_span, exact=False)
        reported = self.reported
        after_sep = self.text(sep, dict.fromkeys(after_one, label))
        if self.reported > reported:
            return False
        after_two = self.walk(node.body, after_sep)
        if self.reported > reported:
            return False  # the second item is already reported
        if set(after_two) != set(after_one):
            self.report(
                self.join_problem(
                    node,
                    f"cannot repeat: a second item with the separator {node.sep!r} "
                    "does not end where the first did",
                ),
                None,
            )
            return False
        return True

    def join_problem(self, node: Join, what: str) -> Problem:
        return Problem(node.span, Code.JOIN_STRUCTURE, f"{self.where(node)} {what}")

    def end(self, states: _States, offset: int) -> None:
        for state, label in states.items():
            problem = self.fmt.end(state, offset)
            if problem is not None:
                self.report(problem, label)


def analyze(
    nodes: Sequence[Node], fmt: OutputFormat[Any], source_len: int, lines: LineIndex
) -> tuple[dict[Hole, Context], list[Problem]]:
    """Return the context of every placeholder and the format's problems."""
    run = _Analysis(fmt, lines)
    try:
        final = run.walk(nodes, {fmt.initial(): None})
        run.end(final, source_len)
    except _Enough:
        pass
    return run.contexts, list(run.problems.values())
