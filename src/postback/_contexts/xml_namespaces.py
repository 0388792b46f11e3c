"""XML namespaces in the scanner: the declarations a start tag makes, and whether the
tag is namespace-well-formed where it stands."""

from __future__ import annotations

from typing import Final

from .._problems import Problem
from .xml_names import holds_placeholder
from .xml_state import Stack, Tag, invalid

__all__ = ["declare", "declares_namespace", "namespace_problem"]

_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
_XMLNS_NS: Final = "http://www.w3.org/2000/xmlns/"


def declares_namespace(attr: str) -> bool:
    """Whether the attribute ``attr`` declares a namespace (``xmlns``, ``xmlns:p``).

    A name holding a placeholder was refused; its value declares nothing.
    """
    return (attr == "xmlns" or attr.startswith("xmlns:")) and not holds_placeholder(attr)


def declare(current: Tag, attr: str, namespace: str | None) -> Tag:
    """Return ``current`` with the namespace declared by ``attr``, if it declares one."""
    if namespace is None:
        return current
    prefix = attr[6:]
    if any(p == prefix for p, _uri in current.namespaces):
        return current  # a repeated declaration: refused as a repeated attribute
    return Tag(current.name, current.attributes, (*current.namespaces, (prefix, namespace)))


def _resolve(prefix: str, current: Tag, stack: Stack) -> str | None:
    """Return the namespace ``prefix`` stands for in the start tag ``current``, or None."""
    for p, uri in current.namespaces:
        if p == prefix:
            return uri
    for element in reversed(stack):
        for p, uri in element.namespaces:
            if p == prefix:
                return uri
    return _XML_NS if prefix == "xml" else None


def namespace_problem(current: Tag, stack: Stack, at: int) -> Problem | None:
    """Return why the start tag ``current`` is not namespace-well-formed where it stands."""
    name = current.name
    if not current.attributes and ":" not in name:
        return None  # it declares and uses no namespace
    for prefix, uri in current.namespaces:
        shown = f"xmlns:{prefix}" if prefix else "xmlns"
        if prefix == "xmlns" or uri == _XMLNS_NS:
            return invalid(f"<{name}> {shown}=...: the xmlns prefix and namespace are reserved", at)
        if (prefix == "xml") != (uri == _XML_NS):
            message = (
                f"<{name}> {shown}=...: the xml prefix is bound to {_XML_NS} and nothing else is"
            )
            return invalid(message, at)
        if prefix and not uri:
            message = (
                f'<{name}> {shown}="": a namespace prefix cannot be undeclared (XML 1.0 namespaces)'
            )
            return invalid(message, at)
    attributes = [a for a in current.attributes if not declares_namespace(a)]
    for qname in (name, *attributes):
        prefix = qname.split(":", 1)[0] if ":" in qname else ""
        if prefix and _resolve(prefix, current, stack) is None:
            return invalid(
                f"the namespace prefix {prefix!r} of {qname!r} is not declared; "
                f'add xmlns:{prefix}="..." to <{name}> or an enclosing element',
                at,
            )
    seen: dict[tuple[str | None, str], str] = {}
    for attr in attributes:
        prefix, _colon, local = attr.rpartition(":")
        key = (_resolve(prefix, current, stack) if prefix else None, local)
        other = seen.setdefault(key, attr)
        if other != attr:
            return invalid(
                f"<{name}> has the attributes {other!r} and {attr!r}, which are the same "
                f"attribute: both prefixes name the namespace {key[0]!r}",
                at,
            )
    return None
