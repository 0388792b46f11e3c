"""The contract every output format implements: a context scanner and its escapers.

A format is one module in this package exposing a ``FORMAT`` object with:

``initial()``
    the scanner state before the first character of the template;
``text(state, value, node)``
    the state after the literal ``value`` (from the ``Text`` node ``node``; use
    ``node.offset_of(k)`` to locate character ``k`` when raising ``FormatIssue``);
``hole(state, node)``
    ``(new_state, context)`` for a placeholder standing at ``state``; raises
    ``FormatIssue`` if no value can safely go there;
``loop(before, after)``
    ``None`` if a join body that moves the scanner from ``before`` to ``after`` can
    repeat, else a message saying why not;
``end(state, offset)``
    raises ``FormatIssue`` if the document cannot end in ``state``;
``bind(context, vtype, values)``
    a ``Binding``: the function that turns a present (non-None) value of type
    ``vtype`` (``str``, ``int``, ``Decimal``, ``datetime`` or ``object`` for extra
    fields of unknown type) into output text for ``context``, and what a missing value
    becomes there;
``content_type``
    the MIME type of a body in this format, or None.

States must be immutable and comparable (tuples of primitives): the compiler
compares them to prove that a join renders well-formed output for any number of
items.  Contexts must be hashable.  All decisions are made here, at compile time;
the render function only calls the bound functions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol

from .._nodes import Field, ItemField, Text

__all__ = ["Binding", "FormatIssue", "FormatModule", "HoleNode", "ValueFormatters"]

HoleNode = Field | ItemField


class FormatIssue(Exception):
    """A format defect at a source offset, raised by scanners (translated by the compiler)."""

    def __init__(self, code: str, message: str, offset: int, end: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.end = end if end is not None else offset + 1


@dataclass(frozen=True, slots=True)
class Binding:
    """How one placeholder renders.

    ``func`` maps a present value to output text.  ``missing`` is the text a missing
    value (None) becomes in this position under ``missing="empty"``.  ``nullable``,
    when given, is a faster single function that does both: it returns ``missing``
    for None and ``func(value)`` otherwise (the render path then makes one call per
    value instead of a test and a call).  ``quoted``, when given, is like
    ``nullable`` but also writes the ``"`` delimiters around its text: for a
    placeholder that is a whole JSON string (``"{Name}"``) the compiler drops the
    template's quotes and calls it, saving a copy of every value.
    """

    func: Callable[[Any], str]
    missing: str = ""
    nullable: Callable[[Any], str] | None = None
    quoted: Callable[[Any], str] | None = None


class ValueFormatters(Protocol):
    """Formats present values of each catalog type to text, as chosen by the options.

    ``date_format`` is ``"iso"`` or the ``strftime`` pattern dates are formatted with.
    """

    date_format: str

    def for_type(self, vtype: type) -> Callable[[Any], str]:
        """Return the formatter for values of ``vtype`` (``object``: decide per value)."""
        ...

    def iso_or(self, missing: str, quote: str = "") -> Callable[[Any], str] | None:
        """Return a one-call formatter of optional ISO dates (None unless ``iso``)."""
        ...


class FormatModule(Protocol):
    """What a format module's ``FORMAT`` object provides (see the module docstring)."""

    name: str
    content_type: str | None

    def initial(self) -> Hashable: ...

    def text(self, state: Any, value: str, node: Text) -> Hashable: ...

    def hole(self, state: Any, node: HoleNode) -> tuple[Hashable, Hashable]: ...

    def loop(self, before: Any, after: Any) -> str | None: ...

    def end(self, state: Any, offset: int) -> None: ...

    def bind(self, context: Any, vtype: type, values: ValueFormatters) -> Binding: ...
