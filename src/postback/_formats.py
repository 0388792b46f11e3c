"""The output formats: one ``FormatSpec`` a format, holding every fact about it.

A format is a state machine over a template's text (a module of ``_contexts`` whose
``FORMAT`` implements ``OutputFormat``), the escapers its contexts bind (a module of
``_escape``), and the facts this registry holds: the name ``format=`` takes and the
other names it reads, the label of the settings screen, the content type of a body,
whether a notification's body may be written in it, the file extensions that imply
it, whether its templates are one line, what its receivers trim, which other systems'
macros it warns about.  Every list of formats in the package is derived from here:
``Format.parse`` and its message, the settings of a notification, the command line's
choices and completion, the project settings, the extensions of template files.

The state machines load on first use.  ``register_format`` adds a format at run time
(docs/architecture.md, "Adding a format"); the shipped formats are registered below, in
the order messages list them, each with a ``Format`` member and a ``FormatName`` name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from ._compiler.cache import forget_format
from ._errors import ConfigError

if TYPE_CHECKING:
    from ._contexts import OutputFormat

__all__ = [
    "Format",
    "FormatName",
    "FormatSpec",
    "body_formats",
    "folder_suffixes",
    "format_for",
    "format_names",
    "format_spec",
    "formats",
    "listed",
    "register_format",
    "suffixes",
    "template_text",
    "unregister_format",
    "without_final_line_ending",
]


class FormatSpec(NamedTuple):
    """Every fact about one output format.

    ``name`` is the value ``format=`` takes (``"json"``); ``label`` the words of the
    settings screen (``"Query String"``), which ``Format.parse`` reads too, as it reads
    ``aliases`` (documented, and accepted by type checkers in ``FormatName``) and
    ``short_names`` (read, not advertised).  ``contexts`` is the module whose
    ``FORMAT`` is the state machine; ``escape`` the module of the escapers its
    contexts bind, by the names in ``escapers`` (the names the generated code binds
    them under; for some, a function of that name makes the escaper per placeholder).
    ``content_type`` is the Content-Type of a body; ``body`` says whether a
    notification's body may be written in the format (it then needs a content type).
    ``suffixes`` are the file extensions that imply the format; ``in_folders`` whether
    ``check`` and ``test`` take such files when they walk a folder.  ``one_line``: no
    line break can stand in a template's text, and one final line ending is not part
    of it; ``one_line_values``: no value writes a line break (the escapers encode CR
    and LF, or refuse them).  ``trim`` holds the characters the receivers strip at the
    ends of the output, which the render function strips where a value can stand.
    ``bracket_macros``: values are URL or form values, where trackers write their
    macros ``[name]``, so the checker warns about those too.  ``reader`` (``"module:
    function"``) builds the body reader of ``Template.parse`` (none: not read back);
    ``fast_reader`` one tried first, returning None where it does not apply.
    """

    name: str
    label: str
    contexts: str
    escape: str | None = None
    escapers: tuple[str, ...] = ()
    content_type: str | None = None
    body: bool = False
    suffixes: tuple[str, ...] = ()
    in_folders: bool = True
    one_line: bool = False
    one_line_values: bool = False
    trim: str = ""
    bracket_macros: bool = False
    aliases: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    reader: str | None = None
    fast_reader: str | None = None

    def machine(self) -> OutputFormat[Any]:
        """Return the format's state machine, loading its module on first use."""
        found = _machines.get(self.name)
        if found is None:
            found = _machines[self.name] = import_module(self.contexts).FORMAT
        return found


class Format(StrEnum):
    """The output formats a template can be compiled for."""

    # A format added with ``register_format`` has no attribute here: ``Format(name)``
    # and ``Format.parse(name)`` give its member, made on first use (``_missing_``).

    JSON = "json"
    XML = "xml"
    QUERY = "query"
    URL = "url"
    HEADER = "header"
    TEXT = "text"

    def __str__(self) -> str:
        return self.value

    @property
    def content_type(self) -> str | None:
        """The MIME type of a body in this format (None for url and header)."""
        return format_spec(self).content_type

    @classmethod
    def parse(cls, value: Format | str) -> Format:
        """Return the member for a member, or for a name or alias in any case and spacing.

        The settings screen's own words work: ``"Query String"``, ``"JSON"``, ``"XML"``.
        """
        if isinstance(value, Format):
            return value
        if isinstance(value, str):
            name = _keys.get(_fold(value))
            if name is not None:
                return cls(name)
        raise ConfigError(
            f"unknown format {value!r}: use one of {listed(formats(), aliases=True)}",
            setting="format",
        )

    @classmethod
    def _missing_(cls, value: object) -> Format | None:
        # A registered format without a member of its own: made once, then found
        # where the members are.
        if not isinstance(value, str) or value not in _registry:
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return cast(Format, cls._value2member_map_.setdefault(value, member))


FormatName = Literal[
    "json", "xml", "query", "url", "header", "text", "querystring", "query_string", "form"
]
"""The format names ``format=`` and ``body_format=`` take, for type checkers.

Each format's value and the documented aliases of ``"query"``; a misspelt name
(``format="jsn"``) is a type error.  ``Format.parse`` reads any name at run time, in
any case and spacing (``"Query String"``); give it a name held in a ``str``.
"""


# The registry: the specs by name in registration order, the names ``Format.parse``
# reads (folded) and the extensions, each to its format's name, and the state
# machines loaded so far.
_registry: dict[str, FormatSpec] = {}
_keys: dict[str, str] = {}
_suffixes: dict[str, str] = {}
_machines: dict[str, OutputFormat[Any]] = {}


def _fold(name: str) -> str:
    """Return ``name`` as ``Format.parse`` compares it: lower case, without separators.

    Words may be run together or separated by spaces, "-" or "_".
    """
    return "".join(name.lower().replace("-", " ").replace("_", " ").split())


def _refusal(spec: FormatSpec, keys: list[str]) -> str | None:
    """Return why ``spec``, whose names fold to ``keys``, cannot be registered, or None."""
    name = spec.name
    if not (name.isascii() and name.isidentifier() and name.islower()):
        return "its name must be lower-case ASCII letters, digits and _, not starting with a digit"
    if name in _registry:
        return "it is registered already"
    if spec.body and spec.content_type is None:
        return "it is a body format but has no content type"
    for key in keys:
        if key in _keys:
            return f"the name {key!r} means {_keys[key]!r} already"
    for suffix in spec.suffixes:
        tail = suffix[1:]
        if not (suffix[:1] == "." and tail.isascii() and tail.isalnum() and tail == tail.lower()):
            return f"the extension {suffix!r} must be a dot and lower-case ASCII letters or digits"
        if suffix in _suffixes:
            return f"the extension {suffix!r} means {_suffixes[suffix]!r} already"
    return None


def register_format(spec: FormatSpec) -> FormatSpec:
    """Add ``spec`` to the formats, after every format registered before it.

    From then on its name compiles (``compile(source, format=name)``), its extensions
    imply it, and, if it is a body format, a notification's body may be written in it.
    Raises ``ConfigError`` for a name, label, alias or extension that is taken or
    malformed.
    """
    keys = [_fold(n) for n in (spec.name, spec.label, *spec.aliases, *spec.short_names)]
    why = _refusal(spec, keys)
    if why is not None:
        raise ConfigError(f"cannot register format {spec.name!r}: {why}", setting="format")
    _registry[spec.name] = spec
    _keys.update(dict.fromkeys(keys, spec.name))
    _suffixes.update(dict.fromkeys(spec.suffixes, spec.name))
    return spec


def unregister_format(name: str) -> None:
    """Remove the format ``name`` that ``register_format`` added at run time.

    The formats postback ships (the members of ``Format``) stay.  The compiled
    templates of the format leave the cache of ``compile``.
    """
    if name not in _registry or any(member.value == name for member in Format):
        raise ConfigError(f"format {name!r} was not registered at run time", setting="format")
    del _registry[name]
    for table in (_keys, _suffixes):
        for key in [k for k, v in table.items() if v == name]:
            del table[key]
    _machines.pop(name, None)
    Format._value2member_map_.pop(name, None)
    forget_format(name)


def format_spec(fmt: Format | str) -> FormatSpec:
    """Return the spec of the format ``fmt`` (a member, or a format's name)."""
    spec = _registry.get(fmt)
    if spec is None:
        raise ConfigError(f"format {str(fmt)!r} is not registered", setting="format")
    return spec


def formats() -> tuple[FormatSpec, ...]:
    """Return every format's spec, in the order they were registered."""
    return tuple(_registry.values())


def body_formats() -> tuple[FormatSpec, ...]:
    """Return the specs of the formats a notification's body may be written in."""
    return tuple(spec for spec in _registry.values() if spec.body)


def format_for(path: str | os.PathLike[str]) -> Format | None:
    """Return the format the extension of ``path`` implies (in any case), or None."""
    from pathlib import PurePath  # only files need it: import postback stays cheap

    name = _suffixes.get(PurePath(path).suffix.lower())
    return None if name is None else Format(name)


def format_names() -> tuple[str, ...]:
    """Return every format's name, in the order they were registered."""
    return tuple(_registry)


def suffixes() -> dict[str, Format]:
    """Return every extension that implies a format, with its format, in registration order."""
    return {suffix: Format(name) for suffix, name in _suffixes.items()}


def folder_suffixes() -> tuple[str, ...]:
    """Return the extensions of the template files ``check`` and ``test`` find in a folder."""
    return tuple(s for spec in _registry.values() if spec.in_folders for s in spec.suffixes)


def listed(specs: Iterable[FormatSpec], last: str = ",", *, aliases: bool = False) -> str:
    """Return the quoted names of ``specs`` as a message lists them, with what their
    documented aliases mean if ``aliases`` says so.

    ``"'json', 'xml', 'query'"``; with ``last="or"`` and ``aliases``: ``"'json', 'xml'
    or 'query' ('querystring', 'query_string' and 'form' mean 'query')"``.
    """
    specs = tuple(specs)
    names = [repr(spec.name) for spec in specs]
    text = ", ".join(names)
    if last != "," and len(names) > 1:
        text = f"{', '.join(names[:-1])} {last} {names[-1]}"
    notes = [
        f"{', '.join(shown[:-1])} and {shown[-1]} mean {spec.name!r}"
        if len(shown) > 1
        else f"{shown[0]} means {spec.name!r}"
        for spec in specs
        if (shown := [repr(alias) for alias in spec.aliases])
    ]
    return f"{text} ({'; '.join(notes)})" if aliases and notes else text


def template_text(source: str, fmt: Format) -> str:
    """Return the text ``source`` is compiled as in ``fmt``: the one rule for a final newline.

    In the one-line formats exactly one final line ending (``\\n`` or ``\\r\\n``), which
    an editor adds to a file, is not part of the template; every other format keeps
    its text as is.  ``compile``, ``check``, ``Notification`` and the command line all
    read a template through this function (docs/language.md states the rule).
    """
    return without_final_line_ending(source) if format_spec(fmt).one_line else source


def without_final_line_ending(text: str) -> str:
    """Return ``text`` without one final ``\\n`` or ``\\r\\n``, if it ends with one."""
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


for _spec in (
    FormatSpec(
        "json",
        "JSON",
        "postback._contexts.json",
        "postback._escape.json",
        ("json_string_body", "json_quote"),
        content_type="application/json",
        body=True,
        suffixes=(".json",),
        one_line_values=True,
        reader="postback._reading.json:build",
        fast_reader="postback._reading.json_fast:build_fast",
    ),
    FormatSpec(
        "xml",
        "XML",
        "postback._contexts.xml",
        "postback._escape.xml",
        ("xml_content", "xml_attribute", "xml_cdata"),
        content_type="application/xml; charset=utf-8",
        body=True,
        suffixes=(".xml",),
        reader="postback._reading.xml:build",
    ),
    FormatSpec(
        "query",
        "Query String",
        "postback._contexts.query",
        "postback._escape.url",
        ("form_encode",),
        content_type="application/x-www-form-urlencoded",
        body=True,
        suffixes=(".qs", ".query"),
        one_line=True,
        one_line_values=True,
        bracket_macros=True,
        aliases=("querystring", "query_string", "form"),
        short_names=("qs",),
        reader="postback._reading.query:build",
    ),
    FormatSpec(
        "url",
        "URL",
        "postback._contexts.url",
        "postback._escape.url",
        ("percent_encode", "path_segment_encode", "path_segment_value", "form_encode"),
        suffixes=(".url",),
        reader="postback._reading.url:build",
        one_line=True,
        one_line_values=True,
        bracket_macros=True,
    ),
    FormatSpec(
        "header",
        "Header",
        "postback._contexts.header",
        "postback._escape.header",
        ("header_value",),
        suffixes=(".header",),
        one_line=True,
        one_line_values=True,
        # Receivers strip spaces and tabs around a field value (RFC 9110 §5.5) and
        # strict ones (h11) refuse them: the render function trims them at the ends.
        trim=" \t",
        reader="postback._reading.text:build_header",
    ),
    # No escaping and no validation, for parity tests only; a .txt file is a template
    # only when it is named (a README.txt in a template folder is not one).
    FormatSpec(
        "text",
        "Text",
        "postback._contexts.text",
        content_type="text/plain; charset=utf-8",
        suffixes=(".txt",),
        in_folders=False,
        reader="postback._reading.text:build",
    ),
):
    register_format(_spec)
del _spec
