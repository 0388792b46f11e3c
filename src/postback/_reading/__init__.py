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
from typing import Any

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

__all__ = ["ExtraPolicy", "Plan", "make_plan"]

BodyReader = Callable[[str, Collector], None]
SlotOf = Callable[[Field | ItemField], Slot]
ReaderBuilder = Callable[[Sequence[Node], SlotOf], BodyReader]
FastReader = Callable[[str], Action | None]
FastBuilder = Callable[[Sequence[Node], SlotOf, Conversion], FastReader | None]


class Plan:
    """How to read one template's bodies: its readers, value conversion and positions.

    ``fast``, when the format has one for the template's shape, is tried first: it reads
    a body the template wrote, or returns None and ``read`` reads the body (and words
    the error, with the places that ``fast`` does not keep).
    """

    __slots__ = ("_conversion", "_fast", "_lines", "_read")

    def __init__(
        self,
        read: BodyReader,
        conversion: Conversion,
        source: str,
        fast: FastReader | None = None,
    ) -> None:
        self._read = read
        self._fast = fast
        self._conversion = conversion
        self._lines = LineIndex(source)

    def read(self, data: object, extra: object) -> Action:
        """Read ``data`` (str, or UTF-8 bytes): ``Template.parse``."""
        return self.parse(_decode(data), _policy(extra))

    def parse(self, text: str, extra: ExtraPolicy) -> Action:
        """Return the action ``text`` holds (see ``Template.parse``)."""
        fast = self._fast
        if fast is not None:
            action = fast(text)
            if action is not None:
                return action
        collector = Collector(self._conversion, Where(text, self._lines), extra)
        self._read(text, collector)
        return collector.action()


def make_plan(source: str, fmt: Format, opts: CompileOptions) -> Plan:
    """Make the reading plan of the template ``source`` compiled for ``fmt`` with ``opts``."""
    spec = format_spec(fmt)
    if spec.reader is None:
        raise ConfigError(f"a {fmt.value} template cannot read a body back", setting="format")
    build: ReaderBuilder = _builder(spec.reader)
    front = front_end(source, fmt, opts)
    missing = opts.missing == "empty"

    def slot_of(node: Field | ItemField) -> Slot:
        return _slot(node, front.contexts[node], missing)

    conversion = Conversion(opts.tz, opts.date_format, opts.missing)
    read_body = build(front.nodes, slot_of)
    fast = None
    if spec.fast_reader is not None:
        build_fast: FastBuilder = _builder(spec.fast_reader)
        fast = build_fast(front.nodes, slot_of, conversion)
    return Plan(read_body, conversion, front.source, fast)


def _builder(name: str) -> Any:
    """Return the function a registry entry names (``"module:function"``)."""
    module, function = name.split(":")
    return getattr(import_module(module), function)


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
