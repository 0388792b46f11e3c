"""Resolves the names of parsed nodes: fields, item attributes, loop variables, collections.

The checker is the one pass that knows the field catalog.  It reports unknown and
misplaced names as ``Problem`` values with a suggestion where one is likely, and
replaces each ``Malformed`` node with the placeholder it most likely meant, so the
format scanner still sees a value at that position.  It also warns about other
systems' macros left in the template (``#s2#``, ``{{name}}``; see ``macros``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from .._messages import show, suggest
from .._problems import Code, Problem
from .._records.catalog import COLLECTION, FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .macros import (
    MUSTACHE,
    TEMPLATE_LITERAL,
    advice,
    describe,
    find_in_text,
    find_placeholder_like,
    lookup,
)
from .nodes import Field, ItemField, Join, Malformed, Node, Span, Text

__all__ = ["check_names"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ITEM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s+")
_FIELDS = frozenset(FIELDS_BY_NAME)


class _Checker:
    def __init__(self, extra_fields: frozenset[str], brackets: bool) -> None:
        self.fields = _FIELDS | extra_fields if extra_fields else _FIELDS
        self.brackets = brackets
        self.problems: list[Problem] = []

    def add(self, span: Span, code: Code, message: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(span, code, message, suggestion))

    def warn(
        self, span: Span, message: str, suggestion: str | None, code: Code = Code.FOREIGN_MACRO
    ) -> None:
        self.problems.append(Problem(span, code, message, suggestion, "warning"))

    def nodes(self, nodes: Sequence[Node], loop_var: str | None) -> tuple[Node, ...]:
        self.foreign(nodes)
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
            folded = name.lower().replace("_", "")
            # A known macro's advice beats a fuzzy match, not a field in another case.
            macro = lookup("braces", name)
            if macro is not None and not any(f.lower() == folded for f in self.fields):
                message += f": a macro of {macro.systems} ({macro.meaning}); {advice(macro)}"
                self.add(span, Code.UNKNOWN_FIELD, message, macro.field)
                return
            message += f"; did you mean {{{hint}}}?" if hint else "; `postback fields` lists them"
            self.add(span, Code.UNKNOWN_FIELD, message, f"{{{hint}}}" if hint else None)

    def item(self, node: ItemField, loop_var: str | None) -> None:
        var, attr, span = node
        if loop_var is None and attr not in ITEM_FIELDS_BY_NAME:
            self.foreign_dotted(node)
        elif loop_var is None:
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

    def foreign_dotted(self, node: ItemField) -> None:
        """Report a dotted name outside a join that is no item attribute: other syntax."""
        var, attr, span = node
        if var.lower() == "order" and attr.lower() in ("id", "number"):
            hint: str | None = "Oid"
        else:
            hint = suggest(attr, self.fields)
        message = (
            f"{{{var}.{attr}}} looks like another system's placeholder: a dotted name is "
            f"an item attribute, used only inside a join ({{i.sku}}), and {attr!r} is not "
            "one; name a field instead"
        )
        message += f": did you mean {{{hint}}}?" if hint else " (`postback fields` lists them)"
        self.add(span, Code.ITEM_OUTSIDE_JOIN, message, f"{{{hint}}}" if hint else None)

    def foreign(self, nodes: Sequence[Node]) -> None:
        """Warn about other systems' macros in ``nodes``, one level of the template."""
        # The verbatim texts of this level, in one string for one scan: texts that are
        # not adjacent in the source are kept apart by a NUL, which no macro holds.
        pieces: list[str] = []
        texts: list[Text] = []
        starts: list[int] = []  # where each text starts in the string
        size, end = 0, -1
        for k, node in enumerate(nodes):
            if isinstance(node, Text) and node.exact:
                if node.span.start != end:
                    pieces.append("\0")
                    size += 1
                texts.append(node)
                starts.append(size)
                pieces.append(node.value)
                size += len(node.value)
                end = node.span.end
            elif k and isinstance(node, Field | ItemField | Malformed):
                before = nodes[k - 1]
                if isinstance(before, Text) and before.exact and before.value[-1:] in ("{", "$"):
                    after = nodes[k + 1] if k + 1 < len(nodes) else None
                    self.wrapped(node, before, after if isinstance(after, Text) else None)
        if not pieces:
            return

        def offset(at: int) -> int:
            text = bisect_right(starts, at) - 1
            return texts[text].offset_of(at - starts[text])

        text = "".join(pieces)
        for macro in find_in_text(text, self.fields, brackets=self.brackets):
            # A macro's last character is never one written as an escape.
            span = Span(offset(macro.start), offset(macro.end - 1) + 1)
            self.warn(span, macro.message, macro.suggestion)
        for like in find_placeholder_like(text, self.fields):
            span = Span(offset(like.start), offset(like.end - 1) + 1)
            self.warn(span, like.message, like.suggestion, Code.PLACEHOLDER_LIKE)

    def wrapped(
        self, node: Field | ItemField | Malformed, before: Text, after: Text | None
    ) -> None:
        """Warn about ``{{name}}`` or ``${name}`` made of a placeholder and the text around it."""
        if isinstance(node, Field):
            inner, name = f"{{{node.name}}}", node.name
        elif isinstance(node, ItemField):
            inner, name = f"{{{node.var}.{node.attr}}}", f"{node.var}.{node.attr}"
        else:
            inner, name = node.text, _SPACE.sub("", node.text[1:-1])
        fields = self.fields
        if before.value.endswith("{") and after and after.exact and after.value.startswith("}"):
            span = Span(before.span.end - 1, after.span.start + 1)
            written = show("{" + inner + "}")
            if name in self.fields or (
                isinstance(node, ItemField) and node.attr in ITEM_FIELDS_BY_NAME
            ):
                message = (
                    f"{written} writes literal braces around a value ({MUSTACHE}); "
                    f"a placeholder takes one pair of braces: write {{{name}}}"
                )
                self.warn(span, message, f"{{{name}}}")
            else:
                self.warn(span, *describe(written, name, "braces", MUSTACHE, fields))
        elif before.value.endswith("$") and name not in self.fields:
            # "${Payout}" with a known field is a price written after a dollar sign.
            span = Span(before.span.end - 1, node.span.end)
            written = show("$" + inner)
            self.warn(span, *describe(written, name, "braces", TEMPLATE_LITERAL, fields))

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
    nodes: Sequence[Node], extra_fields: frozenset[str] = frozenset(), brackets: bool = False
) -> tuple[tuple[Node, ...], list[Problem]]:
    """Return the nodes with malformed placeholders replaced, and every name problem.

    With ``brackets`` (the format's values are URL or form values, where trackers
    write macros ``[name]``: its ``bracket_macros``), ``[name]`` is reported as
    another system's macro too.
    """
    checker = _Checker(extra_fields, brackets)
    checked = checker.nodes(nodes, None)
    return checked, checker.problems
