"""Reading a whole received request back into an ``Action``: ``Notification.parse``.

A notification writes a request in several parts: the url, each templated header and
the body.  Each part is read with its own template (``Template.parse``), and what the
parts read is merged into one ``Action``.  A field written in more than one part must
read the same in each, and so must the items of every part with joins over ``items``;
otherwise the ``ParseError`` names both parts.  An error found inside a part says which
one in its message and in ``ParseError.part`` (the setting's name: ``"url"``,
``"headers.X-Token"``, ``"body"``), and its line and column are in that part's text.
A secret header's value (``secrets.is_secret_header``) is never quoted in an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, Protocol

from .._errors import ConfigError, ParseError, RenderError
from .._messages import describe_value, not_utf8, short_repr
from .._records.action import Action
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME
from .._records.item import Item
from .._template import Template
from .secrets import MASK, is_secret_header

if TYPE_CHECKING:
    from .._reading import ExtraPolicy

__all__ = ["Templates", "parse_request"]

_NO_ITEM: Final = Item()


@dataclass(frozen=True, slots=True)
class _Part:
    """One part of the request, its template and the action it reads."""

    setting: str  # "url", "headers.X-Token" or "body"
    label: str  # how messages name it: "the url", "header 'X-Token'", "the body"
    template: Template
    secret: bool = False


class Templates(Protocol):
    """What ``parse_request`` reads a request with: a notification's method and templates."""

    @property
    def method(self) -> str: ...
    @property
    def url_template(self) -> Template: ...
    @property
    def header_templates(self) -> tuple[tuple[str, Template], ...]: ...
    @property
    def body_template(self) -> Template | None: ...


def parse_request(
    templates: Templates, method: object, url: object, headers: object, body: object, extra: object
) -> Action:
    """Read a received request into the ``Action`` it holds (``Notification.parse``)."""
    policy = _policy(extra)
    if not isinstance(method, str):
        raise ParseError(f"the method must be a str, not {describe_value(method)}")
    if method.strip().upper() != templates.method:
        raise ParseError(
            f"the request's method is {short_repr(method)}, but the notification sends "
            f"{templates.method}",
            expected=templates.method,
            found=short_repr(method),
        )
    readings = [_read(_Part("url", "the url", templates.url_template), url, policy)]
    received = _header_values(headers, {name.lower() for name, _ in templates.header_templates})
    for name, template in templates.header_templates:
        part = _Part(f"headers.{name}", f"header {name!r}", template, is_secret_header(name))
        if name.lower() not in received:
            raise ParseError(
                f"the request has no header {name!r}, which the notification writes",
                expected=f"the header {name!r}",
                found="no such header",
                part=part.setting,
            )
        readings.append(_read(part, received[name.lower()], "error"))
    no_body = body is None or (templates.body_template is None and body in ("", b""))
    if templates.body_template is None and not no_body:
        raise ParseError(
            "the request has a body, but the notification sends none",
            expected="no body",
            found="a body",
            part="body",
        )
    if templates.body_template is not None:
        if body is None:
            raise ParseError(
                "the request has no body, but the notification sends one",
                expected="a body",
                found="no body",
                part="body",
            )
        readings.append(_read(_Part("body", "the body", templates.body_template), body, policy))
    return _merge(readings)


def _policy(extra: object) -> ExtraPolicy:
    if extra == "error" or extra == "keep":
        return extra
    raise ConfigError(
        f"extra must be 'error' or 'keep', not {describe_value(extra)}", setting="extra"
    )


def _header_values(headers: object, wanted: set[str]) -> dict[str, object]:
    """Return the received values of the headers in ``wanted`` (lower-case names),
    keyed by lower-case name; the others are not looked at past their names."""
    if headers is None:
        return {}
    pairs = headers.items() if hasattr(headers, "items") else headers
    if isinstance(headers, str | bytes) or not isinstance(pairs, Iterable):
        raise ParseError(
            "headers must be a mapping or a sequence of (name, value) pairs, not "
            f"{describe_value(headers)}"
        )
    found: dict[str, object] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ParseError(f"a header must be a (name, value) pair, not {describe_value(pair)}")
        name, value = pair
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if not isinstance(name, str):
            raise ParseError(f"a header's name must be a str, not {describe_value(name)}")
        folded = name.strip().lower()
        if folded not in wanted:
            continue
        if folded in found:
            raise ParseError(
                f"the request gives the header {name!r} twice; the notification writes it once",
                expected=f"one header {name!r}",
                found="two",
                part=f"headers.{name}",
            )
        found[folded] = value
    return found


def _read(part: _Part, data: object, extra: ExtraPolicy) -> tuple[_Part, Action]:
    """Read one part of the request with its template."""
    text = _text(part, data)
    try:
        return part, part.template.parse(text, extra=extra)
    except ParseError as exc:
        raise _in_part(exc, part) from None


