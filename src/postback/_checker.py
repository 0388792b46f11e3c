"""Resolves the names of parsed nodes: fields, item attributes, loop variables, collections.

The checker is the one pass that knows the field catalog.  It reports unknown and
misplaced names as ``Problem`` values with a suggestion where one is likely, and
replaces each ``Malformed`` node with the placeholder it most likely meant, so the
format scanner still sees a value at that position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._catalog import COLLECTION, FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from ._messages import show, suggest
from ._nodes import Field, ItemField, Join, Malformed, Node, Span
from ._problems import Code, Problem

__all__ = ["check_names"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ITEM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s+")


class _Checker:
    def __init__(self, extra_fields: frozenset[str]) -> None:
        self.fields = frozenset(FIELDS_BY_NAME) | extra_fields
        self.problems: list[Problem] = []

    def add(self, span: Span, code: Code, message: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(span, code, message, suggestion))

    def nodes(self, nodes: Sequence[Node], loop_var: str | None) -> tuple[Node, ...]:
        out: list[Node] = []
        for node in nodes:
            if isinstance(node, Field):
                self.field(node, loop_var)
            elif isinstance(node, ItemField):
                self.item(node, loop_var)
            elif isinstance(node, Malformed):
                node = self.malformed(node, loop_var)
            elif isinstance(node, Join):
                node = self.join(node)
            out.append(node)
        return tuple(out)

    def field(self, node: Field, loop_var: str | None) -> None:
        name, span = node.name, node.span
        if name == COLLECTION:
            self.add(
                span,
                Code.COLLECTION_AS_PLACEHOLDER,
                "{items} is a collection and cannot be a placeholder; loop over it with "
                '{join(items, i, "...{i.sku}...")}',
            )
        elif name in self.fields:
            return
        elif loop_var is not None and name == loop_var:
            self.add(
                span,
                Code.ITEM_WITHOUT_ATTRIBUTE,
                f"{{{name}}} is the loop variable; name one of its attributes, "
                f"for example {{{name}.sku}}",
            )
        else:
            hint = suggest(name, self.fields)
            message = f"unknown field {{{name}}}"
            message += f"; did you mean {{{hint}}}?" if hint else "; `postback fields` lists them"
            self.add(span, Code.UNKNOWN_FIELD, message, f"{{{hint}}}" if hint else None)

    def item(self, node: ItemField, loop_var: str | None) -> None:
        var, attr, span = node
        if loop_var is None:
            self.add(
                span,
                Code.ITEM_OUTSIDE_JOIN,
                f"{{{var}.{attr}}} is an item placeholder and can only stand inside a join "
                f'template: {{join(items, {var}, "...{{{var}.{attr}}}...")}}',
            )
        elif var != loop_var:
            self.add(
                span,
                Code.WRONG_LOOP_VARIABLE,
                f"{{{var}.{attr}}} uses {var!r} but the loop variable of this join is "
                f"{loop_var!r}; did you mean {{{loop_var}.{attr}}}?",
                f"{{{loop_var}.{attr}}}",
            )
        elif attr not in ITEM_FIELDS_BY_NAME:
            hint = suggest(attr, ITEM_FIELDS_BY_NAME)
            message = f"unknown item attribute {{{var}.{attr}}}"
            if hint:
                message += f"; did you mean {{{var}.{hint}}}?"
            else:
                message += "; item attributes are " + ", ".join(ITEM_FIELDS_BY_NAME)
            self.add(span, Code.UNKNOWN_ITEM_FIELD, message, f"{{{var}.{hint}}}" if hint else None)

    def malformed(self, node: Malformed, loop_var: str | None) -> Field | ItemField:
        text, span = node
        squeezed = _SPACE.sub("", text[1:-1])
        hint: str | None = None
        if _NAME.fullmatch(squeezed):
            if squeezed in self.fields:
                hint = squeezed
        elif _ITEM_NAME.fullmatch(squeezed):
            var, attr = squeezed.split(".")
            if loop_var is not None and var == loop_var and attr in ITEM_FIELDS_BY_NAME:
                hint = squeezed
        message = f"malformed placeholder {show(text)}"
        if any(c.isspace() for c in text):
            message += ": a placeholder cannot contain whitespace or line breaks"
        else:
            message += ": write {Field} or, inside a join, {var.attr}"
        if hint:
            message += f"; did you mean {{{hint}}}?"
        else:
            message += "; to keep it as text, write \\{ and \\}"
        self.add(span, Code.MALFORMED_PLACEHOLDER, message, f"{{{hint}}}" if hint else None)
        if hint and "." in hint:
            var, attr = hint.split(".")
            return ItemField(var, attr, span)
        return Field(hint or "", span)

    def join(self, node: Join) -> Join:
        coll, var = node.collection, node.var
        if coll != COLLECTION:
            hint = suggest(coll, [COLLECTION])
            if coll in self.fields:
                message = f"join loops over a collection; {coll} is a plain field. Use items"
                hint = COLLECTION
            else:
                message = f"unknown collection {coll!r}; the collection is items"
            self.add(node.collection_span, Code.UNKNOWN_COLLECTION, message, hint)
        if var in self.fields or var == COLLECTION:
            self.add(
                node.var_span,
                Code.LOOP_VARIABLE_SHADOWS_FIELD,
                f"loop variable {var!r} shadows the field {{{var}}}; pick another name such as i",
            )
        return node._replace(body=self.nodes(node.body, var))


def check_names(
    nodes: Sequence[Node], extra_fields: frozenset[str] = frozenset()
) -> tuple[tuple[Node, ...], list[Problem]]:
    """Return the nodes with malformed placeholders replaced, and every name problem."""
    checker = _Checker(extra_fields)
    checked = checker.nodes(nodes, None)
    return checked, checker.problems
