"""The contract of an output format: a state machine over the template's text, and its contexts.

A format is one module in this package exposing ``FORMAT``, an ``OutputFormat``;
its name, content type and other facts are its entry in the registry (``_formats``).
It follows the template's literal text with a small, immutable, comparable state
(a ``NamedTuple`` whose fields say what they hold) and tells, for every placeholder,
the ``Context`` it lands in.  The compiler drives it:

``initial()``
    the state before the first character of the template;
``text(state, node, start)``
    the state after the literal text of the ``Text`` node ``node`` from its
    character ``start`` on, or a ``Defect`` if that text breaks the format;
``hole(state, node)``
    ``(state after, Context)`` for a placeholder at ``state``, or a ``Defect`` if
    no value can safely stand there;
``loop(before, after)``
    None if a join body that moves the state from ``before`` to ``after`` can be
    repeated, else a message saying why not;
``end(state, offset)``
    a ``Problem`` if the output cannot end in ``state``, else None;
``fuse(context, before, after)``
    optionally, a ``Fusion`` that lets a placeholder write some of the literal
    text around it itself (the quotes of a JSON string), else None.

Every decision is made here, at compile time; the render function only calls the
escapers the contexts name.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, NamedTuple, Protocol, TypeVar

from .._compiler.nodes import Hole, Text
from .._problems import Problem

__all__ = ["Context", "Defect", "Fusion", "OutputFormat"]

S = TypeVar("S", bound=Hashable)


class Context:
    """A position in the output where a value can go, and how a value is written there.

    ``escape`` turns a value's text into output text for this position (None: the
    text goes out as it is); like every escaper it writes None as it writes ""; ``missing`` is what a missing value becomes under
    ``missing="empty"``.  The compiler skips ``escape`` for values whose text can
    only hold characters of ``inert``: for any such text ``s``, ``escape(s)`` is
    ``wrap + s + wrap`` (a test checks this for every context).  Values of the
    ``bare`` types are written as their text, with neither escaping nor ``wrap``
    (numbers and booleans at a JSON value position).

    A read-only value, equal and hashed by its fields (a plain class rather than a
    frozen dataclass, whose module would load with every check).
    """

    __slots__ = ("bare", "escape", "inert", "missing", "name", "wrap")

    name: str
    escape: Callable[[str | None], str] | None
    missing: str
    inert: frozenset[str]
    wrap: str
    bare: tuple[type, ...]

    def __init__(
        self,
        name: str,
        escape: Callable[[str | None], str] | None,
        missing: str = "",
        inert: frozenset[str] = frozenset(),
        wrap: str = "",
        bare: tuple[type, ...] = (),
    ) -> None:
        values = (name, escape, missing, inert, wrap, bare)
        for field, value in zip(_CONTEXT_FIELDS, values, strict=True):
            object.__setattr__(self, field, value)

    def _fields(self) -> tuple[object, ...]:
        return (self.name, self.escape, self.missing, self.inert, self.wrap, self.bare)

    def _replace(self, **changes: object) -> Context:
        """Return this context with ``changes``, as a named tuple's ``_replace`` does."""
        values = dict(zip(_CONTEXT_FIELDS, self._fields(), strict=True))
        return Context(**{**values, **changes})  # type: ignore[arg-type]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Context is read-only: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Context:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = zip(_CONTEXT_FIELDS, self._fields(), strict=True)
        return f"Context({', '.join(f'{n}={v!r}' for n, v in shown)})"


#: The fields of a ``Context``, in the order its constructor takes them.
_CONTEXT_FIELDS = ("name", "escape", "missing", "inert", "wrap", "bare")


class Defect(NamedTuple, Generic[S]):
    """A problem found by a scanner, and whether and where scanning can go on.

    ``resume`` is the state to continue in, from character ``at`` of the same text
    (for ``hole``, the state after the placeholder), or None when the rest cannot be
    checked meaningfully.
    """

    problem: Problem
    resume: S | None = None
    at: int = 0


class Fusion(NamedTuple):
    """A placeholder that writes ``before`` characters of the text before it and ``after``
    characters of the text after it itself, in ``context``."""

    context: Context
    before: int
    after: int


class OutputFormat(Protocol[S]):
    """What a format module's ``FORMAT`` provides (see the module docstring): every
    member the analysis and the code generator read."""

    def initial(self) -> S: ...

    def text(self, state: S, node: Text, start: int = 0) -> S | Defect[S]: ...

    def hole(self, state: S, node: Hole) -> tuple[S, Context] | Defect[S]: ...

    def loop(self, before: S, after: S) -> str | None: ...

    def end(self, state: S, offset: int) -> Problem | None: ...

    def fuse(self, context: Context, before: str, after: str) -> Fusion | None: ...