def _text(part: _Part, data: object) -> str:
    """Return the text of a part: a str as it is, bytes decoded as UTF-8 strictly."""
    if isinstance(data, str):
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError(
            f"{part.label} must be str or bytes, not {describe_value(data)}", part=part.setting
        )
    raw = bytes(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        why = "it is not shown" if part.secret else not_utf8(raw, exc.start, part.label)
        raise ParseError(
            f"{part.label} is not UTF-8 at {line}:{column}: {why}",
            line=line,
            column=column,
            expected="UTF-8 text",
            found="a byte that is not UTF-8",
            part=part.setting,
        ) from None


def _in_part(exc: ParseError, part: _Part) -> ParseError:
    """Return ``exc`` as an error about ``part`` of the request: the same place in the
    part's text, the part named; a secret header's text is not shown."""
    if part.secret:
        return ParseError(
            f"in {part.label}: the value does not read as the notification writes it (the "
            "value of a secret header is not shown)",
            line=exc.line,
            column=exc.column,
            template_line=exc.template_line,
            template_column=exc.template_column,
            field=exc.field,
            part=part.setting,
        )
    return ParseError(
        f"in {part.label}: {exc.message}",
        line=exc.line,
        column=exc.column,
        template_line=exc.template_line,
        template_column=exc.template_column,
        expected=exc.expected,
        found=exc.found,
        field=exc.field,
        readings=exc.readings,
        part=part.setting,
    )


# -- merging the parts ----------------------------------------------------------


class _Values:
    """The values read so far, by name, with the part each was first read in."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: dict[str, tuple[object, _Part]] = {}

    def put(self, name: str, value: object, part: _Part, field: str, label: str = "") -> None:
        """Keep ``value`` of ``name`` (``field``, as messages call it); a name read in an
        earlier part must read the same."""
        known = self.seen.get(name)
        if known is None:
            self.seen[name] = (value, part)
            return
        first, where = known
        if _same(first, value):
            return
        raise ParseError(
            f"{label or field} is {_shown(first, where)} in {where.label} but "
            f"{_shown(value, part)} in {part.label}",
            expected=f"the same value in {where.label} and {part.label}",
            found=f"{_shown(first, where)} and {_shown(value, part)}",
            field=field,
            part=part.setting,
        )


def _same(first: object, second: object) -> bool:
    # True == 1 and "1" != 1: a JSON true and a query's 1 are not the same value.
    return type(first) is type(second) and first == second


def _shown(value: object, part: _Part) -> str:
    if part.secret:
        return MASK
    if value is None:
        return "missing"
    if isinstance(value, str):
        return short_repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _merge(readings: list[tuple[_Part, Action]]) -> Action:
    """Merge what each part reads into one action; the parts must agree."""
    fields = _Values()
    extra = _Values()
    for part, action in readings:
        template = part.template
        for name in template.fields:
            spec = FIELDS_BY_NAME.get(name)
            if spec is not None:
                fields.put(spec.attribute, getattr(action, spec.attribute), part, name)
            elif name in template.extra_fields:
                extra.put(name, action.extra.get(name), part, name)
        for name, value in action.extra.items():
            if name not in template.fields:
                extra.put(name, value, part, name)  # kept under extra="keep"
    values = {name: value for name, (value, _) in fields.seen.items()}
    kept = {name: value for name, (value, _) in extra.seen.items() if value is not None}
    items = _merge_items([(p, a) for p, a in readings if "items" in p.template.fields])
    return Action(**values, items=items, extra=kept)  # type: ignore[arg-type]


def _merge_items(readings: list[tuple[_Part, Action]]) -> tuple[Item, ...]:
    """Merge the items of the parts with joins: as many in each, each reading the same."""
    if not readings:
        return ()
    count = max(len(action.items) for _, action in readings)
    for part, action in readings:
        n = len(action.items)
        if n != count and not (n == 0 and count == 1 and _empty_item_writes_nothing(part)):
            other = next(p for p, a in readings if len(a.items) == count)
            raise ParseError(
                f"{part.label} reads {_items(n)} but {other.label} {_items(count)}",
                expected=f"{_items(count)}, as {other.label} reads",
                found=_items(n),
                part=part.setting,
            )
    merged: list[Item] = []
    for index in range(count):
        attrs = _Values()
        for part, action in readings:
            item = action.items[index] if action.items else _NO_ITEM
            # The item attributes the part's template writes.
            for name in part.template._item_attrs:
                attr = ITEM_FIELDS_BY_NAME[name].attribute
                label = f"i.{name} of item {index + 1}"
                attrs.put(attr, getattr(item, attr), part, f"i.{name}", label)
        merged.append(Item(**{k: v for k, (v, _) in attrs.seen.items()}))  # type: ignore[arg-type]
    return tuple(merged)


def _empty_item_writes_nothing(part: _Part) -> bool:
    """Whether the part's template writes one item without values as it writes none:
    its text then reads as no items where another part reads one."""
    template = part.template
    if template.missing == "error":
        return False  # an item without values is not written at all
    try:
        return template.render(Action(items=(_NO_ITEM,))) == template.render(Action())
    except RenderError:
        return False  # a template that cannot write an empty record tells no items apart


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"
