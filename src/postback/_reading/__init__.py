"""Reading a received body back into an ``Action``: ``Template.parse``.

postback's escaping is injective and each body's structure is proven when the
template compiles, so the template that renders a body can read one back.  A *reading
plan* is made once per template, on its first ``parse``, from the same checked nodes
and contexts the render function was made from, and kept on the template; ``parse``
then only matches and converts.

A format's entry in the registry (``FormatSpec.reader``, ``"module:function"``) names
the builder of its reader: a function of the template's nodes and of the ``Slot`` of
each placeholder, returning the function that reads one body into a ``Collector``.
The formats' modules are in this package: ``json``, ``query``, ``xml``, ``url``,
``text`` (text and header).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from .._compiler.nodes import Field, Hole, ItemField, Node
from .._compiler.pipeline import front_end
from .._contexts import Context
from .._errors import ConfigError, ParseError
from .._formats import Format, format_spec
from .._messages import describe_value, not_utf8
from .._options import CompileOptions
from .._problems import LineIndex
from .._records.action import Action
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .convert import Conversion
from .errors import Where
from .pattern import Slot
from .record import Collector, ExtraPolicy

__all__ = ["ExtraPolicy", "Plan", "make_plan", "read"]

BodyReader = Callable[[str, Collector], None]
ReaderBuilder = Callable[[Sequence[Node], Callable[[Field | ItemField], Slot]], BodyReader]


class Plan:
    """How to read one template's bodies: its reader, value conversion and positions."""

    __slots__ = ("_conversion", "_lines", "_read")

    def __init__(self, read: BodyReader, conversion: Conversion, source: str) -> None:
        self._read = read
        self._conversion = conversion
        self._lines = LineIndex(source)

    def parse(self, text: str, extra: ExtraPolicy) -> Action:
        """Return the action ``text`` holds (see ``Template.parse``)."""
        collector = Collector(self._conversion, Where(text, self._lines), extra)
        self._read(text, collector)
        return collector.action()


def read(plan: Plan, data: object, extra: object) -> Action:
    """Read ``data`` (str, or UTF-8 bytes) with a template's ``plan``: ``Template.parse``."""
    policy = _policy(extra)
    return plan.parse(_decode(data), policy)


def make_plan(source: str, fmt: Format, opts: CompileOptions) -> Plan:
    """Make the reading plan of the template ``source`` compiled for ``fmt`` with ``opts``."""
    reader = format_spec(fmt).reader
    if reader is None:
        raise ConfigError(f"a {fmt.value} template cannot read a body back", setting="format")
    module, name = reader.split(":")
    build: ReaderBuilder = getattr(import_module(module), name)
    front = front_end(source, fmt, opts)
    missing = opts.missing == "empty"

    def slot_of(node: Field | ItemField) -> Slot:
        return _slot(node, front.contexts[node], missing)

    read_body = build(front.nodes, slot_of)
    return Plan(read_body, Conversion(opts.tz, opts.date_format, opts.missing), front.source)


def _slot(node: Hole, context: Context, missing: bool) -> Slot:
    if isinstance(node, ItemField):
        spec = ITEM_FIELDS_BY_NAME[node.attr]
        label = f"{{{node.var}.{node.attr}}}"
        kind: type = spec.type
        absent = context.missing if missing else None
        return Slot(label, node.attr, True, kind, absent, node.span.start, bool(context.bare))
    field = FIELDS_BY_NAME.get(node.name)
    kind = field.type if field is not None else object
    return Slot(
        f"{{{node.name}}}",
        node.name,
        False,
        kind,
        context.missing if missing else None,
        node.span.start,
        bool(context.bare),
    )


def _policy(extra: object) -> ExtraPolicy:
    if extra == "error" or extra == "keep":
        return extra
    raise ConfigError(
        f"extra must be 'error' or 'keep', not {describe_value(extra)}", setting="extra"
    )


def _decode(data: object) -> str:
    """Return the text of a body: a str as it is, bytes decoded as UTF-8 strictly."""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode("utf-8")
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            why = not_utf8(raw, exc.start, "the body")
            raise ParseError(
                f"the body is not UTF-8 at {line}:{column}: {why}",
                line=line,
                column=column,
                expected="UTF-8 text",
                found=f"the byte 0x{raw[exc.start]:02x}",
            ) from None
    raise ParseError(f"Template.parse reads str or bytes, not {describe_value(data)}")
