"""The compiler's stages in order: the front end, then the render function it is made into.

``compile``, ``check`` and a failed render's search for its placeholder all read a
source through ``front_end`` (parse, check names, analyze), so they cannot differ on
what a template means; ``render_function`` generates the code of one without errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from .._contexts import Context
from .._formats import Format, format_spec, template_text
from .._options import CompileOptions
from .._problems import Code, LineIndex, Problem
from .nodes import Field, Hole, ItemField, Join, Node, Span
from .values import Values

if TYPE_CHECKING:
    from .codegen import RenderFunction

__all__ = [
    "Compiled",
    "body_renderer",
    "front_end",
    "render_function",
    "used_names",
    "without_surrogates",
]

R = TypeVar("R")

# What UTF-8 cannot carry, and only the text format writes: a lone surrogate.  The
# pattern is compiled on first use (re keeps it), not when postback is imported.
_SURROGATE = "[\ud800-\udfff]"


def without_surrogates(text: str) -> str:
    """Return ``text`` with each lone surrogate as U+FFFD, as every format but text writes it."""
    return text if text.isascii() else re.sub(_SURROGATE, "\ufffd", text)


def body_renderer(render: Callable[[R], str], fmt: Format) -> Callable[[R], str]:
    """Return what makes a record's body in bulk: ``render``, with a lone surrogate (only
    the text format writes one) as U+FFFD, as ``Template.render_bytes`` writes it."""
    if fmt is not Format.TEXT:
        return render

    def text_body(record: R) -> str:
        return without_surrogates(render(record))

    return text_body


class Compiled(NamedTuple):
    """What the front end makes of a source: its text, problems, checked nodes, contexts."""

    source: str
    problems: list[Problem]
    nodes: tuple[Node, ...]
    contexts: dict[Hole, Context]
    lines: LineIndex


def front_end(source: str, fmt: Format, opts: CompileOptions) -> Compiled:
    """Parse, check names and run the format's state machine over ``source``.

    ``source`` is read as ``template_text`` says, in this one place.
    """
    source = template_text(source, fmt)
    lines = LineIndex(source)
    if len(source) > opts.max_template_size:
        too_large = Problem(
            Span(0, 0),
            Code.TEMPLATE_TOO_LARGE,
            f"the template has {len(source)} characters, more than max_template_size="
            f"{opts.max_template_size}; raise the limit if this is intended",
        )
        return Compiled(source, [too_large], (), {}, lines)
    # The parser, the checker (and the macro patterns it compiles) load on the first compile.
    from .checker import check_names
    from .parser import parse

    spec = format_spec(fmt)
    parsed = parse(source)
    nodes, name_problems = check_names(parsed.nodes, opts.extra_fields, spec.bracket_macros)
    problems = [*parsed.problems, *name_problems]
    contexts: dict[Hole, Context] = {}
    if not any(p.blocking for p in problems):
        # Like the checker, the analysis loads on the first compile.
        from .analysis import analyze

        contexts, format_problems = analyze(nodes, spec.machine(), len(source), lines)
        problems += format_problems
    problems.sort(key=lambda p: p.span)
    return Compiled(source, problems, nodes, contexts, lines)


def render_function(
    front: Compiled, fmt: Format, opts: CompileOptions, *, decimal_text: bool = False
) -> tuple[RenderFunction, str]:
    """Return the render function of a front end's result without errors, and its source
    (with ``decimal_text``, the one for records the mapping reader fills)."""
    # The code generator loads on the first compile too.
    from .codegen import generate

    spec = format_spec(fmt)
    return generate(
        front.nodes,
        spec.machine(),
        front.contexts,
        Values(opts.tz, opts.date_format),
        missing=opts.missing,
        trim=spec.trim,
        decimal_text=decimal_text,
    )


def used_names(nodes: Iterable[Node]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Return the fields a template uses (``items`` for a join) and its item attributes."""
    fields: set[str] = set()
    attrs: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, Field):
            if node.name:
                fields.add(node.name)
        elif isinstance(node, ItemField):
            attrs.add(node.attr)
        elif isinstance(node, Join):
            fields.add(node.collection)
            stack.extend(node.body)
    return frozenset(fields), tuple(sorted(attrs))
